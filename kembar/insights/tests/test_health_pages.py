"""Where people see partnership health: the staff portfolio, the partnership pages, the CSV.

The portfolio as of 2025-01-01 (Kota Semarang):

- Brisbane, the record of ``test_health_record``: active, score 80.5,
  reciprocity 0 (three each way: balanced).  90 days earlier (2024-10-03) the
  same events count (the MoU's expiry in 2025 not yet): silence 30 days,
  recency 2^(−30/365) = .94465, so 100 × (.35 × .94465 + .25 × .82623 +
  .15 × .63212 + .15 + .10 × .75) = 85.7; trend 80.5 − 85.7 = −5.2.
- Kobe, one documented activity on 2021-06-30 (public): no gap yet, so the
  expected gap is the prior, 180 days; at risk after 540 days (from
  2022-12-22), dormant after ceil(5.3 × 180) = 954.  Silence 1281 days:
  dormant.  Score 100 × .35 × 2^(−1281/365) = 3.1 (no activity took place:
  breadth 0); on 2024-10-03 (silence 1191) 3.6; trend −0.5.  No directional
  event: no reciprocity.
- Fuzhou, internal, nothing dated: no state, no score.

The history of Osaka, as of 2025-01-01 (36 month ends, 2022-01 to 2024-12):
a documented activity on 2021-06-30 and an activity held in Osaka on
2023-03-15 (an outbound activity and an outbound visit).  After the first,
at risk from 2022-12-22 (month end 2022-12: silence 549 > 540).  The second
brings it back in 2023-03: expected gap exp((ln(623 / ln 2) + 3 ln 180) / 4)
= 269.1 days, silence 16 days; breadth .5 (its sector and agency, no
kecamatan: it was held in Osaka, no group); score 100 × (.35 × 2^(−16/365) +
.25 × (1 − e^(−1/2)) + .15 × (1 − e^(−1/3)) + .10 × .5) = 53.0 (from 11.0:
before it, 100 × .35 × 2^(−608/365)).  In 2024-03 the two events leave the
one-year window: intensity falls to 0 and the score from 37.1 to 26.2, a
move of 11 points without any event.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone, translation

from kembar.accounts.models import Organisation, Role
from kembar.accounts.tests.factories import UserFactory, standard_organisations
from kembar.geo.tests.factories import RegionFactory
from kembar.insights.health import month_ends, reciprocity_hint
from kembar.insights.models import CapacityPlan, StaffCapacity
from kembar.insights.tests.test_health_record import AS_OF, _record
from kembar.partnerships.models import Partnership
from kembar.partnerships.tests.factories import PartnershipEventFactory, PartnershipFactory
from kembar.programs.tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

URL = "/staff/insights/health/"
BRISBANE_REASON = (
    "Last activity 120 days ago; at risk after 653 days without activity, "
    "from its usual gap of 217.4 days."
)
KOBE_REASON = (
    "No activity since 2021-06-30 (1281 days), longer than the 954 days that its "
    "usual gap of 180 days allows."
)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr(timezone, "localdate", lambda: AS_OF)
    return AS_OF


@pytest.fixture
def portfolio(today: dt.date) -> dict[str, Partnership]:
    brisbane = _record()
    kobe = PartnershipFactory.create(slug="smg-kobe", partner_name="Kobe")
    PartnershipEventFactory.create(partnership=kobe, date=dt.date(2021, 6, 30), kind="activity")
    fuzhou = PartnershipFactory.create(slug="smg-fuzhou", partner_name="Fuzhou", is_public=False)
    return {"brisbane": brisbane, "kobe": kobe, "fuzhou": fuzhou}


def _officer_client(role: str = Role.COOPERATION_OFFICER) -> Client:
    client = Client()
    client.cookies["kembar_language"] = "en"
    organisation = (
        "pemkot-semarang" if role != Role.PARTNER_COUNTERPART else "brisbane-city-council"
    )
    client.force_login(
        UserFactory.create(role=role, organisation=Organisation.objects.get(slug=organisation))
    )
    return client


def _slugs(content: str) -> list[str]:
    return [part.split('"', 1)[0] for part in content.split('<tr data-slug="')[1:]]


def test_portfolio_shows_each_partnership_with_its_figures(
    portfolio: dict[str, Partnership],
) -> None:
    response = _officer_client().get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    figures = response.context["portfolio"]
    assert [
        (row["slug"], row["state"], row["score"], row["trend"], row["reciprocity"])
        for row in figures.rows
    ] == [
        ("smg-kobe", "dormant", 3.1, -0.5, None),
        ("smg-brisbane", "active", 80.5, -5.2, 0.0),
        ("smg-fuzhou", None, None, None, None),
    ]
    assert [row["warning_since"] for row in figures.rows] == ["2022-12-22", None, None]
    assert [row["reciprocity_hint"] for row in figures.rows] == [
        "no exchange with a direction recorded",
        "balanced",
        "no exchange with a direction recorded",
    ]
    assert [(item["state"], item["count"]) for item in figures.counts] == [
        ("active", 1),
        ("at_risk", 0),
        ("dormant", 1),
        ("ended", 0),
        ("", 1),
    ]
    assert _slugs(content) == ["smg-kobe", "smg-brisbane", "smg-fuzhou"]
    assert BRISBANE_REASON in content and KOBE_REASON in content
    assert "2022-12-22" in content
    assert '<span class="health-light__icon" aria-hidden="true">■</span> dormant' in content
    assert '<span aria-hidden="true">↓</span> -5.2' in content
    assert (
        '<th scope="col" aria-sort="ascending" class="numeric">'
        '<a href="?sort=-score" data-sort="score">Score</a></th>'
    ) in content
    assert 'href="/staff/insights/health/"' in content  # the staff menu links the page


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("score", ["smg-kobe", "smg-brisbane", "smg-fuzhou"]),
        ("-score", ["smg-brisbane", "smg-kobe", "smg-fuzhou"]),
        ("state", ["smg-brisbane", "smg-kobe", "smg-fuzhou"]),
        ("-state", ["smg-fuzhou", "smg-kobe", "smg-brisbane"]),
        ("name", ["smg-brisbane", "smg-fuzhou", "smg-kobe"]),
        ("-name", ["smg-kobe", "smg-fuzhou", "smg-brisbane"]),
        ("trend", ["smg-brisbane", "smg-kobe", "smg-fuzhou"]),
        ("-trend", ["smg-kobe", "smg-brisbane", "smg-fuzhou"]),
        ("nonsense", ["smg-kobe", "smg-brisbane", "smg-fuzhou"]),
    ],
)
def test_portfolio_sorts(portfolio: dict[str, Partnership], sort: str, expected: list[str]) -> None:
    response = _officer_client().get(URL, {"sort": sort})
    assert _slugs(response.content.decode()) == expected


def test_sorted_header_says_so_and_links_the_other_way(portfolio: dict[str, Partnership]) -> None:
    content = _officer_client().get(URL, {"sort": "-trend", "state": "active"}).content.decode()
    assert (
        '<th scope="col" aria-sort="descending" class="numeric">'
        '<a href="?sort=trend&amp;state=active" data-sort="trend">Trend (90 days)</a></th>'
    ) in content
    assert '<th scope="col"><a href="?sort=name&amp;state=active" data-sort="name">' in content


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("dormant", ["smg-kobe"]),
        ("active", ["smg-brisbane"]),
        ("none", ["smg-fuzhou"]),
        ("", ["smg-kobe", "smg-brisbane", "smg-fuzhou"]),
    ],
)
def test_portfolio_filters_by_state(
    portfolio: dict[str, Partnership], state: str, expected: list[str]
) -> None:
    response = _officer_client().get(URL, {"state": state})
    assert _slugs(response.content.decode()) == expected
    # The summary counts every partnership, whatever the filter.
    assert sum(item["count"] for item in response.context["portfolio"].counts) == 3


def test_a_state_without_partnerships_says_so(portfolio: dict[str, Partnership]) -> None:
    content = _officer_client().get(URL, {"state": "at_risk"}).content.decode()
    assert '<p class="empty" id="health-empty">No partnership is in this state.</p>' in content


def test_empty_portfolio(today: dt.date) -> None:
    standard_organisations()
    PartnershipFactory.create(slug="mgl-x", local_region=RegionFactory.create(kode="33.71"))
    content = _officer_client().get(URL).content.decode()
    assert "There are no partnerships to show yet." in content


def test_csv_download(portfolio: dict[str, Partnership]) -> None:
    response = _officer_client().get(URL, {"download": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="kembar-health-2025-01-01.csv"'
    )
    assert response.content.decode().split("\r\n") == [
        "slug,name,state,score,trend,reciprocity,warning_since,capacity_load,reasons",
        f'smg-kobe,Kobe,dormant,3.1,-0.5,,2022-12-22,,"{KOBE_REASON}"',
        f'smg-brisbane,Brisbane,active,80.5,-5.2,0.0,,,"{BRISBANE_REASON}"',
        "smg-fuzhou,Fuzhou,,,,,,,",
        "",
    ]


def test_csv_follows_the_filter(portfolio: dict[str, Partnership]) -> None:
    response = _officer_client().get(URL, {"download": "csv", "state": "active"})
    lines = response.content.decode().split("\r\n")
    assert [line.split(",", 1)[0] for line in lines] == ["slug", "smg-brisbane", ""]


def test_capacity_load_column(portfolio: dict[str, Partnership]) -> None:
    """Kobe's planned training in February 2025 takes 2 + 8 staff-days (the kind's
    default effort) of 12 × (10 + 20) = 360 a year: 2.8 %."""
    semarang = Organisation.objects.get(slug="pemkot-semarang")
    agency = Organisation.objects.get(slug="disdik-semarang")
    plan = CapacityPlan.objects.create(region_id="33.74", year=2025, cooperation_office=semarang)
    StaffCapacity.objects.create(plan=plan, organisation=semarang, staff_days_per_month=10)
    StaffCapacity.objects.create(plan=plan, organisation=agency, staff_days_per_month=20)
    ActivityFactory.create(
        partnership=portfolio["kobe"],
        agency=agency,
        start_date=dt.date(2025, 2, 3),
        end_date=dt.date(2025, 2, 4),
        status="planned",
    )
    client = _officer_client()
    rows = client.get(URL).context["portfolio"].rows
    assert [row["capacity_load"] for row in rows] == [2.8, 0.0, 0.0]
    lines = client.get(URL, {"download": "csv"}).content.decode().split("\r\n")
    assert lines[1].startswith("smg-kobe,Kobe,dormant,3.1,-0.5,,2022-12-22,2.8,")


def test_public_figures_for_staff_who_do_not_see_internal_ones(
    portfolio: dict[str, Partnership],
) -> None:
    client = _officer_client(Role.PARTNER_COUNTERPART)
    response = client.get(URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert _slugs(content) == ["smg-brisbane"]  # their own city's partnership only
    (row,) = response.context["portfolio"].rows
    assert (row["state"], row["score"], row["trend"], row["explanation"]) == (
        "active",
        80.5,
        -5.2,
        None,
    )
    assert "Last activity" not in content and "Reasons" not in content
    assert "Warning since" not in content and "Capacity load" not in content
    assert 'id="health-public-note"' in content
    assert client.get(URL, {"download": "csv"}).content.decode().split("\r\n") == [
        "slug,name,state,score,trend,reciprocity",
        "smg-brisbane,Brisbane,active,80.5,-5.2,0.0",
        "",
    ]


def test_anonymous_and_citizens_are_refused(portfolio: dict[str, Partnership]) -> None:
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    citizen = Client()
    citizen.force_login(UserFactory.create(role=Role.CITIZEN))
    assert citizen.get(URL).status_code == 403
    assert citizen.get(URL, {"download": "csv"}).status_code == 403


def test_indonesian_by_default(portfolio: dict[str, Partnership]) -> None:
    client = _officer_client()
    del client.cookies["kembar_language"]
    content = client.get(URL).content.decode()
    assert '<html lang="id">' in content
    assert '<span class="health-light__icon" aria-hidden="true">■</span> tidak aktif' in content


# --- The staff partnership page ---------------------------------------------------------------


@pytest.fixture
def osaka(today: dt.date) -> Partnership:
    _record()  # the organisations; Brisbane itself is not looked at
    osaka = PartnershipFactory.create(slug="smg-osaka", partner_name="Osaka")
    PartnershipEventFactory.create(partnership=osaka, date=dt.date(2021, 6, 30), kind="activity")
    ActivityFactory.create(
        reference="O-1",
        partnership=osaka,
        in_partner_city=True,
        start_date=dt.date(2023, 3, 15),
        end_date=dt.date(2023, 3, 15),
    )
    return osaka


def test_partnership_page_shows_health_over_time(osaka: Partnership) -> None:
    response = _officer_client().get("/staff/partnerships/smg-osaka/")
    assert response.status_code == 200
    health = response.context["health"]
    months = health["history"].months
    assert [row["month"] for row in months] == month_ends(AS_OF, 36)
    assert (months[0]["month"], months[-1]["month"]) == (
        dt.date(2022, 1, 31),
        dt.date(2024, 12, 31),
    )
    states = [row["state"] for row in months]
    assert states == ["active"] * 11 + ["at_risk"] * 3 + ["active"] * 22
    assert [row["score"] for row in months[10:16]] == [13.1, 12.3, 11.6, 11.0, 53.0, 51.2]
    assert [(row["score"]) for row in months[25:27]] == [37.1, 26.2]
    content = response.content.decode()
    assert (
        '<tr data-month="2023-03"><th scope="row"><time datetime="2023-03-31">March 2023</time>'
        "</th><td>"
    ) in content
    assert health["chart_data"]["months"][:2] == ["2022-01-31", "2022-02-28"]
    assert health["chart_data"]["scores"][14] == 53.0
    assert 'id="health-chart-data"' in content and "kembar/health.js" in content


def test_partnership_page_lists_what_moved_it(osaka: Partnership) -> None:
    response = _officer_client().get("/staff/partnerships/smg-osaka/")
    moves = response.context["health"]["moves"]  # newest first
    assert [
        (m["month"], m["before_state"], m["state"], m["before_score"], m["score"]) for m in moves
    ] == [
        (dt.date(2024, 3, 31), "active", "active", 37.1, 26.2),
        (dt.date(2023, 3, 31), "at_risk", "active", 11.0, 53.0),
        (dt.date(2022, 12, 31), "active", "at_risk", 13.1, 12.3),
    ]
    assert moves[1]["events"] == [
        {
            "day": dt.date(2023, 3, 15),
            "kind": "activity",
            "direction": "from Kota Semarang to the partner",
        },
        {
            "day": dt.date(2023, 3, 15),
            "kind": "visit",
            "direction": "from Kota Semarang to the partner",
        },
    ]
    assert moves[0]["events"] == [] and moves[2]["events"] == []
    content = response.content.decode()
    assert (
        '<li><time datetime="2023-03-15">15 March 2023</time> — visit '
        "(from Kota Semarang to the partner)</li>"
    ) in content
    assert "No event in this month: the silence alone moved it." in content


def test_partnership_page_shows_the_health_now_with_its_components(osaka: Partnership) -> None:
    response = _officer_client().get("/staff/partnerships/smg-brisbane/")
    health = response.context["health"]
    assert (health["current"]["state"], health["current"]["score"]) == ("active", 80.5)
    assert health["reciprocity_hint"] == "balanced"
    assert [
        (part["name"], part["value"], part["weight_percent"], part["points"])
        for part in health["components"]
    ] == [
        ("recency", 0.7962, 35.0, 27.87),
        ("intensity", 0.8262, 25.0, 20.66),
        ("mutuality", 0.6321, 15.0, 9.48),
        ("agreement", 1.0, 15.0, 15.0),
        ("breadth", 0.75, 10.0, 7.5),
    ]
    content = response.content.decode()
    assert BRISBANE_REASON in content
    assert (
        '<tr data-component="recency"><th scope="row">recency (time since the last activity)'
        '</th><td class="numeric">0.80</td><td class="numeric">35.0 %</td>'
        '<td class="numeric">27.9</td></tr>'
    ) in content


def test_partnership_page_for_a_partner_counterpart_has_public_figures(
    osaka: Partnership,
) -> None:
    response = _officer_client(Role.PARTNER_COUNTERPART).get("/staff/partnerships/smg-brisbane/")
    assert response.status_code == 200
    health = response.context["health"]
    assert health["current"]["explanation"] is None and health["components"] == []
    content = response.content.decode()
    assert "Last activity" not in content
    assert "The events behind it are shown to the region's own staff only." in content


# --- The public partnership page --------------------------------------------------------------


def test_public_page_shows_state_and_reciprocity_only(portfolio: dict[str, Partnership]) -> None:
    client = Client()
    client.cookies["kembar_language"] = "en"
    content = client.get("/partnerships/smg-kobe/").content.decode()
    assert (
        '<dd id="health-state"><span class="health-light health-light--dormant" '
        'data-state="dormant"><span class="health-light__icon" aria-hidden="true">■</span> '
        "dormant</span></dd>"
    ) in content
    assert '<dd id="health-reciprocity">— (no exchange with a direction recorded)</dd>' in content
    assert "As of 1 January 2025" in content
    # No warning date, no explanation, no components.
    assert "2022-12-22" not in content and "22 December 2022" not in content
    assert "No activity since" not in content and "954" not in content
    assert "recency" not in content and "Score" not in content

    brisbane = client.get("/partnerships/smg-brisbane/").content.decode()
    assert '<dd id="health-reciprocity">0.00 (balanced)</dd>' in brisbane
    assert "Last activity" not in brisbane and "217.4" not in brisbane


def test_public_page_in_indonesian(portfolio: dict[str, Partnership]) -> None:
    content = Client().get("/partnerships/smg-brisbane/").content.decode()
    assert '<span class="health-light__icon" aria-hidden="true">●</span> aktif' in content
    assert "Kegiatan terakhir" not in content and "217.4" not in content


@pytest.mark.parametrize(
    ("reciprocity", "words"),
    [
        (None, "no exchange with a direction recorded"),
        (0.5, "Kota Semarang carries more"),
        (0.2, "balanced"),
        (-0.2, "balanced"),
        (-0.21, "the partner carries more"),
    ],
)
def test_reciprocity_in_words(reciprocity: float | None, words: str) -> None:
    with translation.override("en"):
        assert reciprocity_hint(reciprocity, "Kota Semarang") == words


@pytest.mark.django_db(transaction=True)
def test_the_public_page_is_rendered_again_on_a_new_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The public cache keeps an answer for the day at most: the state moves with the date."""
    day = {"today": dt.date(2022, 12, 21)}
    monkeypatch.setattr(timezone, "localdate", lambda: day["today"])
    _record()
    kobe = PartnershipFactory.create(slug="smg-kobe", partner_name="Kobe")
    PartnershipEventFactory.create(partnership=kobe, date=dt.date(2021, 6, 30), kind="activity")
    client = Client()
    client.cookies["kembar_language"] = "en"
    first = client.get("/partnerships/smg-kobe/")
    again = client.get("/partnerships/smg-kobe/")
    day["today"] = dt.date(2022, 12, 23)  # at risk from 2022-12-22
    later = client.get("/partnerships/smg-kobe/")
    assert (first["X-Cache"], again["X-Cache"], later["X-Cache"]) == ("miss", "hit", "miss")
    assert 'data-state="active"' in first.content.decode()
    assert 'data-state="at_risk"' in later.content.decode()


def test_capacity_load_without_a_capacity_plan_is_a_dash(
    portfolio: dict[str, Partnership],
) -> None:
    """No capacity plan entered for the year: no load."""
    response = _officer_client().get(URL)
    assert [row["capacity_load"] for row in response.context["portfolio"].rows] == [None] * 3
    assert response.content.decode().count('<td class="numeric">—</td>') == 3 + 1  # + no score
