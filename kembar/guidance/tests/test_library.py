"""The library of templates and checklists: listed, shown, downloaded, filled in for staff."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from kembar.geo.errors import ReferenceDataError
from kembar.guidance.checklists import checklist_documents
from kembar.guidance.library import library_read
from kembar.guidance.selectors import library_documents, rendered_document
from kembar.partnerships.models import CooperationPlan

from .conftest import World, signed_in

pytestmark = pytest.mark.django_db

SLUGS = [
    "letter-of-intent",
    "cooperation-plan",
    "mou",
    "stage-checklist",
    "exploration-checklist",
]


def test_the_templates_and_checklists_are_listed() -> None:
    _library, documents = library_documents()
    assert [document.slug for document in documents] == SLUGS
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/guidance/")
    assert response.status_code == 200
    html = response.content.decode()
    for slug in SLUGS:
        assert f'href="/guidance/templates/{slug}/"' in html
    # Bahasa Indonesia first: the default page speaks it.
    assert "Surat pernyataan kehendak (Letter of Intent)" in html
    assert "Peraturan Pemerintah Nomor 28 Tahun 2018 tentang Kerja Sama Daerah" in html


def test_the_cooperation_plan_has_exactly_the_seven_contents_of_pasal_30_3() -> None:
    library = library_read()
    plan = next(document for document in library.templates if document.slug == "cooperation-plan")
    assert [section.key for section in plan.sections] == [*CooperationPlan.CONTENTS, "period"]
    assert len(plan.sections) == 7
    assert [section.basis for section in plan.sections] == [
        "PP 28/2018 Pasal 30(3)",
        "PP 28/2018 Pasal 30(3)",
        "PP 28/2018 Pasal 30(3)",
        "PP 28/2018 Pasal 27, 30(3)",
        "PP 28/2018 Pasal 30(3)",
        "PP 28/2018 Pasal 30(3)",
        "PP 28/2018 Pasal 30(3), 44",
    ]
    assert [section.heading.id for section in plan.sections] == [
        "Subjek kerja sama",
        "Latar belakang",
        "Maksud, tujuan, dan sasaran",
        "Objek kerja sama",
        "Ruang lingkup kerja sama",
        "Sumber pembiayaan",
        "Jangka waktu pelaksanaan",
    ]


def test_every_template_cites_its_legal_basis() -> None:
    library = library_read()
    assert [source.code for source in library.sources] == [
        "UU 23/2014",
        "PP 28/2018",
        "Permendagri 25/2020",
        "UU 24/2009",
    ]
    for document in library.templates:
        cited = " ".join(document.legal_basis)
        assert "UU 23/2014" in cited and "PP 28/2018" in cited and "Permendagri 25/2020" in cited
    loi = next(document for document in library.templates if document.slug == "letter-of-intent")
    assert {section.key: section.basis for section in loi.sections}["nature"] == ""


def test_a_template_shows_its_placeholders_and_parts() -> None:
    response = Client().get("/guidance/templates/cooperation-plan/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pemerintah [nama daerah], Republik Indonesia" in html
    assert html.count('data-key="') == 7
    assert "Dasar hukum" in html or "Legal basis" in html
    assert Client().get("/guidance/templates/no-such-template/").status_code == 404


def test_the_stage_checklist_is_built_from_the_lifecycle_file() -> None:
    stage, exploration = checklist_documents()
    definition = json.loads(
        (Path(settings.KEMBAR_DATA_DIR) / "lifecycle/ksdpl.json").read_text(encoding="utf-8")
    )
    order = {state["code"]: state for state in definition["states"]}
    forward = sorted(
        (
            (t["from"], t["to"])
            for t in definition["transitions"]
            if order[t["to"]]["order"] > order[t["from"]]["order"]
            and not order[t["to"]]["is_terminal"]
        ),
        key=lambda pair: (order[pair[0]]["order"], order[pair[1]]["order"]),
    )
    assert [section.key for section in stage.sections] == [
        *(f"{a}-{b}" for a, b in forward),
        "other_documents",
    ]
    plan = next(s for s in stage.sections if s.key == "cooperation_plan-council_approval")
    assert plan.heading.en == "Cooperation plan → Council approval"
    assert plan.basis == "PP 28/2018 Pasal 30"
    assert [line.en for line in plan.lines] == [
        "Document: Cooperation plan",
        "Check: the cooperation plan holds all seven contents",
        "Recorded by: cooperation officer, administrator",
        "Second approval by: leadership",
        "Deadline: 45 working days in the stage “Council approval”",
    ]
    conditions = exploration.sections[0]
    assert conditions.basis == "PP 28/2018 Pasal 27"
    assert len(conditions.lines) == 9
    assert [line.en for line in stage.sections[-1].lines] == [
        "Implementation agreement (PKS)",
        "Addendum",
        "Expert study",
        "Regional potential data",
        "Full powers",
    ]


def test_downloads_as_text_and_word() -> None:
    client = Client()
    text = client.get("/guidance/templates/cooperation-plan/download/", {"language": "en"})
    assert text.status_code == 200
    assert text["Content-Type"] == "text/markdown; charset=utf-8"
    assert text["Content-Disposition"] == 'attachment; filename="cooperation-plan-en.md"'
    body = text.content.decode()
    assert body.startswith("# Cooperation plan\n")
    assert "## 7. Implementation period" in body
    assert "- The Government of [name of the region], Republic of Indonesia" in body
    checklist = client.get("/guidance/templates/stage-checklist/download/", {"language": "en"})
    assert "- [ ] Document: Letter of intent (LoI)" in checklist.content.decode()
    word = client.get(
        "/guidance/templates/letter-of-intent/download/", {"format": "docx", "language": "id"}
    )
    assert word.status_code == 200
    assert word["Content-Disposition"] == 'attachment; filename="letter-of-intent-id.docx"'
    with zipfile.ZipFile(io.BytesIO(word.content)) as archive:
        assert archive.testzip() is None
        document = archive.read("word/document.xml").decode()
    assert "Surat pernyataan kehendak (Letter of Intent)" in document
    assert "[nama daerah]" in document
    assert client.get("/guidance/templates/mou/download/", {"format": "pdf"}).status_code == 404


def test_staff_get_their_region_filled_in(world: World) -> None:
    client = signed_in(world.semarang_officer)
    page = client.get("/staff/guidance/templates/mou/")
    assert page.status_code == 200
    assert "Pemerintah Kota Semarang, Republik Indonesia" in page.content.decode()
    text = client.get("/staff/guidance/templates/mou/download/", {"language": "id"})
    body = text.content.decode()
    assert "Nota Kesepahaman antara Pemerintah Kota Semarang, Republik Indonesia" in body
    assert "[nama kota atau daerah mitra]" in body
    # The public page never fills it in, whoever asks.
    assert "[nama daerah]" in client.get("/guidance/templates/mou/").content.decode()
    anonymous = Client().get("/staff/guidance/templates/mou/")
    assert anonymous.status_code == 302


def test_a_partner_counterpart_may_not_use_the_staff_library(world: World) -> None:
    from kembar.accounts.models import Role
    from kembar.accounts.tests.factories import UserFactory

    partner = UserFactory.create(
        username="dave", role=Role.PARTNER_COUNTERPART, organisation=world.orgs.partner_government
    )
    assert signed_in(partner).get("/staff/guidance/").status_code == 403


def test_a_template_with_an_unknown_placeholder_is_refused(tmp_path: Path) -> None:
    source = Path(settings.KEMBAR_DATA_DIR) / "guidance"
    for name in ("library.json", "letter-of-intent.json", "cooperation-plan.json", "mou.json"):
        (tmp_path / name).write_text((source / name).read_text(encoding="utf-8"), encoding="utf-8")
    broken = json.loads((tmp_path / "mou.json").read_text(encoding="utf-8"))
    broken["sections"][0]["lines_en"] = ["For {mayor}."]
    (tmp_path / "mou.json").write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="sections\\[1\\]: unknown placeholder mayor"):
        library_read(tmp_path)


def test_rendering_in_english_keeps_the_same_parts() -> None:
    indonesian = rendered_document("letter-of-intent", language="id")
    english = rendered_document("letter-of-intent", language="en", fill={"region": "Kota Magelang"})
    assert indonesian is not None and english is not None
    assert [s.key for s in indonesian.sections] == [s.key for s in english.sections]
    assert english.sections[1].lines[0] == (
        "First party: the Government of Kota Magelang, represented by "
        "[title and name of the regional head]."
    )
