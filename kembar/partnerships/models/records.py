"""What happens to a partnership: transitions, documents, conditions, plan, inbound requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.geo.models import City, Country, Region
from kembar.partnerships.models.lifecycle import DocumentKind, LifecycleState, LifecycleTransition
from kembar.partnerships.models.partnership import DatePrecision, Partnership, partial_date_label


class TransitionRecord(models.Model):
    """One move of a partnership through its lifecycle; never edited after it is decided.

    A transition that needs a second approver is recorded ``pending`` and the
    partnership stays where it is until a different user approves it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        APPLIED = "applied", _("applied")
        REJECTED = "rejected", _("rejected")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="transitions"
    )
    transition = models.ForeignKey(
        LifecycleTransition, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.ForeignKey(
        LifecycleState, on_delete=models.PROTECT, related_name="+", null=True
    )
    target = models.ForeignKey(LifecycleState, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    created_at = models.DateTimeField(_("made at"))
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["partnership", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.partnership.slug}: {self.source_id} → {self.target_id} ({self.status})"


class PartnershipDocument(models.Model):
    """An uploaded document (PDF) of a partnership; a new version supersedes, never overwrites."""

    class Language(models.TextChoices):
        INDONESIAN = "id", _("Indonesian")
        ENGLISH = "en", _("English")
        BILINGUAL = "id+en", _("Indonesian and English")
        PARTNER = "partner", _("partner's language")
        TRILINGUAL = "id+en+partner", _("Indonesian, English and the partner's language")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="documents")
    kind = models.ForeignKey(DocumentKind, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    # Blank only for an agreement recorded from public sources, whose language they do not give.
    language = models.CharField(_("language"), max_length=16, choices=Language.choices, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_on_precision = models.CharField(
        _("signing date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    valid_until_precision = models.CharField(
        _("validity end precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    # An agreement known only from public sources (the starting record) has no
    # file and no uploader; ``source`` names where its dates come from.
    file = models.FileField(_("file"), upload_to="documents/%Y/", blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    size_bytes = models.PositiveIntegerField(_("size in bytes"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["partnership", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "kind", "version"], name="partnerships_document_version"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="partnerships_document_validity_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def signed_on_label(self) -> str:
        """The signing date as precisely as it is known, in the active language ("" if none)."""
        if self.signed_on is None:
            return ""
        return partial_date_label(self.signed_on, self.signed_on_precision)

    def valid_until_label(self) -> str:
        """The end of validity as precisely as it is known, in the active language ("" if none)."""
        if self.valid_until is None:
            return ""
        return partial_date_label(self.valid_until, self.valid_until_precision)


class Condition(models.TextChoices):
    """Conditions of PP 28/2018 Pasal 27, checked during exploration."""

    DIPLOMATIC_RELATIONS = (
        "diplomatic_relations",
        _("Indonesia has diplomatic relations with the partner's country"),
    )
    REGIONAL_AFFAIR = "regional_affair", _("the matter is a regional government affair")
    NO_OFFICE_ABROAD = "no_office_abroad", _("no regional office is opened abroad")
    NO_INTERFERENCE = "no_interference", _("no foreign interference in domestic affairs")
    FITS_PLANS = "fits_plans", _("fits national and regional development plans")
    TECHNOLOGY_TRANSFER = (
        "technology_transfer",
        _("science and technology can be transferred to Indonesians"),
    )
    EQUAL_STATUS = "equal_status", _("equal administrative status and/or territory")
    COMPLEMENTARITY = "complementarity", _("the two regions complement each other")
    PEOPLE_TO_PEOPLE = "people_to_people", _("people-to-people ties exist")


class ConditionCheck(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="conditions"
    )
    condition = models.CharField(_("condition"), max_length=32, choices=Condition.choices)
    met = models.BooleanField(_("met"))
    note = models.TextField(_("note"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("condition check")
        verbose_name_plural = _("condition checks")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "condition"], name="partnerships_condition_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership.slug} {self.condition}: {self.met}"


class CooperationPlan(models.Model):
    """The cooperation plan (rencana kerja sama): the seven contents of PP 28/2018 Pasal 30(3)."""

    partnership = models.OneToOneField(Partnership, on_delete=models.CASCADE, related_name="plan")
    subject = models.TextField(_("subject"), blank=True)
    background = models.TextField(_("background"), blank=True)
    aims_and_targets = models.TextField(_("aims and targets"), blank=True)
    object = models.TextField(_("object"), blank=True)
    scope = models.TextField(_("scope"), blank=True)
    funding_source = models.TextField(_("funding source"), blank=True)
    period_start = models.DateField(_("implementation from"), null=True, blank=True)
    period_end = models.DateField(_("implementation until"), null=True, blank=True)
    #: Raised on every saved change; a save names the version it was edited from (0: none yet).
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Raised on every change; guards against lost updates."),
    )

    history = HistoricalRecords()

    CONTENTS = (
        "subject",
        "background",
        "aims_and_targets",
        "object",
        "scope",
        "funding_source",
    )

    class Meta:
        verbose_name = _("cooperation plan")
        verbose_name_plural = _("cooperation plans")

    def __str__(self) -> str:
        return f"{self.partnership.slug} plan"

    def missing_contents(self) -> list[str]:
        """The contents still empty; the implementation period counts as one."""
        missing = [name for name in self.CONTENTS if not getattr(self, name).strip()]
        if self.period_start is None or self.period_end is None:
            missing.append("period")
        return missing


class InboundRequest(models.Model):
    """A request for cooperation received from a city abroad."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        IN_REVIEW = "in_review", _("in review")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    local_region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    partner_city = models.ForeignKey(
        City, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    partner_name = models.CharField(_("partner name"), max_length=200)
    partner_country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("received through"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    person_in_charge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person in charge"),
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    partnership = models.OneToOneField(
        Partnership, on_delete=models.PROTECT, null=True, blank=True, related_name="inbound_request"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inbound request")
        verbose_name_plural = _("inbound requests")
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.partner_name}: {self.subject}"
