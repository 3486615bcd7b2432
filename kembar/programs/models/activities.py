from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.accounts.models import Organisation
from kembar.geo.models import Region
from kembar.partnerships.models import FocusArea, Partnership
from kembar.programs.models.codelists import GovernmentAffair, SdgGoal, SdgTarget, Sector


class ActivityKind(models.TextChoices):
    EXCHANGE_INBOUND = "exchange_inbound", _("exchange visit (inbound)")
    EXCHANGE_OUTBOUND = "exchange_outbound", _("exchange visit (outbound)")
    TRAINING = "training", _("training")
    SCHOLARSHIP = "scholarship", _("scholarship")
    TRADE_MISSION = "trade_mission", _("trade mission")
    EXPO = "expo", _("expo")
    FESTIVAL = "festival", _("festival")
    TECHNICAL_ASSISTANCE = "technical_assistance", _("technical assistance")
    JOINT_PROJECT = "joint_project", _("joint project")
    SEMINAR = "seminar", _("seminar")
    OTHER = "other", _("other")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    ONGOING = "ongoing", _("ongoing")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


class Activity(models.Model):
    """Something done under a partnership: a visit, a training, a trade mission …

    ``reference`` is the natural key an agency gives (and re-uses when it
    uploads the same spreadsheet again).  The place is either a kecamatan or
    kelurahan of the local region or the partner city.  The declared
    participant totals are what the breakdown in :class:`ParticipantCount`
    must add up to.
    """

    reference = models.SlugField(
        _("reference"),
        max_length=40,
        unique=True,
        help_text=_("A short code of your choice, unique in Kembar, e.g. SMG-BNE-2024-01."),
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("partnership"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=ActivityKind.choices)
    title_id = models.CharField(_("title (Indonesian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_id = models.TextField(_("description (Indonesian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    agency = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("responsible agency"),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    cancellation_reason = models.TextField(_("reason for cancelling"), blank=True)
    place_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("place (kecamatan or kelurahan)"),
    )
    in_partner_city = models.BooleanField(_("held in the partner city"), default=False)
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="activities", verbose_name=_("sector")
    )
    government_affair = models.ForeignKey(
        GovernmentAffair,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("government affair"),
    )
    sdg_goals = models.ManyToManyField(
        SdgGoal, blank=True, related_name="activities", verbose_name=_("SDG goals")
    )
    sdg_targets = models.ManyToManyField(
        SdgTarget, blank=True, related_name="activities", verbose_name=_("SDG targets")
    )
    focus_areas = models.ManyToManyField(
        FocusArea, blank=True, related_name="activities", verbose_name=_("focus areas")
    )
    participants_local = models.PositiveIntegerField(
        _("local participants (total)"),
        default=0,
        help_text=_("People of our region who took part."),
    )
    participants_partner = models.PositiveIntegerField(
        _("partner participants hosted (total)"),
        default=0,
        help_text=_("People from the partner side whom we hosted."),
    )
    participants_registered = models.PositiveIntegerField(
        _("local participants counted from registrations"),
        default=0,
        editable=False,
        help_text=_(
            "People who registered on the portal and were checked in; counted by Kembar, "
            "never typed. Not part of the totals typed by officers."
        ),
    )
    is_demo = models.BooleanField(
        _("demonstration record"),
        default=False,
        editable=False,
        help_text=_("Generated to demonstrate Kembar; not a real activity."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    #: Raised by one on every saved change (for an activity: also of what is recorded under
    #: it); a write names the version it read, and a stale one is refused (no lost updates).
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Raised on every change; guards against lost updates."),
    )

    history = HistoricalRecords(m2m_fields=[sdg_goals, sdg_targets, focus_areas])

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-start_date", "reference"]
        indexes = [
            models.Index(fields=["partnership", "start_date"], name="programs_activity_p_date"),
            models.Index(fields=["agency", "start_date"], name="programs_activity_a_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="programs_activity_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~(Q(place_region__isnull=False) & Q(in_partner_city=True)),
                name="programs_activity_one_place",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def title(self) -> str:
        if (get_language() or "id").startswith("en") and self.title_en:
            return self.title_en
        return self.title_id

    @property
    def description(self) -> str:
        if (get_language() or "id").startswith("en") and self.description_en:
            return self.description_en
        return self.description_id


class FundingSource(models.TextChoices):
    APBD = "apbd", _("regional budget (APBD)")
    APBN = "apbn", _("national budget (APBN)")
    PARTNER = "partner", _("partner")
    PRIVATE = "private", _("private or third party")
    OTHER = "other", _("other")


class MoneyKind(models.TextChoices):
    BUDGET = "budget", _("budget")
    SPENDING = "spending", _("spending")


class BudgetLine(models.Model):
    """Money budgeted or spent for an activity from one source.

    The amount is kept in its original currency with the rate used, and in
    rupiah (``amount_idr`` = ``amount`` × ``rate_to_idr``, rounded to the cent).
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="budget_lines")
    source = models.CharField(_("source"), max_length=10, choices=FundingSource.choices)
    kind = models.CharField(_("budget or spending"), max_length=10, choices=MoneyKind.choices)
    amount = models.DecimalField(
        _("amount"), validators=[MinValueValidator(Decimal(0))], max_digits=20, decimal_places=2
    )
    currency = models.CharField(_("currency"), max_length=3, default="IDR")
    rate_to_idr = models.DecimalField(
        _("rate to IDR"),
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.000001"))],
        max_digits=18,
        decimal_places=6,
    )
    amount_idr = models.DecimalField(
        _("amount in IDR"), editable=False, max_digits=20, decimal_places=2
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["activity", "kind", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "source", "kind"], name="programs_budget_natural_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.kind} {self.source} {self.amount_idr} IDR"


class ContributionSide(models.TextChoices):
    LOCAL = "local", _("our region")
    PARTNER = "partner", _("the partner")


class ContributionForm(models.TextChoices):
    FUNDS = "funds", _("funds")
    IN_KIND = "in_kind", _("in kind")
    EXPERTISE = "expertise", _("expertise")


class Contribution(models.Model):
    """What one side gave to the cooperation: funds, goods or services, expertise."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="contributions")
    side = models.CharField(_("given by"), max_length=8, choices=ContributionSide.choices)
    form = models.CharField(_("form"), max_length=10, choices=ContributionForm.choices)
    description = models.CharField(_("description"), max_length=300)
    value = models.DecimalField(
        _("value"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Leave empty where the contribution cannot be valued."),
        max_digits=20,
        decimal_places=2,
    )
    currency = models.CharField(_("currency"), max_length=3, default="IDR")
    rate_to_idr = models.DecimalField(
        _("rate to IDR"),
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.000001"))],
        max_digits=18,
        decimal_places=6,
    )
    value_idr = models.DecimalField(
        _("value in IDR"), null=True, blank=True, editable=False, max_digits=20, decimal_places=2
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["activity", "side", "form", "description"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "side", "form", "description"],
                name="programs_contribution_natural_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.side} {self.form}: {self.description}"


class ParticipantSide(models.TextChoices):
    LOCAL = "local", _("local people who took part")
    PARTNER = "partner", _("partner people hosted")


class StakeholderGroup(models.TextChoices):
    GOVERNMENT = "government", _("government")
    BUSINESS = "business", _("business / UMKM")
    ACADEMIA = "academia", _("academia")
    STUDENTS_YOUTH = "students_youth", _("students and youth")
    CIVIL_SOCIETY = "civil_society", _("civil society / NGO")
    COMMUNITY = "community", _("community / citizens")
    MEDIA = "media", _("media")


class Gender(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    UNSPECIFIED = "unspecified", _("not stated")


class AgeBand(models.TextChoices):
    UNDER_15 = "0-14", _("under 15")
    AGE_15_24 = "15-24", _("15–24")
    AGE_25_44 = "25-44", _("25–44")
    AGE_45_64 = "45-64", _("45–64")
    AGE_65_UP = "65+", _("65 and over")
    UNKNOWN = "unknown", _("not stated")


class CountSource(models.TextChoices):
    OFFICER = "officer", _("typed by officers")
    REGISTRATIONS = "registrations", _("registrations checked in")


class ParticipantCount(models.Model):
    """How many people of one group, gender, age band and home district took part.

    Aggregates only (UU PDP 27/2022): no names.  ``home_region`` is the
    kecamatan of the local region the people live in; empty means outside the
    city (always so for partner people hosted).

    ``source`` tells who counted them: officers type their counts (they add
    up to the activity's ``participants_local`` and ``participants_partner``);
    the portal counts the registrations checked in (``participants_registered``,
    ``kembar.participation.registrations``).  A person is counted by one of the
    two, never both: officers count the people who did not register.
    """

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="participant_counts"
    )
    side = models.CharField(_("side"), max_length=8, choices=ParticipantSide.choices)
    group = models.CharField(
        _("stakeholder group"), max_length=16, choices=StakeholderGroup.choices
    )
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices)
    home_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("home kecamatan"),
        help_text=_("Empty: from outside the city."),
    )
    count = models.PositiveIntegerField(_("number of people"))
    source = models.CharField(
        _("counted from"),
        max_length=13,
        choices=CountSource.choices,
        default=CountSource.OFFICER,
        editable=False,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participant count")
        verbose_name_plural = _("participant counts")
        ordering = ["activity", "source", "side", "group", "gender", "age_band", "home_region"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "source", "side", "group", "gender", "age_band", "home_region"],
                condition=Q(home_region__isnull=False),
                name="programs_participants_source_key",
            ),
            models.UniqueConstraint(
                fields=["activity", "source", "side", "group", "gender", "age_band"],
                condition=Q(home_region__isnull=True),
                name="programs_participants_source_outside_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.side} {self.group} {self.gender} {self.age_band}"


class ReachDimension(models.TextChoices):
    DISTRICT = "district", _("home kecamatan")
    GROUP = "group", _("stakeholder group")
    GENDER = "gender", _("gender")
    AGE_BAND = "age_band", _("age band")


class ParticipantRollup(models.Model):
    """Local participants summed by what the reach dashboard filters and shows.

    One row per (region, partnership, sector, kind, year, demo flag) and per
    category of one dimension (home kecamatan, group, gender, age band), so
    the dashboard sums a few thousand rows instead of millions of counts.
    Kept in step with :class:`ParticipantCount` by the services, in the same
    transaction (``kembar.programs.rollup``); ``category`` is ``""`` for
    people from outside the city.
    """

    local_region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    sector = models.ForeignKey(Sector, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=ActivityKind.choices)
    year = models.PositiveSmallIntegerField()
    is_demo = models.BooleanField()
    dimension = models.CharField(max_length=10, choices=ReachDimension.choices)
    category = models.CharField(max_length=20, blank=True)
    participants = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = _("participant summary")
        verbose_name_plural = _("participant summaries")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "local_region",
                    "partnership",
                    "sector",
                    "kind",
                    "year",
                    "is_demo",
                    "dimension",
                    "category",
                ],
                name="programs_rollup_key",
            )
        ]
        indexes = [
            models.Index(fields=["local_region", "dimension", "year"], name="programs_rollup_dim")
        ]

    def __str__(self) -> str:
        return f"{self.partnership_id} {self.year} {self.dimension}={self.category}"
