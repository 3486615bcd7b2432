"""The staff side of registrations: the list of a call, panel scores, check-in at the door.

Reads (the registrations of a call, counts per status, the codes an
officer's phone may check offline) and the two writes staff make here that
:mod:`kembar.participation.registrations` does not: panel scores and a batch
of check-ins made offline and sent later.  Every write checks
``participation.change_opportunity`` itself, as the services it calls do.

The phone knows the codes only as SHA-256 digests: enough to say "valid" or
"unknown" without the network, and no name, number or other personal data
on the device.
"""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from kembar.participation.models import (
    Allocation,
    Opportunity,
    OpportunityStatus,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
)
from kembar.participation.registrations import (
    RegistrationRefused,
    check_in,
    normalise_checkin_code,
)

__all__ = [
    "MAX_BATCH",
    "CheckInItem",
    "CheckInOutcome",
    "RegistrationFilters",
    "check_in_batch",
    "checkin_hashes",
    "code_digest",
    "registration_scores_set",
    "staff_registrations",
    "status_counts",
    "waiting_positions",
]

#: At most this many check-ins in one sync (a phone offline for a whole event sends them in parts).
MAX_BATCH = 500

#: Statuses whose registrations can still be scored by a panel.
_SCORED = (RegistrationStatus.APPLIED, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)


@dataclass(frozen=True)
class RegistrationFilters:
    status: str = ""
    search: str = ""


def staff_registrations(
    *, opportunity: Opportunity, filters: RegistrationFilters | None = None
) -> QuerySet[Registration]:
    """The registrations of a call in the order of places (rank), then arrival."""
    filters = filters or RegistrationFilters()
    registrations = Registration.objects.filter(opportunity=opportunity).select_related(
        "home_kecamatan"
    )
    if filters.status:
        registrations = registrations.filter(status=filters.status)
    search = filters.search.strip()
    if search:
        registrations = registrations.filter(
            Q(number__iexact=normalise_checkin_code(search)) | Q(name__icontains=search)
        )
    return registrations.order_by("rank", "pk")


def waiting_positions(
    *, opportunity: Opportunity, registrations: Iterable[Registration]
) -> dict[int, int]:
    """The place on the waiting list (1 = next) of each waiting one of ``registrations``."""
    ranks = sorted(
        rank
        for rank in Registration.objects.filter(
            opportunity=opportunity, status=RegistrationStatus.WAITING, rank__isnull=False
        ).values_list("rank", flat=True)
        if rank is not None
    )
    return {
        registration.pk: bisect_left(ranks, registration.rank) + 1
        for registration in registrations
        if registration.status == RegistrationStatus.WAITING and registration.rank is not None
    }


def status_counts(opportunities: Iterable[Opportunity]) -> dict[int, dict[str, int]]:
    """Registrations per status of each call (every status present, zero when none)."""
    ids = [opportunity.pk for opportunity in opportunities]
    counts = {pk: dict.fromkeys(RegistrationStatus.values, 0) for pk in ids}
    rows = (
        Registration.objects.filter(opportunity_id__in=ids)
        .values_list("opportunity_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for opportunity_id, status, n in rows:
        counts[opportunity_id][status] = n
    return counts


def code_digest(code: str) -> str:
    """SHA-256 (hex) of a check-in code as the officer's phone computes it (normalised)."""
    return hashlib.sha256(normalise_checkin_code(code).encode()).hexdigest()


def checkin_hashes(opportunity: Opportunity) -> dict[str, list[str]]:
    """Digests of the codes with a confirmed place, and of those already checked in."""
    rows = Registration.objects.filter(
        opportunity=opportunity,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED],
    ).values_list("status", "checkin_code")
    hashes: dict[str, list[str]] = {"confirmed": [], "attended": []}
    for status, code in rows:
        key = "attended" if status == RegistrationStatus.ATTENDED else "confirmed"
        hashes[key].append(code_digest(code))
    return {key: sorted(values) for key, values in hashes.items()}


@dataclass(frozen=True)
class CheckInItem:
    code: str
    at: datetime | None = None


@dataclass(frozen=True)
class CheckInOutcome:
    """What happened to one check-in: ``checked_in``, ``already`` or ``refused``."""

    code: str
    status: str
    message: str
    registration: Registration | None = None
    refusal: str = ""


def check_in_batch(
    *, actor: Any, opportunity: Opportunity, items: Sequence[CheckInItem]
) -> list[CheckInOutcome]:
    """Check in each item on its own (its own transaction), keeping the time it was made.

    One refused code (unknown, no confirmed place, in the future) does not stop
    the others; the same code twice is checked in once, then ``already``.
    """
    if not actor.has_perm("participation.change_opportunity", opportunity):
        raise PermissionDenied
    if len(items) > MAX_BATCH:
        raise ValidationError(
            _("Send at most %(count)d check-ins at a time.") % {"count": MAX_BATCH}
        )
    outcomes: list[CheckInOutcome] = []
    for item in items:
        try:
            result = check_in(actor=actor, opportunity=opportunity, code=item.code, at=item.at)
        except RegistrationRefused as refused:
            outcomes.append(
                CheckInOutcome(
                    code=item.code, status="refused", message=refused.message, refusal=refused.code
                )
            )
            continue
        registration = result.registration
        if result.already:
            message = _("%(name)s (%(number)s) is already checked in.")
        else:
            message = _("%(name)s (%(number)s) is checked in.")
        outcomes.append(
            CheckInOutcome(
                code=item.code,
                status="already" if result.already else "checked_in",
                message=message % {"name": registration.name, "number": registration.number},
                registration=registration,
            )
        )
    return outcomes


def registration_scores_set(
    *, actor: Any, registration: Registration, scores: dict[str, Any]
) -> Registration:
    """Record the panel's scores of one applicant, one number (0 or more) per criterion.

    Only for panel calls, while published or closed (the selection reads them);
    every criterion needs a score, and only the call's criteria are kept.
    """
    opportunity = registration.opportunity
    if not actor.has_perm("participation.change_opportunity", opportunity):
        raise PermissionDenied
    if opportunity.allocation != Allocation.PANEL:
        raise ValidationError(_("Only calls selected by a panel have scores."))
    if opportunity.status not in (OpportunityStatus.PUBLISHED, OpportunityStatus.CLOSED):
        raise ValidationError(_("Scores are given while the call is published or closed."))
    names = [str(criterion["name"]) for criterion in opportunity.panel_criteria]
    problems: dict[str, list[str]] = {}
    clean: dict[str, float] = {}
    for name in names:
        value: Any = scores.get(name)
        try:
            number = float(value) if value not in (None, "") else math.nan
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number) or number < 0:
            problems.setdefault("scores", []).append(
                _("Give “%(criterion)s” a score of 0 or more.") % {"criterion": name}
            )
        else:
            clean[name] = number
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status not in _SCORED:
            raise ValidationError(
                _("Registration %(number)s is %(status)s: it is not scored.")
                % {"number": locked.number, "status": locked.get_status_display()}
            )
        locked.scores = clean
        locked.save(update_fields=["scores"])
        RegistrationEvent.objects.create(
            opportunity_id=locked.opportunity_id,
            registration=locked,
            number=locked.number,
            kind=RegistrationEvent.Kind.SCORED,
            detail=", ".join(f"{name}={value}" for name, value in clean.items())[:200],
            actor=actor,
        )
    return locked
