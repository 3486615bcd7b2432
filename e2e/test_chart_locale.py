"""Charts, map legends and tooltips format numbers in the page's language, not the browser's.

The browser itself is set to Indonesian (``id-ID``, see ``conftest.py``); after
the switch to English the page must show 1,234.5 all the same, and before it
1.234,5.  Axis titles come translated from the page's JSON.
"""

from __future__ import annotations

import json
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from .test_lifecycle import watch_csp
from .test_reach_map import seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUTPUT_CHART = """canvas => {
  const chart = Chart.getChart(canvas);
  chart.tooltip.setActiveElements([{datasetIndex: 2, index: 2}], {x: 0, y: 0});
  chart.update();
  return {
    locale: chart.options.locale,
    x: chart.options.scales.x.title.text,
    y: chart.options.scales.y.title.text,
    sample: chart.scales.x.getLabelForValue(1234.5),
    ticks: chart.scales.x.ticks.map(tick => tick.label),
    tooltip: chart.tooltip.body.map(part => part.lines.join(" ")),
  };
}"""

YEARS_CHART = """canvas => {
  const chart = Chart.getChart(canvas);
  return chart ? {
    locale: chart.options.locale,
    x: chart.options.scales.x.title.text,
    y: chart.options.scales.y.title.text,
    ticks: chart.scales.x.ticks.map(tick => tick.label),
  } : null;
}"""


def number(value: float, language: str, decimals: int | None = None) -> str:
    """``value`` as Intl.NumberFormat writes it (id 1.234,5; en 1,234.5), rounded half up.

    Without ``decimals``, at most three fraction digits and no trailing zeros.
    """
    places = 3 if decimals is None else decimals
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}"
    if decimals is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    if language == "id":
        text = text.translate(str.maketrans(",.", ".,"))
    return text


def page_json(page: Any, element_id: str) -> Any:
    return json.loads(page.locator(f"#{element_id}").text_content())


def switch_to_english(page: Any) -> None:
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang='en']")


def test_economy_chart_ticks_tooltips_and_titles(live_server: Any, page: Any) -> None:
    violations = watch_csp(page)
    page.goto(f"{live_server.url}/insights/economy/")
    expected = {
        "id": ("pengganda output", "sektor", "1.234,5", ","),
        "en": ("output multiplier", "sector", "1,234.5", "."),
    }
    for language in ("id", "en"):
        if language == "en":
            switch_to_english(page)
        page.wait_for_selector("#economy-output-chart[data-drawn='true']")
        chart = page.locator("#economy-output-chart").evaluate(OUTPUT_CHART)
        x_title, y_title, sample, decimal_mark = expected[language]
        assert (chart["locale"], chart["x"], chart["y"]) == (language, x_title, y_title)
        assert chart["sample"] == sample
        assert any(decimal_mark in tick for tick in chart["ticks"]), chart["ticks"]
        value = page_json(page, "economy-chart-data")["output"]["datasets"][2]["data"][2]
        assert chart["tooltip"] == [f"Kota Semarang: {number(value, language)}"]
    assert violations == []


def _legend(map_data: dict[str, Any], language: str) -> str:
    """The legend reach.js writes: class breaks at quantiles of the reached kecamatan."""
    values = sorted(row["per_10k"] for row in map_data["districts"].values() if row["per_10k"])
    limits = [values[math.floor(i * len(values) / 5)] for i in range(1, 5)]
    parts = ["0", *(number(limit, language, 1) for limit in limits)]
    return " · ".join(parts) + " — " + map_data["labels"]["per10k"]


def test_reach_legend_tooltip_and_years_chart(live_server: Any, page: Any) -> None:
    seed()
    violations = watch_csp(page)
    page.goto(f"{live_server.url}/insights/reach/")
    expected = {
        "id": ("peserta per 10.000 penduduk", "tahun", "peserta"),
        "en": ("participants per 10,000 residents", "year", "participants"),
    }
    for language in ("id", "en"):
        if language == "en":
            switch_to_english(page)
        page.wait_for_selector("#reach-map[data-districts='16']")
        page.wait_for_function("document.getElementById('reach-legend').textContent !== ''")
        map_data = page_json(page, "reach-map-data")
        per10k, year_title, people = expected[language]
        assert map_data["labels"]["per10k"] == per10k
        legend = page.locator("#reach-legend").text_content()
        assert legend == _legend(map_data, language)

        tengah = map_data["districts"]["33.74.01"]
        page.locator("#reach-map path[data-kode='33.74.01']").hover()
        tooltip = page.locator(".leaflet-tooltip").first.text_content()
        assert tooltip == f"{tengah['name']}: {number(tengah['per_10k'], language, 1)} {per10k}"

        page.wait_for_function("Chart.getChart(document.getElementById('reach-years-chart'))")
        years = page.locator("#reach-years-chart").evaluate(YEARS_CHART)
        assert years == {"locale": language, "x": year_title, "y": people, "ticks": ["2024"]}
    assert violations == []
