from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.geo.models import Region
from kembar.programs.models import ReachDimension


class ReferencePopulation(models.Model):
    """How many people of the region belong to a stakeholder group (or another category).

    No official statistic counts "civil society" or "media" people, so an
    administrator enters the best figure they have, with its source and year;
    the reach dashboard compares participation against it.
    """

    region = models.ForeignKey(Region, on_delete=models.CASCADE, verbose_name=_("region"))
    dimension = models.CharField(
        _("dimension"),
        max_length=10,
        choices=ReachDimension.choices,
        default=ReachDimension.GROUP,
    )
    category = models.CharField(_("category"), max_length=20)
    population = models.PositiveIntegerField(_("people"), validators=[MinValueValidator(1)])
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=300)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reference population")
        verbose_name_plural = _("reference populations")
        ordering = ["region", "dimension", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "dimension", "category"], name="insights_reference_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.category}: {self.population}"
