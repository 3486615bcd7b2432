"""The search index: one :class:`SearchDocument` per indexed record.

The rows are derived from the records (activities, trip reports, and what
other apps register in :mod:`kembar.search.registry`) and can be rebuilt at
any time (``manage.py search_reindex``).  The full-text structures beside them
are made by migration 0002 for each database: an FTS5 table kept in sync by
triggers on SQLite, a generated ``tsvector`` column with a GIN index on
PostgreSQL.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    ACTIVITY = "activity", _("activity")
    TRIP_REPORT = "trip_report", _("trip report")
    LESSON = "lesson", _("lesson")
    PRACTICE = "practice", _("practice")
    POLICY = "policy", _("policy")


class SearchDocument(models.Model):
    """The searchable text and facets of one record.

    ``title_stems`` and ``body_stems`` hold the Indonesian text as stems
    (:func:`kembar.search.analysis.indonesian_terms`); the English text is
    stemmed by the database.  ``region`` is the kode of the local region whose
    record it is; ``public`` whether the public may see the record.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    object_id = models.PositiveBigIntegerField(_("record"))
    region = models.CharField(_("region"), max_length=13, blank=True, db_index=True)
    title_id = models.TextField(_("title (Indonesian)"), blank=True)
    title_en = models.TextField(_("title (English)"), blank=True)
    body_id = models.TextField(_("text (Indonesian)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    title_stems = models.TextField(editable=False, blank=True)
    body_stems = models.TextField(editable=False, blank=True)
    url = models.CharField(_("address"), max_length=300, blank=True)
    public = models.BooleanField(_("public"), default=False)
    sector = models.PositiveSmallIntegerField(_("sector"), null=True, blank=True)
    urusan = models.CharField(_("government affair"), max_length=5, blank=True)
    partner_city = models.PositiveBigIntegerField(_("partner city"), null=True, blank=True)
    agency = models.PositiveBigIntegerField(_("agency"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    #: The SDG goals of :class:`SearchDocumentSdg` again, goal g as bit g - 1, so that a
    #: search counts them from the covering index of the facets (migration 0003).
    sdg_mask = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_record")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class SearchDocumentSdg(models.Model):
    """A sustainable development goal (1–17) a document contributes to."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="sdgs")
    goal = models.PositiveSmallIntegerField(_("SDG"))

    class Meta:
        verbose_name = _("SDG of a search document")
        verbose_name_plural = _("SDGs of search documents")
        constraints = [
            models.UniqueConstraint(fields=["document", "goal"], name="search_document_sdg")
        ]
        indexes = [models.Index(fields=["goal", "document"], name="search_sdg_goal")]

    def __str__(self) -> str:
        return f"{self.document} SDG {self.goal}"
