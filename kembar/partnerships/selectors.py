"""Reads of partnerships, joined and prefetched for their callers (no N+1)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kembar.geo.models import Country
from kembar.partnerships.access import (
    staff_partnerships,
    staff_partnerships_through,
    visible_inbound_requests_q,
    visible_partnerships_q,
)
from kembar.partnerships.documents import (
    EXPIRING_WITHIN_DAYS,
    partnerships_annotate_agreement,
    partnerships_expiring,
)
from kembar.partnerships.lifecycle import transition_may_decide
from kembar.partnerships.models import (
    InboundRequest,
    Partnership,
    PartnershipDocument,
    PartnershipEvent,
    TransitionRecord,
)

__all__ = [
    "PARTNERSHIP_SORTS",
    "PartnershipFilters",
    "PendingDecision",
    "StageDeadline",
    "TimelineEntry",
    "awaiting_decision",
    "inbound_request_list",
    "inbound_request_visible_get",
    "partnership_documents",
    "partnership_get",
    "partnership_list",
    "partnership_pending_decisions",
    "partnership_stage_deadline",
    "partnership_timeline",
    "staff_partnership_countries",
    "staff_partnership_get",
    "staff_partnership_list",
]


def partnership_list(*, local_region: str | None = None) -> QuerySet[Partnership]:
    partnerships = Partnership.objects.select_related(
        "local_region", "partner_city__country", "partner_country"
    ).prefetch_related("focus_areas")
    if local_region:
        partnerships = partnerships.filter(local_region_id=local_region)
    return partnerships.order_by("local_region_id", "partner_name", "id")


def partnership_get(slug: str, *, visible_to: Any = None) -> Partnership | None:
    """A partnership with its events; with ``visible_to``, only if that user may see it."""
    partnerships = partnership_list().prefetch_related(
        Prefetch("events", PartnershipEvent.objects.order_by("date", "id"))
    )
    if visible_to is not None:
        partnerships = partnerships.filter(visible_partnerships_q(visible_to, include_public=True))
    return partnerships.filter(slug=slug).first()


# --- Staff area ---------------------------------------------------------------------------

#: The orderings the staff list offers, as its sort parameter takes them.
PARTNERSHIP_SORTS = (
    "partner",
    "-partner",
    "country",
    "-country",
    "stage",
    "-stage",
    "updated",
    "-updated",
)


def _ordering(sort: str) -> tuple[str, ...]:
    """The ``order_by`` arguments of a sort; countries sort by name in the active language."""
    country = "partner_country__name_en" if _english() else "partner_country__name_id"
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    columns = {
        "partner": ("partner_name",),
        "country": (country, "partner_name"),
        "stage": ("state__order", "partner_name"),
        "updated": ("updated_at",),
    }.get(key, ("partner_name",))
    first, *rest = columns
    return (f"-{first}" if descending else first, *rest, "-id" if descending else "id")


def _english() -> bool:
    return (get_language() or "id").startswith("en")


@dataclass(frozen=True, slots=True)
class PartnershipFilters:
    """What the staff list is narrowed to; empty values do not filter."""

    state: str = ""
    country: str = ""
    relationship_type: str = ""
    focus_area: str = ""
    expiring: bool = False
    text: str = ""
    sort: str = "partner"

    @property
    def narrowed(self) -> bool:
        """Whether any filter (not just the sort) is set."""
        return any(
            (
                self.state,
                self.country,
                self.relationship_type,
                self.focus_area,
                self.expiring,
                self.text,
            )
        )


def _with_agreement_flag(
    partnerships: QuerySet[Partnership], today: dt.date
) -> QuerySet[Partnership]:
    """Annotate ``agreement_valid_until`` and ``agreement_flag`` for each row.

    The flag is ``"expired"``, ``"expiring"`` (within
    :data:`~kembar.partnerships.documents.EXPIRING_WITHIN_DAYS`) or ``""``, as
    :func:`~kembar.partnerships.documents.agreement_expiry` says, in the query.
    """
    return partnerships_annotate_agreement(partnerships).annotate(
        agreement_flag=Case(
            When(agreement_valid_until__lt=today, then=Value("expired")),
            When(
                agreement_valid_until__lte=today + dt.timedelta(days=EXPIRING_WITHIN_DAYS),
                then=Value("expiring"),
            ),
            default=Value(""),
            output_field=CharField(),
        )
    )


def staff_partnership_list(*, user: Any, filters: PartnershipFilters) -> QuerySet[Partnership]:
    """The partnerships ``user`` may see, filtered and sorted for the staff list.

    Visibility is one query condition (see :func:`visible_partnerships_q`), not a
    permission check per row.  An unknown sort falls back to the partner's name.
    """
    partnerships = (
        staff_partnerships(user)
        .select_related("local_region", "partner_country", "partner_city", "state")
        .prefetch_related("focus_areas")
    )
    today = timezone.localdate()
    partnerships = _with_agreement_flag(partnerships, today)
    if filters.state:
        partnerships = partnerships.filter(state__code=filters.state)
    if filters.country:
        partnerships = partnerships.filter(partner_country_id=filters.country)
    if filters.relationship_type:
        partnerships = partnerships.filter(relationship_type=filters.relationship_type)
    if filters.focus_area:
        partnerships = partnerships.filter(focus_areas__slug=filters.focus_area)
    if filters.expiring:
        # The same partnerships as the reminders: none in a final stage.
        expiring = partnerships_expiring(today=today, include_expired=True)
        partnerships = partnerships.filter(pk__in=expiring.values("pk"))
    if filters.text:
        partnerships = partnerships.filter(
            Q(partner_name__icontains=filters.text) | Q(slug__icontains=filters.text)
        )
    return partnerships.order_by(*_ordering(filters.sort))


def staff_partnership_countries(*, user: Any) -> QuerySet[Country]:
    """The partner countries among the partnerships ``user`` may see, by name, for a filter."""
    visible = staff_partnerships(user)
    return Country.objects.filter(pk__in=visible.values("partner_country_id")).order_by(
        "name_en" if _english() else "name_id"
    )


def staff_partnership_get(*, user: Any, slug: str) -> Partnership | None:
    """The partnership with its stage and places, if ``user`` may see it."""
    partnerships = (
        staff_partnerships(user)
        .filter(slug=slug)
        .select_related("local_region", "partner_country", "partner_city", "state", "confirmed_by")
        .prefetch_related("focus_areas")
    )
    return _with_agreement_flag(partnerships, timezone.localdate()).first()


def partnership_documents(partnership: Partnership) -> QuerySet[PartnershipDocument]:
    """Every version of every document, newest version first within each kind."""
    return (
        partnership.documents.select_related("kind", "uploaded_by")
        .annotate(
            is_superseded=Exists(PartnershipDocument.objects.filter(supersedes=OuterRef("pk")))
        )
        .order_by("kind__code", "-version")
    )


@dataclass(frozen=True, slots=True)
class PendingDecision:
    """A move awaiting approval, and whether the viewing user may decide it."""

    record: TransitionRecord
    may_decide: bool


def awaiting_decision(*, user: Any) -> list[TransitionRecord]:
    """The moves ``user`` may approve or reject now, oldest first (the approvals page)."""
    if not getattr(user, "is_authenticated", False):
        return []
    records = (
        TransitionRecord.objects.filter(
            staff_partnerships_through(user),
            status=TransitionRecord.Status.PENDING,
        )
        .exclude(actor=user)
        .select_related("partnership__local_region", "source", "target", "actor", "transition")
        .order_by("created_at", "id")
    )
    return [record for record in records if transition_may_decide(record, user)]


def partnership_pending_decisions(partnership: Partnership, *, user: Any) -> list[PendingDecision]:
    """Moves awaiting a second person; ``may_decide`` mirrors who the services let approve."""
    records = partnership.transitions.filter(status=TransitionRecord.Status.PENDING).select_related(
        "source", "target", "actor", "transition"
    )
    decisions = []
    for record in records:
        decisions.append(
            PendingDecision(record=record, may_decide=transition_may_decide(record, user))
        )
    return decisions


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of a partnership's history, whatever its source.

    ``at`` orders the timeline; ``date_label`` is set when the source gives
    the date less precisely than a moment (a documented event).
    """

    at: dt.datetime
    kind: str
    title: str
    date_label: str = ""
    status: str = ""
    status_label: str = ""
    actor: str = ""
    reason: str = ""
    approver: str = ""
    decided_at: dt.datetime | None = None
    note: str = ""
    source: str = ""


