"""No lost updates: every write to an activity names the version it read.

Two people who start from the same version cannot both save unseen: the
second gets 409 with what changed (where they started, what is saved now and
by whom, theirs), and nothing the first saved is lost.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections
from django.test import Client

from kembar.accounts.models import Role, User
from kembar.accounts.tests.factories import UserFactory, standard_organisations
from kembar.common.versioning import EditConflict
from kembar.geo.tests.factories import RegionFactory
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.activities import ActivityData, BudgetRow, activity_budget_set, activity_save
from kembar.programs.effects import EffectData, activity_effect_save
from kembar.programs.models import Activity, BudgetLine, EconomicEffect
from kembar.programs.tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/activities/SMG-BNE-2024-01/"
PAGE = "/staff/activities/SMG-BNE-2024-01/"


@dataclass
class World:
    activity: Activity
    sari: User
    budi: User


@pytest.fixture
def world() -> World:
    orgs = standard_organisations()
    RegionFactory.create(kode="33.74.01", name="Semarang Tengah")
    partnership = PartnershipFactory.create(
        slug="smg-brisbane", partner_city=orgs.partner_city, partner_name="Brisbane"
    )
    activity = ActivityFactory.create(
        reference="SMG-BNE-2024-01",
        partnership=partnership,
        agency=orgs.dinas_pendidikan,
        title_id="Pelatihan guru",
        title_en="Teacher training",
    )
    officer = {"role": Role.COOPERATION_OFFICER, "organisation": orgs.semarang}
    return World(
        activity=activity,
        sari=UserFactory.create(username="sari", first_name="Sari", last_name="Dewi", **officer),
        budi=UserFactory.create(username="budi", first_name="Budi", last_name="Santoso", **officer),
    )


def signed_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def send(client: Client, method: str, path: str, body: Any) -> Any:
    return getattr(client, method)(path, json.dumps(body), content_type="application/json")


# --- API --------------------------------------------------------------------------------------


def test_the_version_is_read_and_required_for_patch(world: World) -> None:
    sari = signed_in(world.sari)
    assert sari.get(URL).json()["version"] == 1
    response = send(sari, "patch", URL, {"title_id": "Pelatihan guru SMK"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"version": ["This field is required."]}
    assert Activity.objects.get().title_id == "Pelatihan guru"


def test_a_stale_patch_is_refused_and_nothing_is_lost(world: World) -> None:
    sari, budi = signed_in(world.sari), signed_in(world.budi)
    first = send(sari, "patch", URL, {"version": 1, "title_id": "Pelatihan guru SMK"})
    assert (first.status_code, first.json()["version"]) == (200, 2)

    stale = send(budi, "patch", URL, {"version": 1, "title_id": "Lokakarya guru"})
    assert stale.status_code == 409
    assert stale.json() == {
        "detail": "Someone else (Sari Dewi) changed this activity while you were working on it.",
        "version": 2,
        "changed_by": "Sari Dewi",
        "conflicts": [
            {
                "field": "title_id",
                "base": "Pelatihan guru",
                "current": "Pelatihan guru SMK",
                "yours": "Lokakarya guru",
            }
        ],
    }
    assert (Activity.objects.get().title_id, Activity.objects.get().version) == (
        "Pelatihan guru SMK",
        2,
    )

    # A field Sari did not touch conflicts with nothing, but the version still guards it.
    other = send(budi, "patch", URL, {"version": 1, "title_en": "Workshop"})
    assert (other.status_code, other.json()["conflicts"]) == (409, [])

    again = send(budi, "patch", URL, {"version": 2, "title_en": "Workshop"})
    assert (again.status_code, again.json()["version"]) == (200, 3)
    saved = Activity.objects.get()
    assert (saved.title_id, saved.title_en, saved.version) == ("Pelatihan guru SMK", "Workshop", 3)


def test_a_patch_that_changes_nothing_keeps_the_version(world: World) -> None:
    response = send(
        signed_in(world.sari), "patch", URL, {"version": 1, "title_id": "Pelatihan guru"}
    )
    assert (response.status_code, response.json()["version"]) == (200, 1)


def test_replacing_a_list_checks_and_raises_the_activity_version(world: World) -> None:
    sari, budi = signed_in(world.sari), signed_in(world.budi)
    line = {"source": "apbd", "kind": "budget", "amount": "1000000"}
    saved = send(sari, "put", URL + "budget/", {"version": 1, "lines": [line]})
    assert (saved.status_code, saved.json()["version"]) == (200, 2)

    stale = send(budi, "put", URL + "contributions/", {"version": 1, "contributions": []})
    assert (stale.status_code, stale.json()["version"], stale.json()["conflicts"]) == (409, 2, [])

    stale = send(
        budi,
        "put",
        URL + "budget/",
        {"version": 1, "lines": [{**line, "source": "apbn", "amount": "5"}]},
    )
    assert stale.status_code == 409
    assert stale.json()["conflicts"] == [
        {
            "field": "budget",
            "base": [],
            "current": ["regional budget (APBD) · budget: 1000000.00 IDR"],
            "yours": ["national budget (APBN) · budget: 5.00 IDR"],
        }
    ]
    assert [(b.source, b.amount) for b in BudgetLine.objects.all()] == [("apbd", 1000000)]

    for path, body in (
        ("participants/", {"participants_local": 0, "participants_partner": 0, "counts": []}),
        (
            "results/",
            {
                "level": "output",
                "result_title": "x",
                "indicator_title": "y",
                "unit": "z",
                "period_start": "2024-03-04",
                "period_end": "2024-03-08",
                "actual": "1",
            },
        ),
    ):
        missing = send(budi, "put" if path == "participants/" else "post", URL + path, body)
        assert (missing.status_code, missing.json()["errors"]) == (
            400,
            {"version": ["This field is required."]},
        )
        stale = send(
            budi, "put" if path == "participants/" else "post", URL + path, {**body, "version": 1}
        )
        assert stale.status_code == 409


def test_an_import_overwrites_and_raises_the_version(world: World) -> None:
    """An import applies by reference without a version; an edit begun before it is stale."""
    activity = world.activity
    data = ActivityData(
        reference=activity.reference,
        partnership=activity.partnership,
        kind=activity.kind,
        title_id="Dari lembar kerja",
        agency=activity.agency,
        start_date=activity.start_date,
        end_date=activity.end_date,
        sector=activity.sector,
        government_affair=activity.government_affair,
        status=activity.status,
        title_en=activity.title_en,
    )
    saved, changed = activity_save(actor=world.sari, data=data)
    assert (changed, saved.version) == (True, 2)
    _same, changed = activity_save(actor=world.sari, data=data)
    assert (changed, Activity.objects.get().version) == (False, 2)
    stale = send(signed_in(world.budi), "patch", URL, {"version": 1, "title_id": "Lain"})
    assert stale.json()["conflicts"][0]["current"] == "Dari lembar kerja"


def test_service_refuses_a_stale_budget_before_writing(world: World) -> None:
    rows = [BudgetRow(source="apbd", kind="budget", amount=Decimal(1))]
    assert activity_budget_set(
        actor=world.sari, activity=world.activity, rows=rows, expected_version=1
    )
    with pytest.raises(EditConflict) as raised:
        activity_budget_set(actor=world.budi, activity=world.activity, rows=[], expected_version=1)
    assert (raised.value.current.version, raised.value.changed_by) == (2, "Sari Dewi")
    assert BudgetLine.objects.count() == 1


def test_a_stale_correction_of_an_economic_effect_is_refused(world: World) -> None:
    data = EffectData(
        kind="export_contract",
        sector=world.activity.sector,
        year=2024,
        source="BKPM",
        amount=Decimal(1000),
    )
    effect, _changed = activity_effect_save(actor=world.sari, activity=world.activity, data=data)
    activity_effect_save(
        actor=world.sari,
        activity=world.activity,
        data=replace(data, amount=Decimal(2000)),
        effect=effect,
        expected_version=1,
    )
    with pytest.raises(EditConflict) as raised:
        activity_effect_save(
            actor=world.budi,
            activity=world.activity,
            data=replace(data, amount=Decimal(3000)),
            effect=effect,
            expected_version=1,
        )
    amount = next(item for item in raised.value.conflicts if item.field == "amount")
    assert (amount.base, amount.current, amount.yours) == (1000, 2000, 3000)
    saved = EconomicEffect.objects.get()
    assert (saved.amount, saved.version) == (2000, 2)


# --- Web pages --------------------------------------------------------------------------------


def edit_form(world: World, version: str, **changes: str) -> dict[str, str]:
    activity = world.activity
    form = {
        "version": version,
        "kind": activity.kind,
        "title_id": activity.title_id,
        "title_en": activity.title_en,
        "agency": "disdik-semarang",
        "start_date": "2024-03-04",
        "end_date": "2024-03-08",
        "status": activity.status,
        "sector": str(activity.sector_id),
        "government_affair": activity.government_affair_id,
    }
    return {**form, **changes}


def test_a_stale_edit_form_shows_the_conflict_and_keeps_what_was_typed(world: World) -> None:
    sari, budi = signed_in(world.sari), signed_in(world.budi)
    page = budi.get(PAGE + "edit/")
    assert b'name="version" value="1"' in page.content
    saved = sari.post(PAGE + "edit/", edit_form(world, "1", title_id="Pelatihan guru SMK"))
    assert saved.status_code == 302

    stale = budi.post(PAGE + "edit/", edit_form(world, "1", title_id="Lokakarya guru"))
    assert stale.status_code == 409
    assert stale.context["conflict"]["rows"] == [
        {
            "label": "title (Indonesian)",
            "base": "Pelatihan guru",
            "current": "Pelatihan guru SMK",
            "yours": "Lokakarya guru",
        }
    ]
    html = stale.content.decode()
    assert 'id="conflict"' in html
    assert "Someone else saved this activity while you were working on it" in html
    assert 'name="version" value="2"' in html
    assert 'value="Lokakarya guru"' in html
    assert Activity.objects.get().title_id == "Pelatihan guru SMK"

    again = budi.post(PAGE + "edit/", edit_form(world, "2", title_id="Lokakarya guru"))
    assert again.status_code == 302
    assert (Activity.objects.get().title_id, Activity.objects.get().version) == (
        "Lokakarya guru",
        3,
    )


def test_a_stale_money_form_is_refused_and_shown_again(world: World) -> None:
    sari, budi = signed_in(world.sari), signed_in(world.budi)
    money = {
        "budget-TOTAL_FORMS": "1",
        "budget-INITIAL_FORMS": "0",
        "budget-0-source": "apbd",
        "budget-0-kind": "budget",
        "budget-0-amount": "1000",
        "budget-0-currency": "IDR",
        "budget-0-rate_to_idr": "1",
        "contributions-TOTAL_FORMS": "0",
        "contributions-INITIAL_FORMS": "0",
    }
    assert sari.post(PAGE + "money/", {**money, "version": "1"}).status_code == 302
    stale = budi.post(PAGE + "money/", {**money, "version": "1", "budget-0-amount": "7"})
    assert stale.status_code == 409
    assert [row["label"] for row in stale.context["conflict"]["rows"]] == [
        "Budget and spending by source"
    ]
    assert 'value="7"' in stale.content.decode()
    assert [line.amount for line in BudgetLine.objects.all()] == [1000]


# --- Parallel writers ---------------------------------------------------------------------------

WRITERS = ("title_id", "title_en", "description_id", "description_en", "cancellation_reason")


def _writer(user: User, name: str, rounds: int, barrier: threading.Barrier) -> list[str]:
    """Make ``rounds`` changes to field ``name`` through the API, re-reading after each 409."""
    saved: list[str] = []
    client = signed_in(user)
    barrier.wait()
    try:
        for round_ in range(rounds):
            value = f"{name} {round_}"
            for _attempt in range(50):
                version = client.get(URL).json()["version"]
                response = send(client, "patch", URL, {"version": version, name: value})
                if response.status_code == 200:
                    saved.append(value)
                    break
                assert response.status_code == 409, response.content
            else:
                pytest.fail(f"{name}: 50 conflicts in a row")
    finally:
        connections.close_all()
    return saved


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's shared in-memory test database locks tables between threads "
    "(SQLITE_LOCKED, which no busy timeout waits for); this runs on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_parallel_patches_lose_nothing(world: World) -> None:
    """Five writers patch the same activity at once: each either saves or re-reads, none is lost."""
    rounds = 3
    barrier = threading.Barrier(len(WRITERS))
    users = [world.sari, world.budi, world.sari, world.budi, world.sari]
    with ThreadPoolExecutor(max_workers=len(WRITERS)) as pool:
        futures = [
            pool.submit(_writer, user, name, rounds, barrier)
            for user, name in zip(users, WRITERS, strict=True)
        ]
        results = [future.result(timeout=120) for future in futures]
    saved = Activity.objects.get()
    assert results == [[f"{name} {n}" for n in range(rounds)] for name in WRITERS]
    assert {name: getattr(saved, name) for name in WRITERS} == {
        name: f"{name} {rounds - 1}" for name in WRITERS
    }
    assert saved.version == 1 + rounds * len(WRITERS)
    assert saved.history.filter(history_change_reason="saved").count() == rounds * len(WRITERS)


def test_the_schema_requires_the_version_and_documents_the_conflict(client: Client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    writes = {
        ("/api/v1/activities/{reference}/", "put"),
        ("/api/v1/activities/{reference}/", "patch"),
        ("/api/v1/activities/{reference}/participants/", "put"),
        ("/api/v1/activities/{reference}/budget/", "put"),
        ("/api/v1/activities/{reference}/contributions/", "put"),
        ("/api/v1/activities/{reference}/results/", "post"),
        ("/api/v1/activities/{reference}/trip-report/", "put"),
        ("/api/v1/partnerships/{slug}/", "patch"),
    }
    for path, method in sorted(writes):
        operation = schema["paths"][path][method]
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert "version" in components[body.rsplit("/", 1)[1]]["required"], (path, method)
        conflict = operation["responses"]["409"]["content"]["application/json"]["schema"]
        assert conflict == {"$ref": "#/components/schemas/Conflict"}, (path, method)
    assert components["Conflict"]["required"] == ["changed_by", "conflicts", "detail", "version"]


def test_the_same_contributions_sent_on_a_stale_version_conflict_with_nothing(
    world: World,
) -> None:
    """Both saved the same rows: the 409 still guards the version, but lists no conflict.

    Contribution sides read as contributions ("our region"), not as participant sides.
    """
    sari, budi = signed_in(world.sari), signed_in(world.budi)
    rows = [{"side": "local", "form": "expertise", "description": "Trainers"}]
    saved = send(sari, "put", URL + "contributions/", {"version": 1, "contributions": rows})
    assert (saved.status_code, saved.json()["version"]) == (200, 2)

    stale = send(budi, "put", URL + "contributions/", {"version": 1, "contributions": rows})

    assert (stale.status_code, stale.json()["conflicts"]) == (409, [])
