"""The public record of a partnership: its stage by name, and its history from what happened.

Status and history come from the record as it is now (the lifecycle stage,
the documented events, the applied lifecycle moves, the activities), never
from the text the starting record was seeded with, so that a move made by
staff shows on the public pages at once, in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kembar.partnerships.documents import documents_current
from kembar.partnerships.models import (
    LifecycleState,
    Partnership,
    PartnershipDocument,
    PartnershipEvent,
    TransitionRecord,
)

__all__ = [
    "HistoryEntry",
    "PublicStatus",
    "agreement_documents",
    "history_entries",
    "public_status",
]

#: The stage codes of the default lifecycle that get their own colour; others follow the flags.
_DORMANT = "dormant"


@dataclass(frozen=True, slots=True)
class PublicStatus:
    """The stage by its name in the active language, and a tone for its colour.

    ``tone`` is ``active``, ``dormant``, ``ended`` or ``preparing``; it names
    a CSS class, never text the reader sees.
    """

    label: str
    tone: str


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One line of the public history; ``date_label`` is as precise as the record."""

    date: dt.date
    date_label: str
    title: str
    detail: str = ""
    source: str = ""
    kind: str = "event"


def public_status(partnership: Partnership) -> PublicStatus:
    """The stage the partnership is at now, by name (the documented status before it has one)."""
    state: LifecycleState | None = partnership.state
    if state is None:
        return PublicStatus(str(partnership.get_documented_status_display()), "preparing")
    if state.is_terminal:
        tone = "ended"
    elif state.counts_as_active:
        tone = "active"
    elif state.code == _DORMANT:
        tone = "dormant"
    else:
        tone = "preparing"
    return PublicStatus(state.name, tone)


def _event_entry(event: PartnershipEvent) -> HistoryEntry:
    return HistoryEntry(
        date=event.date,
        date_label=event.date_label(),
        title=str(event.get_kind_display()),
        detail=event.detail,
        source=event.source,
    )


def _move_entry(record: TransitionRecord) -> HistoryEntry:
    # A move is public once applied; who made it and why stay in the staff record.
    decided = record.decided_at or record.created_at
    day = timezone.localdate(decided)
    if record.source is None:
        title = _("Moved to the stage %(target)s") % {"target": record.target.name}
    else:
        title = _("Moved from the stage %(source)s to %(target)s") % {
            "source": record.source.name,
            "target": record.target.name,
        }
    return HistoryEntry(date=day, date_label=date_format(day, "j F Y"), title=title, kind="move")


def history_entries(
    *, events: Iterable[PartnershipEvent], moves: Iterable[TransitionRecord]
) -> list[HistoryEntry]:
    """Documented events and applied moves, oldest first (events first on the same day)."""
    entries = [_event_entry(event) for event in events]
    entries += [
        _move_entry(record) for record in moves if record.status == TransitionRecord.Status.APPLIED
    ]
    order = {"event": 0, "move": 1}
    return sorted(entries, key=lambda entry: (entry.date, order[entry.kind]))


def agreement_documents(partnership: Partnership) -> list[PartnershipDocument]:
    """The current agreements (documents of a kind with validity), oldest signing first."""
    return list(
        documents_current()
        .filter(partnership=partnership, kind__has_validity=True)
        .select_related("kind")
        .order_by("signed_on", "id")
    )
