"""Residents who take part: registrations, consent, check-in, survey answers.

Personal data (UU PDP 27/2022) lives only in :class:`Resident`,
:class:`Registration` (name, phone, answers, home kelurahan) and the free
text of :class:`SurveyResponse`.  None of these models keeps a history
table: a history row would outlive the erasure of the person.  What was done
is logged without personal data in :class:`RegistrationEvent`; every staff
view of personal data in :class:`PersonalDataAccess`.

Counting: a registration checked in adds one person to the activity's
participant counts (``programs.ParticipantCount`` with source
``registrations``) in the same transaction; ``counted_as`` keeps the cell it
went to, so that undoing a check-in takes it out of the same cell.  Erasing a
person deletes their registrations but never the counts (anonymous).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kembar.geo.models import Region
from kembar.participation.models.opportunities import Opportunity
from kembar.programs.models import Activity, AgeBand, Gender, StakeholderGroup

#: Public registration numbers and check-in codes: Crockford's base 32 without look-alikes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_number() -> str:
    """A public registration number: 8 characters, shown in published results."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def new_checkin_code() -> str:
    """A check-in code: 10 characters (about 49 bits), the content of the QR code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def new_link_key() -> str:
    return secrets.token_urlsafe(24)


class Resident(models.Model):
    """A person who takes part, known by one verified e-mail address.

    ``link_key`` goes into the signed link of every e-mail (see, download,
    delete their data, withdraw consent); a new key makes old links void.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resident",
    )
    language = models.CharField(_("language"), max_length=5, default="id")
    link_key = models.CharField(max_length=64, default=new_link_key, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")

    def __str__(self) -> str:
        return f"resident {self.pk}"


class ConsentPurpose(models.TextChoices):
    TAKING_PART = "taking_part", _("taking part in this call")
    FUTURE_CALLS = "future_calls", _("being told about future calls")
    STATISTICS = "statistics", _("anonymous statistics")


class Consent(models.Model):
    """A consent given for one purpose, with the exact text shown and its version.

    Taking part is given per registration; the other purposes per person.
    Withdrawal keeps the row with ``withdrawn_at``.
    """

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="consents")
    registration = models.ForeignKey(
        "Registration", on_delete=models.CASCADE, null=True, blank=True, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=14, choices=ConsentPurpose.choices)
    version = models.CharField(_("text version"), max_length=20)
    language = models.CharField(_("language"), max_length=5)
    text = models.TextField(_("text shown"))
    given_at = models.DateTimeField(_("given"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["resident", "given_at", "pk"]
        indexes = [models.Index(fields=["purpose", "withdrawn_at"], name="participation_consent_p")]

    def __str__(self) -> str:
        return f"{self.resident_id} {self.purpose} v{self.version}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the code")
    APPLIED = "applied", _("applied, waiting for the selection")
    CONFIRMED = "confirmed", _("place confirmed")
    WAITING = "waiting", _("on the waiting list")
    CANCELLED = "cancelled", _("cancelled")
    ATTENDED = "attended", _("took part")


#: A registration that holds or waits for a place.
ACTIVE_STATUSES = (
    RegistrationStatus.APPLIED,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITING,
    RegistrationStatus.ATTENDED,
)


class Registration(models.Model):
    """One person's registration for one call (one per verified contact and call).

    ``number`` is public (published results show it); ``checkin_code`` is
    secret until the event (the QR code holds it).  ``place`` is the
    allocation's reason code (``"general"``, ``"reserved:kecamatan:33.74.01"``
    ...); ``rank`` the order: arrival for first come, the draw or the panel's
    order otherwise, and so the order of the waiting list.
    """

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.PROTECT, related_name="registrations"
    )
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="registrations")
    number = models.CharField(_("registration number"), max_length=12, default=new_number)
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    home_kelurahan = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("home kelurahan"),
        help_text=_("Empty: lives outside the city."),
    )
    home_kecamatan = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("home kecamatan"),
        editable=False,
    )
    group = models.CharField(
        _("stakeholder group"), max_length=16, choices=StakeholderGroup.choices
    )
    gender = models.CharField(
        _("gender"), max_length=12, choices=Gender.choices, default=Gender.UNSPECIFIED
    )
    age_band = models.CharField(
        _("age band"), max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    answers = models.JSONField(_("answers to the call's questions"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=5, default="id")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.PENDING,
    )
    place = models.CharField(_("place given"), max_length=60, blank=True)
    rank = models.PositiveIntegerField(_("order"), null=True, blank=True)
    scores = models.JSONField(_("panel scores"), default=dict, blank=True)
    # The one-time code that confirms the contact (pyotp; kembar.participation.registrations).
    code_secret = models.CharField(max_length=64, blank=True, editable=False)
    code_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    code_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    checkin_code = models.CharField(
        _("check-in code"), max_length=12, unique=True, default=new_checkin_code, editable=False
    )
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    #: The participant-count cell this registration was counted in (empty: not counted).
    counted_as = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("contact confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    survey_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["opportunity", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "resident"], name="participation_registration_once"
            ),
            models.UniqueConstraint(
                fields=["opportunity", "number"], name="participation_registration_number"
            ),
        ]
        indexes = [
            models.Index(fields=["opportunity", "status", "rank"], name="participation_reg_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id}/{self.number}"


class RegistrationEvent(models.Model):
    """What happened to a registration, without personal data (the audit log).

    Kept when the person's data is erased (``registration`` becomes empty).
    """

    class Kind(models.TextChoices):
        STARTED = "started", _("registration started")
        CONFIRMED = "confirmed", _("contact confirmed")
        PLACED = "placed", _("place given")
        WAITING = "waiting", _("put on the waiting list")
        APPLIED = "applied", _("application received")
        PROMOTED = "promoted", _("moved up from the waiting list")
        CANCELLED = "cancelled", _("cancelled")
        CHECKED_IN = "checked_in", _("checked in")
        CHECK_IN_UNDONE = "check_in_undone", _("check-in undone")
        SCORED = "scored", _("scored by the panel")
        SURVEY_ANSWERED = "survey_answered", _("survey answered")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("consent withdrawn")
        ERASED = "erased", _("personal data deleted")
        PURGED = "purged", _("personal data deleted at the end of its retention")

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="+")
    registration = models.ForeignKey(
        Registration, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    number = models.CharField(_("registration number"), max_length=12, blank=True)
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("registration event")
        verbose_name_plural = _("registration events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.opportunity_id}/{self.number} {self.kind}"


class PersonalDataAccess(models.Model):
    """A staff view of residents' personal data (who, when, what, how many people)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    action = models.CharField(_("what"), max_length=40)
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    people = models.PositiveIntegerField(_("people shown"), default=0)
    path = models.CharField(_("address"), max_length=300)

    class Meta:
        verbose_name = _("access to personal data")
        verbose_name_plural = _("accesses to personal data")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class SurveyAgain(models.TextChoices):
    YES = "yes", _("yes")
    MAYBE = "maybe", _("maybe")
    NO = "no", _("no")


class SurveyGain(models.TextChoices):
    KNOWLEDGE = "knowledge", _("new knowledge")
    SKILLS = "skills", _("practical skills")
    NETWORK = "network", _("contacts and friends abroad")
    BUSINESS = "business", _("business opportunities")
    CULTURE = "culture", _("understanding of another culture")
    CONFIDENCE = "confidence", _("confidence")


class SurveyResponse(models.Model):
    """A participant's answer to the survey after the event.

    ``group`` and ``home_kecamatan`` are copied at answering, so that the
    aggregate (cells under 5 suppressed) stays when the person is erased;
    the free ``comment`` is personal and goes with them.
    """

    registration = models.OneToOneField(
        Registration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey",
    )
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=16, choices=StakeholderGroup.choices)
    home_kecamatan = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    gained = models.JSONField(_("what they gained"), default=list)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    again = models.CharField(_("would take part again"), max_length=5, choices=SurveyAgain.choices)
    comment = models.TextField(_("in your own words"), blank=True, max_length=2000)
    submitted_at = models.DateTimeField(_("answered"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__gte=1) & Q(satisfaction__lte=5),
                name="participation_survey_satisfaction",
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.satisfaction}"
