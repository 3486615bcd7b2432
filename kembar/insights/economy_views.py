"""Economy pages: multipliers for everyone, plus portfolio impact and cross-sector view for staff.

``/insights/economy/`` and ``/staff/insights/economy/`` show the same figures as
``/api/v1/insights/multipliers/``, ``/impact/`` and ``/cross-sector/``; every
chart has its table, and every table a CSV download whose first line says
which table, method and δ made it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from kembar.accounts.regions import user_region
from kembar.common.public_cache import public_cacheable
from kembar.common.tabular import csv_writer
from kembar.insights.economy import (
    DEFAULT_DELTA,
    DEFAULT_METHOD,
    IMPACT_PARTS,
    MULTIPLIER_FIELDS,
    NATIONAL,
    REGIONS,
    CrossSectorFilters,
    ImpactFilters,
    cross_sector_figures,
    economy_table,
    impact_figures,
    multiplier_figures,
)
from kembar.insights.staff_cache import cached
from kembar.partnerships.access import staff_partnerships
from kembar.partnerships.models import Partnership
from kembar.partnerships.views import StaffRequest, staff_view
from kembar.programs.disclosure import breakdown_partnerships

IMPACT_COLUMNS = (
    "final_demand",
    *(f"output_{part}" for part in IMPACT_PARTS),
    *(f"value_added_{part}" for part in IMPACT_PARTS),
)
MATRIX_COLUMNS = ("slug", "name", "sector", "activities", "participants")

#: The tables each page offers as CSV.
PUBLIC_DOWNLOADS = ("output", "multipliers")
STAFF_DOWNLOADS = (
    *PUBLIC_DOWNLOADS,
    "impact_sectors",
    "impact_partnerships",
    "impact_years",
    "partnership_sectors",
    "agency_sectors",
    "priorities",
)


class EconomyForm(forms.Form):
    """The page's choices, from the query string; a bad value falls back to the default."""

    DEMO_CHOICES = (
        ("", gettext_lazy("Real and demonstration")),
        ("0", gettext_lazy("Real only")),
        ("1", gettext_lazy("Demo only")),
    )

    region = forms.ChoiceField(label=gettext_lazy("Table"), required=False)
    method = forms.ChoiceField(
        label=gettext_lazy("Regionalisation"),
        required=False,
        choices=[
            ("flq", gettext_lazy("FLQ (Flegg location quotients)")),
            ("cilq", gettext_lazy("CILQ (cross-industry location quotients)")),
            ("slq", gettext_lazy("SLQ (simple location quotients)")),
        ],
    )
    delta = forms.FloatField(
        label=gettext_lazy("δ (FLQ only)"),
        required=False,
        min_value=0,
        max_value=0.99,
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )
    partnership = forms.ModelChoiceField(
        label=gettext_lazy("Partnership"),
        queryset=Partnership.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=gettext_lazy("All partnerships"),
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"), required=False, min_value=1950, max_value=2100
    )
    demo = forms.ChoiceField(label=gettext_lazy("Records"), choices=DEMO_CHOICES, required=False)

    def __init__(self, *args: Any, table: str, partnerships: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"region": table, "method": DEFAULT_METHOD, "delta": DEFAULT_DELTA}
        )
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [  # type: ignore[attr-defined]
            (NATIONAL, _("Indonesia (national table)")),
            *((code, source.name) for code, source in REGIONS.items()),
        ]
        if partnerships is None:
            for name in ("partnership", "year", "demo"):
                del self.fields[name]
        else:
            self.fields["partnership"].queryset = partnerships  # type: ignore[attr-defined]

    def value(self, name: str, default: Any) -> Any:
        data = getattr(self, "cleaned_data", {})
        found = data.get(name) if name not in self.errors else None
        return default if found in (None, "") else found


def _table_of(region: str) -> str:
    """The table shown first: the region's own where Kembar has one, else the national one."""
    return region if region in REGIONS else NATIONAL


def _label(figures: dict[str, Any]) -> str:
    """The first line of a CSV: which table, method and δ."""
    region = figures["table"]["region"]
    parts = [f"region={region['code']} ({region['name']})", f"table={figures['table']['source']}"]
    if figures["method"]:
        parts.append(f"method={figures['method']}")
    if figures["delta"] is not None:
        parts.append(f"delta={figures['delta']}")
    return "# " + "; ".join(parts)


