"""What the city can carry: default effort per activity kind, and a capacity plan per year.

Administrators enter these at /admin/; :mod:`kembar.insights.capacity` compares
them with the planned and running activities.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.accounts.models import Organisation
from kembar.geo.models import Region
from kembar.programs.models import ActivityKind, FundingSource

NOT_NEGATIVE = [MinValueValidator(Decimal(0), message=_("Enter zero or more."))]


class Hosting(models.TextChoices):
    NONE = "none", _("nothing")
    DELEGATION = "delegation", _("a delegation")
    EVENT = "event", _("an event")


class ActivityKindEffort(models.Model):
    """What one activity of a kind takes, unless its own budget says otherwise.

    Seeded by migration 0003 with these defaults (office-days, agency-days,
    cost in rupiah, what the city hosts), to be adjusted by administrators:

    ====================  ======  ======  ===========  ==========
    kind                  office  agency  cost (IDR)   hosting
    ====================  ======  ======  ===========  ==========
    exchange_inbound      6       8       75 000 000   delegation
    exchange_outbound     4       6       150 000 000  —
    training              2       8       40 000 000   —
    scholarship           2       3       60 000 000   —
    trade_mission         4       6       200 000 000  —
    expo                  5       10      250 000 000  event
    festival              6       12      300 000 000  event
    technical_assistance  2       6       50 000 000   —
    joint_project         4       12      150 000 000  —
    seminar               2       4       25 000 000   event
    other                 2       4       25 000 000   —
    ====================  ======  ======  ===========  ==========
    """

    kind = models.CharField(
        _("activity kind"), max_length=24, choices=ActivityKind.choices, unique=True
    )
    office_days = models.DecimalField(
        _("staff-days of the cooperation office"),
        max_digits=6,
        decimal_places=1,
        validators=NOT_NEGATIVE,
        help_text=_("Per activity of this kind."),
    )
    agency_days = models.DecimalField(
        _("staff-days of the responsible agency"),
        max_digits=6,
        decimal_places=1,
        validators=NOT_NEGATIVE,
        help_text=_("Per activity of this kind."),
    )
    cost_idr = models.DecimalField(
        _("default cost in IDR"),
        max_digits=20,
        decimal_places=2,
        validators=NOT_NEGATIVE,
        help_text=_("Counted under APBD for activities that have no budget of their own."),
    )
    hosting = models.CharField(
        _("the city hosts"), max_length=10, choices=Hosting.choices, default=Hosting.NONE
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("effort of an activity kind")
        verbose_name_plural = _("effort of activity kinds")
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(office_days__gte=0) & Q(agency_days__gte=0) & Q(cost_idr__gte=0),
                name="insights_effort_not_negative",
            )
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class CapacityPlan(models.Model):
    """What a region can carry in a year; staff and budget ceilings are its inlines."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000, message=_("Enter a year from 2000."))]
    )
    cooperation_office = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cooperation office"),
        help_text=_("Carries the office staff-days of every activity."),
    )
    delegations_per_month = models.DecimalField(
        _("delegations the city can host per month"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("Leave empty if not known: hosting is then not checked."),
    )
    events_per_month = models.DecimalField(
        _("events the city can host per month"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("Leave empty if not known: hosting is then not checked."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("capacity plan")
        verbose_name_plural = _("capacity plans")
        ordering = ["region", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="insights_capacity_plan_key")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}"

    def clean(self) -> None:
        try:
            office = self.cooperation_office
        except ObjectDoesNotExist:
            return
        if self.region_id and office.home_region_id != self.region_id:
            raise ValidationError(
                {"cooperation_office": _("The cooperation office must belong to this region.")}
            )


class StaffCapacity(models.Model):
    """Staff-days per month an organisation can give to cooperation in the plan's year."""

    plan = models.ForeignKey(
        CapacityPlan, on_delete=models.CASCADE, related_name="staff", verbose_name=_("plan")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    staff_days_per_month = models.DecimalField(
        _("staff-days per month"), max_digits=7, decimal_places=1, validators=NOT_NEGATIVE
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff capacity")
        verbose_name_plural = _("staff capacities")
        ordering = ["plan", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "organisation"], name="insights_staff_key"),
            models.CheckConstraint(
                condition=Q(staff_days_per_month__gte=0), name="insights_staff_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.organisation_id}: {self.staff_days_per_month}"

    def clean(self) -> None:
        # In the plan's inline the plan may not be saved yet: compare through the objects.
        try:
            plan, organisation = self.plan, self.organisation
        except ObjectDoesNotExist:
            return
        if plan.region_id and organisation.home_region_id != plan.region_id:
            raise ValidationError(
                {"organisation": _("The organisation must belong to the plan's region.")}
            )


class BudgetCeiling(models.Model):
    """The year's budget for cooperation from one funding source."""

    plan = models.ForeignKey(
        CapacityPlan, on_delete=models.CASCADE, related_name="budget", verbose_name=_("plan")
    )
    source = models.CharField(_("source"), max_length=10, choices=FundingSource.choices)
    amount_idr = models.DecimalField(
        _("ceiling in IDR"), max_digits=20, decimal_places=2, validators=NOT_NEGATIVE
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget ceiling")
        verbose_name_plural = _("budget ceilings")
        ordering = ["plan", "source"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "source"], name="insights_budget_key"),
            models.CheckConstraint(
                condition=Q(amount_idr__gte=0), name="insights_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.source}: {self.amount_idr}"