_KIND_ORDER = {"event": 0, "history": 1, "transition": 2, "document": 3}

#: Fields whose changes the audit entries name; bookkeeping fields are left out.
_AUDITED_FIELDS = tuple(
    field
    for field in Partnership._meta.concrete_fields
    if field.name not in {"id", "version", "created_at", "updated_at"}
)


def _person(user: Any) -> str:
    return str(user) if user is not None else ""


def _event_entries(partnership: Partnership) -> list[TimelineEntry]:
    zone = timezone.get_current_timezone()
    return [
        TimelineEntry(
            at=dt.datetime.combine(event.date, dt.time.min, tzinfo=zone),
            kind="event",
            title=event.get_kind_display(),
            date_label=event.date_label(),
            reason=event.detail,
            source=event.source,
        )
        for event in PartnershipEvent.objects.filter(partnership=partnership).order_by("date", "id")
    ]


def _transition_entries(partnership: Partnership) -> list[TimelineEntry]:
    records = partnership.transitions.select_related("source", "target", "actor", "approver")
    return [
        TimelineEntry(
            at=record.created_at,
            kind="transition",
            title=f"{record.source.name if record.source else '—'} → {record.target.name}",
            status=record.status,
            status_label=record.get_status_display(),
            actor=_person(record.actor),
            reason=record.reason,
            approver=_person(record.approver),
            decided_at=record.decided_at,
            note=record.decision_note,
        )
        for record in records
    ]


