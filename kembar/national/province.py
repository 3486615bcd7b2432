"""The governor's view of a province: its kabupaten and kota, and its own cooperation.

Under PP 28/2018 the governor supervises the cooperation of the kabupaten and
kota of the province.  :func:`province_overview` gives, for one province:

- its own row (the provincial government's partnerships) and a row for each of
  its kabupaten and kota, with the figures of the national view
  (:func:`kembar.national.selectors.region_figures`: partnerships by health
  state, activities, participants, the Pasal 43 report of the latest period due);
- the partnerships of each row by lifecycle stage;
- the deadlines of the legal process the province watches: the regional
  council's (DPRD) decision on a cooperation plan (the deadline of the move into
  ``council_approval``, overdue after it, due in its last 10 working days), the
  ministry's verification (waiting since the move into ``ministry_verification``),
  and partnerships under exploration whose consultation with the Ministry of
  Home Affairs and the Ministry of Foreign Affairs is not yet recorded;
- the reports received (on time or late) and missing.

Supervision reads the kabupaten/kota's partnerships whether public or not (the
governor's office supervises their legal process); it shows no activity, person
or knowledge record of theirs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from kembar.geo.models import Region, RegionLevel
from kembar.geo.workdays import days_off
from kembar.national.selectors import NationalFigures, region_figures
from kembar.partnerships.models import LifecycleState, Partnership, TransitionRecord
from kembar.partnerships.reminders import COUNCIL_STATE, council_stage

__all__ = [
    "CONSULTATION_STATE",
    "VERIFICATION_STATE",
    "Deadline",
    "ProvinceOverview",
    "province_overview",
]

#: The stage in which the ministry verifies the plan approved by the council.
VERIFICATION_STATE = "ministry_verification"
#: The stage before the letter of intent, which needs the consultation recorded.
CONSULTATION_STATE = "exploration"


@dataclass(frozen=True, slots=True)
class Deadline:
    """One step of the legal process a province watches, for one partnership.

    ``kind`` is ``council`` (the DPRD's decision, ``date`` its deadline,
    ``status`` ``overdue``, ``due`` or ``pending``), ``verification`` (the
    ministry's verification, ``date`` the day it was asked for, ``status``
    ``waiting``) or ``consultation`` (under exploration, the consultation not
    yet recorded; ``date`` the day the exploration began, ``status``
    ``not_recorded``).  ``days`` is days left before the deadline (negative:
    late) for the council, days waiting for the others.
    """

    region: str
    region_name: str
    partnership: str
    partner_name: str
    kind: str
    date: dt.date | None
    status: str
    days: int | None

    @property
    def days_late(self) -> int:
        """Days after the deadline (0 before it or without one)."""
        return max(0, -(self.days or 0))


@dataclass
class ProvinceOverview:
    """Everything the governor's page shows for ``province``."""

    province: Region
    own: NationalFigures
    kab_kota: NationalFigures
    #: Region code → stage code → partnerships.
    stages: dict[str, dict[str, int]]
    #: The stages that occur, in lifecycle order, as (code, name).
    stage_columns: list[tuple[str, str]]
    deadlines: list[Deadline] = field(default_factory=list)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The province's own row first, then its kabupaten and kota, each with its stages."""
        rows = []
        for row in [*self.own.rows, *self.kab_kota.rows]:
            stages = self.stages.get(row["kode"], {})
            rows.append(
                {**row, "stages": [stages.get(code, 0) for code, _name in self.stage_columns]}
            )
        return rows

    def reports(self) -> dict[str, list[dict[str, Any]]]:
        """The kabupaten/kota (and the province) by the status of their latest report due."""
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in [*self.own.rows, *self.kab_kota.rows]:
            if row["reported"]:
                found[row["reported"]].append(row)
        return dict(found)


def _stages(kodes: list[str]) -> tuple[dict[str, dict[str, int]], list[tuple[str, str]]]:
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    used: set[str] = set()
    rows = (
        Partnership.objects.filter(local_region_id__in=kodes)
        .values_list("local_region_id", "state__code")
        .order_by()
    )
    for region, code in rows:
        key = code or ""
        counts[region][key] = counts[region].get(key, 0) + 1
        used.add(key)
    columns = [
        (state.code, state.name)
        for state in LifecycleState.objects.filter(code__in=used).order_by("order", "code")
    ]
    if "" in used:
        columns.append(("", ""))
    return dict(counts), columns


def _entered(partnership_ids: list[int], state: str) -> dict[int, TransitionRecord]:
    """The latest applied move of each partnership into ``state``."""
    latest: dict[int, TransitionRecord] = {}
    records = TransitionRecord.objects.filter(
        partnership_id__in=partnership_ids,
        status=TransitionRecord.Status.APPLIED,
        target__code=state,
    ).order_by("partnership_id", "-created_at", "-id")
    for record in records:
        latest.setdefault(record.partnership_id, record)
    return latest


def _deadlines(kodes: list[str], names: dict[str, str], today: dt.date) -> list[Deadline]:
    watched = list(
        Partnership.objects.filter(
            local_region_id__in=kodes,
            state__code__in=[COUNCIL_STATE, VERIFICATION_STATE, CONSULTATION_STATE],
        )
        .select_related("state")
        .order_by("local_region_id", "partner_name", "id")
    )
    ids = [partnership.pk for partnership in watched]
    entered = {
        state: _entered(ids, state)
        for state in (COUNCIL_STATE, VERIFICATION_STATE, CONSULTATION_STATE)
    }
    calendar = days_off()
    found = []
    for partnership in watched:
        code = partnership.stage_code
        record = entered[code].get(partnership.pk)
        since = timezone.localtime(record.created_at).date() if record is not None else None
        common = {
            "region": partnership.local_region_id,
            "region_name": names.get(partnership.local_region_id, partnership.local_region_id),
            "partnership": partnership.slug,
            "partner_name": partnership.partner_name,
        }
        if code == COUNCIL_STATE:
            deadline = record.deadline if record is not None else None
            status = "pending"
            if deadline is not None:
                status = council_stage(deadline, today=today, days_off=calendar) or "pending"
            days = (deadline - today).days if deadline is not None else None
            found.append(
                Deadline(**common, kind="council", date=deadline, status=status, days=days)
            )
        elif code == VERIFICATION_STATE:
            days = (today - since).days if since is not None else None
            found.append(
                Deadline(**common, kind="verification", date=since, status="waiting", days=days)
            )
        elif partnership.consultation_recorded_on is None:
            days = (today - since).days if since is not None else None
            found.append(
                Deadline(
                    **common, kind="consultation", date=since, status="not_recorded", days=days
                )
            )
    order = {"overdue": 0, "due": 1, "pending": 2, "waiting": 3, "not_recorded": 4}
    found.sort(key=lambda item: (order[item.status], item.date or dt.date.max, item.region))
    return found


def province_overview(province: str, *, today: dt.date | None = None) -> ProvinceOverview | None:
    """The governor's view of ``province`` (a two-digit code); None if no such province."""
    region = Region.objects.filter(kode=province, level=RegionLevel.PROVINCE).first()
    if region is None:
        return None
    day = today or timezone.localdate()
    own = region_figures(level="province", within=province, today=day)
    kab_kota = region_figures(level="kab_kota", within=province, today=day)
    names = {row["kode"]: row["name"] for row in [*own.rows, *kab_kota.rows]}
    kodes = list(names)
    stages, columns = _stages(kodes)
    return ProvinceOverview(
        province=region,
        own=own,
        kab_kota=kab_kota,
        stages=stages,
        stage_columns=columns,
        deadlines=_deadlines(kodes, names, day),
    )
