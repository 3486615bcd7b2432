from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Country(models.Model):
    """A country or territory by ISO 3166-1 (plus ``XK`` Kosovo, as GeoNames uses)."""

    iso2 = models.CharField(_("ISO alpha-2"), max_length=2, primary_key=True)
    iso3 = models.CharField(_("ISO alpha-3"), max_length=3, unique=True)
    numeric = models.CharField(_("ISO numeric"), max_length=3, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_id = models.CharField(_("name (Indonesian)"), max_length=120)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id


class CityOrigin(models.TextChoices):
    GEONAMES = "geonames", _("GeoNames")
    SOURCE = "source", _("known only from the source")


class City(models.Model):
    """A city or town anywhere in the world.

    Cities from GeoNames keep their GeoNames id as primary key.  A twin town
    that GeoNames does not know is kept as a city *known only from the source*
    with the source's name, country and coordinates and a negative id derived
    from them (see :func:`kembar.geo.services.source_city_id`).
    """

    id = models.BigIntegerField(primary_key=True)
    geonameid = models.PositiveIntegerField(_("GeoNames id"), null=True, blank=True, unique=True)
    origin = models.CharField(_("origin"), max_length=12, choices=CityOrigin.choices)
    name = models.CharField(_("name"), max_length=200)
    alternate_names = models.TextField(
        _("alternate names"), blank=True, help_text=_("Separated by a vertical bar.")
    )
    search_text = models.TextField(
        _("search text"),
        blank=True,
        help_text=_("Normalised name and alternate names, for search; derived, not edited."),
    )
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="cities")
    admin1 = models.CharField(_("first-level division code"), max_length=20, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    population = models.BigIntegerField(_("population"), null=True, blank=True)
    timezone = models.CharField(_("time zone"), max_length=40, blank=True)
    wikidata = models.CharField(_("Wikidata QID"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["-population", "name", "id"]
        indexes = [
            models.Index(fields=["country", "-population"], name="geo_city_country_pop"),
            models.Index(fields=["name"], name="geo_city_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.country_id}"
