from __future__ import annotations

import csv
import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kembar
from kembar.analytics.exceptions import InvalidInput
from kembar.analytics.health import (
    KINDS,
    Event,
    EventFileError,
    RhythmParameters,
    health,
    health_arrays,
    monthly,
    parse_date,
    read_events,
)

SEMARANG = Path(kembar.__file__).parent / "data" / "semarang" / "semarang_partnership_events.csv"
# Dated facts in Semarang's file, mapped to event kinds.  ``became_dormant`` is a
# judgement, not a fact, and is never read; ``agreement_lapsed`` is the MoU's end
# date; a revival (a seminar series), an exploration visit and a programme start
# are activities.
SEMARANG_KINDS = {
    "letter_of_intent": "letter_of_intent",
    "agreement_signed": "agreement_signed",
    "agreement_lapsed": "agreement_expires",
    "activity": "activity",
    "revived": "activity",
    "exploration": "activity",
    "programme_started": "activity",
}

RECORD = [
    Event("agreement_signed", date(2020, 1, 1)),
    Event("visit", date(2020, 6, 1), "outbound"),
    Event("visit", date(2021, 1, 1), "inbound"),
    Event("contribution", date(2021, 1, 1), "inbound"),
]


def semarang() -> dict[str, list[Event]]:
    records: dict[str, list[Event]] = {}
    with SEMARANG.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            kind = SEMARANG_KINDS.get(row["event"])
            if kind is None:
                continue
            assert len(row["date"]) == {"year": 4, "month": 7, "day": 10}[row["date_precision"]]
            records.setdefault(row["partnership_id"], []).append(
                Event(kind, parse_date(row["date"]))
            )
    return records


def test_parse_date_counts_from_the_end_of_the_period() -> None:
    assert parse_date("2005") == date(2005, 12, 31)
    assert parse_date("2023-02") == date(2023, 2, 28)
    assert parse_date("2024-02") == date(2024, 2, 29)
    assert parse_date("2018-10-24") == date(2018, 10, 24)
    for bad in ("", "05", "2005-1", "2005-00", "2005-02-30", "2005/01/01", "abcd"):
        with pytest.raises(InvalidInput):
            parse_date(bad)


def test_hand_computed_record() -> None:
    # As of 2021-03-01: engagement days 2020-01-01, 2020-06-01, 2021-01-01 → gaps 152, 214,
    # median 183, mean 183 / ln 2; ĝ = exp((2 ln(183 / ln 2) + 3 ln 180) / 5); silence 59 days.
    h = health(RECORD, date(2021, 3, 1))
    assert h is not None
    expected_gap = math.exp((2 * math.log(183 / math.log(2)) + 3 * math.log(180)) / 5)
    assert round(expected_gap, 1) == 209.8
    assert h.params == {
        "last_activity": "2021-01-01",
        "silence_days": 59,
        "expected_gap_days": 209.8,
        "gaps": 2,
        "at_risk_after_days": math.ceil(3 * expected_gap),
        "dormant_after_days": math.ceil(5.3 * expected_gap),
    }
    assert h.explanation == (
        "Last activity 59 days ago; at risk after 630 days without activity, from its usual "
        "gap of 209.8 days."
    )
    assert (h.state, h.warning_since, h.reason) == ("active", None, "recent_activity")
    recency = 2 ** (-59 / 365)
    intensity = 1 - math.exp(-3 / 4)  # the two visits and the contribution after 2020-03-01
    mutuality = 1 - math.exp(-1 / 3)  # min(local 1, partner 2)
    weights = [0.35 / 0.9, 0.25 / 0.9, 0.15 / 0.9, 0.15 / 0.9]
    values = [recency, intensity, mutuality, 1.0]
    assert h.score == round(100 * sum(w * v for w, v in zip(weights, values, strict=True)), 1)
    assert h.score == 70.8
    assert list(h.components) == ["recency", "intensity", "mutuality", "agreement"]
    assert h.components["recency"]["value"] == round(recency, 4)
    assert h.components["agreement"] == {"value": 1.0, "weight": 0.1667, "points": 16.67}
    assert h.reciprocity == round(-1 / 3, 4)
    assert h.reciprocity_parts == {
        "travel": {"local": 1, "partner": 1, "index": 0.0},
        "contribution": {"local": 0, "partner": 1, "index": -1.0},
        "hosting": {"local": 0, "partner": 0, "index": None},
    }
    at_risk = date(2021, 1, 1) + timedelta(days=math.ceil(3 * expected_gap))
    assert health(RECORD, at_risk - timedelta(days=1)).state == "active"  # type: ignore[union-attr]
    later = health(RECORD, at_risk + timedelta(days=1))
    assert later is not None
    assert (later.state, later.warning_since) == ("at_risk", at_risk)
    assert later.explanation == (
        f"No activity since 2021-01-01 ({(at_risk - date(2021, 1, 1)).days + 1} days), longer "
        "than the 630 days that its usual gap of 209.8 days allows."
    )


