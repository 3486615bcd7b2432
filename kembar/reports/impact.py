"""The economic effects of a report traced through the input-output table (multipliers).

Kept apart from :mod:`kembar.reports.content` because it loads the BPS table
and NumPy; the figures are those of the economy page
(:mod:`kembar.insights.economy`): the region's own table where Kembar has
one, else the national table.  Rupiah are rounded to whole rupiah so that the
report shows the same figures on every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import numpy as np
from django.utils.translation import gettext as _

from kembar.geo.models import Region
from kembar.insights.economy import NATIONAL, REGIONS, economy_table, impact_decomposition
from kembar.programs.models import Activity, EconomicEffect
from kembar.reports.content import Cell, Table

__all__ = ["impact_section"]


def _rupiah(value: float) -> Decimal:
    return Decimal(round(value))


def impact_section(activities: Sequence[Activity], year: int, region: Region) -> tuple[Table, ...]:
    """The direct, indirect and induced output and value added of the year's effects."""
    effects = list(
        EconomicEffect.objects.filter(activity__in=activities, year=year, is_demo=False)
        .values_list("sector_id", "amount_idr")
        .order_by("pk")
    )
    if not effects:
        return ()
    code = region.kode if region.kode in REGIONS else NATIONAL
    try:
        table = economy_table(code)
    except (OSError, ValueError):
        # The shipped table is missing on this instance: say so rather than fail the report.
        return (
            Table(
                "impact",
                _("Effects through the input-output table"),
                (_("Figure"), _("Value")),
                ((_("Input-output table"), _("not recorded")),),
            ),
        )
    position = {sector.code: i for i, sector in enumerate(table.sectors)}
    demand = np.zeros(table.table.n)
    untraced = Decimal(0)
    for sector, amount in effects:
        i = position.get(sector)
        if i is None:
            untraced += amount
            continue
        demand[i] += float(amount) / table.unit_idr
    parts = impact_decomposition(table.table, demand)
    rows: list[tuple[Cell, ...]] = []
    labels = {"output": _("Output"), "value_added": _("Value added")}
    for measure, label in labels.items():
        values = [
            float(parts[f"{measure}_{part}"].sum()) * table.unit_idr
            for part in ("direct", "indirect", "induced")
        ]
        rows.append((label, *(_rupiah(value) for value in values), _rupiah(sum(values))))
    note = _(
        "Table: %(source)s, %(region)s; direct = the effects, indirect = (L − I)f, induced = "
        "(L̄ − L)f. Effects in sectors outside the table: %(untraced)s IDR."
    ) % {
        "source": table.source,
        "region": table.region_name,
        "untraced": untraced.quantize(Decimal("0.01")),
    }
    return (
        Table(
            "impact",
            _("Effects through the input-output table (IDR)"),
            (_("Measure"), _("Direct"), _("Indirect"), _("Induced"), _("Total")),
            tuple(rows),
            note=note,
        ),
    )
