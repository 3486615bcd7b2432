"""Partnership health from the database: load each partnership's dated record, call analytics.

:func:`partnership_events` turns what Kembar records into the events of
:mod:`kembar.analytics.health` (directions seen from the local city):

- **Agreements** from the partnership's documents: a document of a kind with
  a validity (MoU, PKS, addendum) is ``agreement_signed`` on ``signed_on`` and
  ``agreement_expires`` on ``valid_until``; a letter of intent (``loi``) is
  ``letter_of_intent``.  The documented history (:class:`PartnershipEvent`)
  gives ``letter_of_intent``, ``agreement_signed`` and ``agreement_lapsed``
  (→ ``agreement_expires``) only where no document of that sort is recorded,
  since the starting record loads the same agreements as both; exploration,
  programme starts, activities and revivals are ``activity``.
  ``became_dormant`` is a judgement, not a fact, and is never read.  A date
  known only to the month or year counts from the end of that period.
- **Activities** that took place (status ongoing or completed; planned and
  cancelled ones are not facts yet), on their start date: held in the partner
  city → ``outbound`` (the partner hosted), held in the local region →
  ``inbound``, place unknown → no direction.
- **Visits**: ``outbound`` when local people travelled (held in the partner
  city, an outbound exchange, or a trip report filed); ``inbound`` when the
  partner's people came (an inbound exchange, or partner participants hosted
  in the local region).  One activity gives at most one visit each way.
- **Contributions** on the activity's start date: given by the local side →
  ``outbound``, by the partner → ``inbound``.
- **Results** on the activity's end date, without direction (the hosting is
  already counted by the activity).

Demonstration activities count as the reach dashboard counts them: all by
default, only them or none with ``demo``; ``includes_demo`` says whether any
was used.

**Breadth** (the score's fifth component) comes from
:mod:`kembar.insights.health_breadth`: sectors, agencies, kecamatan and
stakeholder groups the activities reached by each date, against their totals.

Public figures (``public=True``) give only ``state``, ``score`` and
``reciprocity``: the warning date, the components and the explanation are
built from internal records (planned work, trip reports, contributions) and
stay with staff.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kembar.analytics.health import Event, Health, health
from kembar.insights.health_breadth import partnership_breadth
from kembar.partnerships.models import Partnership, PartnershipDocument, PartnershipEvent
from kembar.programs.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Contribution,
    ContributionSide,
    Result,
    TripReport,
)

__all__ = [
    "BALANCED",
    "COMPONENT_LABELS",
    "EVENT_LABELS",
    "HEALTH_SORTS",
    "STATE_LABELS",
    "HealthFigures",
    "HealthHistory",
    "direction_text",
    "health_figures",
    "health_history",
    "month_ends",
    "partnership_events",
    "reciprocity_hint",
]

#: The state's words, for a traffic light that does not rely on colour alone.
STATE_LABELS = {
    "active": gettext_lazy("active"),
    "at_risk": gettext_lazy("at risk"),
    "dormant": gettext_lazy("dormant"),
    "ended": gettext_lazy("ended"),
    "": gettext_lazy("no dated record"),
}

#: The orderings the portfolio offers: weakest first by default.
HEALTH_SORTS = ("score", "-score", "state", "-state", "name", "-name")

#: The score's components in words (the library's names are the keys).
COMPONENT_LABELS = {
    "recency": gettext_lazy("recency (time since the last activity)"),
    "intensity": gettext_lazy("intensity (events in the last year)"),
    "mutuality": gettext_lazy("mutuality (exchange both ways, last three years)"),
    "agreement": gettext_lazy("agreement in force"),
    "breadth": gettext_lazy("breadth"),
}

#: The kinds of health events in words.
EVENT_LABELS = {
    "letter_of_intent": gettext_lazy("letter of intent"),
    "agreement_signed": gettext_lazy("agreement signed"),
    "agreement_expires": gettext_lazy("agreement expired"),
    "activity": gettext_lazy("activity"),
    "visit": gettext_lazy("visit"),
    "contribution": gettext_lazy("contribution"),
    "result": gettext_lazy("result"),
}
_KIND_ORDER = {kind: index for index, kind in enumerate(EVENT_LABELS)}

#: Reciprocity within this distance of 0 reads as balanced.
BALANCED = 0.2

_HISTORY_KINDS = {
    "exploration": "activity",
    "programme_started": "activity",
    "activity": "activity",
    "revived": "activity",
    "letter_of_intent": "letter_of_intent",
    "agreement_signed": "agreement_signed",
    "agreement_lapsed": "agreement_expires",
}
_AGREEMENT_KINDS = {"agreement_signed", "agreement_expires"}
#: Row keys for pages only: the state's words and the earlier score of a trend.
_NOT_IN_JSON = {"state_label", "score_earlier"}
_STATE_ORDER = {"active": 0, "at_risk": 1, "dormant": 2, "ended": 3, "": 4}


def _end_of_period(day: dt.date, precision: str) -> dt.date:
    """The effective date of a partial date: the end of its year or month."""
    if precision == "year":
        return dt.date(day.year, 12, 31)
    if precision == "month":
        return dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return day


def _documented(ids: list[int], events: dict[int, list[Event]]) -> None:
    """Agreements from documents, then the documented history where documents are silent."""
    from_documents: dict[int, set[str]] = defaultdict(set)
    documents = PartnershipDocument.objects.filter(partnership_id__in=ids).values_list(
        "partnership_id",
        "kind__code",
        "kind__has_validity",
        "signed_on",
        "signed_on_precision",
        "valid_until",
        "valid_until_precision",
    )
    for pid, code, has_validity, signed, signed_precision, until, until_precision in documents:
        if code == "loi" and signed:
            events[pid].append(Event("letter_of_intent", _end_of_period(signed, signed_precision)))
            from_documents[pid].add("letter_of_intent")
        elif has_validity and (signed or until):
            if signed:
                day = _end_of_period(signed, signed_precision)
                events[pid].append(Event("agreement_signed", day))
            if until:
                day = _end_of_period(until, until_precision)
                events[pid].append(Event("agreement_expires", day))
            from_documents[pid] |= _AGREEMENT_KINDS
    history = PartnershipEvent.objects.filter(
        partnership_id__in=ids, kind__in=_HISTORY_KINDS
    ).values_list("partnership_id", "kind", "date", "date_precision")
    for pid, kind, day, precision in history:
        mapped = _HISTORY_KINDS[kind]
        if mapped not in from_documents[pid]:
            events[pid].append(Event(mapped, _end_of_period(day, precision)))


def _programmes(ids: list[int], events: dict[int, list[Event]], demo: bool | None) -> bool:
    """Activities, visits, contributions and results; whether a demonstration one was used."""
    held = Activity.objects.filter(
        partnership_id__in=ids, status__in=(ActivityStatus.ONGOING, ActivityStatus.COMPLETED)
    )
    if demo is not None:
        held = held.filter(is_demo=demo)
    rows = held.annotate(
        reported=Exists(TripReport.objects.filter(activity=OuterRef("pk")))
    ).values_list(
        "partnership_id",
        "kind",
        "start_date",
        "in_partner_city",
        "place_region_id",
        "participants_partner",
        "reported",
        "is_demo",
    )
    includes_demo = False
    for pid, kind, start, abroad, place, partner_people, reported, is_demo in rows:
        includes_demo = includes_demo or is_demo
        hosting = "outbound" if abroad else ("inbound" if place else None)
        events[pid].append(Event("activity", start, hosting))
        if abroad or reported or kind == ActivityKind.EXCHANGE_OUTBOUND:
            events[pid].append(Event("visit", start, "outbound"))
        if kind == ActivityKind.EXCHANGE_INBOUND or (not abroad and partner_people):
            events[pid].append(Event("visit", start, "inbound"))
    contributions = (
        Contribution.objects.filter(activity__in=held)
        .values_list("activity__partnership_id", "activity__start_date", "side")
        .order_by()
    )
    for pid, start, side in contributions:
        direction = "outbound" if side == ContributionSide.LOCAL else "inbound"
        events[pid].append(Event("contribution", start, direction))
    results = Result.objects.filter(activity__in=held).values_list(
        "activity__partnership_id", "activity__end_date"
    )
    for pid, end in results:
        events[pid].append(Event("result", end))
    return includes_demo


def partnership_events(
    partnerships: Iterable[Partnership] | QuerySet[Partnership], *, demo: bool | None = None
) -> tuple[dict[int, list[Event]], bool]:
    """The dated record of each partnership (by primary key) as health events.

    Returns the events and whether a demonstration activity is among them.
    Five queries, whatever the number of partnerships.
    """
    ids = [p.pk for p in partnerships]
    events: dict[int, list[Event]] = {pid: [] for pid in ids}
    _documented(ids, events)
    includes_demo = _programmes(ids, events, demo)
    return events, includes_demo


def explanation_text(result: Health) -> str:
    """The reason for the state, in the active language (the library's is in English)."""
    params = result.params
    if result.reason == "agreement_expired":
        return _(
            "The agreement expired on %(expired)s without renewal and nothing has happened since."
        ) % {"expired": params["expired_on"]}
    if result.reason == "recent_activity":
        return _(
            "Last activity %(silence)s days ago; at risk after %(limit)s days without activity, "
            "from its usual gap of %(gap)s days."
        ) % {
            "silence": params["silence_days"],
            "limit": params["at_risk_after_days"],
            "gap": f"{params['expected_gap_days']:g}",
        }
    limit = "at_risk_after_days" if result.state == "at_risk" else "dormant_after_days"
    return _(
        "No activity since %(last)s (%(silence)s days), longer than the %(limit)s days that its "
        "usual gap of %(gap)s days allows."
    ) % {
        "last": params["last_activity"],
        "silence": params["silence_days"],
        "limit": params[limit],
        "gap": f"{params['expected_gap_days']:g}",
    }


@dataclass
class HealthFigures:
    """The health of a set of partnerships as of a date, ready for a template or JSON."""

    region: str | None
    as_of: dt.date
    public: bool
    includes_demo: bool
    partnerships: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "as_of": self.as_of.isoformat(),
            "public": self.public,
            "includes_demo": self.includes_demo,
            "partnerships": [
                {key: value for key, value in row.items() if key not in _NOT_IN_JSON}
                for row in self.partnerships
            ],
        }