def _csv(name: str, label: str, columns: Sequence[str], rows: list[dict[str, Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kembar-economy-{name}.csv"'
    writer = csv_writer(response)
    writer.writerow([label])
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(column) is None else row.get(column) for column in columns])
    return response


def _comparison(figures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Output multipliers of each sector in the national and regional tables, side by side."""
    rows = []
    for i, sector in enumerate(figures[0]["sectors"]):
        rows.append(
            {
                "code": sector["code"],
                "name": sector["name"],
                "values": [
                    {
                        "region": result["region"],
                        "output_multiplier": result["sectors"][i]["output_multiplier"],
                        "key_sector": result["sectors"][i]["key_sector"],
                    }
                    for result in figures
                ],
            }
        )
    return rows


def _matrix_rows(rows: list[dict[str, Any]], sectors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a sector matrix with each cell beside its sector (for the template)."""
    return [{**row, "pairs": list(zip(row["cells"], sectors, strict=True))} for row in rows]


def _long(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A matrix as one CSV row per non-empty cell."""
    return [
        {
            "slug": row["slug"],
            "name": row["name"],
            "sector": cell["sector"],
            "activities": cell["activities"],
            "participants": cell["participants"],
        }
        for row in rows
        for cell in row["cells"]
        if cell["activities"]
    ]


def _render(
    request: HttpRequest, *, region: str, staff: bool, partnerships: Any = None
) -> HttpResponse:
    download = request.GET.get("download", "")
    if download in PUBLIC_DOWNLOADS or (staff and download in STAFF_DOWNLOADS):
        return _downloads(request, download, region=region, staff=staff, partnerships=partnerships)

    def body() -> SafeString:
        context = _context(request, region=region, staff=staff, partnerships=partnerships)
        return render_to_string("insights/economy_body.html", context, request)

    if staff:
        # What the user may see is part of the key, read on every request (staff_cache).
        visible = list(partnerships.select_related("local_region"))
        seen = (
            region,
            tuple(partnership.pk for partnership in visible),
            tuple(sorted(breakdown_partnerships(request.user, visible))),
        )
        content = cached("economy", (seen, sorted(request.GET.lists())), body)
    else:
        content = body()
    return render(request, "insights/economy.html", {"body": content, "staff_layout": staff})


def _figures(
    request: HttpRequest, *, region: str, staff: bool, partnerships: Any
) -> tuple[EconomyForm, list[dict[str, Any]], dict[str, Any] | None, dict[str, Any] | None]:
    """The form, the multipliers of every table, and for staff the impact and cross-sector view.

    ``region`` is the one whose records the staff figures count (the user's own).
    """
    form = EconomyForm(request.GET or None, table=_table_of(region), partnerships=partnerships)
    if request.GET:
        form.is_valid()
    table = form.value("region", _table_of(region))
    method = form.value("method", DEFAULT_METHOD)
    delta = float(form.value("delta", DEFAULT_DELTA))
    figures = [
        multiplier_figures(economy_table(code, method, delta)) for code in (NATIONAL, *REGIONS)
    ]
    impact: dict[str, Any] | None = None
    cross: dict[str, Any] | None = None
    if staff:
        demo_choice = form.value("demo", "")
        demo = None if not demo_choice else demo_choice == "1"
        chosen = form.value("partnership", None)
        impact = impact_figures(
            filters=ImpactFilters(
                region=table,
                method=method,
                delta=delta,
                partnership=chosen.slug if chosen is not None else "",
                year=form.value("year", None),
                demo=demo,
            ),
            user=request.user,
        )
        cross = cross_sector_figures(
            filters=CrossSectorFilters(region=region, demo=demo), user=request.user
        )
    return form, figures, impact, cross


def _downloads(
    request: HttpRequest, download: str, *, region: str, staff: bool, partnerships: Any
) -> HttpResponse:
    form, figures, impact, cross = _figures(
        request, region=region, staff=staff, partnerships=partnerships
    )
    table = form.value("region", _table_of(region))
    selected = next(result for result in figures if result["region"] == table)
    if download in PUBLIC_DOWNLOADS:
        return _multipliers_csv(download, figures, selected)
    assert impact is not None and cross is not None  # noqa: S101 (staff downloads only)
    return _staff_csv(download, impact, cross)


def _context(
    request: HttpRequest, *, region: str, staff: bool, partnerships: Any
) -> dict[str, Any]:
    form, figures, impact, cross = _figures(
        request, region=region, staff=staff, partnerships=partnerships
    )
    table = form.value("region", _table_of(region))
    selected = next(result for result in figures if result["region"] == table)
    comparison = _comparison(figures)
    names = {result["region"]: result["table"]["region"]["name"] for result in figures}
    context: dict[str, Any] = {
        "form": form,
        "staff_layout": staff,
        "figures": figures,
        "selected": selected,
        "comparison": comparison,
        "region_names": [names[result["region"]] for result in figures],
        "method": figures[-1]["method"],
        "delta": figures[-1]["delta"],
        "impact": impact,
        "cross": cross,
        "chart_data": {
            "output": {
                "labels": [f"{row['code']}. {row['name']}" for row in comparison],
                "datasets": [
                    {
                        "label": names[result["region"]],
                        "data": [sector["output_multiplier"] for sector in result["sectors"]],
                    }
                    for result in figures
                ],
            },
            "linkages": {
                "labels": [
                    f"{sector['code']}. {sector['name']}" + (" ★" if sector["key_sector"] else "")
                    for sector in selected["sectors"]
                ],
                "backward": [sector["backward_linkage"] for sector in selected["sectors"]],
                "forward": [sector["forward_linkage"] for sector in selected["sectors"]],
            },
            "impact": None
            if impact is None
            else {
                "labels": [f"{row['code']}. {row['name']}" for row in impact["by_sector"]],
                "direct": [row["output_direct"] / 1e6 for row in impact["by_sector"]],
                "indirect": [row["output_indirect"] / 1e6 for row in impact["by_sector"]],
                "induced": [row["output_induced"] / 1e6 for row in impact["by_sector"]],
            },
            "labels": {
                "output": _("output multiplier"),
                "backward": _("backward linkage"),
                "forward": _("forward linkage"),
                "direct": _("direct"),
                "indirect": _("indirect"),
                "induced": _("induced"),
                "millions": _("million rupiah"),
                "sector": _("sector"),
                "linkage": _("normalised linkage (1 = average of all sectors)"),
            },
        },
    }
    if cross is not None:
        context["partnership_matrix"] = _matrix_rows(cross["partnerships"], cross["sectors"])
        context["agency_matrix"] = _matrix_rows(cross["agencies"], cross["sectors"])
    return context


def _multipliers_csv(
    name: str, figures: list[dict[str, Any]], selected: dict[str, Any]
) -> HttpResponse:
    if name == "output":
        regions = [result["region"] for result in figures]
        rows = [
            {
                "code": row["code"],
                "name": row["name"],
                **{value["region"]: value["output_multiplier"] for value in row["values"]},
            }
            for row in _comparison(figures)
        ]
        label = "; ".join(_label(result)[2:] for result in figures)
        return _csv(name, f"# {label}", ("code", "name", *regions), rows)
    return _csv(name, _label(selected), MULTIPLIER_FIELDS, selected["sectors"])


def _staff_csv(name: str, impact: dict[str, Any], cross: dict[str, Any]) -> HttpResponse:
    if name.startswith("impact_"):
        label = _label(impact) + f"; units={impact['units']}"
        part = name.removeprefix("impact_")
        key = {"sectors": "by_sector", "partnerships": "by_partnership", "years": "by_year"}[part]
        first = {"sectors": ("code", "name"), "partnerships": ("slug", "name"), "years": ("year",)}
        return _csv(name, label, (*first[part], *IMPACT_COLUMNS), impact[key])
    label = f"# region={cross['region']}"
    if name == "partnership_sectors":
        return _csv(name, label, MATRIX_COLUMNS, _long(cross["partnerships"]))
    if name == "agency_sectors":
        return _csv(name, label, MATRIX_COLUMNS, _long(cross["agencies"]))
    rows = [{**row, "plans": " | ".join(row["plans"])} for row in cross["sectors"]]
    columns = ("code", "name", "kbli", "priority", "plans", "activities", "participants", "status")
    return _csv(name, label, columns, rows)


@require_safe
@staff_view
def economy_staff(request: StaffRequest) -> HttpResponse:
    """Multipliers, the portfolio's impact and the cross-sector view of the user's region."""
    region = user_region(request.user)
    partnerships = (
        staff_partnerships(request.user).filter(local_region_id=region).order_by("partner_name")
    )
    return _render(request, region=region, staff=True, partnerships=partnerships)


@require_safe
@public_cacheable
def economy_public(request: HttpRequest) -> HttpResponse:
    """Multipliers and linkages of the national, Jawa Tengah and Kota Semarang tables."""
    return _render(request, region=settings.KEMBAR_HOME_REGION, staff=False)
