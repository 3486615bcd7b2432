"""People counted from registrations checked in, beside the counts officers typed.

The recorded Brisbane training (``test_api.recorded``) has 5 local people
typed by officers (3 government women from Semarang Tengah, 2 academic men
from outside the city) and 2 partner academics.  :func:`register` counts
people checked in as :mod:`kembar.participation.registrations` does: rows of
source ``registrations``, ``participants_registered`` raised, the reach
summary kept in step.  Officers' forms, the API and the spreadsheet work on
the typed counts only; totals of people who took part hold both.
"""

# The fixtures of test_api are imported, and named again as test arguments.
# ruff: noqa: F811

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from django.db.models import F, Sum
from django.test import Client
from django.utils import translation

from kembar.geo.models import Region
from kembar.insights.economy import CrossSectorFilters, cross_sector_figures
from kembar.programs.demo import activity_digest
from kembar.programs.disclosure import (
    participant_figures,
    participant_summary,
    participant_totals,
)
from kembar.programs.models import (
    Activity,
    CountSource,
    ParticipantCount,
    ParticipantRollup,
    ReachDimension,
)
from kembar.programs.rollup import activity_rollup_key, rollup_differences, rollup_refresh
from kembar.programs.selectors import ActivityFilters, activity_list
from kembar.programs.tests.factories import ActivityFactory
from kembar.programs.tests.test_api import (  # noqa: F401  (fixtures)
    as_user,
    recorded,
    send,
    url,
    world,
)
from kembar.programs.tests.test_views import english
from kembar.programs.tests.test_views_rows import browser_form

pytestmark = pytest.mark.django_db

REF = "SMG-BNE-2024-01"
PAGE = f"/staff/activities/{REF}/"
#: Six young people checked in: 4 women from Semarang Tengah, 2 men from Semarang Selatan.
CHECKED_IN = [("female", "33.74.01", 4), ("male", "33.74.07", 2)]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The labels below are asserted in English."""
    with translation.override("en"):
        yield


def register(activity: Activity, cells: Sequence[tuple[str, str | None, int]]) -> None:
    """Count people checked in (gender, home kecamatan, people), as the check-in does."""
    for gender, home, count in cells:
        ParticipantCount.objects.create(
            activity=activity,
            source=CountSource.REGISTRATIONS,
            side="local",
            group="students_youth",
            gender=gender,
            age_band="15-24",
            home_region=Region.objects.get(kode=home) if home else None,
            count=count,
        )
    Activity.objects.filter(pk=activity.pk).update(
        participants_registered=F("participants_registered") + sum(c for *_cell, c in cells)
    )
    activity.refresh_from_db()
    rollup_refresh([activity_rollup_key(activity)])


def registered_rows() -> list[tuple[Any, ...]]:
    return list(
        ParticipantCount.objects.filter(source=CountSource.REGISTRATIONS)
        .order_by("pk")
        .values_list("pk", "activity__reference", "gender", "home_region_id", "count")
    )


def reach(activity: Activity, dimension: str) -> dict[str, int]:
    """The reach summary of ``activity``'s summary key along ``dimension``."""
    key = activity_rollup_key(activity)
    rows = ParticipantRollup.objects.filter(**key._asdict(), dimension=dimension)
    return dict(rows.values_list("category", "participants"))


def cells(summary: dict[str, Any], table: str) -> list[tuple[Any, Any]]:
    return [(cell["code"], cell["count"]) for cell in summary[table]]


# --- Officers' forms and the API leave the registrations' counts alone ------------------------


def test_the_participants_form_edits_the_typed_counts_only(
    world: dict[str, Any], recorded: Activity
) -> None:
    register(recorded, CHECKED_IN)
    before = registered_rows()
    client = english(Client(), world["users"]["officer"])

    page = client.get(PAGE + "participants/")

    assert sorted((row["group"], row["count"]) for row in page.context["formset"].initial) == [
        ("academia", 2),
        ("academia", 2),
        ("government", 3),
    ]
    assert "6 local people were counted from registrations checked in" in page.content.decode()
    fields = browser_form(page.content, "rows-TOTAL_FORMS")
    [index] = [name for name, value in fields.items() if name.endswith("-count") and value == ["3"]]
    fields[index] = ["4"]
    response = client.post(PAGE + "participants/", fields)

    assert response.status_code == 302
    recorded.refresh_from_db()
    assert (
        recorded.participants_local,
        recorded.participants_partner,
        recorded.participants_registered,
    ) == (6, 2, 6)
    assert registered_rows() == before
    assert sorted(
        ParticipantCount.objects.filter(source=CountSource.OFFICER).values_list("side", "count")
    ) == [("local", 2), ("local", 4), ("partner", 2)]
    assert rollup_differences() == []
    # The reach summary holds both: 4 typed + 4 registered women, 2 + 2 men.
    assert reach(recorded, ReachDimension.GENDER) == {"female": 8, "male": 4}
    assert reach(recorded, ReachDimension.DISTRICT) == {"33.74.01": 8, "33.74.07": 2, "": 2}


