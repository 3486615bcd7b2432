"""Knowledge records: lessons, practices offered or sought, and policies adopted.

Every record belongs to a local ``region`` (whose staff see it) and, except
a practice, to an ``agency`` (which may change it, as for activities).

Bilingual texts are ``*_id``/``*_en`` pairs, as for activities, not one text
with its language: a lesson is read by the partner city and by agencies
elsewhere in Indonesia, the cooperation office adds the second language
when it reviews, and search indexes both columns.  Only the Indonesian title
is required (the site's default language); ``in_language`` falls back to
the other language where one is empty.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.accounts.models import Organisation
from kembar.geo.models import City, Region
from kembar.knowledge.models.common import in_language
from kembar.partnerships.models import FocusArea, Partnership
from kembar.programs.models import Activity, GovernmentAffair, SdgTarget, Sector, TripReport


def _text(label: Any) -> models.TextField:
    return models.TextField(label, blank=True)


class LessonStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    REVIEWED = "reviewed", _("reviewed")


class Lesson(models.Model):
    """What the region learned from a partner, with the evidence for it."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    agency = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="lessons",
        verbose_name=_("responsible agency"),
    )
    title_id = models.CharField(_("title (Indonesian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    context_id = _text(_("context (Indonesian)"))
    context_en = _text(_("context (English)"))
    partner_practice_id = _text(_("what the partner does (Indonesian)"))
    partner_practice_en = _text(_("what the partner does (English)"))
    what_we_tried_id = _text(_("what we tried (Indonesian)"))
    what_we_tried_en = _text(_("what we tried (English)"))
    what_happened_id = _text(_("what happened (Indonesian)"))
    what_happened_en = _text(_("what happened (English)"))
    evidence = _text(_("evidence"))
    evidence_url = models.URLField(_("link to the evidence"), blank=True)
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="lessons", verbose_name=_("sector")
    )
    government_affair = models.ForeignKey(
        GovernmentAffair,
        on_delete=models.PROTECT,
        related_name="lessons",
        verbose_name=_("government affair"),
    )
    sdg_targets = models.ManyToManyField(
        SdgTarget, blank=True, related_name="lessons", verbose_name=_("SDG targets")
    )
    partner_city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lessons",
        verbose_name=_("partner city"),
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lessons",
        verbose_name=_("partnership"),
    )
    source_activity = models.ForeignKey(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lessons",
        verbose_name=_("source activity"),
    )
    trip_report = models.ForeignKey(
        TripReport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lessons",
        verbose_name=_("trip report"),
    )
    reflection = models.ForeignKey(
        "knowledge.Reflection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lessons",
        editable=False,
        verbose_name=_("reflection"),
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=LessonStatus.choices,
        default=LessonStatus.DRAFT,
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[sdg_targets])

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region", "sector"], name="knowledge_lesson_sector")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return in_language(self, "title")

    @property
    def context(self) -> str:
        return in_language(self, "context")

    @property
    def partner_practice(self) -> str:
        return in_language(self, "partner_practice")

    @property
    def what_we_tried(self) -> str:
        return in_language(self, "what_we_tried")

    @property
    def what_happened(self) -> str:
        return in_language(self, "what_happened")


class PracticeDirection(models.TextChoices):
    OFFERED = "offered", _("offered (we can teach it)")
    SOUGHT = "sought", _("sought (we want to learn it)")


class Practice(models.Model):
    """What a city can teach or wants to learn, by topic.

    The city is the local ``region`` itself when ``partner_city`` is empty,
    else that partner city (recorded by the region's staff).
    """

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    partner_city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practices",
        verbose_name=_("partner city"),
        help_text=_("Empty: a practice of our own city."),
    )
    direction = models.CharField(_("offered or sought"), max_length=8, choices=PracticeDirection)
    title_id = models.CharField(_("topic (Indonesian)"), max_length=200)
    title_en = models.CharField(_("topic (English)"), max_length=200, blank=True)
    description_id = _text(_("description (Indonesian)"))
    description_en = _text(_("description (English)"))
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="practices", verbose_name=_("sector")
    )
    government_affair = models.ForeignKey(
        GovernmentAffair,
        on_delete=models.PROTECT,
        related_name="practices",
        verbose_name=_("government affair"),
    )
    sdg_targets = models.ManyToManyField(
        SdgTarget, blank=True, related_name="practices", verbose_name=_("SDG targets")
    )
    focus_areas = models.ManyToManyField(
        FocusArea,
        blank=True,
        related_name="practices",
        verbose_name=_("fields of cooperation"),
        help_text=_(
            "The fields the network page's learning needs are made of: a practice sought "
            "becomes a learning need, a practice offered by a city makes it known for them."
        ),
    )
    contact_agency = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practices",
        verbose_name=_("contact agency"),
    )
    #: Set only by the region's cooperation office (``kembar.guidance.services.practice_share``):
    #: then every region sees it on the public page of shared practices (``/guidance/shared/``).
    shared = models.BooleanField(
        _("shared with all regions"),
        default=False,
        editable=False,
        help_text=_("Shown on the public page of good practices, for every region to learn from."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[sdg_targets, focus_areas])

    class Meta:
        verbose_name = _("practice")
        verbose_name_plural = _("practices")
        ordering = ["direction", "title_id", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return in_language(self, "title")

    @property
    def description(self) -> str:
        return in_language(self, "description")


class InstrumentKind(models.TextChoices):
    PERWAL = "perwal", _("mayor's regulation (Perwal)")
    PERDA = "perda", _("regional regulation (Perda)")
    KEPWAL = "keputusan_walikota", _("mayor's decree (Keputusan Walikota)")
    STANDARD = "standard", _("SOP or standard")
    PROGRAMME = "programme", _("programme")
    SERVICE = "service", _("public service")
    OTHER = "other", _("other")


class Policy(models.Model):
    """A regulation, programme, standard or service adopted or changed because of the cooperation.

    ``is_public`` is set only by the cooperation office's review
    (``policy_publish``): then the public partnership page may list it.
    """

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    title_id = models.CharField(_("title (Indonesian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_id = _text(_("what changed (Indonesian)"))
    description_en = _text(_("what changed (English)"))
    instrument = models.CharField(_("instrument"), max_length=20, choices=InstrumentKind)
    number = models.CharField(
        _("number"), max_length=100, blank=True, help_text=_("E.g. Perwal No. 12 Tahun 2025.")
    )
    adopted_on = models.DateField(_("adopted on"))
    agency = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="policies",
        verbose_name=_("responsible agency"),
    )
    evidence_url = models.URLField(_("link to the document"), blank=True)
    evidence_file = models.FileField(_("document (PDF)"), upload_to="policies/%Y/", blank=True)
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policies",
        verbose_name=_("partnership"),
    )
    activities = models.ManyToManyField(
        Activity, blank=True, related_name="policies", verbose_name=_("activities that led to it")
    )
    lessons = models.ManyToManyField(
        Lesson, blank=True, related_name="policies", verbose_name=_("lessons that led to it")
    )
    follow_up = models.OneToOneField(
        "knowledge.FollowUp",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="policy",
        editable=False,
    )
    is_public = models.BooleanField(_("shown on the public pages"), default=False, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[activities, lessons])

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["-adopted_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_public=False) | Q(reviewed_at__isnull=False),
                name="knowledge_policy_public_reviewed",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return in_language(self, "title")

    @property
    def description(self) -> str:
        return in_language(self, "description")
