from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.geo.models import Region
from kembar.programs.models import Sector


class PrioritySector(models.Model):
    """A sector the region's development plan (RPJMD, RKPD …) names as a priority.

    Entered by an administrator from the plan; the cross-sector view compares
    the sectors cooperation covers against them and highlights the gaps.
    """

    region = models.ForeignKey(Region, on_delete=models.CASCADE, verbose_name=_("region"))
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, verbose_name=_("sector"))
    plan = models.CharField(
        _("plan"),
        max_length=200,
        help_text=_("The plan that names the priority, e.g. RPJMD Kota Semarang 2021–2026."),
    )
    note = models.TextField(
        _("note"), blank=True, help_text=_("Where in the plan, and in what words.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("priority sector")
        verbose_name_plural = _("priority sectors")
        ordering = ["region", "plan", "sector"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "sector", "plan"], name="insights_priority_sector_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.plan}: {self.sector_id}"
