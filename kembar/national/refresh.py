"""Recompute the national summaries of some regions, or of all, from the record.

What a region's rows hold (see :mod:`kembar.national.models.summaries`):

- **Partnerships by state.**  The state of a partnership is its health state
  (:mod:`kembar.insights.health`, :func:`kembar.analytics.health.health_arrays`):
  the same dated record (agreements, documented history, activities held,
  visits, contributions, results) and the same rule as the staff health pages,
  so "active" and "dormant" mean the same everywhere.  A partnership with no
  dated record has no health state; its state is then the one its lifecycle
  stage states (``dormant``; a stage that ends the partnership → ``ended``; a
  stage that counts as active → ``active``), else the one its documented status
  states (``active`` and ``revived_after_lapse`` → ``active``, ``dormant``,
  ``completed_programme`` → ``ended``), else it is ``unknown``.  Stages before
  an agreement and a status such as ``listed_only`` say nothing about whether
  anything happens, so they are not read as a state.
- **Activities** held (ongoing or completed), by the year they started.
- **Participants**: local people, from the reach summary
  (:class:`~kembar.programs.models.ParticipantRollup`, by gender, which every
  count has), by the year their activity started: the figure of the reach
  dashboard.
- **Years**: a row for every year from the region's first dated event to this
  year, and for every other year with activities or participants.  States of a
  past year are as of 31 December; of this year (and later ones), as of today.
- **Protection.**  The year rows and the all-years total form a one-way table of
  the same people; :func:`kembar.analytics.disclosure.suppress_margins` marks
  what may not be shown: a total of 1–4, years of 1–4, and as many more years as
  keep a hidden year from being the total minus the shown ones.

Demonstration activities count as on the reach and health pages (all of them);
``includes_demo`` says when some did.  The states move with the date alone, so
every region is recomputed each night (:mod:`kembar.national.tasks`); a change
to a region's record recomputes that region at once (:mod:`kembar.national.triggers`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from kembar.analytics.disclosure import suppress_margins
from kembar.analytics.health import DIRECTIONS, KINDS, STATES, Event, EventArrays, health_arrays
from kembar.geo.models import Region, RegionLevel
from kembar.insights.health import partnership_events
from kembar.national.models import RegionSummary, RegionYearSummary
from kembar.partnerships.models import DocumentedStatus, Partnership
from kembar.programs.models import Activity, ActivityStatus, ParticipantRollup, ReachDimension

__all__ = [
    "LEVELS",
    "national_refresh",
    "regions_refresh",
    "status_state",
]

#: The levels of government the national view covers.
LEVELS = (RegionLevel.PROVINCE, RegionLevel.REGENCY_CITY)
#: Regions computed together in a full refresh (their events are held in memory at once).
BATCH = 40
HELD = (ActivityStatus.ONGOING, ActivityStatus.COMPLETED)
_KIND = {kind: index for index, kind in enumerate(KINDS)}
_DIRECTION = {direction: index for index, direction in enumerate(DIRECTIONS)}
_STATUS_STATES: dict[str, str] = {
    DocumentedStatus.ACTIVE: "active",
    DocumentedStatus.REVIVED_AFTER_LAPSE: "active",
    DocumentedStatus.DORMANT: "dormant",
    DocumentedStatus.COMPLETED_PROGRAMME: "ended",
}
IntArray = npt.NDArray[np.int64]


def status_state(partnership: Partnership) -> str:
    """The state a partnership's stage or documented status states (``""``: none).

    For partnerships without a dated record; see the module.
    """
    stage = partnership.state
    if stage is not None:
        if stage.code == "dormant":
            return "dormant"
        if stage.is_terminal:
            return "ended"
        if stage.counts_as_active:
            return "active"
    return _STATUS_STATES.get(partnership.documented_status, "")


def _arrays(ids: Sequence[int], events: dict[int, list[Event]]) -> EventArrays:
    position = {pid: index for index, pid in enumerate(ids)}
    rows = [(position[pid], event) for pid in ids for event in events[pid]]
    return EventArrays(
        [str(pid) for pid in ids],
        np.array([index for index, _ in rows], dtype=np.int64),
        np.array([event.day.toordinal() for _, event in rows], dtype=np.int64),
        np.array([_KIND[event.kind] for _, event in rows], dtype=np.int64),
        np.array([_DIRECTION[event.direction] for _, event in rows], dtype=np.int64),
    )


@dataclass
class _Region:
    """What a region's rows are made of, gathered before they are built."""

    kode: str
    partnerships: int = 0
    countries: set[str] = field(default_factory=set)
    now: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*STATES, "unknown"), 0))
    from_status: int = 0
    first_event_year: int | None = None
    #: year → [active, at_risk, dormant, ended] of the partnerships with a record by then
    year_states: dict[int, list[int]] = field(default_factory=dict)
    activities: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    participants: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    demo: bool = False


