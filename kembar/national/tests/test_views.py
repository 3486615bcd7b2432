"""The ministry's pages: who may see them, the tables and their CSV files, recording a report."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.test import Client
from lxml import html

from kembar.national.models import ReportSubmission
from kembar.national.tests.record import Record

pytestmark = pytest.mark.django_db

MAP = "/staff/national/"
REPORTS = "/staff/national/reports/"
RECORD = "/staff/national/reports/record/"
SEMARANG = "/staff/national/regions/33.74/"


def _client(record: Record, who: str) -> Client:
    client = Client()
    client.cookies["kembar_language"] = "en"
    client.force_login(record.users[who])
    return client


def _csv(response: Any) -> list[dict[str, str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("url", [MAP, REPORTS, SEMARANG])
def test_the_ministry_and_administrators_only(record: Record, url: str) -> None:
    for who in ("ministry", "administrator"):
        assert _client(record, who).get(url).status_code == 200, who
    for who in ("officer", "agency", "partner", "supervisor"):
        assert _client(record, who).get(url).status_code == 403, who
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"/accounts/login/?next={url}"


def test_the_csv_holds_the_table(record: Record) -> None:
    client = _client(record, "ministry")
    page = client.get(MAP, {"level": "kab_kota"})
    table = html.fromstring(page.content).get_element_by_id("national-regions-table")
    shown = [
        [cell.text_content().strip() for cell in row.xpath("./td|./th")]
        for row in table.xpath("./tbody/tr")
    ]
    rows = _csv(client.get(MAP, {"level": "kab_kota", "download": "regions"}))
    assert (
        [row["kode"] for row in rows]
        == [cells[0] for cells in shown]
        == [
            "33.71",
            "33.74",
            "51.71",
        ]
    )
    for cells, row in zip(shown, rows, strict=True):
        assert cells[1] == row["name"]
        assert cells[4].replace(",", "") == row["population"]
        assert cells[5:11] == [
            row[name]
            for name in ("partnerships", "active", "at_risk", "dormant", "ended", "unknown")
        ]
        assert cells[13] == row["activities"]
        assert cells[14] == (row["participants"] or "not shown")
        assert cells[15] == (
            f"{float(row['participants_per_10k']):.2f}" if row["participants_per_10k"] else "—"
        )
    assert rows[1] == {
        "kode": "33.74",
        "name": "Kota Semarang",
        "province": "33",
        "island": "jawa",
        "population": "1600000",
        "partnerships": "4",
        "active": "1",
        "at_risk": "0",
        "dormant": "2",
        "ended": "0",
        "unknown": "1",
        "share_active": "0.25",
        "share_dormant": "0.5",
        "activities": "3",
        "participants": "67",
        "participants_per_10k": "0.42",
        "reported": "on_time",
        "report_sent_on": "2025-03-20",
        "report_due_on": "2025-03-31",
    }
    # Denpasar's 3 participants: neither in the table nor in the file, nor their rate.
    assert (rows[2]["participants"], rows[2]["participants_per_10k"]) == ("", "")
    assert shown[2][14:16] == ["not shown", "—"]


def test_provinces_regions_without_and_flows_as_csv(record: Record) -> None:
    client = _client(record, "administrator")
    provinces = _csv(client.get(MAP, {"level": "province", "download": "regions"}))
    assert [
        (row["kode"], row["with_kab_kota"], row["kab_kota_without"], row["reported"])
        for row in provinces
    ] == [("33", "6", "1", "late"), ("51", "1", "0", "")]
    without = _csv(client.get(MAP, {"level": "kab_kota", "download": "without"}))
    assert [row["kode"] for row in without] == ["33.71"]
    flows = _csv(client.get(MAP, {"level": "kab_kota", "download": "flows"}))
    assert [(row["region"], row["country_name"], row["partnerships"]) for row in flows] == [
        ("33.74", "Australia", "1"),
        ("33.74", "China", "2"),
        ("33.74", "Japan", "1"),
        ("51.71", "Australia", "1"),
    ]
    countries = _csv(client.get(MAP, {"level": "kab_kota", "download": "countries"}))
    assert [(row["country"], row["partnerships"], row["regions"]) for row in countries] == [
        ("AU", "2", "2"),
        ("CN", "2", "1"),
        ("JP", "1", "1"),
    ]


def test_the_map_data(record: Record) -> None:
    client = _client(record, "ministry")
    response = client.get(MAP, {"level": "kab_kota", "metric": "participants_per_10k"})
    data = json.loads(html.fromstring(response.content).get_element_by_id("national-map-data").text)
    assert data["metric"] == "participants_per_10k"
    assert {
        kode: (item["value"], item["suppressed"]) for kode, item in data["regions"].items()
    } == {
        "33.71": (0.0, False),
        "33.74": (0.42, False),
        "51.71": (None, True),
    }
    assert data["regions"]["33.74"]["text"] == "0.42 per 10,000 residents"
    lines = json.loads(
        html.fromstring(response.content).get_element_by_id("national-flow-data").text
    )["lines"]
    assert len(lines) == 5
    # A year, a province; a wrong choice falls back to the default.
    response = client.get(MAP, {"level": "kab_kota", "year": "2025", "province": "33"})
    assert [row["kode"] for row in response.context["figures"].rows] == ["33.71", "33.74"]
    assert response.context["figures"].rows[1]["participants_per_10k"] == 0.25
    response = client.get(MAP, {"level": "desa", "metric": "with_kab_kota"})
    assert (response.context["level"], response.context["metric"]) == ("kab_kota", "partnerships")


def test_reports_page_and_csv(record: Record) -> None:
    client = _client(record, "ministry")
    page = client.get(REPORTS)
    assert page.context["compliance"].period == 2024
    assert [(item["status"], item["count"]) for item in page.context["compliance"].counts()] == [
        ("on_time", 1),
        ("late", 1),
        ("missing", 0),
        ("pending", 0),
    ]
    rows = _csv(client.get(REPORTS, {"period": "2023", "download": "reports"}))
    assert [(row["kode"], row["status"], row["due_on"], row["sent_on"]) for row in rows] == [
        ("33.74", "missing", "2024-03-31", "")
    ]


def test_similar_regions_page_and_csv(record: Record) -> None:
    client = _client(record, "ministry")
    page = client.get(SEMARANG)
    assert [row["kode"] for row in page.context["rows"]] == ["33.74", "51.71", "33.71"]
    rows = _csv(client.get(SEMARANG, {"download": "comparison"}))
    assert [
        (row["kode"], row["grdp_per_capita"], row["grdp_basis"], row["distance"]) for row in rows
    ] == [
        ("33.74", "72061375", "ADHK2010", "0.0"),
        ("51.71", "", "", "1.6931"),
        ("33.71", "", "", "2.5494"),
    ]
    assert "not available" in page.content.decode()
    assert client.get("/staff/national/regions/34/").status_code == 404


def test_an_officer_records_their_region_s_report(record: Record) -> None:
    client = _client(record, "officer")
    assert client.get(RECORD).status_code == 200
    response = client.post(
        RECORD, {"year": "2023", "sent_on": "2024-05-02", "reference": "500/9/2024"}
    )
    assert response.status_code == 302
    report = ReportSubmission.objects.get(region_id="33.74", year=2023)
    assert (report.sent_on, report.due_on, report.reference, report.on_time) == (
        dt.date(2024, 5, 2),
        dt.date(2024, 3, 31),
        "500/9/2024",
        False,
    )
    assert report.recorded_by == record.users["officer"]
    # A second record corrects the first, and the history keeps both.
    client.post(RECORD, {"year": "2023", "sent_on": "2024-03-28"})
    report.refresh_from_db()
    assert (report.sent_on, report.on_time, report.history.count()) == (
        dt.date(2024, 3, 28),
        True,
        2,
    )
    statuses = _csv(
        _client(record, "ministry").get(REPORTS, {"period": "2023", "download": "reports"})
    )
    assert [(row["kode"], row["status"]) for row in statuses] == [("33.74", "on_time")]


def test_a_report_from_the_future_is_refused(record: Record) -> None:
    response = _client(record, "officer").post(RECORD, {"year": "2025", "sent_on": "2025-07-01"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"sent_on": ["The date is in the future."]}
    assert not ReportSubmission.objects.filter(year=2025).exists()


def test_an_administrator_names_the_region(record: Record) -> None:
    client = _client(record, "administrator")
    response = client.post(RECORD, {"region": "51.71", "year": "2024", "sent_on": "2025-03-01"})
    assert response.status_code == 302
    assert ReportSubmission.objects.get(region_id="51.71", year=2024).on_time
    response = client.post(RECORD, {"region": "51.71.01", "year": "2024", "sent_on": "2025-03-01"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "region": ["No province, kabupaten or kota has this code."]
    }


@pytest.mark.parametrize("who", ["ministry", "agency", "partner", "supervisor"])
def test_others_may_not_record(record: Record, who: str) -> None:
    before = ReportSubmission.objects.count()
    client = _client(record, who)
    assert client.get(RECORD).status_code == 403
    assert client.post(RECORD, {"year": "2024", "sent_on": "2025-03-01"}).status_code == 403
    assert ReportSubmission.objects.count() == before
