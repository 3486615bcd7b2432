"""The staff dashboard of the learning measures, ``/staff/knowledge/measures/``, and its CSV files.

Permission as for the knowledge pages (``knowledge.view_record``): the
region's own staff and administrators.  The figures come from
:func:`kembar.knowledge.measures.learning_figures` for the user's region.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from kembar.accounts.regions import user_region
from kembar.common.staff_views import require
from kembar.common.tabular import csv_writer
from kembar.knowledge.measures import MeasureTable, learning_figures, learning_tables
from kembar.partnerships.views import StaffRequest, staff_view

__all__ = ["MeasuresFilterForm", "measures"]


class MeasuresFilterForm(forms.Form):
    """The year (empty: all years) and which records count, as on the reach dashboard."""

    DEMO_CHOICES = (
        ("", gettext_lazy("Real and demonstration")),
        ("0", gettext_lazy("Real only")),
        ("1", gettext_lazy("Demo only")),
    )

    year = forms.IntegerField(
        label=gettext_lazy("Year"), required=False, min_value=1950, max_value=2100
    )
    demo = forms.ChoiceField(label=gettext_lazy("Records"), choices=DEMO_CHOICES, required=False)

    def choice(self) -> tuple[int | None, bool | None]:
        """The year and the demonstration choice; a bad value is dropped, not fatal."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        demo = data.get("demo") or ""
        return data.get("year"), (None if not demo else demo == "1")


def _csv(table: MeasureTable, year: int | None) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"kembar-learning-{table.key}-{year or 'all'}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv_writer(response)
    writer.writerow(table.columns)
    writer.writerows(["" if cell is None else cell for cell in row] for row in table.rows)
    return response


@require_safe
@staff_view
def measures(request: StaffRequest) -> HttpResponse:
    require(request, "knowledge.view_record", None)
    region_id = user_region(request.user)
    form = MeasuresFilterForm(request.GET)
    year, demo = form.choice()
    figures = learning_figures(region_id=region_id, year=year, demo=demo)
    tables = learning_tables(figures)
    wanted = request.GET.get("download")
    if wanted:
        table = next((table for table in tables if table.key == wanted), None)
        if table is None:
            raise Http404
        return _csv(table, year)
    query = request.GET.copy()
    query.pop("download", None)
    context: dict[str, Any] = {
        "form": form,
        "figures": figures,
        "measures": figures.measures,
        "tables": tables,
        "year": year,
        "demo_choice": form.data.get("demo", ""),
        "query": query.urlencode(),
        "empty": figures.measures.completed == 0 and figures.measures.policies == 0,
    }
    return render(request, "staff/knowledge/measures.html", context)
