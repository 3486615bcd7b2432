"""The public record follows the lifecycle: a move made by staff shows on ``/`` at once.

Stages are shown by their name in the reader's language, never by code, and
the history comes from the record (documented events, applied moves,
activities), on the real starting record of Semarang.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from kembar.accounts.models import Organisation, Role, User
from kembar.partnerships.lifecycle import partnership_transition
from kembar.partnerships.models import DocumentKind, Partnership, PartnershipDocument
from kembar.partnerships.tests.seeding import semarang_record_load
from kembar.programs.tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

#: A stage or status code in the text (``revived_after_lapse``, ``active → evaluation``).
CODES = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b|\b[a-z]+ → [a-z]+\b")


@pytest.fixture
def officer() -> User:
    semarang_record_load()
    semarang = Organisation.objects.create(
        slug="pemkot-semarang",
        name="Pemerintah Kota Semarang",
        kind="local_government",
        region_id="33.74",
    )
    return User.objects.create_user(
        username="sari",
        password="a-long-test-password",
        role=Role.COOPERATION_OFFICER,
        organisation=semarang,
    )


def row(html: str, slug: str) -> str:
    start = html.index(f'<tr data-slug="{slug}">')
    return html[start : html.index("</tr>", start)]


def english(client: Client) -> None:
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302


def brisbane_to_evaluation(officer: User) -> None:
    brisbane = Partnership.objects.get(slug="smg-brisbane")
    # The move needs an implementation report; its content does not matter here.
    PartnershipDocument.objects.create(
        partnership=brisbane,
        kind=DocumentKind.objects.get(code="implementation_report"),
        title="Laporan pelaksanaan 2025",
        language="id",
        file="documents/2026/report.pdf",
        sha256="0" * 64,
        size_bytes=1024,
        uploaded_by=officer,
        uploaded_at=timezone.now(),
    )
    partnership_transition(partnership=brisbane, target="evaluation", actor=officer)


def test_home_shows_stage_names_from_the_record(client: Client, officer: User) -> None:
    html = client.get("/").content.decode()

    brisbane = row(html, "smg-brisbane")
    assert '<span class="status status--active">Pelaksanaan</span>' in brisbane
    assert "Kegiatan bersama terhenti" not in brisbane  # details live on the partnership's page
    assert '<time datetime="1993-01-11">11 Januari 1993</time>' in brisbane
    assert '<span class="status status--dormant">Tidak aktif</span>' in row(html, "smg-beihai")
    assert not CODES.search(re.sub(r'(class|data-[a-z]+)="[^"]*"', "", brisbane))


def test_a_move_to_evaluation_shows_on_home_in_both_languages(
    client: Client, officer: User
) -> None:
    brisbane_to_evaluation(officer)
    today = timezone.localdate()

    indonesian = row(client.get("/").content.decode(), "smg-brisbane")
    english(client)
    in_english = row(client.get("/").content.decode(), "smg-brisbane")

    assert '<span class="status status--active">Evaluasi</span>' in indonesian
    move = re.search(r'<li data-kind="move">(.*?)</li>', indonesian)
    assert move is not None
    assert f'<time datetime="{today:%Y-%m-%d}">' in move.group(1)
    assert "Pelaksanaan" in move.group(1) and "Evaluasi" in move.group(1)
    assert '<span class="status status--active">Evaluation</span>' in in_english
    assert (
        f'<li data-kind="move"><time datetime="{today:%Y-%m-%d}">{today.day} '
        f"{today:%B %Y}</time> Moved from the stage Active to Evaluation</li>"
    ) in in_english
    # Documented events stay, before the move.
    assert in_english.index("11 January 1993") < in_english.index("Moved from the stage")
    assert not CODES.search(re.sub(r'(class|data-[a-z]+)="[^"]*"', "", in_english))


def test_an_ended_partnership_shows_as_ended(client: Client, officer: User) -> None:
    beihai = Partnership.objects.get(slug="smg-beihai")
    partnership_transition(
        partnership=beihai, target="lapsed", actor=officer, reason="No follow-up since 2008"
    )

    english(client)
    response = client.get("/")
    html = response.content.decode()

    beihai_row = row(html, "smg-beihai")
    assert '<span class="status status--ended">Lapsed</span>' in beihai_row
    assert "Moved from the stage Dormant to Lapsed" in beihai_row
    # The reason is the staff's working note, not part of the public record.
    assert "No follow-up since 2008" not in html
    partner = next(
        p for p in response.context["page"].map_data["partners"] if p["slug"] == "smg-beihai"
    )
    assert (partner["status"], partner["status_label"]) == ("ended", "Lapsed")


def test_a_pending_move_is_not_public(client: Client, officer: User) -> None:
    nanjing = Partnership.objects.get(slug="smg-nanjing")
    # active → terminated waits for leadership's approval.
    partnership_transition(
        partnership=nanjing, target="terminated", actor=officer, reason="Asked by the partner"
    )

    english(client)
    nanjing_row = row(client.get("/").content.decode(), "smg-nanjing")

    assert '<span class="status status--active">Active</span>' in nanjing_row
    assert "Terminated" not in nanjing_row


def test_activities_count_in_the_history(client: Client, officer: User) -> None:
    nanjing = Partnership.objects.get(slug="smg-nanjing")
    ActivityFactory.create(
        partnership=nanjing, start_date=dt.date(2025, 5, 15), end_date=dt.date(2025, 5, 15)
    )
    ActivityFactory.create(partnership=nanjing, start_date=dt.date(2024, 3, 4))
    ActivityFactory.create(
        partnership=nanjing,
        start_date=dt.date(2026, 1, 5),
        end_date=dt.date(2026, 1, 6),
        is_demo=True,
    )

    english(client)
    nanjing_row = row(client.get("/").content.decode(), "smg-nanjing")

    assert '<li data-kind="activities">2 activities recorded, the latest on 15 May 2025</li>' in (
        nanjing_row
    )
    assert 'data-kind="activities"' not in row(client.get("/").content.decode(), "smg-split")