def _row(partnership: Partnership, result: Health | None, *, public: bool) -> dict[str, Any]:
    state = result.state if result else ""
    row: dict[str, Any] = {
        "slug": partnership.slug,
        "name": partnership.partner_name,
        "state": state or None,
        "state_label": str(STATE_LABELS[state]),
        "warning_since": None,
        "score": result.score if result else None,
        "reciprocity": result.reciprocity if result else None,
        "components": None,
        "explanation": None,
    }
    if public or result is None:
        return row
    row["warning_since"] = result.warning_since.isoformat() if result.warning_since else None
    row["components"] = result.components
    row["explanation"] = {
        "reason": result.reason,
        "params": result.params,
        "text": explanation_text(result),
        "reciprocity_parts": result.reciprocity_parts,
    }
    return row


def _sort_key(sort: str) -> Any:
    key = sort.removeprefix("-")
    if key == "name":
        return lambda row: (row["name"].casefold(), row["slug"])
    if key == "state":
        return lambda row: (_STATE_ORDER[row["state"] or ""], row["name"].casefold(), row["slug"])
    # Partnerships without a record sort after every scored one, in either direction.
    return lambda row: (row["score"] is None, row["score"] or 0.0, row["slug"])


def health_figures(
    *,
    partnerships: QuerySet[Partnership],
    public: bool,
    region: str | None = None,
    as_of: dt.date | None = None,
    demo: bool | None = None,
    sort: str = "score",
    earlier: dt.date | None = None,
) -> HealthFigures:
    """Health as of ``as_of`` (today) of ``partnerships``, the visible set the caller chose.

    ``partnerships`` is what the user may see (``listed_partnerships`` for the
    API, ``staff_partnerships`` for staff pages); ``region`` narrows it to one
    local region.  Partnerships without any dated record are listed with no
    state and no score.  With ``earlier``, each row also holds ``score_earlier``,
    the score as of that date from the same record (for a trend; not in
    :meth:`HealthFigures.as_dict`).
    """
    day = as_of or timezone.localdate()
    chosen = partnerships.filter(local_region_id=region) if region else partnerships
    rows = list(
        chosen.order_by("partner_name", "slug").only(
            "pk", "slug", "partner_name", "local_region_id"
        )
    )
    events, includes_demo = partnership_events(rows, demo=demo)
    breadths = partnership_breadth(rows, demo=demo)
    table = [
        _row(p, health(events[p.pk], day, breadths[p.pk].as_of(day)), public=public) for p in rows
    ]
    if earlier is not None:
        for p, row in zip(rows, table, strict=True):
            before = health(events[p.pk], earlier, breadths[p.pk].as_of(earlier))
            row["score_earlier"] = before.score if before else None
    sort = sort if sort in HEALTH_SORTS else "score"
    if sort.removeprefix("-") == "score" and sort.startswith("-"):
        scored = [row for row in table if row["score"] is not None]
        unscored = [row for row in table if row["score"] is None]
        table = sorted(scored, key=_sort_key(sort), reverse=True) + unscored
    else:
        table.sort(key=_sort_key(sort), reverse=sort.startswith("-"))
    return HealthFigures(
        region=region, as_of=day, public=public, includes_demo=includes_demo, partnerships=table
    )


