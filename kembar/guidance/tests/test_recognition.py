"""The annual recognition on a small record worked out by hand, and its public pages.

Kota Semarang (population 1,000,000; one kecamatan, 33.74.01; one agency;
one sector), year 2024, as of 2024-12-31.  Every activity is completed, in
the education sector, by Dinas Pendidikan; no partnership has an agreement
on record.

- **Alpha**: ``A-1`` 2024-06-03 to 06-05, an inbound exchange held in
  Semarang Tengah, 30 local participants (community, kecamatan 33.74.01);
  one indicator, target 40, actual 30 (.75); a reviewed lesson from ``A-1``
  and a policy adopted 2024-10-01 and made public.  Also a *demonstration*
  activity with 500 participants, held in the partner city: never counted.
- **Beta**: ``B-1`` 2024-03-04 to 03-08, a training held in Semarang
  Tengah, 3 local participants (fewer than five: no reach); two indicators,
  lower is better target 10 actual 20 (.5) and target 10 actual 12 (1), mean
  .75; a reviewed lesson from ``B-1``.
- **Gamma**: ``C-1`` 2024-11-04 to 11-05, a training with no place recorded,
  50 local participants (community, 33.74.01).
- **Delta** (internal): 1,000 participants: not on the public pages, not in
  the normalisation.

Reach per 10,000 residents: Alpha 10,000 × 30 / 1,000,000 = .3, Beta 0,
Gamma .5; values .3 / .5 = .6, 0, 1.

Reciprocity (health module): Alpha hosts (local hosting 1) an inbound visit
(partner travel 1): r = 0, value 1.  Beta hosts only: r = 1, value 0.
Gamma has no direction: r undefined, value 0.

Health score as of 2024-12-31 (no agreement: weight .15 × 0; breadth is the
mean of sectors 1/1, agencies 1/1, kecamatan and groups 1/7):

- Alpha: engagement days 06-03 (activity, visit) and 06-05 (result);
  silence 209 days; recency 2^(−209/365) = .67240, intensity (three events
  in the last year) 1 − e^(−3/4) = .52763, mutuality (one each way)
  1 − e^(−1/3) = .28347, breadth (1 + 1 + 1 + 1/7) / 4 = .78571:
  100 × (.35 × .67240 + .25 × .52763 + .15 × .28347 + .10 × .78571) = 48.83 → 48.8.
- Beta: days 03-04 (activity), 03-08 (result); silence 298; recency
  2^(−298/365) = .56784, intensity 1 − e^(−2/4) = .39347, mutuality 0,
  breadth (1 + 1 + 1 + 1/7) / 4 = .78571 (three people are a group reached):
  100 × (.35 × .56784 + .25 × .39347 + .10 × .78571) = 37.57 → 37.6.
- Gamma: day 11-04 (activity); silence 57; recency 2^(−57/365) = .89741,
  intensity 1 − e^(−1/4) = .22120, breadth (1 + 1 + 0 + 1/7) / 4 = .53571:
  100 × (.35 × .89741 + .25 × .22120 + .10 × .53571) = 42.30 → 42.3.

Results: Alpha .75, Beta .75, Gamma 0 (no indicator).
Learning: Alpha 1 lesson + 2 × 1 policy = 3, Beta 1, Gamma 0; values 1, 1/3, 0.

Totals (.25 reach, .20 reciprocity, .15 health, .20 results, .20 learning):

- Alpha: .25 × .6 + .20 × 1 + .15 × .488 + .20 × .75 + .20 × 1 = .7732
- Gamma: .25 × 1 + 0 + .15 × .423 + 0 + 0 = .31345 → .3135 (the total is rounded to four
  decimals)
- Beta: 0 + 0 + .15 × .376 + .20 × .75 + .20 × .3333 = .27306 → .2731
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kembar.accounts.tests.factories import StandardOrganisations, standard_organisations
from kembar.geo.models import Region
from kembar.guidance.recognition import CRITERIA, recognition
from kembar.knowledge.models import Lesson, LessonStatus, Policy
from kembar.partnerships.models import Partnership
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.models import (
    Activity,
    Indicator,
    IndicatorPeriod,
    ParticipantCount,
    Result,
)
from kembar.programs.rollup import rollup_rebuild
from kembar.programs.tests.factories import (
    ActivityFactory,
    GovernmentAffairFactory,
    SectorFactory,
    semarang_kecamatan,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)
YEAR = 2024


def _people(activity: Activity, count: int, *, place: Region | None) -> None:
    ParticipantCount.objects.create(
        activity=activity,
        side="local",
        group="community",
        gender="female",
        age_band="25-44",
        home_region=place,
        count=count,
    )


def _indicator(
    activity: Activity, title: str, target: int, actual: int, *, higher: bool = True
) -> None:
    result, _created = Result.objects.get_or_create(
        activity=activity, level="output", defaults={"title": "Hasil"}
    )
    indicator = Indicator.objects.create(
        result=result, title=title, unit="sekolah", higher_is_better=higher
    )
    IndicatorPeriod.objects.create(
        indicator=indicator,
        period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR, 12, 31),
        target=Decimal(target),
        actual=Decimal(actual),
    )


def _lesson(activity: Activity) -> None:
    Lesson.objects.create(
        region_id="33.74",
        agency=activity.agency,
        title_id=f"Pelajaran {activity.reference}",
        sector=activity.sector,
        government_affair=activity.government_affair,
        partnership=activity.partnership,
        source_activity=activity,
        status=LessonStatus.REVIEWED,
    )


def record(orgs: StandardOrganisations | None = None) -> dict[str, Partnership]:
    orgs = orgs or standard_organisations()
    Region.objects.filter(kode="33.74").update(population=1_000_000)
    semarang_kecamatan()
    tengah = Region.objects.get(kode="33.74.01")
    sector, urusan = SectorFactory.create(), GovernmentAffairFactory.create()
    common: dict[str, Any] = {
        "sector": sector,
        "government_affair": urusan,
        "agency": orgs.dinas_pendidikan,
        "status": "completed",
    }
    alpha, beta, gamma = (
        PartnershipFactory.create(slug=f"smg-{name.lower()}", partner_name=name)
        for name in ("Alpha", "Beta", "Gamma")
    )
    delta = PartnershipFactory.create(slug="smg-delta", partner_name="Delta", is_public=False)

    a1 = ActivityFactory.create(
        reference="A-1",
        partnership=alpha,
        kind="exchange_inbound",
        place_region=tengah,
        start_date=dt.date(YEAR, 6, 3),
        end_date=dt.date(YEAR, 6, 5),
        participants_local=30,
        **common,
    )
    _people(a1, 30, place=tengah)
    _indicator(a1, "Sekolah mitra", 40, 30)
    _lesson(a1)
    Policy.objects.create(
        region_id="33.74",
        title_id="Perwal Sekolah Mitra",
        instrument="perwal",
        adopted_on=dt.date(YEAR, 10, 1),
        agency=orgs.dinas_pendidikan,
        partnership=alpha,
        is_public=True,
        reviewed_at=timezone.now(),
    )
    demo = ActivityFactory.create(
        reference="A-DEMO",
        partnership=alpha,
        in_partner_city=True,
        start_date=dt.date(YEAR, 12, 1),
        end_date=dt.date(YEAR, 12, 2),
        participants_local=500,
        **common,
    )
    Activity.objects.filter(pk=demo.pk).update(is_demo=True)
    _people(demo, 500, place=tengah)
    _lesson(demo)

    b1 = ActivityFactory.create(
        reference="B-1",
        partnership=beta,
        kind="training",
        place_region=tengah,
        start_date=dt.date(YEAR, 3, 4),
        end_date=dt.date(YEAR, 3, 8),
        participants_local=3,
        **common,
    )
    _people(b1, 3, place=tengah)
    _indicator(b1, "Waktu layanan", 10, 20, higher=False)
    _indicator(b1, "Guru terlatih", 10, 12)
    _lesson(b1)

    c1 = ActivityFactory.create(
        reference="C-1",
        partnership=gamma,
        kind="training",
        start_date=dt.date(YEAR, 11, 4),
        end_date=dt.date(YEAR, 11, 5),
        participants_local=50,
        **common,
    )
    _people(c1, 50, place=tengah)

    d1 = ActivityFactory.create(
        reference="D-1",
        partnership=delta,
        start_date=dt.date(YEAR, 5, 6),
        end_date=dt.date(YEAR, 5, 7),
        participants_local=1000,
        **common,
    )
    _people(d1, 1000, place=tengah)
    rollup_rebuild()
    return {"alpha": alpha, "beta": beta, "gamma": gamma, "delta": delta}


def _public() -> Any:
    return Partnership.objects.filter(is_public=True)


def test_exact_ranking_and_criterion_values() -> None:
    record()
    result = recognition(year=YEAR, partnerships=_public(), today=TODAY)
    assert result.as_of == dt.date(YEAR, 12, 31)
    table = [
        (
            row.rank,
            row.slug,
            {item.key: (item.raw, item.value) for item in row.criteria},
            row.total,
            row.recognised,
        )
        for row in result.rows
    ]
    assert table == [
        (
            1,
            "smg-alpha",
            {
                "reach": (0.3, 0.6),
                "reciprocity": (0.0, 1.0),
                "health": (48.8, 0.488),
                "results": (0.75, 0.75),
                "learning": (3.0, 1.0),
            },
            0.7732,
            True,
        ),
        (
            2,
            "smg-gamma",
            {
                "reach": (0.5, 1.0),
                "reciprocity": (None, 0.0),
                "health": (42.3, 0.423),
                "results": (None, 0.0),
                "learning": (0.0, 0.0),
            },
            0.3135,
            True,
        ),
        (
            3,
            "smg-beta",
            {
                "reach": (0.0, 0.0),
                "reciprocity": (1.0, 0.0),
                "health": (37.6, 0.376),
                "results": (0.75, 0.75),
                "learning": (1.0, 0.3333),
            },
            0.2731,
            True,
        ),
    ]
    alpha = result.rows[0]
    assert alpha.value("reach").detail == {"activities": 1, "population": 1_000_000}
    assert alpha.value("learning").detail == {"lessons": 1, "policies": 1}
    assert result.rows[2].value("results").detail == {"periods": 2}
    assert [row.tie_break for row in result.rows] == ["", "", ""]


def test_the_internal_partnership_is_ranked_only_when_asked_for() -> None:
    record()
    public = recognition(year=YEAR, partnerships=_public(), today=TODAY)
    assert "smg-delta" not in [row.slug for row in public.rows]
    every = recognition(year=YEAR, partnerships=Partnership.objects.all(), today=TODAY)
    reach = {row.slug: (row.value("reach").raw, row.value("reach").value) for row in every.rows}
    # Delta's 1,000 participants are now the best reach, so Gamma's is no longer 1.
    assert reach == {
        "smg-delta": (10.0, 1.0),
        "smg-gamma": (0.5, 0.05),
        "smg-alpha": (0.3, 0.03),
        "smg-beta": (0.0, 0.0),
    }


def test_equal_totals_are_ordered_by_reach_then_by_name() -> None:
    orgs = standard_organisations()
    Region.objects.filter(kode="33.74").update(population=1_000_000)
    common: dict[str, Any] = {
        "sector": SectorFactory.create(),
        "government_affair": GovernmentAffairFactory.create(),
        "agency": orgs.dinas_pendidikan,
        "start_date": dt.date(YEAR, 5, 6),
        "end_date": dt.date(YEAR, 5, 6),
    }
    for name in ("Zeta", "Eta"):
        partnership = PartnershipFactory.create(slug=f"smg-{name.lower()}", partner_name=name)
        ActivityFactory.create(reference=f"{name}-1", partnership=partnership, **common)
    result = recognition(year=YEAR, partnerships=_public(), today=TODAY)
    assert [(row.slug, row.tie_break) for row in result.rows] == [
        ("smg-eta", ""),
        ("smg-zeta", "name"),
    ]
    assert result.rows[0].total == result.rows[1].total


def test_the_criteria_page_publishes_the_weights_and_formula() -> None:
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get("/guidance/recognition/").content.decode()
    assert sum(criterion.weight for criterion in CRITERIA) == pytest.approx(1.0)
    for criterion in CRITERIA:
        assert f'<tr id="criterion-{criterion.key}">' in html
        assert f'data-weight="{criterion.weight}"' in html
    for weight in ("0,25", "0,20", "0,15"):
        assert weight in html
    assert 'id="recognition-formula"' in html


def test_the_year_page_shows_each_value_and_no_count_of_people() -> None:
    record()
    response = Client().get(f"/guidance/recognition/{YEAR}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index('id="rank-smg-alpha"') < html.index('id="rank-smg-gamma"')
    assert html.index('id="rank-smg-gamma"') < html.index('id="rank-smg-beta"')
    assert "smg-delta" not in html and "Delta" not in html
    assert 'data-criterion="reach" data-value="0.6"' in html
    assert 'data-total="0.7732"' in html
    # Beta's 3 participants, Alpha's 30 and the demonstration's 500 are never printed.
    text = re.sub(r"<[^>]+>", " ", html)
    assert re.findall(r"(?<![\d.,])(?:30|500)(?![\d.,])", text) == []
    assert re.findall(r"\d+\s+(?:participants?|people|persons?|peserta|orang)\b", text) == []
    assert Client().get("/guidance/recognition/1900/").status_code == 404
    assert (
        Client().get(f"/guidance/recognition/{timezone.localdate().year + 1}/").status_code == 404
    )


def test_the_command_prints_the_ranking(capsys: pytest.CaptureFixture[str]) -> None:
    record()
    call_command("recognition", "--year", str(YEAR), "--format", "json")
    answer = json.loads(capsys.readouterr().out)
    assert [row["slug"] for row in answer["partnerships"]] == [
        "smg-alpha",
        "smg-gamma",
        "smg-beta",
    ]
    assert answer["partnerships"][0]["criteria"]["reach"] == {
        "raw": 0.3,
        "value": 0.6,
        "weighted": 0.15,
        "activities": 1,
        "population": 1_000_000,
    }
    assert [c["weight"] for c in answer["criteria"]] == [0.25, 0.2, 0.15, 0.2, 0.2]
    call_command("recognition", "--year", str(YEAR))
    text = capsys.readouterr().out.splitlines()
    assert text[2].split("\t") == [
        "1",
        "smg-alpha",
        "0.6000",
        "1.0000",
        "0.4880",
        "0.7500",
        "1.0000",
        "0.7732",
        "yes",
        "",
    ]
