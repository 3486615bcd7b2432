from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.geo.models import Region
from kembar.programs.models import Activity


class OpportunityKind(models.TextChoices):
    EXCHANGE = "exchange", _("exchange")
    SCHOLARSHIP = "scholarship", _("scholarship")
    TRAINING = "training", _("training")
    TRADE_MISSION = "trade_mission", _("trade mission")
    HOST_FAMILY = "host_family", _("host family")
    VOLUNTEERING = "volunteering", _("volunteering")
    EVENT = "event", _("event")
    COMPETITION = "competition", _("competition")


class Allocation(models.TextChoices):
    FIRST_COME = "first_come", _("first come, first served")
    LOTTERY = "lottery", _("lottery with a published seed")
    PANEL = "panel", _("selection by a panel")


class OpportunityStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    CLOSED = "closed", _("closed")
    RESULTS_PUBLISHED = "results_published", _("results published")


#: The statuses anyone may see (a draft is for its officers only).
PUBLIC_STATUSES = (
    OpportunityStatus.PUBLISHED,
    OpportunityStatus.CLOSED,
    OpportunityStatus.RESULTS_PUBLISHED,
)


class Opportunity(models.Model):
    """A call for participation published from an activity.

    The region and partnership are the activity's.  Who may apply is narrowed
    by kecamatan (of the activity's local region), stakeholder group and age
    band (codes of :class:`~kembar.programs.models.StakeholderGroup` and
    :class:`~kembar.programs.models.AgeBand`); empty means everyone.  Its
    status only moves forward (``kembar.participation.services``).
    """

    activity = models.ForeignKey(
        Activity,
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("activity"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=OpportunityKind.choices)
    title_id = models.CharField(_("title (Indonesian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_id = models.TextField(_("description (Indonesian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    eligible_kecamatan = models.ManyToManyField(
        Region,
        blank=True,
        related_name="+",
        verbose_name=_("kecamatan that may apply"),
        help_text=_("Empty: people from every kecamatan may apply."),
    )
    eligible_groups = models.JSONField(
        _("stakeholder groups that may apply"),
        default=list,
        blank=True,
        help_text=_("Empty: every group may apply."),
    )
    eligible_age_bands = models.JSONField(
        _("age bands that may apply"),
        default=list,
        blank=True,
        help_text=_("Empty: every age may apply."),
    )
    eligibility_other = models.TextField(_("other conditions"), blank=True)
    places = models.PositiveIntegerField(_("places"), default=0, validators=[MinValueValidator(0)])
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    allocation = models.CharField(
        _("how places are given"),
        max_length=12,
        choices=Allocation.choices,
        default=Allocation.FIRST_COME,
    )
    lottery_seed = models.CharField(
        _("lottery seed"),
        max_length=200,
        blank=True,
        help_text=_("Published so that anyone can repeat the draw."),
    )
    panel_criteria = models.JSONField(
        _("panel criteria"),
        default=list,
        blank=True,
        help_text=_("A list of criteria, each with a name and a weight."),
    )
    questions = models.JSONField(
        _("the call's own questions"),
        default=list,
        blank=True,
        help_text=_(
            "A list of questions, each with a key, the text in Indonesian and English "
            "and whether an answer is required."
        ),
    )
    #: Raised by one under the lock of every placement: the arrival order of registrations.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OpportunityStatus.choices,
        default=OpportunityStatus.DRAFT,
    )
    status_reason = models.TextField(_("reason for the last change of status"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
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
    #: Raised by one on every saved change (of the call, its status or its reservations).
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Raised on every change; guards against lost updates."),
    )

    history = HistoricalRecords(m2m_fields=[eligible_kecamatan], excluded_fields=["sequence"])

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="participation_opp_status"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # ``sequence`` is written only by the placement's own UPDATE (under its lock): a save
        # of the call from a copy read earlier must not put an old value back.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "sequence"
            ]
        super().save(*args, **kwargs)

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

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES


class ReservationDimension(models.TextChoices):
    KECAMATAN = "kecamatan", _("kecamatan")
    GROUP = "group", _("stakeholder group")


class OpportunityReservation(models.Model):
    """Places of an opportunity kept for people of one kecamatan or one stakeholder group."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="reservations"
    )
    dimension = models.CharField(
        _("reserved for"), max_length=10, choices=ReservationDimension.choices
    )
    kecamatan = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kecamatan"),
    )
    group = models.CharField(_("stakeholder group"), max_length=20, blank=True)
    places = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reserved places")
        verbose_name_plural = _("reserved places")
        ordering = ["opportunity", "dimension", "kecamatan", "group"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(dimension="kecamatan", kecamatan__isnull=False, group="")
                    | Q(dimension="group", kecamatan__isnull=True) & ~Q(group="")
                ),
                name="participation_reservation_one_target",
            ),
            models.CheckConstraint(
                condition=Q(places__gte=1), name="participation_reservation_places"
            ),
            models.UniqueConstraint(
                fields=["opportunity", "kecamatan"],
                condition=Q(dimension="kecamatan"),
                name="participation_reservation_kecamatan_once",
            ),
            models.UniqueConstraint(
                fields=["opportunity", "group"],
                condition=Q(dimension="group"),
                name="participation_reservation_group_once",
            ),
        ]

    def __str__(self) -> str:
        target = (
            self.kecamatan_id if self.dimension == ReservationDimension.KECAMATAN else self.group
        )
        return f"{self.opportunity_id} {self.dimension} {target}: {self.places}"
