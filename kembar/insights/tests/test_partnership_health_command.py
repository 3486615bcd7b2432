from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

HEADER = "partnership_id,date,kind,direction\n"
# A: signed, visited both ways; B: one activity known only by its month; C: only after the cut.
EVENTS = HEADER + (
    "A,2020-01-01,agreement_signed,\n"
    "A,2020-06-01,visit,outbound\n"
    "A,2021-01-01,visit,inbound\n"
    "A,2021-01-01,contribution,inbound\n"
    "B,2021-02,activity,\n"
    "C,2021-03-02,activity,\n"
    "A,2021-03-02,visit,outbound\n"
)


def run(path: Path, as_of: str) -> dict[str, Any]:
    out = io.StringIO()
    with translation.override("en"):
        call_command(
            "partnership_health",
            "--events",
            str(path),
            "--as-of",
            as_of,
            "--format",
            "json",
            stdout=out,
        )
    return json.loads(out.getvalue())


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_exact_output_and_the_as_of_cut(tmp_path: Path) -> None:
    payload = run(write(tmp_path, EVENTS), "2021-03-01")
    assert payload["as_of"] == "2021-03-01"
    # C and A's visit of 2021-03-02 are after the as-of date: ignored.
    assert [p["id"] for p in payload["partnerships"]] == ["A", "B"]
    a, b = payload["partnerships"]
    assert list(a) == [
        "id",
        "state",
        "warning_since",
        "score",
        "reciprocity",
        "components",
        "explanation",
    ]
    assert a["state"] == "active"
    assert a["warning_since"] is None
    assert a["score"] == 70.8
    assert a["reciprocity"] == -0.3333
    assert a["components"] == {
        "recency": {"value": round(2 ** (-59 / 365), 4), "weight": 0.3889, "points": 34.77},
        "intensity": {"value": round(1 - math.exp(-0.75), 4), "weight": 0.2778, "points": 14.66},
        "mutuality": {"value": round(1 - math.exp(-1 / 3), 4), "weight": 0.1667, "points": 4.72},
        "agreement": {"value": 1.0, "weight": 0.1667, "points": 16.67},
    }
    assert a["explanation"] == {
        "reason": "recent_activity",
        "params": {
            "last_activity": "2021-01-01",
            "silence_days": 59,
            "expected_gap_days": 209.8,
            "gaps": 2,
            "at_risk_after_days": 630,
            "dormant_after_days": 1112,
        },
        "text": (
            "Last activity 59 days ago; at risk after 630 days without activity, from its usual "
            "gap of 209.8 days."
        ),
    }
    # B's "2021-02" counts from 28 February 2021: one day of silence, no agreement.
    assert b["explanation"]["params"]["last_activity"] == "2021-02-28"
    assert b["explanation"]["params"]["silence_days"] == 1
    assert b["reciprocity"] is None
    assert b["score"] == round(
        100 * (0.35 * 2 ** (-1 / 365) + 0.25 * (1 - math.exp(-0.25))) / 0.9, 1
    )


def test_year_precision_counts_from_the_end_of_the_year(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "X,2008,agreement_signed,\n")
    assert run(path, "2008-12-30")["partnerships"] == []
    (x,) = run(path, "2010-12-31")["partnerships"]
    # Prior gap 180 days: at risk 540 days after 2008-12-31, dormant after 954.
    assert (x["state"], x["warning_since"]) == ("at_risk", "2010-06-24")
    assert x["explanation"]["params"]["silence_days"] == 730


def test_ended_and_later_history(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + "Q,1993-01-11,agreement_signed,\nQ,2005,agreement_expires,\nQ,2023,activity,\n",
    )
    (q,) = run(path, "2010-12-31")["partnerships"]
    assert (q["state"], q["warning_since"]) == ("ended", "1994-07-05")
    assert q["explanation"]["reason"] == "agreement_expired"
    (q,) = run(path, "2024-01-31")["partnerships"]
    assert q["state"] == "active"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "id,date\n",
            "line 1, column header: the header must be partnership_id,date,kind,direction",
        ),
        (HEADER + "A,2020,visit\n", "line 2, column -: the row must have 4 columns"),
        (HEADER + "A,2020,visit,\nA,2020-13-01,visit,\n", "line 3, column date: not a date"),
        (HEADER + "A,2020,meeting,\n", "line 2, column kind: unknown kind ('meeting')"),
        (HEADER + "A,2020,visit,sideways\n", "line 2, column direction: the direction must be"),
        (HEADER + ",2020,visit,\n", "line 2, column partnership_id: the partnership id is empty"),
    ],
)
def test_bad_rows_name_line_and_column(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CommandError) as info:
        run(path, "2021-01-01")
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_bad_as_of_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--as-of must be a date YYYY-MM-DD"):
        run(write(tmp_path, EVENTS), "2021-13-01")
    with pytest.raises(CommandError, match="cannot read"):
        run(tmp_path / "missing.csv", "2021-01-01")
