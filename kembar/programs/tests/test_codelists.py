from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from kembar.geo.errors import ReferenceDataError
from kembar.programs.models import GovernmentAffair, SdgGoal, SdgTarget, Sector
from kembar.programs.services import codelists_apply
from kembar.programs.sources import CODELIST_FILES, codelists_read

LISTS = codelists_read(settings.KEMBAR_DATA_DIR)


def test_the_shipped_lists_are_complete() -> None:
    assert (len(LISTS.sectors), len(LISTS.affairs), len(LISTS.goals), len(LISTS.targets)) == (
        17,
        32,
        17,
        169,
    )
    assert LISTS.sectors[3] == {
        "code": 3,
        "kbli_sections": "C",
        "name_id": "Industri Pengolahan",
        "name_en": "Manufacturing",
    }
    assert LISTS.affairs["1.01"]["group"] == "wajib_pelayanan_dasar"
    assert LISTS.affairs["3.32"]["name_id"] == "Transmigrasi"
    assert LISTS.goals[11]["name_id"] == "Kota dan Permukiman yang Berkelanjutan"
    assert [code for code in LISTS.targets if code.startswith("11.")] == [
        "11.1",
        "11.2",
        "11.3",
        "11.4",
        "11.5",
        "11.6",
        "11.7",
        "11.a",
        "11.b",
        "11.c",
    ]
    assert all(goal["name_id"] for goal in LISTS.goals.values())
    assert all(target["name_id"] for target in LISTS.targets.values())
    assert LISTS.targets["11.4"]["name_id"] == (
        "Mempromosikan dan menjaga warisan budaya dunia dan warisan alam dunia"
    )


@pytest.mark.django_db
def test_apply_is_idempotent_and_names_follow_the_language() -> None:
    first = codelists_apply(LISTS)
    again = codelists_apply(LISTS)

    assert first["sdg_targets"]["created"] == 169
    assert first["standard_indicators"]["created"] == 7
    assert {name: counts["created"] + counts["updated"] for name, counts in again.items()} == {
        "sectors": 0,
        "government_affairs": 0,
        "sdg_goals": 0,
        "sdg_targets": 0,
        "standard_indicators": 0,
    }
    assert Sector.objects.count() == 17 and GovernmentAffair.objects.count() == 32
    assert list(SdgTarget.objects.filter(goal_id=1).values_list("code", flat=True)[:3]) == [
        "1.1",
        "1.2",
        "1.3",
    ]
    goal = SdgGoal.objects.get(code=5)
    target = SdgTarget.objects.get(code="5.1")
    with translation.override("id"):
        assert (goal.name, target.name) == (
            "Kesetaraan Gender",
            "Mengakhiri segala bentuk diskriminasi terhadap kaum perempuan di mana pun",
        )
    with translation.override("en"):
        assert target.name == target.name_en
    with translation.override("en"):
        assert goal.name == "Goal 5. Achieve gender equality and empower all women and girls"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    for relative in CODELIST_FILES.values():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(settings.KEMBAR_DATA_DIR / relative, tmp_path / relative)
    return tmp_path


def test_a_broken_xml_file_is_named_with_its_line(data_copy: Path) -> None:
    path = data_copy / CODELIST_FILES["sdg_targets"]
    path.write_text(path.read_text(encoding="utf-8").replace("</code>", "</cod>", 1), "utf-8")

    with pytest.raises(ReferenceDataError) as caught:
        codelists_read(data_copy)

    assert caught.value.path.name == "UNSDG-Targets.xml"
    assert caught.value.line == 16
    assert caught.value.problem.startswith("not valid XML: mismatched tag")


def test_a_bad_sector_row_is_named_with_its_line(data_copy: Path) -> None:
    path = data_copy / CODELIST_FILES["sectors"]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace("3,C,", "3,CC,", 1)
    path.write_text("".join(lines), encoding="utf-8")

    with pytest.raises(ReferenceDataError, match=r"sectors_17\.csv, line 4: columns io_code"):
        codelists_read(data_copy)