# --- Words for the pages ---------------------------------------------------------------------


def reciprocity_hint(reciprocity: float | None, local: str) -> str:
    """Which side carries more, in words: balanced within :data:`BALANCED` of 0.

    Positive reciprocity means the local city (``local``, its name) carries more.
    """
    if reciprocity is None:
        return _("no exchange with a direction recorded")
    if reciprocity > BALANCED:
        return _("%(local)s carries more") % {"local": local}
    if reciprocity < -BALANCED:
        return _("the partner carries more")
    return _("balanced")


def direction_text(direction: str | None, local: str) -> str:
    """An event's direction in words, seen from the local city ``local``."""
    if direction == "inbound":
        return _("from the partner to %(local)s") % {"local": local}
    if direction == "outbound":
        return _("from %(local)s to the partner") % {"local": local}
    return _("no direction")


# --- A partnership's history --------------------------------------------------------------


def month_ends(as_of: dt.date, months: int) -> list[dt.date]:
    """The last ``months`` month ends on or before ``as_of``, oldest first.

    >>> month_ends(dt.date(2025, 1, 1), 3)
    [datetime.date(2024, 10, 31), datetime.date(2024, 11, 30), datetime.date(2024, 12, 31)]
    >>> month_ends(dt.date(2024, 2, 29), 2)
    [datetime.date(2024, 1, 31), datetime.date(2024, 2, 29)]
    """
    year, month = as_of.year, as_of.month
    if _end_of_period(as_of, "month") != as_of:
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    ends: list[dt.date] = []
    for _step in range(months):
        ends.append(_end_of_period(dt.date(year, month, 1), "month"))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return ends[::-1]