def _states_by_region(
    result: dict[str, object], region_index: IntArray, regions: int
) -> npt.NDArray[np.int64]:
    """Partnerships with a record by state: an array regions × 4 (the order of STATES)."""
    present = np.asarray(result["present"], dtype=bool)
    state = np.asarray(result["state"], dtype=np.int64)
    counts = np.zeros((regions, len(STATES)), dtype=np.int64)
    np.add.at(counts, (region_index[present], state[present]), 1)
    return counts


def _health(kodes: list[str], gathered: dict[str, _Region], today: dt.date) -> None:
    """Partnership states now and at each year's end, by region."""
    partnerships = list(
        Partnership.objects.filter(local_region_id__in=kodes)
        .select_related("state")
        .only(
            "pk",
            "local_region_id",
            "partner_country_id",
            "documented_status",
            "state__code",
            "state__is_terminal",
            "state__counts_as_active",
        )
        .order_by("pk")
    )
    if not partnerships:
        return
    events, _includes_demo = partnership_events(partnerships)
    ids = [p.pk for p in partnerships]
    arrays = _arrays(ids, events)
    position = {kode: index for index, kode in enumerate(kodes)}
    region_index = np.array([position[p.local_region_id] for p in partnerships], dtype=np.int64)

    now = health_arrays(arrays, today)
    present = np.asarray(now["present"], dtype=bool)
    for index, partnership in enumerate(partnerships):
        region = gathered[partnership.local_region_id]
        region.partnerships += 1
        region.countries.add(partnership.partner_country_id)
        if present[index]:
            region.now[STATES[int(now["state"][index])]] += 1
            first = min(event.day.year for event in events[partnership.pk] if event.day <= today)
            if region.first_event_year is None or first < region.first_event_year:
                region.first_event_year = first
        else:
            state = status_state(partnership)
            region.now[state or "unknown"] += 1
            region.from_status += bool(state)

    starts = [r.first_event_year for r in gathered.values() if r.first_event_year is not None]
    if not starts:
        return
    for year in range(min(starts), today.year + 1):
        day = today if year >= today.year else dt.date(year, 12, 31)
        counts = _states_by_region(health_arrays(arrays, day), region_index, len(kodes))
        for kode, index in position.items():
            region = gathered[kode]
            if region.first_event_year is not None and year >= region.first_event_year:
                region.year_states[year] = [int(n) for n in counts[index]]


def _activities(kodes: list[str], gathered: dict[str, _Region]) -> None:
    held = (
        Activity.objects.filter(partnership__local_region_id__in=kodes, status__in=HELD)
        .annotate(year=ExtractYear("start_date"))
        .values("partnership__local_region_id", "year")
        .annotate(n=Count("pk"), demo=Count("pk", filter=Q(is_demo=True)))
        .order_by()
    )
    for row in held:
        region = gathered[row["partnership__local_region_id"]]
        region.activities[row["year"]] += row["n"]
        region.demo = region.demo or row["demo"] > 0
    people = (
        ParticipantRollup.objects.filter(local_region_id__in=kodes, dimension=ReachDimension.GENDER)
        .values("local_region_id", "year")
        .annotate(n=Sum("participants"), demo=Count("pk", filter=Q(is_demo=True)))
        .order_by()
    )
    for row in people:
        region = gathered[row["local_region_id"]]
        region.participants[row["year"]] += int(row["n"])
        region.demo = region.demo or row["demo"] > 0


