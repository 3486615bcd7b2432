"""Walk every output an anonymous visitor can reach, with demo data, and find no small cell.

The URLconf is walked route by route (and checked against the OpenAPI
schema).  Each route is requested anonymously with real values for its
parameters: a route that answers 200 must be one this module knows how to
check, so a new public page or endpoint fails here until a check is added
for it.  Then every known output is checked:

- no count of people (``participants``, ``participants_local``, ``count``,
  ``total``, ``outside_city`` …) of 1–4 anywhere in a JSON answer, and no
  indicator counted in people with such a value;
- every published one-way table with its total (reach: districts with
  outside the city, groups, gender, years; an activity's participant tables;
  a people indicator's disaggregation) leaves no hidden cell computable: never
  one hidden cell alone, and the hidden cells of a table hold at least 5
  people and more than one per cell;
- the reach page, its CSV downloads and every CSV link on a public page show
  the same protected figures, and HTML pages name no group of 1–4 people.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from lxml import etree

from kembar.geo.models import City
from kembar.guidance.recognition import recognition_years
from kembar.opendata.datasets import DATASETS
from kembar.opendata.iati import org_identifier
from kembar.participation.models import OpportunityReservation
from kembar.participation.tests.factories import OpportunityFactory
from kembar.partnerships.models import Partnership
from kembar.programs.demo import demo_generate
from kembar.programs.disclosure import PEOPLE_UNITS
from kembar.programs.models import Activity, ActivityKind

pytestmark = pytest.mark.django_db

SMALL = range(1, 5)

#: JSON keys that hold a number of people, wherever they appear.
PEOPLE_KEYS = {
    "participants",
    "participants_local",
    "participants_partner",
    "outside_city",
    "count",
    "total",
}

#: Routes that answer an anonymous GET, and how each is checked.
PUBLIC_ROUTES = {
    "": "page",
    "partnerships/": "page",
    "partnerships/<slug:slug>/": "page",
    "activities/<slug:reference>/": "activity_page",
    "calendar/": "page",
    "search/": "page",
    "insights/reach/": "reach_page",
    "insights/economy/": "page",
    "insights/network/": "page",
    "insights/network/{}/": "page",
    "healthz": "json",
    "readyz": "json",
    "api/schema/": "schema",
    "api/docs/": "page",
    "accounts/login/": "page",
    "accounts/password/reset/": "page",
    "accounts/password/reset/sent/": "page",
    "accounts/password/reset/done/": "page",
    "accounts/password/reset/<uidb64>/<token>/": "page",
    # Citizens' sign-in by e-mail code (kembar.accounts.citizen_urls): forms, no figures.
    "warga/masuk/": "page",
    "warga/daftar/": "page",
    "warga/nonaktif/": "page",
    "api/v1/regions/": "json",
    "api/v1/regions/{}/": "json",
    "api/v1/cities/": "json",
    "api/v1/cities/{}/": "json",
    "api/v1/cities/{}/twins/": "json",
    "api/v1/network/summary/": "json",
    "api/v1/partnerships/": "json",
    "api/v1/partnerships/<slug:slug>/": "json",
    "api/v1/partnerships/<slug:slug>/transitions/": "json",
    "api/v1/lifecycle/": "json",
    "api/v1/activities/": "activities",
    "api/v1/activities/<slug:reference>/": "activities",
    "api/v1/opportunities/": "json",
    "api/v1/opportunities/<int:pk>/": "json",
    # Calls for participation (kembar.participation.views_public): terms and places, no counts
    # of people (how full a call is comes as a word: places left, waiting list, closed).
    "opportunities/": "page",
    "opportunities/<int:pk>/": "page",
    "opportunities/<int:pk>/availability/": "page",
    "api/v1/insights/reach/": "reach",
    # Partnership health (kembar.insights.health): state, score and reciprocity, no people.
    "api/v1/insights/health/": "json",
    "api/v1/insights/multipliers/": "json",
    # The knowledge search: public activities and public policies only, counts of records.
    "api/v1/knowledge/": "knowledge",
    "api/v1/network/cities/{}/ego/": "json",
    "api/v1/network/cities/{}/recommendations/": "json",
    # IATI 2.03 files of a region (kembar.opendata.views_iati): XML, checked against the API.
    "open-data/iati/<str:kode>/activities.xml": "iati",
    "open-data/iati/<str:kode>/organisation.xml": "iati",
    # The open-data package (kembar.opendata): its page follows every CSV link it lists.
    "open-data/": "page",
    "open-data/datapackage.json": "json",
    "open-data/catalog.jsonld": "json",
    "open-data/<slug:dataset>.csv": "open_data",
    "open-data/<slug:dataset>.json": "open_data",
    # Guidance (kembar.guidance): shipped templates and checklists (text downloads), practices
    # and policies regions shared, the recognition of public partnerships (no count of people).
    "guidance/": "page",
    "guidance/templates/<slug:template>/": "page",
    "guidance/templates/<slug:template>/download/": "page",
    "guidance/shared/": "page",
    "guidance/recognition/": "page",
    "guidance/recognition/<int:year>/": "page",
}

#: Paths (JSON keys from the top, ``*`` for a list index) whose ``count`` is not people:
#: the size of a page of results, and the partners two cities share.
NOT_PEOPLE = {("count",), ("items", "*", "reasons", "*", "params", "count")}


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, text)
        elif isinstance(pattern, URLPattern):
            yield text


def _normal(route: str) -> str:
    """A route with regular-expression parameters written ``{}``, for comparing."""
    route = route.replace("^", "").replace("$", "")
    return re.sub(r"\(\?P<\w+>[^)]*\)", "{}", route)


def _concrete(route: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        return values[match.group("name")]

    route = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", value, route.replace("^", "").replace("$", ""))
    return "/" + re.sub(r"<(?:\w+:)?(?P<name>\w+)>", value, route)


# --- Checks -----------------------------------------------------------------------------------


def _small_people(value: Any, path: tuple[str, ...] = ()) -> list[str]:
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            where = (*path, str(key))
            if (
                key in PEOPLE_KEYS
                and where not in NOT_PEOPLE
                and isinstance(item, int)
                and not isinstance(item, bool)
                and item in SMALL
            ):
                found.append("/".join(where) + f" = {item}")
            found += _small_people(item, where)
    elif isinstance(value, list):
        for item in value:
            found += _small_people(item, (*path, "*"))
    return found


def _one_way(where: str, cells: list[int | None], total: int | None) -> list[str]:
    """Problems of one published table: small cells shown, hidden cells computable."""
    problems = [f"{where}: {n} shown" for n in cells if n in SMALL]
    if total is None:
        if any(n is not None and n > 0 for n in cells):
            problems.append(f"{where}: cells shown while the total is hidden")
        return problems
    if total in SMALL:
        problems.append(f"{where}: total {total} shown")
    hidden = sum(1 for n in cells if n is None)
    if hidden:
        remainder = total - sum(n or 0 for n in cells)
        if hidden == 1:
            problems.append(f"{where}: its one hidden cell is {remainder}")
        elif remainder < max(5, hidden + 1):
            problems.append(f"{where}: {hidden} hidden cells hold only {remainder}")
    return problems


def _reach_problems(where: str, data: dict[str, Any]) -> list[str]:
    total = data["total"]
    districts = [row["participants"] for row in data["districts"]] + [data["outside_city"]]
    problems = _one_way(f"{where} districts", districts, total)
    for table in ("groups", "gender", "years"):
        problems += _one_way(f"{where} {table}", [r["participants"] for r in data[table]], total)
    for table in ("districts", "groups"):
        for row in data[table]:
            if row["participants"] is None and row["per_10k"] is not None:
                problems.append(f"{where} {table} {row['kode']}: rate of a hidden cell")
    for unit in data["where_to_act"]:
        if any(s["participants"] is not None for s in unit["suggested_kinds"]):
            problems.append(f"{where} where_to_act {unit['kode']}: counts of suggestions")
    return problems + [f"{where}: {item}" for item in _small_people(data)]


def _people_value(value: Any) -> int | None:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return int(number) if number == number.to_integral_value() else None


def _activity_problems(item: dict[str, Any]) -> list[str]:
    where = f"activity {item['reference']}"
    problems = [f"{where}: {found}" for found in _small_people(item)]
    if item["participants"] is not None:
        problems.append(f"{where}: the breakdown is public")
    summary = item["participant_summary"]
    for table in ("side", "gender", "age_band", "group", "home_region"):
        cells = [cell["count"] for cell in summary[table]]
        if table in summary["withheld"]:
            cells = [None, None] if summary["total"] else []
        problems += _one_way(f"{where} {table}", cells, summary["total"])
    sides = {cell["code"]: cell["count"] for cell in summary["side"]}
    if (item["participants_local"], item["participants_partner"]) != (
        sides.get("local"),
        sides.get("partner"),
    ):
        problems.append(f"{where}: totals by side differ from the side table")
    for result in item["results"]:
        for indicator in result["indicators"]:
            if indicator["unit"].strip().lower() not in PEOPLE_UNITS:
                continue
            for period in indicator["periods"]:
                actual = _people_value(period["actual"]) if period["actual"] else None
                tables: dict[str, list[int | None]] = {}
                for part in period["disaggregation"]:
                    value = None if part["actual"] is None else _people_value(part["actual"])
                    tables.setdefault(part["dimension"], []).append(value)
                if actual in SMALL:
                    problems.append(f"{where} {indicator['title']}: actual {actual}")
                for dimension, cells in tables.items():
                    problems += _one_way(f"{where} {dimension}", cells, actual)
    return problems


def _figures(summary: dict[str, Any]) -> dict[str, Any]:
    """A participant summary without its labels (a page and the API may differ in language)."""
    return {
        name: (
            [(cell["code"], cell["count"], cell["suppressed"]) for cell in value]
            if isinstance(value, list) and name != "withheld"
            else value
        )
        for name, value in summary.items()
    }


def _csv_problems(where: str, content: str) -> list[str]:
    rows = [row for row in csv.reader(io.StringIO(content)) if row and not row[0].startswith("#")]
    if not rows:
        return []
    header, *body = rows
    people = [i for i, name in enumerate(header) if name in PEOPLE_KEYS]
    return [
        f"{where} row {row[0]}: {row[i]}"
        for row in body
        for i in people
        if i < len(row) and row[i].isdigit() and int(row[i]) in SMALL
    ]


#: "3 participants", "2 orang", "4 peserta" …: a group of 1–4 people named on a page.
SMALL_GROUP = re.compile(
    r"(?<![\d.,])[1-4]\s+(?:participants?|people|persons?|peserta|orang|pelajar)\b", re.IGNORECASE
)


def _page_problems(where: str, html: str) -> list[str]:
    text = re.sub(r"<[^>]+>", " ", html)
    return [f"{where}: “{match.group(0)}”" for match in SMALL_GROUP.finditer(text)]


def _csv_links(html: str) -> list[str]:
    links = re.findall(r'href="([^"]*(?:download=|\.csv)[^"]*)"', html)
    return sorted({link.replace("&amp;", "&") for link in links})


# --- The walk ---------------------------------------------------------------------------------


class Walk:
    def __init__(self, client: Client) -> None:
        self.client = client
        self.problems: list[str] = []
        self.checked: set[str] = set()

    def json(self, address: str, query: dict[str, Any] | None = None) -> Any:
        response = self.client.get(address, query or {})
        assert response.status_code == 200, (address, query, response.status_code)
        return response.json()

    def pages_of(self, address: str, query: dict[str, Any]) -> Iterator[dict[str, Any]]:
        page = self.json(address, {**query, "page_size": 500})
        while True:
            yield from page["results"]
            if not page["next"]:
                return
            page = self.json(page["next"])

    def check(self, kind: str, address: str) -> None:
        self.checked.add(kind)
        getattr(self, f"check_{kind}")(address)

    def check_json(self, address: str) -> None:
        self.problems += [f"{address}: {item}" for item in _small_people(self.json(address))]

    def check_knowledge(self, address: str) -> None:
        """The knowledge search: its totals and facet counts are of records, not people; its
        hits must be public records (activities of public partnerships, published policies)."""
        for query in ({}, {"q": "semarang"}, {"kind": "lesson"}, {"kind": "trip_report"}):
            answer = self.json(address, query)
            hits = answer["results"]
            self.problems += [f"{address}: {item}" for item in _small_people(hits, ("results",))]
            self.problems += [
                f"{address} {query}: internal {hit['kind']} {hit['id']}"
                for hit in hits
                if hit["kind"] not in {"activity", "policy"}
            ]

    def check_page(self, address: str) -> None:
        response = self.client.get(address)
        html = response.content.decode()
        self.problems += _page_problems(address, html)
        for link in _csv_links(html):
            target = link if link.startswith("/") else f"{address.split('?')[0]}{link}"
            download = self.client.get(target)
            assert download.status_code == 200, target
            self.problems += _csv_problems(target, download.content.decode())

    def check_activity_page(self, address: str) -> None:
        """The public activity page: no small group named, the API's protected tables."""
        response = self.client.get(address)
        assert response.status_code == 200, address
        self.problems += _page_problems(address, response.content.decode())
        reference = address.rstrip("/").rsplit("/", 1)[-1]
        api = self.json(f"/api/v1/activities/{reference}/")
        if _figures(response.context["page"].summary) != _figures(api["participant_summary"]):
            self.problems.append(f"{address}: participants differ from the API's")

    def check_iati(self, address: str) -> None:
        """An IATI file: no small group named, no indicator value the public API hides."""
        response = self.client.get(address)
        assert response.status_code == 200, address
        self.problems += _page_problems(address, response.content.decode())
        root = etree.fromstring(response.content, etree.XMLParser(no_network=True))
        publisher = org_identifier(address.split("/")[3])  # /open-data/iati/<kode>/…
        for activity in root.iter("iati-activity"):
            identifier = activity.findtext("iati-identifier") or ""
            reference = identifier.removeprefix(f"{publisher}-")
            api = self.json(f"/api/v1/activities/{reference}/")
            shown = {
                (indicator["title"], period["period_start"]): period["actual"]
                for result in api["results"]
                for indicator in result["indicators"]
                for period in indicator["periods"]
            }
            for indicator in activity.iter("indicator"):
                title = indicator.findtext("title/narrative")
                for period in indicator.iter("period"):
                    start = period.find("period-start")
                    day = start.get("iso-date") if start is not None else None
                    if period.find("actual") is not None and shown.get((title, day)) is None:
                        self.problems.append(f"{address} {reference} {title}: actual not public")

    def check_schema(self, address: str) -> None:
        schemas = self.json(address, {"format": "json"})["components"]["schemas"]
        assert "anonymous callers included" in schemas["Activity"]["description"]
        assert "Public figures" in schemas["Reach"]["description"]

    def check_activities(self, address: str) -> None:
        if address.rstrip("/") != "/api/v1/activities":
            item = self.json(address)
            self.problems += _activity_problems(item)
            return
        for item in self.pages_of(address, {}):
            self.problems += _activity_problems(item)

    def reach_queries(self) -> list[dict[str, Any]]:
        overall = self.json("/api/v1/insights/reach/")
        years = [row["year"] for row in overall["years"]]
        slugs = list(Partnership.objects.filter(is_public=True).values_list("slug", flat=True))
        queries: list[dict[str, Any]] = [{}]
        queries += [{"partnership": slug} for slug in slugs]
        queries += [
            {"partnership": slug, "year_from": year, "year_to": year}
            for slug in slugs
            for year in years
        ]
        queries += [{"year_from": year, "year_to": year} for year in years]
        queries += [{"kind": kind} for kind in ActivityKind.values]
        queries += [{"sector": code} for code in range(1, 18)]
        return queries

    def check_open_data(self, address: str) -> None:
        """Every dataset's files; the reach tables against the total the reach API publishes."""
        total = self.json("/api/v1/insights/reach/")["total"]
        folder = address.rsplit("/", 1)[0]
        for name in ("reach-kecamatan", "reach-groups"):
            cells = [row["participants"] for row in self.json(f"{folder}/{name}.json")]
            self.problems += _one_way(f"{folder}/{name}.json", cells, total)
        for dataset in DATASETS:
            rows = self.json(f"{folder}/{dataset.name}.json")
            self.problems += [f"{dataset.name}.json: {item}" for item in _small_people(rows)]
            target = f"{folder}/{dataset.name}.csv"
            self.problems += _csv_problems(target, self.client.get(target).content.decode())

    def check_reach(self, address: str) -> None:
        for query in self.reach_queries():
            data = self.json(address, query)
            self.problems += _reach_problems(f"{address} {query}", data)

    def check_reach_page(self, address: str) -> None:
        queries = self.reach_queries()
        for query in [*queries[:: max(1, len(queries) // 12)], queries[0]]:
            response = self.client.get(address, query)
            api = self.json("/api/v1/insights/reach/", query)
            context = response.context["data"]
            for table in ("districts", "groups", "gender", "years"):
                assert [r["participants"] for r in context[table]] == [
                    r["participants"] for r in api[table]
                ], (query, table)
            assert response.context["total"] == api["total"]
            for table in ("districts", "groups", "gender", "years"):
                download = self.client.get(address, {**query, "download": table})
                header, *rows = list(csv.reader(io.StringIO(download.content.decode())))[1:]
                shown = [row[header.index("participants")] for row in rows]
                expected = [
                    "" if r["participants"] is None else str(r["participants"]) for r in api[table]
                ]
                assert shown == expected, (query, table)


@pytest.fixture
def demo(reference_db: None) -> None:
    demo_generate(seed=1)


@pytest.fixture
def open_data_dir(tmp_path: Path, settings: Any) -> None:
    """The open-data package is built from the test's data, never found from an earlier run."""
    settings.KEMBAR_OPEN_DATA_DIR = tmp_path / "open-data"


def test_no_anonymous_output_shows_a_small_cell(demo: None, open_data_dir: None) -> None:
    walk = Walk(Client(HTTP_ACCEPT_LANGUAGE="en"))
    public = Partnership.objects.filter(is_public=True).order_by("slug")
    home = public.filter(local_region_id=settings.KEMBAR_HOME_REGION)
    activity = Activity.objects.filter(partnership__in=home).order_by("reference").first()
    assert activity is not None
    # A published call with places reserved for a group (places are not people).
    call = OpportunityFactory.create(activity=activity, status="published", places=3)
    OpportunityReservation.objects.create(
        opportunity=call, dimension="group", group="community", places=2
    )
    first = public.first()
    assert first is not None and first.partner_city_id is not None
    city = City.objects.get(pk=first.partner_city_id)
    values = {
        "slug": first.slug,
        "reference": activity.reference,
        "kode": "33.74",
        "geonameid": str(city.pk),
        "city_id": str(city.pk),
        "pk": "1",
        "uidb64": "MQ",
        "token": "set-password",
        # A resident's data link (kembar.participation.urls_data): a bad token is 404.
        "data_token": "not-a-signed-token",
        # A survey link's signed token (kembar.participation.links): a bad token is 404.
        "signed": "not-a-signed-token",
        "job_id": "00000000-0000-4000-8000-000000000000",
        "registration_pk": "1",
        "dataset": "reach-kecamatan",
        # Knowledge records (staff only: anonymous requests go to the login page).
        "lesson": "1",
        "policy": "1",
        "practice": "1",
        "reflection": "1",
        # A document of the guidance library and a year of the recognition.
        "template": "cooperation-plan",
        "year": "2024",
    }
    routes = [
        route for route in _routes(get_resolver().url_patterns) if not route.startswith("admin/")
    ]
    unknown = []
    for route in routes:
        address = _concrete(route, values)
        status = walk.client.get(address).status_code
        key = _normal(route)
        if status != 200:
            continue  # not for the public (login, 401, 403, 404 or 405)
        if key not in PUBLIC_ROUTES:
            unknown.append(f"{route} answers an anonymous GET and has no check here")
            continue
        walk.check(PUBLIC_ROUTES[key], address)
    assert unknown == []
    # Every public partnership and every public activity, not just one of each.
    for partnership in public:
        walk.check("page", f"/partnerships/{partnership.slug}/")
        walk.check("json", f"/api/v1/partnerships/{partnership.slug}/")
    for reference in Activity.objects.filter(partnership__in=public).values_list(
        "reference", flat=True
    )[:25]:
        walk.check("activities", f"/api/v1/activities/{reference}/")
    # The portal's pages of the home region's activities, their months and a search.
    months = set()
    for reference, start in Activity.objects.filter(partnership__in=home).values_list(
        "reference", "start_date"
    )[:25]:
        walk.check("activity_page", f"/activities/{reference}/")
        months.add(f"{start:%Y-%m}")
    for month in sorted(months):
        walk.check("page", f"/calendar/?month={month}")
    for query in ("semarang", "a", activity.title_en.split()[0]):
        walk.check("page", f"/search/?q={query}")
    walk.check("json", f"/api/v1/opportunities/{call.pk}/")
    # Every year of the recognition of partnerships.
    for year in recognition_years(public):
        walk.check("page", f"/guidance/recognition/{year}/")
    assert walk.checked >= {
        "activities",
        "activity_page",
        "reach",
        "reach_page",
        "page",
        "json",
        "schema",
    }
    assert not walk.problems, "\n".join(walk.problems)


def test_the_schema_lists_no_get_endpoint_the_walk_misses() -> None:
    schema = Client().get("/api/schema/", {"format": "json"}).json()
    routes = {_normal(route) for route in _routes(get_resolver().url_patterns)}
    paths = {
        re.sub(r"\{\w+\}", "{}", path).lstrip("/")
        for path, operations in schema["paths"].items()
        if "get" in operations
    }
    routes |= {re.sub(r"<(?:\w+:)?\w+>", "{}", route) for route in routes}
    assert paths - routes == set()


@pytest.mark.parametrize(
    ("cells", "total", "problems"),
    [
        ([50, None, 0, None], 84, []),
        ([50, 30, 0, None], 84, ["t: its one hidden cell is 4"]),
        ([50, 30, None, None], 82, ["t: 2 hidden cells hold only 2"]),
        ([3, 81], 84, ["t: 3 shown"]),
        ([None, None], None, []),
    ],
)
def test_the_table_check_itself(
    cells: list[int | None], total: int | None, problems: list[str]
) -> None:
    assert _one_way("t", cells, total) == problems
