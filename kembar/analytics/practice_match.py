"""Matching what a city wants to learn with what other cities can teach.

A *practice* is a topic a city offers (it can teach it) or seeks (it wants to
learn it), described by the fields of cooperation it belongs to, its
government affair (*urusan*) and sector, its SDG targets and the ideas its
words speak of, in either language.  :func:`match_practices` pairs each
practice sought with the practices offered that share enough of these, and
says which parts they share, so that a person can check every match.

The module is free of Django: the caller reads the records and turns their
text into ideas (:func:`kembar.search.analysis.concepts`, which makes
"banjir" and "flooding" one idea).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields

from kembar.analytics.exceptions import InvalidInput

__all__ = [
    "COMPONENTS",
    "MIN_SCORE",
    "MatchWeights",
    "PracticeMatch",
    "Topic",
    "match_practices",
    "match_score",
]

#: The parts of a match, in the order they are explained on equal contributions.
COMPONENTS = ("focus_areas", "ideas", "government_affair", "sector", "sdg_targets")

#: A pair scoring below this is not a match: the same sector alone (1) or a few
#: shared words alone are too little; the same field of cooperation (3), or the
#: same urusan and sector (3), or the same urusan and some shared ideas, are enough.
MIN_SCORE = 2.5


@dataclass(frozen=True, slots=True)
class MatchWeights:
    """How much each part of a match counts; all ≥ 0 (0 switches a part off).

    Judgement, not fitted (no record of successful matches exists yet): a
    shared field of cooperation and shared ideas say most about whether one
    city can teach what the other wants to learn; the urusan says which
    office would do it; the sector and SDG targets are broad.
    """

    focus_areas: float = 3.0
    ideas: float = 3.0
    government_affair: float = 2.0
    sector: float = 1.0
    sdg_targets: float = 1.0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise InvalidInput(f"weight {item.name} must be a finite number ≥ 0, not {value!r}")


@dataclass(frozen=True, slots=True)
class Topic:
    """A practice as the matcher sees it.

    Attributes
    ----------
    key : hashable
        Names the practice (its id).
    city : hashable
        The city that offers or seeks it (None for the local city).
    focus_areas : frozenset of str
        Codes of its fields of cooperation.
    government_affair, sector : str or None
        Their codes.
    sdg_targets : frozenset of str
        Codes of its SDG targets.
    ideas : mapping of str to str
        Idea key → the word that shows it (as
        :func:`kembar.search.analysis.concepts` gives them).
    """

    key: Hashable
    city: Hashable = None
    focus_areas: frozenset[str] = frozenset()
    government_affair: str | None = None
    sector: str | None = None
    sdg_targets: frozenset[str] = frozenset()
    ideas: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PracticeMatch:
    """A practice ``offer`` that may answer ``need``, how well, and what they share.

    ``components`` are the weighted parts of ``score`` (only those above 0);
    ``shared`` lists, per part, what the two have in common: field codes,
    target codes, the urusan or sector code, and for ideas the pairs
    ``(word in the need, word in the offer)``.
    """

    need: Topic
    offer: Topic
    score: float
    components: Mapping[str, float]
    shared: Mapping[str, tuple[object, ...]]

    @property
    def strongest(self) -> tuple[str, ...]:
        """The parts, strongest first."""
        return tuple(
            sorted(
                self.components,
                key=lambda name: (-self.components[name], COMPONENTS.index(name)),
            )
        )


def match_score(need: Topic, offer: Topic, weights: MatchWeights | None = None) -> PracticeMatch:
    """How well ``offer`` answers ``need``.

    Notes
    -----
    .. math::

        s = w_f \\frac{|F_n \\cap F_o|}{|F_n|}
          + w_i \\frac{|I_n \\cap I_o|}{\\sqrt{|I_n|\\,|I_o|}}
          + w_a [a_n = a_o] + w_s [s_n = s_o]
          + w_t \\frac{|T_n \\cap T_o|}{|T_n|}

    with *F* the fields of cooperation, *I* the ideas (the cosine of the two
    sets), *a* the urusan, *s* the sector and *T* the SDG targets; a share
    whose denominator is 0 counts 0.  The fields and targets are shares of
    what the need asks for: an offer covering more is not penalised.

    Examples
    --------
    >>> need = Topic(1, None, frozenset({"green-city"}), "1.03", "F", frozenset({"11.5"}),
    ...              {"kendali": "pengendalian", "group:8": "banjir"})
    >>> offer = Topic(2, 77, frozenset({"green-city", "urban-planning"}), "1.03", "F",
    ...               frozenset(), {"group:8": "flood", "polder": "polder"})
    >>> found = match_score(need, offer)
    >>> round(found.score, 3), found.strongest
    (7.5, ('focus_areas', 'government_affair', 'ideas', 'sector'))
    >>> found.shared["ideas"]
    (('banjir', 'flood'),)
    """
    w = weights or MatchWeights()
    shared: dict[str, tuple[object, ...]] = {}
    parts: dict[str, float] = {}
    fields_shared = need.focus_areas & offer.focus_areas
    if fields_shared and w.focus_areas:
        parts["focus_areas"] = w.focus_areas * len(fields_shared) / len(need.focus_areas)
        shared["focus_areas"] = tuple(sorted(fields_shared))
    ideas_shared = sorted(set(need.ideas) & set(offer.ideas))
    if ideas_shared and w.ideas:
        cosine = len(ideas_shared) / math.sqrt(len(need.ideas) * len(offer.ideas))
        parts["ideas"] = w.ideas * cosine
        shared["ideas"] = tuple((need.ideas[key], offer.ideas[key]) for key in ideas_shared)
    affair = need.government_affair
    if affair is not None and affair == offer.government_affair and w.government_affair:
        parts["government_affair"] = w.government_affair
        shared["government_affair"] = (affair,)
    if need.sector is not None and need.sector == offer.sector and w.sector:
        parts["sector"] = w.sector
        shared["sector"] = (need.sector,)
    targets_shared = need.sdg_targets & offer.sdg_targets
    if targets_shared and w.sdg_targets:
        parts["sdg_targets"] = w.sdg_targets * len(targets_shared) / len(need.sdg_targets)
        shared["sdg_targets"] = tuple(sorted(targets_shared))
    ordered = {name: parts[name] for name in COMPONENTS if name in parts}
    return PracticeMatch(need, offer, sum(ordered.values()), ordered, shared)


def match_practices(
    needs: Sequence[Topic],
    offers: Iterable[Topic],
    *,
    weights: MatchWeights | None = None,
    min_score: float = MIN_SCORE,
    per_need: int | None = None,
) -> dict[Hashable, list[PracticeMatch]]:
    """The offers that answer each need, best first.

    Every need gets a list (empty when nothing matches), in the order of
    ``needs``.  An offer by the city that seeks the need is never its match.
    Ties are broken by the offer's key, so the answer is the same every time.

    Raises
    ------
    InvalidInput
        If ``min_score`` is negative or not finite, or ``per_need`` below 1.

    Examples
    --------
    >>> needs = [Topic("n1", None, frozenset({"health"}))]
    >>> offers = [Topic("o1", 5, frozenset({"health"})), Topic("o2", 6, frozenset({"sport"}))]
    >>> [m.offer.key for m in match_practices(needs, offers)["n1"]]
    ['o1']
    """
    if not (math.isfinite(min_score) and min_score >= 0):
        raise InvalidInput(f"min_score must be a finite number ≥ 0, not {min_score!r}")
    if per_need is not None and per_need < 1:
        raise InvalidInput(f"per_need must be at least 1, not {per_need!r}")
    offered = list(offers)
    result: dict[Hashable, list[PracticeMatch]] = {}
    for need in needs:
        found = [
            match
            for offer in offered
            if offer.city != need.city
            for match in (match_score(need, offer, weights),)
            if match.score >= min_score and match.score > 0
        ]
        found.sort(key=lambda match: (-match.score, repr(match.offer.key)))
        result[need.key] = found[:per_need] if per_need is not None else found
    return result
