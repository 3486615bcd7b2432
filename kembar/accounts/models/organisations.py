from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.geo.models import City, Region


class OrganisationKind(models.TextChoices):
    LOCAL_GOVERNMENT = "local_government", _("local government")
    AGENCY = "agency", _("agency (OPD)")
    COUNCIL = "council", _("regional council (DPRD)")
    PARTNER_GOVERNMENT = "partner_government", _("partner government")
    CIVIL_SOCIETY = "civil_society", _("civil society")
    BUSINESS = "business", _("business")
    UNIVERSITY = "university", _("university")
    OTHER = "other", _("other body")


class Organisation(models.Model):
    """A body whose people use Kembar.

    A local government serves a ``region``; its agencies and council name it
    as ``parent``; a partner government serves a ``city`` abroad.
    """

    slug = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("part of"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("region")
    )
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("partner city")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def home_region_id(self) -> str | None:
        """The region this organisation (or the government it belongs to) serves."""
        organisation: Organisation | None = self
        while organisation is not None:
            if organisation.region_id:
                return organisation.region_id
            organisation = organisation.parent
        return None