def _document_entries(partnership: Partnership) -> list[TimelineEntry]:
    documents = partnership.documents.select_related("kind", "uploaded_by")
    return [
        TimelineEntry(
            at=document.uploaded_at,
            kind="document",
            title=(
                _("%(kind)s uploaded: %(title)s, version %(version)s")
                if document.file
                else _("%(kind)s recorded from public sources: %(title)s, version %(version)s")
            )
            % {"kind": document.kind.name, "title": document.title, "version": document.version},
            actor=_person(document.uploaded_by),
            source=document.source,
        )
        for document in documents
    ]


def _history_entries(partnership: Partnership) -> list[TimelineEntry]:
    rows = list(
        partnership.history.select_related("history_user").order_by("history_date", "history_id")
    )
    # simple-history keeps the focus areas of each audit row in its own table.
    areas_by_row: dict[int, set[int]] = defaultdict(set)
    for history_id, area_id in Partnership.history.model.focus_areas.filter(
        history_id__in=[row.history_id for row in rows]
    ).values_list("history_id", "focusarea_id"):
        areas_by_row[history_id].add(area_id)
    focus_areas_label = str(Partnership._meta.get_field("focus_areas").verbose_name)
    entries = []
    previous = None
    previous_areas: set[int] = set()
    for row in rows:
        areas = areas_by_row[row.history_id]
        if row.history_type == "+":
            title = _("Record created")
        elif row.history_type == "-":
            title = _("Record deleted")
        else:
            changed = [
                str(field.verbose_name)
                for field in _AUDITED_FIELDS
                if previous is not None
                and getattr(row, field.attname) != getattr(previous, field.attname)
            ]
            if previous is not None and areas != previous_areas:
                changed.append(focus_areas_label)
            title = (
                _("Record changed: %(fields)s") % {"fields": ", ".join(changed)}
                if changed
                else _("Record changed")
            )
        entries.append(
            TimelineEntry(
                at=row.history_date,
                kind="history",
                title=title,
                actor=_person(row.history_user),
                reason=row.history_change_reason or "",
            )
        )
        previous, previous_areas = row, areas
    return entries


def partnership_timeline(partnership: Partnership) -> list[TimelineEntry]:
    """Documented events, transitions, document uploads and audit entries, oldest first."""
    entries = [
        *_event_entries(partnership),
        *_transition_entries(partnership),
        *_document_entries(partnership),
        *_history_entries(partnership),
    ]
    return sorted(entries, key=lambda entry: (entry.at, _KIND_ORDER[entry.kind]))


# --- Inbound requests -----------------------------------------------------------------------


def inbound_request_list(*, user: Any, status: str = "") -> QuerySet[InboundRequest]:
    """The inbound requests ``user`` may handle, newest first, optionally of one status."""
    requests = InboundRequest.objects.filter(visible_inbound_requests_q(user)).select_related(
        "local_region", "partner_country", "partner_city", "person_in_charge", "partnership"
    )
    if status:
        requests = requests.filter(status=status)
    return requests.order_by("-received_on", "-id")


def inbound_request_visible_get(*, user: Any, pk: int) -> InboundRequest | None:
    return inbound_request_list(user=user).filter(pk=pk).first()


@dataclass(frozen=True, slots=True)
class StageDeadline:
    """A deadline that runs while the partnership stays at its stage (the council's 45 days)."""

    date: dt.date
    days_left: int
    overdue: bool


def partnership_stage_deadline(partnership: Partnership, *, today: dt.date) -> StageDeadline | None:
    """The deadline set when the partnership entered its current stage, if that stage has one."""
    record = (
        partnership.transitions.filter(
            status=TransitionRecord.Status.APPLIED,
            target_id=partnership.state_id,
            deadline__isnull=False,
        )
        .order_by("-decided_at", "-id")
        .first()
    )
    if record is None or record.deadline is None:
        return None
    days_left = (record.deadline - today).days
    return StageDeadline(date=record.deadline, days_left=days_left, overdue=days_left < 0)
