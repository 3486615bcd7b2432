from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.geo.models.places import Country


class DiplomaticRelation(models.Model):
    """Whether Indonesia has diplomatic relations with a country (PP 28/2018 Pasal 27).

    Loaded once from ``kembar/data/diplomacy/diplomatic_relations.csv`` and
    then kept by an administrator; the reference loader adds missing countries
    and never overwrites a row.  A territory follows its sovereign state.
    """

    country = models.OneToOneField(
        Country,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="diplomatic_relation",
        verbose_name=_("country"),
    )
    has_relations = models.BooleanField(_("diplomatic relations with Indonesia"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=300)
    checked_on = models.DateField(_("checked on"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("diplomatic relation")
        verbose_name_plural = _("diplomatic relations")
        ordering = ["country_id"]

    def __str__(self) -> str:
        return f"{self.country_id}: {'yes' if self.has_relations else 'no'}"