@dataclass
class HealthHistory:
    """A partnership's health now and at each month end, and the months that moved it.

    ``current`` is a row as in :class:`HealthFigures` (public or not);
    ``months`` has ``month``, ``state``, ``state_label`` and ``score`` per
    month end; ``moves`` the months whose state changed or whose score moved
    by :attr:`MOVE_POINTS` or more since the month before, each with
    ``before_state``, ``before_score`` and that month's ``events`` (empty for
    public figures: the events include internal records).
    """

    MOVE_POINTS = 10.0

    as_of: dt.date
    public: bool
    includes_demo: bool
    current: dict[str, Any]
    months: list[dict[str, Any]] = field(default_factory=list)
    moves: list[dict[str, Any]] = field(default_factory=list)


def _moved(before: Health | None, after: Health | None) -> bool:
    if (before.state if before else "") != (after.state if after else ""):
        return True
    if before is None or after is None:
        return False
    return round(abs(after.score - before.score), 1) >= HealthHistory.MOVE_POINTS


def _month_row(month: dt.date, result: Health | None) -> dict[str, Any]:
    state = result.state if result else ""
    return {
        "month": month,
        "state": state or None,
        "state_label": str(STATE_LABELS[state]),
        "score": result.score if result else None,
    }


def health_history(
    partnership: Partnership,
    *,
    public: bool,
    months: int = 36,
    as_of: dt.date | None = None,
    demo: bool | None = None,
) -> HealthHistory:
    """Health of ``partnership`` as of ``as_of`` (today) and at the last ``months`` month ends.

    A month *moved* the health when its state differs from the month before
    or its score differs by 10 points or more; the events dated in that
    month (after the previous month end, up to its own) are listed with it.
    The month before the first one shown is computed too, so that the first
    month can count as a move.
    """
    day = as_of or timezone.localdate()
    events, includes_demo = partnership_events([partnership], demo=demo)
    record = events[partnership.pk]
    breadth = partnership_breadth([partnership], demo=demo)[partnership.pk]
    ends = month_ends(day, months + 1)
    results = [health(record, end, breadth.as_of(end)) for end in ends]
    moves = []
    for index in range(1, len(ends)):
        before, after = results[index - 1], results[index]
        if not _moved(before, after):
            continue
        start, end = ends[index - 1], ends[index]
        dated = sorted(
            (event for event in record if start < event.day <= end),
            key=lambda event: (event.day, _KIND_ORDER[event.kind], event.direction or ""),
        )
        moves.append(
            {
                **_month_row(end, after),
                "before_state": before.state if before else None,
                "before_state_label": str(STATE_LABELS[before.state if before else ""]),
                "before_score": before.score if before else None,
                "events": [] if public else dated,
            }
        )
    return HealthHistory(
        as_of=day,
        public=public,
        includes_demo=includes_demo,
        current=_row(partnership, health(record, day, breadth.as_of(day)), public=public),
        months=[_month_row(end, result) for end, result in zip(ends[1:], results[1:], strict=True)],
        moves=moves,
    )