def test_before_the_first_event_there_is_nothing() -> None:
    assert health(RECORD, date(2019, 12, 31)) is None


def test_breadth_is_a_component_when_given() -> None:
    h = health(RECORD, date(2021, 3, 1), breadth={"sectors": (3, 17), "kecamatan": (8, 16)})
    assert h is not None
    breadth = (3 / 17 + 8 / 16) / 2
    assert h.components["breadth"] == {
        "value": round(breadth, 4),
        "weight": 0.1,
        "points": round(10 * breadth, 2),
    }
    assert h.components["recency"]["weight"] == 0.35
    with pytest.raises(InvalidInput):
        health(RECORD, date(2021, 3, 1), breadth={"sectors": (18, 17)})


def test_ended_after_an_expiry_without_renewal() -> None:
    record = [
        Event("agreement_signed", date(2010, 1, 1)),
        Event("activity", date(2010, 3, 1)),
        Event("agreement_expires", date(2012, 12, 31)),
    ]
    h = health(record, date(2013, 1, 1))
    assert h is not None
    # One gap of 59 days: ĝ = exp((ln(59 / ln 2) + 3 ln 180) / 4); silent since 2010-03-01,
    # at risk ⌈3ĝ⌉ days later, before the expiry.
    expected_gap = math.exp((math.log(59 / math.log(2)) + 3 * math.log(180)) / 4)
    at_risk = date(2010, 3, 1) + timedelta(days=math.ceil(3 * expected_gap))
    assert at_risk == date(2011, 5, 23)
    assert (h.state, h.warning_since, h.reason) == ("ended", at_risk, "agreement_expired")
    assert h.explanation == (
        "The agreement expired on 2012-12-31 without renewal and nothing has happened since."
    )
    assert h.components["agreement"]["value"] == 0.0
    renewed = [*record, Event("agreement_signed", date(2012, 11, 1))]
    assert health(renewed, date(2013, 1, 1)).state == "active"  # type: ignore[union-attr]
    revived = [*record, Event("activity", date(2013, 1, 1))]
    assert health(revived, date(2013, 1, 1)).state == "active"  # type: ignore[union-attr]


def test_own_pace_warns_a_busy_partnership_sooner() -> None:
    monthly_record = [Event("activity", date(2020, m, 1)) for m in range(1, 13)]
    yearly_record = [Event("activity", date(y, 12, 1)) for y in range(2012, 2021)]
    as_of = date(2021, 12, 1)
    assert health(monthly_record, as_of).state == "dormant"  # type: ignore[union-attr]
    assert health(yearly_record, as_of).state == "active"  # type: ignore[union-attr]


def test_monthly_series() -> None:
    series = monthly(RECORD, [date(2019, 12, 31), date(2021, 3, 31), date(2024, 6, 30)])
    assert [h.state if h else None for _, h in series] == [None, "active", "dormant"]


def test_semarang_backtest() -> None:
    records = semarang()
    brisbane = health(records["smg-brisbane"], date(1999, 1, 1))
    beihai = health(records["smg-beihai"], date(2010, 12, 31))
    nanjing = health(records["smg-nanjing"], date(2025, 12, 31))
    assert brisbane is not None and beihai is not None and nanjing is not None
    assert brisbane.state in {"at_risk", "dormant"}
    assert beihai.state in {"at_risk", "dormant"}
    assert nanjing.state == "active"
    # Exact: each has only its signing, so the prior gap of 180 days rules: at risk after
    # 540 days of silence, dormant after 954.
    assert (brisbane.state, brisbane.warning_since) == ("dormant", date(1994, 7, 5))
    assert (beihai.state, beihai.warning_since) == ("at_risk", date(2010, 6, 24))
    assert nanjing.params["expected_gap_days"] == 365.0  # the ceiling
    # Brisbane's MoU lapsed at the end of 2005 with nothing after it until 2023.
    assert health(records["smg-brisbane"], date(2010, 12, 31)).state == "ended"  # type: ignore[union-attr]


