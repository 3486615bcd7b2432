"""Per-region summaries behind the ministry's view, written only by :mod:`kembar.national.refresh`.

The national map and its tables read these rows and nothing else of the record:
one row per regional government (``RegionSummary``) and one per government and
year (``RegionYearSummary``), so a national answer reads at most a few thousand
rows however many activities and participant counts there are.  They are derived
data: :func:`kembar.national.refresh.regions_refresh` recomputes the rows of some
regions from the record, ``manage.py national_refresh`` all of them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kembar.geo.models import Region


class _StateCounts(models.Model):
    """Partnerships of a region by health state (:mod:`kembar.insights.health`)."""

    partnerships = models.PositiveIntegerField(_("partnerships"), default=0)
    active = models.PositiveIntegerField(_("active"), default=0)
    at_risk = models.PositiveIntegerField(_("at risk"), default=0)
    dormant = models.PositiveIntegerField(_("dormant"), default=0)
    ended = models.PositiveIntegerField(_("ended"), default=0)
    #: Held (ongoing or completed) activities.
    activities = models.PositiveIntegerField(_("activities held"), default=0)
    #: Local people who took part (the reach summary's sum, as the reach dashboard counts).
    participants = models.PositiveBigIntegerField(_("local participants"), default=0)
    #: The count may not be shown: 1–4 people, or it would reveal such a count.
    participants_withheld = models.BooleanField(_("participants not shown"), default=False)
    includes_demo = models.BooleanField(_("includes demonstration records"), default=False)

    class Meta:
        abstract = True


class RegionSummary(_StateCounts):
    """A regional government's figures as of ``as_of``: its partnerships and every year's reach.

    ``partnerships`` counts every partnership whose local region is this region, in
    any stage; each is in exactly one of ``active``, ``at_risk``, ``dormant``,
    ``ended`` or ``unknown``.  The state is the health state as of ``as_of`` where
    the partnership has a dated record, else the one its lifecycle stage or its
    documented status states (``from_status`` counts those).
    """

    region = models.OneToOneField(
        Region, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    as_of = models.DateField(_("states as of"))
    unknown = models.PositiveIntegerField(_("state not known"), default=0)
    from_status = models.PositiveIntegerField(_("state from stage or documented status"), default=0)
    partner_countries = models.PositiveIntegerField(_("partner countries"), default=0)
    refreshed_at = models.DateTimeField(_("refreshed"))

    class Meta:
        verbose_name = _("national summary of a region")
        verbose_name_plural = _("national summaries of regions")

    def __str__(self) -> str:
        return f"{self.region_id} as of {self.as_of}"


class RegionYearSummary(_StateCounts):
    """A regional government's figures for one calendar year.

    ``partnerships`` and the states are those of the partnerships with a dated
    record by the end of the year, as of the end of the year (as of the summary's
    day for the current year); ``activities`` and ``participants`` those of the
    activities that started in the year.  ``expects_report`` says whether the
    government owes the PP 28/2018 Pasal 43 report for the year: it had a
    partnership that had not ended, or held an activity.
    """

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    expects_report = models.BooleanField(_("report expected"), default=False)

    class Meta:
        verbose_name = _("national summary of a region and year")
        verbose_name_plural = _("national summaries of regions and years")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="national_region_year_once")
        ]
        indexes = [models.Index(fields=["year", "region"], name="national_year_region")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}"
