"""Matching practices sought with practices offered: exact scores, order and refusals."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kembar.analytics.exceptions import InvalidInput
from kembar.analytics.practice_match import (
    MIN_SCORE,
    MatchWeights,
    Topic,
    match_practices,
    match_score,
)

FLOOD_NEED = Topic(
    key="need",
    city=None,
    focus_areas=frozenset({"flood-control", "green-city"}),
    government_affair="1.03",
    sector="6",
    sdg_targets=frozenset({"11.5", "13.1"}),
    ideas={"kendali": "pengendalian", "group:8": "banjir"},
)


def test_every_part_of_a_match_with_what_is_shared() -> None:
    offer = Topic(
        key="polders",
        city=7,
        focus_areas=frozenset({"flood-control"}),
        government_affair="1.03",
        sector="6",
        sdg_targets=frozenset({"11.5"}),
        ideas={"group:8": "flood", "polder": "polders", "control": "control"},
    )

    found = match_score(FLOOD_NEED, offer)

    # 3 * 1/2 fields + 3 * 1/sqrt(2 * 3) ideas + 2 urusan + 1 sector + 1 * 1/2 targets
    assert found.components == pytest.approx(
        {
            "focus_areas": 1.5,
            "ideas": 3 / math.sqrt(6),
            "government_affair": 2.0,
            "sector": 1.0,
            "sdg_targets": 0.5,
        }
    )
    assert found.score == pytest.approx(5.0 + 3 / math.sqrt(6))
    assert found.strongest == ("government_affair", "focus_areas", "ideas", "sector", "sdg_targets")
    assert found.shared == {
        "focus_areas": ("flood-control",),
        "ideas": (("banjir", "flood"),),
        "government_affair": ("1.03",),
        "sector": ("6",),
        "sdg_targets": ("11.5",),
    }


def test_nothing_shared_scores_zero_and_no_part() -> None:
    found = match_score(FLOOD_NEED, Topic("festival", 3, frozenset({"culture"}), "2.22", "18"))
    assert (found.score, dict(found.components), dict(found.shared)) == (0.0, {}, {})


def test_matches_best_first_above_the_threshold_never_the_city_itself() -> None:
    offers = [
        # The same field only: 3 * 1/2 = 1.5, under the threshold of 2.5.
        Topic("one-field", 1, frozenset({"green-city"})),
        # Urusan and sector: 3.
        Topic("same-office", 2, government_affair="1.03", sector="6"),
        # Both fields and the urusan: 3 + 2 = 5.
        Topic("fields-and-office", 3, frozenset({"flood-control", "green-city"}), "1.03"),
        # As good, but our own city's offer: never a match for our need.
        Topic("our-own", None, frozenset({"flood-control", "green-city"}), "1.03"),
        # Ties with same-office; the key breaks the tie.
        Topic("also-same-office", 4, government_affair="1.03", sector="6"),
    ]

    found = match_practices([FLOOD_NEED], offers)

    assert MIN_SCORE == 2.5
    assert [(match.offer.key, match.score) for match in found["need"]] == [
        ("fields-and-office", 5.0),
        ("also-same-office", 3.0),
        ("same-office", 3.0),
    ]
    assert [m.offer.key for m in match_practices([FLOOD_NEED], offers, per_need=1)["need"]] == [
        "fields-and-office"
    ]
    loose = match_practices([FLOOD_NEED], offers, min_score=1.0)["need"]
    assert [match.offer.key for match in loose][-1] == "one-field"


def test_every_need_gets_a_list_in_order() -> None:
    needs = [Topic("a", None, frozenset({"x"})), Topic("b", None, frozenset({"y"}))]
    found = match_practices(needs, [Topic("offer", 5, frozenset({"y"}))])
    assert list(found) == ["a", "b"]
    assert (found["a"], [m.offer.key for m in found["b"]]) == ([], ["offer"])


def test_weights_switch_parts_off_and_bad_input_is_refused() -> None:
    offer = Topic("o", 1, frozenset({"flood-control"}), "1.03")
    weights = MatchWeights(focus_areas=0.0)
    assert dict(match_score(FLOOD_NEED, offer, weights).components) == {"government_affair": 2.0}
    with pytest.raises(InvalidInput, match="weight ideas must be a finite number ≥ 0"):
        MatchWeights(ideas=-1.0)
    with pytest.raises(InvalidInput, match="min_score must be a finite number ≥ 0"):
        match_practices([FLOOD_NEED], [], min_score=math.nan)
    with pytest.raises(InvalidInput, match="per_need must be at least 1"):
        match_practices([FLOOD_NEED], [], per_need=0)


_TAGS = st.frozensets(st.sampled_from(["a", "b", "c", "d"]), max_size=4)


@given(need_fields=_TAGS, offer_fields=_TAGS, extra=st.sampled_from(["a", "b", "c", "d"]))
def test_offering_one_more_field_never_lowers_the_score(
    need_fields: frozenset[str], offer_fields: frozenset[str], extra: str
) -> None:
    need = Topic("n", None, need_fields, ideas={"x": "x"})
    before = match_score(need, Topic("o", 1, offer_fields, ideas={"x": "x"}))
    after = match_score(need, Topic("o", 1, offer_fields | {extra}, ideas={"x": "x"}))
    assert after.score >= before.score
    assert 0.0 <= before.score <= sum(
        getattr(MatchWeights(), name) for name in MatchWeights.__dataclass_fields__
    )