def _rows(
    region: _Region, today: dt.date, stamp: dt.datetime
) -> tuple[RegionSummary, list[RegionYearSummary]]:
    years = sorted(
        set(region.year_states)
        | {year for year, n in region.activities.items() if n}
        | {year for year, n in region.participants.items() if n}
    )
    margin = {year: region.participants.get(year, 0) for year in years}
    total = sum(margin.values())
    protection = suppress_margins({"years": margin}, total=total) if total else None
    summary = RegionSummary(
        region_id=region.kode,
        as_of=today,
        partnerships=region.partnerships,
        active=region.now["active"],
        at_risk=region.now["at_risk"],
        dormant=region.now["dormant"],
        ended=region.now["ended"],
        unknown=region.now["unknown"],
        from_status=region.from_status,
        partner_countries=len(region.countries),
        activities=sum(region.activities.values()),
        participants=total,
        participants_withheld=bool(protection and protection.total_withheld),
        includes_demo=region.demo,
        refreshed_at=stamp,
    )
    rows = []
    for year in years:
        active, at_risk, dormant, ended = region.year_states.get(year, [0, 0, 0, 0])
        activities = region.activities.get(year, 0)
        rows.append(
            RegionYearSummary(
                region_id=region.kode,
                year=year,
                partnerships=active + at_risk + dormant + ended,
                active=active,
                at_risk=at_risk,
                dormant=dormant,
                ended=ended,
                activities=activities,
                participants=margin[year],
                participants_withheld=bool(protection and protection.is_withheld("years", year)),
                includes_demo=region.demo,
                expects_report=bool(active + at_risk + dormant or activities),
            )
        )
    return summary, rows


def regions_refresh(kodes: Iterable[str], *, today: dt.date | None = None) -> int:
    """Recompute the summary rows of the regions ``kodes``; returns the year rows written.

    Codes of regions that are neither a province nor a kabupaten/kota, or do not
    exist, are skipped.  The rows are computed first and then replaced in one
    transaction that locks the regions' rows, so two refreshes of the same
    region (a change and the nightly run) write one after the other.
    """
    day = today or timezone.localdate()
    wanted = sorted(
        Region.objects.filter(kode__in=set(kodes), level__in=LEVELS).values_list("kode", flat=True)
    )
    if not wanted:
        return 0
    gathered = {kode: _Region(kode) for kode in wanted}
    _health(wanted, gathered, day)
    _activities(wanted, gathered)
    stamp = timezone.now()
    summaries, years = [], []
    for kode in wanted:
        summary, rows = _rows(gathered[kode], day, stamp)
        summaries.append(summary)
        years += rows
    with transaction.atomic():
        list(
            Region.objects.select_for_update()
            .filter(kode__in=wanted)
            .order_by("kode")
            .values("kode")
        )
        RegionSummary.objects.filter(region_id__in=wanted).delete()
        RegionYearSummary.objects.filter(region_id__in=wanted).delete()
        RegionSummary.objects.bulk_create(summaries)
        RegionYearSummary.objects.bulk_create(years, batch_size=2000)
    return len(years)


def national_refresh(
    *,
    today: dt.date | None = None,
    batch: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Recompute every province and kabupaten/kota, ``batch`` regions at a time.

    Returns the regions refreshed; ``progress(done, total)`` is called after each batch.
    """
    day = today or timezone.localdate()
    kodes = list(
        Region.objects.filter(level__in=LEVELS).order_by("kode").values_list("kode", flat=True)
    )
    for start in range(0, len(kodes), batch):
        regions_refresh(kodes[start : start + batch], today=day)
        if progress is not None:
            progress(min(start + batch, len(kodes)), len(kodes))
    return len(kodes)
