"""Economic effects of an activity: the final demand it brought to the local economy.

An activity can lead to export contracts, to investment that is actually
realised, or bring partner visitors who spend money in the city.  Each effect
is attributed to the Input-Output sector whose products the money buys, so
that the insights app can trace it through the regional input-output table
(direct, indirect and induced output and value added).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.programs.models.activities import Activity
from kembar.programs.models.codelists import Sector


class EffectKind(models.TextChoices):
    EXPORT_CONTRACT = "export_contract", _("export contract")
    INVESTMENT_REALISED = "investment_realised", _("investment realised")
    VISITOR_SPENDING = "visitor_spending", _("partner visitors' spending")
    OTHER = "other", _("other final demand")


class EffectConfidence(models.TextChoices):
    DOCUMENTED = "documented", _("documented (contract, receipts, official statistics)")
    REPORTED = "reported", _("reported by the agency or the partner")
    ESTIMATED = "estimated", _("estimated")


class EconomicEffect(models.Model):
    """New final demand for the region's products that an activity brought about.

    Visitor spending is recorded as visitors × days × spending per day (in
    rupiah); every other kind as an amount in its original currency with the
    rate used.  ``amount_idr`` is the rupiah value either way, computed by the
    service.  ``is_demo`` follows the activity.
    """

    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        related_name="economic_effects",
        verbose_name=_("activity"),
    )
    kind = models.CharField(_("kind of effect"), max_length=20, choices=EffectKind.choices)
    sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        related_name="economic_effects",
        verbose_name=_("sector"),
        help_text=_("The Input-Output sector whose products the money buys."),
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=[MinValueValidator(1950), MaxValueValidator(2100)],
        help_text=_("The year the money is spent or the contract is delivered."),
    )
    amount = models.DecimalField(
        _("amount"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        max_digits=20,
        decimal_places=2,
    )
    currency = models.CharField(_("currency"), max_length=3, default="IDR")
    rate_to_idr = models.DecimalField(
        _("rate to IDR"),
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.000001"))],
        max_digits=18,
        decimal_places=6,
    )
    visitors = models.PositiveIntegerField(_("visitors"), null=True, blank=True)
    days = models.PositiveIntegerField(_("days per visitor"), null=True, blank=True)
    spending_per_day_idr = models.DecimalField(
        _("spending per visitor and day (IDR)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        max_digits=16,
        decimal_places=2,
    )
    amount_idr = models.DecimalField(
        _("amount in IDR"), editable=False, max_digits=20, decimal_places=2
    )
    confidence = models.CharField(
        _("confidence"),
        max_length=12,
        choices=EffectConfidence.choices,
        default=EffectConfidence.REPORTED,
    )
    source = models.CharField(
        _("source"),
        max_length=300,
        help_text=_("Where the figure comes from: a contract, a survey, a BKPM report …"),
    )
    note = models.TextField(_("note"), blank=True)
    is_demo = models.BooleanField(_("demonstration record"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    #: Raised by one on every correction; a correction names the version it read,
    #: and a stale one is refused (no lost updates).
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Raised on every change; guards against lost updates."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("economic effect")
        verbose_name_plural = _("economic effects")
        ordering = ["activity", "year", "kind", "pk"]
        indexes = [models.Index(fields=["year", "sector"], name="programs_effect_year_sector")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_idr__gte=0), name="programs_effect_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="visitor_spending",
                        visitors__isnull=False,
                        days__isnull=False,
                        spending_per_day_idr__isnull=False,
                        amount__isnull=True,
                    )
                    | (
                        ~Q(kind="visitor_spending")
                        & Q(
                            visitors__isnull=True,
                            days__isnull=True,
                            spending_per_day_idr__isnull=True,
                            amount__isnull=False,
                        )
                    )
                ),
                name="programs_effect_fields_of_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.kind} {self.year}: {self.amount_idr} IDR"
