"""The results framework, aligned with IATI 2.03: result → indicator → period → disaggregation."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.programs.models.activities import Activity


class ResultLevel(models.TextChoices):
    """IATI ResultType: 1 output, 2 outcome, 3 impact."""

    OUTPUT = "output", _("output")
    OUTCOME = "outcome", _("outcome")
    IMPACT = "impact", _("impact")


class StandardIndicator(models.Model):
    """An indicator Kembar proposes, so that activities report comparable numbers."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    level = models.CharField(_("level"), max_length=8, choices=ResultLevel.choices)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    unit_id = models.CharField(_("unit (Indonesian)"), max_length=40)
    unit_en = models.CharField(_("unit (English)"), max_length=40)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)

    class Meta:
        verbose_name = _("standard indicator")
        verbose_name_plural = _("standard indicators")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id

    @property
    def unit(self) -> str:
        return self.unit_en if (get_language() or "id").startswith("en") else self.unit_id


class Result(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="results")
    level = models.CharField(_("level"), max_length=8, choices=ResultLevel.choices)
    title = models.CharField(_("result"), max_length=200)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["activity", "level", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "level", "title"], name="programs_result_natural_key"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="indicators")
    standard = models.ForeignKey(
        StandardIndicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("standard indicator"),
    )
    title = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    baseline_value = models.DecimalField(
        _("baseline"), null=True, blank=True, max_digits=20, decimal_places=4
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["result", "title"]
        constraints = [
            models.UniqueConstraint(fields=["result", "title"], name="programs_indicator_key")
        ]

    def __str__(self) -> str:
        return self.title


class IndicatorPeriod(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="periods")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    target = models.DecimalField(
        _("target"), null=True, blank=True, max_digits=20, decimal_places=4
    )
    actual = models.DecimalField(
        _("actual"), null=True, blank=True, max_digits=20, decimal_places=4
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator period")
        verbose_name_plural = _("indicator periods")
        ordering = ["indicator", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_start"], name="programs_period_natural_key"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="programs_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period_start}–{self.period_end}"


class DisaggregationDimension(models.TextChoices):
    GENDER = "gender", _("gender")
    GROUP = "group", _("stakeholder group")
    AGE_BAND = "age_band", _("age band")
    KECAMATAN = "kecamatan", _("kecamatan")


class IndicatorDisaggregation(models.Model):
    """The actual value of a period for one category (IATI ``dimension``)."""

    period = models.ForeignKey(
        IndicatorPeriod, on_delete=models.CASCADE, related_name="disaggregations"
    )
    dimension = models.CharField(
        _("dimension"), max_length=10, choices=DisaggregationDimension.choices
    )
    category = models.CharField(_("category"), max_length=40)
    actual = models.DecimalField(
        _("actual"), validators=[MinValueValidator(Decimal(0))], max_digits=20, decimal_places=4
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("disaggregated value")
        verbose_name_plural = _("disaggregated values")
        ordering = ["period", "dimension", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "dimension", "category"], name="programs_disaggregation_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.category}: {self.actual}"


class TripReport(models.Model):
    """The report of outbound travel; the council sees it (oversight of trips)."""

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="trip_report")
    purpose = models.TextField(_("purpose"))
    outputs = models.TextField(_("outputs"))
    days = models.PositiveSmallIntegerField(_("days away"), validators=[MinValueValidator(1)])
    cost_idr = models.DecimalField(
        _("cost (IDR)"), validators=[MinValueValidator(Decimal(0))], max_digits=20, decimal_places=2
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("trip report")
        verbose_name_plural = _("trip reports")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.activity.reference}: {self.purpose[:40]}"


class Traveller(models.Model):
    """Who travelled, by role and organisation only (no names: personal data minimised)."""

    report = models.ForeignKey(TripReport, on_delete=models.CASCADE, related_name="travellers")
    role = models.CharField(_("role"), max_length=120)
    organisation = models.CharField(_("organisation"), max_length=200)
    count = models.PositiveSmallIntegerField(
        _("number of people"), default=1, validators=[MinValueValidator(1)]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("traveller")
        verbose_name_plural = _("travellers")
        ordering = ["report", "organisation", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "role", "organisation"], name="programs_traveller_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.role}, {self.organisation} ×{self.count}"


class ImportBatch(models.Model):
    """One uploaded spreadsheet: who, when, its hash, and what it did."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("applied")
        PARTLY_APPLIED = "partly_applied", _("valid rows applied")
        REFUSED = "refused", _("refused")
        UNCHANGED = "unchanged", _("nothing to change")

    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    filename = models.CharField(_("file"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    summary = models.JSONField(_("summary"), default=dict)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    reason = models.TextField(
        _("reason"),
        blank=True,
        help_text=_("Why the file or its rows were refused: the first problems found."),
    )
    rejected_file = models.BinaryField(
        _("rows to correct"),
        blank=True,
        editable=False,
        help_text=_("The rejected rows with their problems, returned to be corrected."),
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.outcome})"


class ImportUndo(models.Model):
    """What one committed part of an import did, kept to undo it if the import finally fails.

    Written in the same transaction as the part it undoes, by an import run
    as a job (``journal`` names the job); deleted when the import ends, or
    in the same transaction as its undo
    (:func:`kembar.programs.spreadsheet_apply.journal_rollback`).
    """

    journal = models.CharField(_("journal"), max_length=64, db_index=True)
    written_at = models.DateTimeField(_("written"), auto_now_add=True)
    log = models.JSONField(_("undo log"), encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("import undo log")
        verbose_name_plural = _("import undo logs")

    def __str__(self) -> str:
        return f"{self.journal} #{self.pk}"
