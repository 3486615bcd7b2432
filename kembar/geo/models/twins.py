from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kembar.geo.models.places import City


class TwinLink(models.Model):
    """A twin-town link between two cities, stored once per unordered pair.

    ``city_a`` always has the smaller id, so (a, b) and (b, a) are one row.
    """

    city_a = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    city_b = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("source"), max_length=80)
    source_line = models.PositiveIntegerField(_("first line in the source"))

    class Meta:
        verbose_name = _("twin-town link")
        verbose_name_plural = _("twin-town links")
        constraints = [
            models.UniqueConstraint(fields=["city_a", "city_b"], name="geo_twinlink_unique_pair"),
            models.CheckConstraint(
                condition=Q(city_a__lt=F("city_b")), name="geo_twinlink_ordered"
            ),
        ]
        indexes = [models.Index(fields=["city_b"], name="geo_twinlink_city_b")]

    def __str__(self) -> str:
        return f"{self.city_a_id} – {self.city_b_id}"


class TwinReviewRow(models.Model):
    """A row of the twin-town source that could not be placed, with the reason.

    Nothing is dropped silently: whoever curates the data reviews these.
    """

    source = models.CharField(_("source"), max_length=80)
    line = models.PositiveIntegerField(_("line"))
    city1 = models.CharField(max_length=200, blank=True)
    country1 = models.CharField(max_length=200, blank=True)
    city2 = models.CharField(max_length=200, blank=True)
    country2 = models.CharField(max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("twin-town row to review")
        verbose_name_plural = _("twin-town rows to review")
        ordering = ["source", "line"]
        constraints = [
            models.UniqueConstraint(fields=["source", "line"], name="geo_twinreviewrow_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.line} {self.reason}"
