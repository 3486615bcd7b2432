from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "provinsi", _("province")
    REGENCY_CITY = "kabupaten_kota", _("regency or city")
    DISTRICT = "kecamatan", _("district (kecamatan)")
    VILLAGE = "desa_kelurahan", _("village (desa or kelurahan)")


class Region(models.Model):
    """An Indonesian administrative region, keyed by its Kemendagri code.

    Codes have the form ``PP.KK.CC.DDDD`` (province, kabupaten/kota,
    kecamatan, desa/kelurahan).  BPS uses the same digits at province and
    kabupaten/kota level but different ones below, so only Kemendagri codes
    are stored here.
    """

    kode = models.CharField(_("Kemendagri code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    kind = models.CharField(
        _("kind"), max_length=12, blank=True, help_text=_("kabupaten, kota, desa or kelurahan")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    population_male = models.PositiveIntegerField(_("male population"), null=True, blank=True)
    population_female = models.PositiveIntegerField(_("female population"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)
    latitude = models.FloatField(_("centroid latitude"), null=True, blank=True)
    longitude = models.FloatField(_("centroid longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["kode"]
        indexes = [models.Index(fields=["level", "kode"], name="geo_region_level")]

    def __str__(self) -> str:
        return f"{self.kode} {self.name}"


class RegionPopulation(models.Model):
    """A published population figure for a region and year, kept as published.

    Known errors in a source are flagged in ``note``, never corrected silently.
    """

    class Kind(models.TextChoices):
        OBSERVED = "observed", _("observed")
        PROJECTION = "projection", _("projection")

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="population_series")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    population = models.PositiveIntegerField(_("population"))
    source = models.CharField(_("source"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        ordering = ["region", "kind", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "kind"], name="geo_regionpopulation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} {self.kind}: {self.population}"
