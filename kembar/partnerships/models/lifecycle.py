"""The lifecycle of a partnership, as data.

States, transitions, the roles that may make each, the documents and checks
each requires and whether a second person must approve are rows, loaded from
``kembar/data/lifecycle/`` and editable by an administrator, so that a region
can follow a changed regulation without a release.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class _Bilingual(models.Model):
    name_id = models.CharField(_("name (Indonesian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id


class LifecycleState(_Bilingual):
    """A stage of a partnership (``initiative`` … ``active`` … ``lapsed``)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    description_id = models.TextField(_("description (Indonesian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_terminal = models.BooleanField(_("ends the partnership"), default=False)
    counts_as_active = models.BooleanField(_("counts as active"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lifecycle state")
        verbose_name_plural = _("lifecycle states")
        ordering = ["order", "code"]


class DocumentKind(_Bilingual):
    """A kind of document: LoI, MoU, cooperation plan, council letter …"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    has_validity = models.BooleanField(
        _("has a validity period"), default=False, help_text=_("Agreements expire; letters do not.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document kind")
        verbose_name_plural = _("document kinds")
        ordering = ["code"]


class Check(models.TextChoices):
    """Checks a transition may require besides documents; each is implemented in services."""

    CONDITIONS_MET = "conditions_met", _("all conditions of PP 28/2018 Pasal 27 are checked")
    CONSULTATION_RECORDED = (
        "consultation_recorded",
        _("consultation with Kemendagri and Kemlu is recorded"),
    )
    PLAN_COMPLETE = "plan_complete", _("the cooperation plan holds all seven contents")
    INITIATOR_RECORDED = "initiator_recorded", _("who initiated is recorded")
    PARTNER_IDENTIFIED = "partner_identified", _("the partner city is identified")
    AGREEMENT_VALID = "agreement_valid", _("a signed agreement with validity dates exists")


class LifecycleTransition(models.Model):
    """A move from one state to another and what it takes."""

    source = models.ForeignKey(
        LifecycleState,
        on_delete=models.CASCADE,
        related_name="transitions_out",
        verbose_name=_("from"),
    )
    target = models.ForeignKey(
        LifecycleState,
        on_delete=models.CASCADE,
        related_name="transitions_in",
        verbose_name=_("to"),
    )
    roles = models.JSONField(
        _("roles that may make it"),
        default=list,
        help_text=_("Role codes, e.g. cooperation_officer."),
    )
    approver_roles = models.JSONField(
        _("roles that may approve it"),
        default=list,
        blank=True,
        help_text=_("Empty: no second approval needed."),
    )
    required_documents = models.ManyToManyField(
        DocumentKind, blank=True, related_name="+", verbose_name=_("documents required")
    )
    checks = models.JSONField(_("checks required"), default=list, blank=True)
    requires_reason = models.BooleanField(_("reason required"), default=False)
    deadline_working_days = models.PositiveSmallIntegerField(
        _("deadline in working days after entering the target"), null=True, blank=True
    )
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    history = HistoricalRecords(m2m_fields=[required_documents])

    class Meta:
        verbose_name = _("lifecycle transition")
        verbose_name_plural = _("lifecycle transitions")
        ordering = ["source__order", "target__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target"], name="partnerships_transition_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source.code} → {self.target.code}"

    @property
    def needs_approval(self) -> bool:
        return bool(self.approver_roles)