def test_a_typed_total_counting_the_registered_people_too_is_refused(
    world: dict[str, Any], recorded: Activity
) -> None:
    register(recorded, CHECKED_IN)
    client = english(Client(), world["users"]["officer"])
    fields = browser_form(client.get(PAGE + "participants/").content, "rows-TOTAL_FORMS")
    fields["participants_local"] = ["11"]  # 5 typed + 6 registered
    fields["participants_partner"] = ["2"]

    response = client.post(PAGE + "participants/", fields)

    assert response.status_code == 400
    assert response.context["totals"].non_field_errors() == [
        "The breakdown adds up to 5 local and 2 partner participants, but the totals say "
        "11 and 2. Correct the rows or the totals, or use the breakdown's totals."
    ]
    recorded.refresh_from_db()
    assert (recorded.participants_local, recorded.participants_registered) == (5, 6)


def test_the_api_replaces_the_typed_breakdown_only(
    world: dict[str, Any], recorded: Activity
) -> None:
    register(recorded, CHECKED_IN)
    before = registered_rows()
    counts = [
        {
            "side": "local",
            "group": "business",
            "gender": "female",
            "age_band": "45-64",
            "home_region": "33.74.07",
            "count": 10,
        }
    ]

    response = send(
        as_user(world, "officer"),
        "put",
        url(REF, "participants"),
        {"version": 1, "participants_local": 10, "participants_partner": 0, "counts": counts},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (
        body["participants_local"],
        body["participants_partner"],
        body["participants_registered"],
    ) == (10, 0, 6)
    assert [(row["group"], row["count"]) for row in body["participants"]] == [("business", 10)]
    assert body["participant_summary"]["total"] == 16
    assert registered_rows() == before
    assert rollup_differences() == []
    assert reach(recorded, ReachDimension.GROUP) == {"business": 10, "students_youth": 6}


def test_a_patch_checks_the_typed_totals_against_the_typed_breakdown(
    world: dict[str, Any], recorded: Activity
) -> None:
    register(recorded, CHECKED_IN)

    response = send(
        as_user(world, "officer"), "patch", url(REF), {"version": 1, "title_en": "Renamed"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title_en"], body["participants_local"], body["participants_registered"]) == (
        "Renamed",
        5,
        6,
    )
    assert len(body["participants"]) == 3
    assert ParticipantCount.objects.filter(source=CountSource.REGISTRATIONS).count() == 2


# --- Totals of people who took part hold both ------------------------------------------------


def test_the_regions_staff_get_both_sources_exactly(
    world: dict[str, Any], recorded: Activity
) -> None:
    register(recorded, CHECKED_IN)

    body = as_user(world, "officer").get(url(REF)).json()

    assert (
        body["participants_local"],
        body["participants_partner"],
        body["participants_registered"],
    ) == (5, 2, 6)
    assert sorted((row["group"], row["count"]) for row in body["participants"]) == [
        ("academia", 2),
        ("academia", 2),
        ("government", 3),
    ]
    summary = body["participant_summary"]
    assert summary["total"] == 13
    assert cells(summary, "side") == [("local", 11), ("partner", 2)]
    assert cells(summary, "source") == [("officer", 7), ("registrations", 6)]
    assert [cell["name"] for cell in summary["source"]] == [
        "typed by officers",
        "counted from registrations checked in",
    ]
    assert cells(summary, "gender") == [("female", 9), ("male", 4)]
    assert cells(summary, "home_region") == [("33.74.01", 7), ("33.74.07", 2), (None, 4)]
    assert participant_totals(recorded, exact=True) == (11, 2)


@pytest.mark.parametrize(
    ("checked_in", "figures", "source"),
    [
        # Typed 5, registered 6, partner 2: partner hidden, and typed 5 with it.  Typed +
        # partner is the total minus the registered, so the source table shows it; local
        # (5 + 6) would give the typed 5 back, so the side table hides both.
        (CHECKED_IN, (None, 6, None), [("officer", 7), ("registrations", 6)]),
        # Registered 3 and partner 2 hidden (5 together): officers' 5 + 2 and local 5 + 3
        # would each give one back, so both tables hide both.
        (
            [("female", "33.74.01", 3)],
            (5, None, None),
            [("officer", None), ("registrations", None)],
        ),
    ],
)
def test_others_get_the_sources_protected(
    world: dict[str, Any],
    recorded: Activity,
    checked_in: list[tuple[str, str, int]],
    figures: tuple[Any, ...],
    source: list[tuple[str, Any]],
) -> None:
    world["brisbane"].is_public = True
    world["brisbane"].save()
    register(recorded, checked_in)

    body = as_user(world, "anonymous").get(url(REF)).json()

    assert body["participants"] is None
    assert (
        body["participants_local"],
        body["participants_registered"],
        body["participants_partner"],
    ) == figures
    summary = body["participant_summary"]
    assert summary["total"] == 7 + sum(count for *_cell, count in checked_in)
    assert summary["withheld"] == []
    assert cells(summary, "side") == [("local", None), ("partner", None)]
    assert cells(summary, "source") == source


@pytest.mark.parametrize(
    ("who", "figures", "side", "source"),
    [
        # Typed 3 and registered 2 hidden together: their sum, local 5, is the total minus
        # the partner 10, so it is shown; officers' 3 + 10 would give the 3 back.
        ((3, 2, 10), (None, None, 10), [5, 10], [None, None]),
        # Registered 3 hidden with partner 7; the typed 0 is shown, so local (0 + 3) is not.
        ((0, 3, 7), (0, None, None), [None, None], [None, None]),
        ((6, 8, 0), (6, 8, 0), [14, 0], [6, 8]),
        ((12, 0, 0), (12, 0, 0), [12, 0], [12, 0]),
    ],
)
def test_the_side_and_source_tables_never_give_a_hidden_count_back(
    who: tuple[int, int, int],
    figures: tuple[Any, ...],
    side: list[Any],
    source: list[Any],
) -> None:
    local, registered, partner = who
    activity = ActivityFactory.create(
        participants_local=local, participants_registered=registered, participants_partner=partner
    )

    summary = participant_summary(activity, exact=False)

    assert tuple(participant_figures(activity, exact=False).values()) == figures
    assert summary["total"] == sum(who)
    assert [cell["count"] for cell in summary["side"]] == side
    assert [cell["count"] for cell in summary["source"]] == source
    assert participant_totals(activity, exact=False) == tuple(side)
    assert participant_summary(activity, exact=True)["source"] == [
        {
            "code": "officer",
            "name": "typed by officers",
            "count": local + partner,
            "suppressed": False,
        },
        {
            "code": "registrations",
            "name": "counted from registrations checked in",
            "count": registered,
            "suppressed": False,
        },
    ]


def test_a_total_under_five_withholds_the_source_table_too(
    world: dict[str, Any], recorded: Activity
) -> None:
    world["brisbane"].is_public = True
    world["brisbane"].save()
    recorded.participant_counts.all().delete()
    Activity.objects.filter(pk=recorded.pk).update(participants_local=0, participants_partner=0)
    register(recorded, [("female", "33.74.01", 3)])

    body = as_user(world, "anonymous").get(url(REF)).json()

    summary = body["participant_summary"]
    assert summary["total"] is None
    assert summary["withheld"] == ["age_band", "gender", "group", "home_region", "side", "source"]
    assert summary["source"] == [] and summary["side"] == []
    assert (body["participants_local"], body["participants_registered"]) == (None, None)


def test_the_staff_page_shows_both_sources(world: dict[str, Any], recorded: Activity) -> None:
    register(recorded, CHECKED_IN)
    client = english(Client(), world["users"]["officer"])

    html = client.get(PAGE).content.decode()

    sources = html[html.index('id="participant-sources"') :]
    sources = sources[: sources.index("</dl>")]
    assert "<dt>Local people typed by officers</dt><dd>5</dd>" in sources
    assert "<dt>Local people counted from registrations checked in</dt><dd>6</dd>" in sources
    assert "<dt>Local people in total</dt><dd>11</dd>" in sources
    assert "11 local people took part; 2 partner people were hosted." in html
    assert html.count('data-source="registrations"') == 2
    assert html.count('data-source="officer"') == 3


def test_a_partner_counterpart_sees_the_protected_sources(
    world: dict[str, Any], recorded: Activity
) -> None:
    register(recorded, CHECKED_IN)
    client = english(Client(), world["users"]["partner"])

    page = client.get(PAGE)

    html = page.content.decode()
    assert cells(page.context["participant_summary"], "source") == [
        ("officer", 7),
        ("registrations", 6),
    ]
    assert '<dt>typed by officers</dt><dd data-source="officer">7</dd>' in html
    assert 'data-source="registrations">6</dd>' in html
    assert 'id="participant-sources"' not in html


def test_the_list_sorts_by_local_people_of_both_sources(
    world: dict[str, Any], recorded: Activity
) -> None:
    register(recorded, CHECKED_IN)  # 5 typed + 6 registered = 11
    Activity.objects.filter(reference="SMG-INT-2024-01").update(participants_local=8)

    listed = activity_list(
        user=world["users"]["officer"], filters=ActivityFilters(sort="participants")
    )

    assert [activity.reference for activity in listed][:2] == [REF, "SMG-INT-2024-01"]


def test_the_cross_sector_figures_count_both_sources(
    world: dict[str, Any], recorded: Activity
) -> None:
    register(recorded, CHECKED_IN)

    figures = cross_sector_figures(
        filters=CrossSectorFilters(region="33.74"), user=world["users"]["officer"]
    )

    education = next(row for row in figures["sectors"] if row["code"] == 16)
    expected = Activity.objects.filter(sector_id=16).aggregate(
        people=Sum(F("participants_local") + F("participants_registered"))
    )["people"]
    assert (education["participants"], expected) == (11, 11)


def test_the_digest_of_the_workbook_leaves_the_registrations_out(
    world: dict[str, Any], recorded: Activity
) -> None:
    digest = activity_digest(demo=False)

    register(recorded, CHECKED_IN)

    assert activity_digest(demo=False) == digest