def test_read_events_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "partnership_id,date,kind,direction\r\nA,2020,visit,inbound\r\nB,2020-02,activity,\r\n",
        encoding="utf-8",
    )
    events = read_events(path)
    assert events.ids == ["A", "B"]
    assert events.day.tolist() == [date(2020, 12, 31).toordinal(), date(2020, 2, 29).toordinal()]
    assert events.kind.tolist() == [KINDS.index("visit"), KINDS.index("activity")]
    assert events.direction.tolist() == [1, 0]
    cases = [
        ("id,date,kind,direction\n", (1, "header", "header")),
        ("partnership_id,date,kind,direction\nA,2020,visit\n", (2, "-", "columns")),
        (
            'partnership_id,date,kind,direction\n"A",2020,visit,\n,2020,visit,\n',
            (3, "partnership_id", "empty_id"),
        ),
        (
            "partnership_id,date,kind,direction\nA,2020,visit,\nA,2020-13,visit,\n",
            (3, "date", "date"),
        ),
        ("partnership_id,date,kind,direction\nA,2020,meeting,\n", (2, "kind", "kind")),
        ("partnership_id,date,kind,direction\nA,2020,visit,up\n", (2, "direction", "direction")),
    ]
    for text, (line, column, problem) in cases:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(EventFileError) as info:
            read_events(path)
        assert (info.value.line, info.value.column, info.value.problem) == (line, column, problem)


def test_arrays_match_one_by_one() -> None:
    rng = np.random.default_rng(7)
    records = {
        f"p{i}": [
            Event(
                KINDS[int(rng.integers(0, 7))],
                date(2015, 1, 1) + timedelta(days=int(rng.integers(0, 3000))),
                [None, "inbound", "outbound"][int(rng.integers(0, 3))],
            )
            for _ in range(int(rng.integers(1, 30)))
        ]
        for i in range(40)
    }
    from kembar.analytics.health import EventArrays, describe

    ids = list(records)
    rows = [(i, e) for i, pid in enumerate(ids) for e in records[pid]]
    arrays = EventArrays(
        ids,
        np.array([i for i, _ in rows]),
        np.array([e.day.toordinal() for _, e in rows]),
        np.array([KINDS.index(e.kind) for _, e in rows]),
        np.array([[None, "inbound", "outbound"].index(e.direction) for _, e in rows]),
    )
    as_of = date(2021, 6, 30)
    result = health_arrays(arrays, as_of)
    for i, pid in enumerate(ids):
        one = health(records[pid], as_of)
        if one is None:
            assert not result["present"][i]
        else:
            assert describe(result, i, as_of) == one


# Property tests.
DAY0 = date(2000, 1, 1).toordinal()
directions = st.sampled_from([None, "inbound", "outbound"])
events_strategy = st.lists(
    st.builds(
        Event,
        st.sampled_from(KINDS),
        st.integers(0, 4000).map(lambda d: date.fromordinal(DAY0 + d)),
        directions,
    ),
    min_size=1,
    max_size=25,
)
AS_OF = date.fromordinal(DAY0 + 4000)


@settings(max_examples=200, deadline=None)
@given(
    events_strategy,
    st.sampled_from([k for k in KINDS if k != "agreement_expires"]),
    st.integers(0, 4000),
    directions,
)
def test_more_activity_never_lowers_the_score(
    record: list[Event], kind: str, offset: int, direction: str | None
) -> None:
    before = health(record, AS_OF)
    after = health([*record, Event(kind, date.fromordinal(DAY0 + offset), direction)], AS_OF)
    assert after is not None
    assert after.score >= (before.score if before else 0.0)


@settings(max_examples=200, deadline=None)
@given(events_strategy, st.integers(0, 3000))
def test_time_without_activity_never_raises_the_score(record: list[Event], wait: int) -> None:
    before = health(record, AS_OF)
    later = health(record, AS_OF + timedelta(days=wait))
    assert before is not None and later is not None
    assert later.score <= before.score


@settings(max_examples=200, deadline=None)
@given(events_strategy)
def test_mirror_image_gives_opposite_reciprocity(record: list[Event]) -> None:
    swap = {None: None, "inbound": "outbound", "outbound": "inbound"}
    mirror = [e._replace(direction=swap[e.direction]) for e in record]
    h, m = health(record, AS_OF), health(mirror, AS_OF)
    assert h is not None and m is not None
    if h.reciprocity is None:
        assert m.reciprocity is None
    else:
        assert m.reciprocity == -h.reciprocity
        assert -1 <= h.reciprocity <= 1
    for part, values in h.reciprocity_parts.items():
        mirrored = m.reciprocity_parts[part]
        assert (mirrored["local"], mirrored["partner"]) == (values["partner"], values["local"])


def test_parameters_change_the_prior() -> None:
    record = [Event("activity", date(2020, 1, 1))]
    slow = RhythmParameters(prior_gap=365)
    assert health(record, date(2021, 8, 1)).state == "at_risk"  # type: ignore[union-attr]
    assert health(record, date(2021, 8, 1), parameters=slow).state == "active"  # type: ignore[union-attr]
