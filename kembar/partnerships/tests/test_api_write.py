"""Writes through the REST API obey the same rules as the web; refusals change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken

from kembar.accounts.models import Organisation, Role, User
from kembar.geo.tests.factories import CityFactory, CountryFactory, RegionFactory
from kembar.partnerships.lifecycle_source import LIFECYCLE_FILE, lifecycle_read
from kembar.partnerships.models import InboundRequest, LifecycleState, Partnership
from kembar.partnerships.services import lifecycle_seed_apply
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.partnerships.tests.pdfs import blank_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings: Any) -> dict[str, Any]:
    lifecycle_seed_apply(lifecycle_read(settings.KEMBAR_DATA_DIR / LIFECYCLE_FILE))
    brisbane = CityFactory.create(
        id=2174003, name="Brisbane", country=CountryFactory.create(iso2="AU")
    )
    semarang = Organisation.objects.create(
        slug="pemkot-semarang",
        name="Pemerintah Kota Semarang",
        kind="local_government",
        region=RegionFactory.create(kode="33.74", name="Kota Semarang"),
    )
    partner = Organisation.objects.create(
        slug="brisbane-city-council",
        name="Brisbane City Council",
        kind="partner_government",
        city=brisbane,
    )

    def user(name: str, role: str, organisation: Organisation) -> User:
        return User.objects.create_user(
            username=name, password="a-long-test-password", role=role, organisation=organisation
        )

    return {
        "officer": user("officer", Role.COOPERATION_OFFICER, semarang),
        "second": user("second", Role.COOPERATION_OFFICER, semarang),
        "council": user("council", Role.COUNCIL_MEMBER, semarang),
        "partner": user("partner", Role.PARTNER_COUNTERPART, partner),
        "active": PartnershipFactory.create(
            slug="smg-brisbane",
            partner_city=brisbane,
            state=LifecycleState.objects.get(code="active"),
        ),
        "internal": PartnershipFactory.create(
            slug="smg-internal",
            is_public=False,
            state=LifecycleState.objects.get(code="exploration"),
        ),
        "brisbane": brisbane,
    }


def token_client(user: User) -> Client:
    _stored, token = AuthToken.objects.create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE="en")


def transition(client: Client, slug: str, to: str, reason: str = "") -> Any:
    return client.post(
        f"/api/v1/partnerships/{slug}/transitions/",
        {"to": to, "reason": reason},
        content_type="application/json",
    )


def test_anonymous_write_is_refused_and_changes_nothing(
    client: Client, world: dict[str, Any]
) -> None:
    response = transition(client, "smg-brisbane", "dormant", "quiet")

    assert response.status_code in {401, 403}
    partnership = Partnership.objects.get(slug="smg-brisbane")
    assert (partnership.stage_code, partnership.version, partnership.transitions.count()) == (
        "active",
        1,
        0,
    )


def test_transition_with_token(world: dict[str, Any]) -> None:
    response = transition(token_client(world["officer"]), "smg-brisbane", "dormant", "No activity")

    assert response.status_code == 201
    body = response.json()
    assert (body["source"], body["target"], body["status"], body["actor"]) == (
        "active",
        "dormant",
        "applied",
        "officer",
    )
    assert Partnership.objects.get(slug="smg-brisbane").stage_code == "dormant"


@pytest.mark.parametrize(
    ("who", "to", "reason", "status", "reasons"),
    [
        (
            "council",
            "dormant",
            "x",
            403,
            ["Your role (council member) may not move this partnership to Dormant."],
        ),
        ("officer", "dormant", "", 409, ["Give a reason for this move."]),
        (
            "officer",
            "initiative",
            "",
            400,
            ["A partnership at stage Active cannot move to initiative."],
        ),
        ("officer", "evaluation", "", 409, ["Document missing: Implementation report."]),
    ],
)
def test_refused_transition_says_why(
    world: dict[str, Any], who: str, to: str, reason: str, status: int, reasons: list[str]
) -> None:
    response = transition(token_client(world[who]), "smg-brisbane", to, reason)

    assert response.status_code == status
    assert response.json()["reasons"] == reasons
    partnership = Partnership.objects.get(slug="smg-brisbane")
    assert (partnership.stage_code, partnership.version) == ("active", 1)


def test_approval_by_a_second_person(world: dict[str, Any]) -> None:
    proposed = transition(token_client(world["officer"]), "smg-brisbane", "terminated", "Ended")
    assert proposed.json()["status"] == "pending"
    url = f"/api/v1/partnerships/smg-brisbane/transitions/{proposed.json()['id']}/approve/"

    same = token_client(world["officer"]).post(url, {}, content_type="application/json")
    assert same.status_code == 403
    officer_again = token_client(world["second"]).post(url, {}, content_type="application/json")
    assert officer_again.status_code == 403  # only leadership approves ending a partnership
    assert Partnership.objects.get(slug="smg-brisbane").stage_code == "active"


def test_visibility(client: Client, world: dict[str, Any]) -> None:
    assert client.get("/api/v1/partnerships/smg-internal/").status_code == 404
    assert [row["slug"] for row in client.get("/api/v1/partnerships/").json()["results"]] == [
        "smg-brisbane"
    ]
    officer = token_client(world["officer"])
    assert officer.get("/api/v1/partnerships/smg-internal/").status_code == 200
    partner = token_client(world["partner"])
    assert partner.get("/api/v1/partnerships/smg-internal/").status_code == 404
    assert partner.get("/api/v1/partnerships/smg-brisbane/transitions/").status_code == 200
    council = token_client(world["council"])
    assert council.get("/api/v1/partnerships/smg-internal/transitions/").status_code == 200


def test_patch_with_version_and_conflict(world: dict[str, Any]) -> None:
    first, second = token_client(world["officer"]), token_client(world["second"])
    url = "/api/v1/partnerships/smg-brisbane/"

    saved = first.patch(
        url, {"version": 1, "partner_region_name": "Queensland"}, content_type="application/json"
    )
    assert saved.status_code == 200
    assert saved.json()["version"] == 2
    assert saved.json()["partner_region_name"] == "Queensland"

    conflict = second.patch(
        url, {"version": 1, "partner_region_name": "QLD"}, content_type="application/json"
    )

    assert conflict.status_code == 409
    body = conflict.json()
    assert body["version"] == 2
    assert body["changed_by"] == "officer"
    assert body["conflicts"] == [
        {"field": "partner_region_name", "base": "", "current": "Queensland", "yours": "QLD"}
    ]
    assert Partnership.objects.get(slug="smg-brisbane").partner_region_name == "Queensland"

    council = token_client(world["council"]).patch(
        url, {"version": 2, "partner_region_name": "x"}, content_type="application/json"
    )
    assert council.status_code == 403
    assert Partnership.objects.get(slug="smg-brisbane").version == 2


def test_inbound_request_accept_and_decline(world: dict[str, Any]) -> None:
    officer = token_client(world["officer"])
    payload = {
        "local_region": "33.74",
        "partner_city": world["brisbane"].id,
        "partner_name": "Gold Coast",
        "partner_country": "AU",
        "received_on": "2026-11-02",
        "channel": "letter via KJRI",
        "subject": "Sister city proposal",
    }
    created = officer.post("/api/v1/inbound-requests/", payload, content_type="application/json")
    assert created.status_code == 201
    request_id = created.json()["id"]
    assert token_client(world["council"]).post(
        f"/api/v1/inbound-requests/{request_id}/accept/"
    ).status_code in {403, 404}

    accepted = officer.post(f"/api/v1/inbound-requests/{request_id}/accept/")

    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    partnership = Partnership.objects.get(slug=accepted.json()["partnership"])
    assert (partnership.stage_code, partnership.initiated_by, partnership.is_public) == (
        "exploration",
        "partner",
        False,
    )
    assert InboundRequest.objects.get(pk=request_id).decided_on == timezone.localdate()

    second = officer.post(
        "/api/v1/inbound-requests/",
        {**payload, "partner_name": "Cairns"},
        content_type="application/json",
    ).json()["id"]
    no_reason = officer.post(
        f"/api/v1/inbound-requests/{second}/decline/",
        {"reason": ""},
        content_type="application/json",
    )
    assert no_reason.status_code == 400
    declined = officer.post(
        f"/api/v1/inbound-requests/{second}/decline/",
        {"reason": "No shared priorities"},
        content_type="application/json",
    )
    assert (declined.json()["status"], declined.json()["decline_reason"]) == (
        "declined",
        "No shared priorities",
    )


PDF = blank_pdf()  # a real PDF: uploads are parsed


def test_document_upload_through_the_api(
    world: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path

    officer = token_client(world["officer"])
    url = "/api/v1/partnerships/smg-brisbane/documents/"
    payload = {"kind": "loi", "title": "Letter of intent", "language": "id+en"}

    fake = officer.post(url, {**payload, "file": SimpleUploadedFile("loi.pdf", b"GIF89a")})
    assert fake.status_code == 400
    assert fake.json()["reasons"] != []

    good = officer.post(url, {**payload, "file": SimpleUploadedFile("loi.pdf", PDF)})
    assert good.status_code == 201
    assert (good.json()["kind"], good.json()["version"], good.json()["size_bytes"]) == (
        "loi",
        1,
        len(PDF),
    )
    council = token_client(world["council"]).post(
        url, {**payload, "file": SimpleUploadedFile("loi2.pdf", PDF + b" ")}
    )
    assert council.status_code == 403
    listed = token_client(world["council"]).get(url).json()
    assert [row["version"] for row in listed] == [1]
