"""The record that a region sent its implementation report to the Minister (PP 28/2018 Pasal 43)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.geo.models import Region


class ReportSubmission(models.Model):
    """A regional government's Pasal 43 report for one period (a calendar year), as sent.

    Recorded by the region's cooperation officer (or an administrator) through
    :func:`kembar.national.services.report_submission_record`; ``due_on`` is the
    deadline that applied when it was recorded (:func:`kembar.national.periods.report_due_on`),
    kept so that a later change of the rule does not rewrite what was on time.
    """

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    year = models.PositiveSmallIntegerField(_("period (year)"))
    sent_on = models.DateField(_("sent on"))
    due_on = models.DateField(_("due on"))
    reference = models.CharField(
        _("letter number"), max_length=120, blank=True, help_text=_("The cover letter's number.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report to the Minister")
        verbose_name_plural = _("reports to the Minister")
        ordering = ["region", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="national_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}: {self.sent_on.isoformat()}"

    @property
    def on_time(self) -> bool:
        return self.sent_on <= self.due_on
