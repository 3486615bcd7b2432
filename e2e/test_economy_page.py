"""The public economy page draws its charts beside their tables, under the strict CSP.

No database rows are needed: the tables come from the shipped BPS and GRDP
files.  Choosing Jawa Tengah and SLQ redraws the page with that table.
"""

from __future__ import annotations

from typing import Any

import pytest

from .test_lifecycle import watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATASETS = """canvas => {
  const chart = Chart.getChart(canvas);
  return chart ? chart.data.datasets.map(d => [d.label, d.data.length]) : null;
}"""


def test_economy_page_draws_the_chart_and_its_table(live_server: Any, page: Any) -> None:
    violations = watch_csp(page)
    page.goto(f"{live_server.url}/insights/economy/")
    page.wait_for_selector("#economy-output-chart[data-drawn='true']")
    page.wait_for_selector("#economy-linkages-chart[data-drawn='true']")

    datasets = page.locator("#economy-output-chart").evaluate(DATASETS)
    assert [length for _label, length in datasets] == [17, 17, 17]
    assert datasets[2][0] == "Kota Semarang"
    box = page.locator("#economy-output-chart").bounding_box()
    assert box["width"] > 200 and box["height"] > 200
    assert page.locator("#economy-output tbody tr").count() == 17
    assert page.locator("#economy-multipliers tbody tr").count() == 17
    # Indonesian number format: a decimal comma.
    assert "FLQ, δ = 0,3, λ* = 0,2834" in page.locator("#economy-regionalisation").inner_text()

    page.select_option("#id_region", "33")
    page.select_option("#id_method", "slq")
    page.locator("#economy-filters button[type='submit']").click()
    page.wait_for_url("**method=slq**")
    page.wait_for_selector("#economy-linkages-chart[data-drawn='true']")
    assert page.locator("#economy-regionalisation").inner_text().strip() == "SLQ"
    cells = page.locator("#economy-output tr[data-code='3'] td").all_inner_texts()
    assert len(cells) == 4  # code and the three tables
    assert violations == []
