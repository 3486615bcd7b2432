"""Moving a partnership through its lifecycle: the services and what they check.

What a transition needs is data (:class:`~kembar.partnerships.models.LifecycleTransition`);
this module only knows how to check each kind of requirement.  A refused
transition raises :class:`TransitionRefused` with every reason, in the
user's language, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kembar.accounts.models import Role, User
from kembar.accounts.rules import has_role, serves_region
from kembar.common.public_cache import bump
from kembar.common.text import check_text
from kembar.geo.workdays import working_days_after
from kembar.partnerships.approvals import approval_candidates, approvers_notify, requester_notify
from kembar.partnerships.conditions import relations_refusal
from kembar.partnerships.models import (
    Check,
    Condition,
    CooperationPlan,
    LifecycleTransition,
    Partnership,
    PartnershipDocument,
    TransitionRecord,
)

__all__ = [
    "TransitionOption",
    "TransitionRefused",
    "current_documents",
    "partnership_transition",
    "partnership_transition_approve",
    "partnership_transition_reject",
    "transition_may_decide",
    "transition_options",
]


class TransitionRefused(Exception):
    """A transition or a decision on one was refused; ``reasons`` say why."""

    def __init__(self, reasons: list[str], *, status: int = 409) -> None:
        self.reasons = reasons
        self.status = status
        super().__init__("; ".join(reasons))


@dataclass(frozen=True, slots=True)
class TransitionOption:
    """An outgoing transition as a given user sees it now."""

    transition: LifecycleTransition
    blockers: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.blockers


def current_documents(partnership: Partnership) -> list[PartnershipDocument]:
    """The documents no later version supersedes."""
    return list(partnership.documents.filter(superseded_by__isnull=True).select_related("kind"))


def _check_failures(partnership: Partnership, checks: list[str], today: dt.date) -> list[str]:
    failures = []
    tests: dict[str, Callable[[], bool]] = {
        Check.INITIATOR_RECORDED: lambda: bool(partnership.initiated_by),
        Check.PARTNER_IDENTIFIED: lambda: partnership.partner_city_id is not None,
        Check.CONSULTATION_RECORDED: lambda: partnership.consultation_recorded_on is not None,
        Check.CONDITIONS_MET: lambda: (
            set(partnership.conditions.filter(met=True).values_list("condition", flat=True))
            >= set(Condition.values)
        ),
        Check.PLAN_COMPLETE: lambda: _plan_complete(partnership),
        Check.AGREEMENT_VALID: lambda: partnership.documents.filter(
            superseded_by__isnull=True,
            kind__has_validity=True,
            signed_on__isnull=False,
            valid_until__gte=today,
        ).exists(),
    }
    for check in checks:
        if not tests[check]():
            failures.append(_("Not yet done: %(check)s.") % {"check": Check(check).label})
    if Check.CONDITIONS_MET in checks:
        # The list may have changed since the checklist was recorded.
        refusal = relations_refusal(partnership)
        if refusal:
            failures.append(refusal)
    return failures


def _plan_complete(partnership: Partnership) -> bool:
    plan = CooperationPlan.objects.filter(partnership=partnership).first()
    return plan is not None and not plan.missing_contents()


def _requirements(
    partnership: Partnership,
    transition: LifecycleTransition,
    today: dt.date,
    have: set[int] | None = None,
) -> list[str]:
    """What blocks ``transition``; ``have`` the kinds of the current documents, if read already."""
    if have is None:
        have = {document.kind_id for document in current_documents(partnership)}
    missing = [
        _("Document missing: %(kind)s.") % {"kind": kind.name}
        for kind in transition.required_documents.all()
        if kind.id not in have
    ]
    return missing + _check_failures(partnership, list(transition.checks), today)


def _may_make(user: User, partnership: Partnership, transition: LifecycleTransition) -> list[str]:
    if not user.has_perm("partnerships.transition_partnership", partnership) or (
        user.role not in transition.roles
    ):
        return [
            _("Your role (%(role)s) may not move this partnership to %(state)s.")
            % {"role": Role(user.role).label if user.role else "—", "state": transition.target.name}
        ]
    return []


def _pending(partnership: Partnership) -> TransitionRecord | None:
    return (
        partnership.transitions.filter(status=TransitionRecord.Status.PENDING)
        .select_related("target")
        .first()
    )


def transition_options(*, partnership: Partnership, user: User) -> list[TransitionOption]:
    """Every transition out of the current stage, with what blocks it for ``user`` now."""
    if partnership.state_id is None:
        return []
    today = timezone.localdate()
    pending = _pending(partnership)
    have = {document.kind_id for document in current_documents(partnership)}
    options = []
    for transition in (
        LifecycleTransition.objects.filter(source_id=partnership.state_id)
        .select_related("source", "target")
        .prefetch_related("required_documents")
    ):
        blockers = _may_make(user, partnership, transition)
        if pending is not None:
            blockers.append(
                _("A move to %(state)s is awaiting approval.") % {"state": pending.target.name}
            )
        blockers += _requirements(partnership, transition, today, have)
        options.append(TransitionOption(transition, blockers))
    return options


def partnership_transition(
    *, partnership: Partnership, target: str, actor: User, reason: str = ""
) -> TransitionRecord:
    """Move ``partnership`` to the stage ``target`` (a state code), or ask for approval.

    Refused, with every reason, when the transition does not exist from the
    current stage, the actor's role may not make it, a required document or
    check is missing, a reason is required and empty, or another move awaits
    approval.  A transition that needs a second approver is recorded as
    pending and the stage does not change until someone else approves it.
    """
    reason = reason.strip()
    with transaction.atomic():
        locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
        transition = (
            LifecycleTransition.objects.filter(source_id=locked.state_id, target__code=target)
            .select_related("source", "target")
            .first()
        )
        if transition is None:
            raise TransitionRefused(
                [
                    _("A partnership at stage %(state)s cannot move to %(target)s.")
                    % {"state": locked.state.name if locked.state else "—", "target": target}
                ],
                status=400,
            )
        reasons = _may_make(actor, locked, transition)
        if reasons:
            raise TransitionRefused(reasons, status=403)
        pending = _pending(locked)
        if pending is not None:
            reasons.append(
                _("A move to %(state)s is awaiting approval.") % {"state": pending.target.name}
            )
        if transition.requires_reason and not reason:
            reasons.append(_("Give a reason for this move."))
        if (refused := check_text(reason, _("Reason"), multiline=True)) is not None:
            reasons.append(refused)
        reasons += _requirements(locked, transition, timezone.localdate())
        if reasons:
            raise TransitionRefused(reasons)
        record = TransitionRecord.objects.create(
            partnership=locked,
            transition=transition,
            source=transition.source,
            target=transition.target,
            status=TransitionRecord.Status.PENDING,
            reason=reason,
            actor=actor,
            created_at=timezone.now(),
        )
        if not transition.needs_approval:
            _apply(locked, record, decided_by=actor)
        else:
            approvers_notify(record, _approvers(record))
    partnership.refresh_from_db()
    record.refresh_from_db()
    return record


def _approvers(record: TransitionRecord) -> list[User]:
    """Who may decide on ``record``: those of the approver roles, else the administrators."""
    allowed = [
        user for user in approval_candidates(record) if decision_refusal(record, user) is None
    ]
    by_role = [user for user in allowed if user.role != Role.ADMINISTRATOR]
    return by_role or allowed


def _apply(partnership: Partnership, record: TransitionRecord, *, decided_by: User) -> None:
    transition = record.transition
    assert transition is not None  # noqa: S101 - records made by this module always have one
    now = timezone.now()
    deadline = None
    if transition.deadline_working_days:
        deadline = working_days_after(timezone.localdate(now), transition.deadline_working_days)
    TransitionRecord.objects.filter(pk=record.pk).update(
        status=TransitionRecord.Status.APPLIED,
        approver=decided_by if decided_by != record.actor else None,
        decided_at=now,
        deadline=deadline,
    )
    # The row is locked (select_for_update), so the version can be raised in Python;
    # save() leaves the audit record with who and why.
    partnership.state = transition.target
    partnership.version += 1
    partnership._change_reason = f"{transition}: {record.reason}".rstrip(": ")  # type: ignore[attr-defined]
    partnership._history_user = decided_by  # type: ignore[attr-defined]
    partnership.save(update_fields=["state", "version", "updated_at"])


def partnership_transition_approve(
    *, record: TransitionRecord, approver: User, note: str = ""
) -> TransitionRecord:
    """A second person approves a pending transition; it is applied if still allowed."""
    if (refused := check_text(note, _("Note"), multiline=True)) is not None:
        raise TransitionRefused([refused], status=400)
    with transaction.atomic():
        locked = (
            TransitionRecord.objects.select_for_update(of=("self",))
            .select_related("transition__target", "partnership")
            .get(pk=record.pk)
        )
        _check_decider(locked, approver)
        partnership = Partnership.objects.select_for_update().get(pk=locked.partnership_id)
        if partnership.state_id != locked.source_id:
            raise TransitionRefused(
                [_("The partnership has moved on since this was proposed.")], status=409
            )
        transition = locked.transition
        assert transition is not None  # noqa: S101
        reasons = _requirements(partnership, transition, timezone.localdate())
        if reasons:
            raise TransitionRefused(reasons)
        TransitionRecord.objects.filter(pk=locked.pk).update(decision_note=note.strip())
        locked.refresh_from_db()
        _apply(partnership, locked, decided_by=approver)
        locked.refresh_from_db()
        requester_notify(locked)
    record.refresh_from_db()
    return record


def partnership_transition_reject(
    *, record: TransitionRecord, approver: User, note: str
) -> TransitionRecord:
    """A second person rejects a pending transition; the stage stays as it is."""
    if not note.strip():
        raise TransitionRefused([_("Give a reason for rejecting.")], status=400)
    if (refused := check_text(note, _("Note"), multiline=True)) is not None:
        raise TransitionRefused([refused], status=400)
    with transaction.atomic():
        locked = (
            TransitionRecord.objects.select_for_update(of=("self",))
            .select_related("transition", "partnership")
            .get(pk=record.pk)
        )
        _check_decider(locked, approver)
        TransitionRecord.objects.filter(pk=locked.pk).update(
            status=TransitionRecord.Status.REJECTED,
            approver=approver,
            decided_at=timezone.now(),
            decision_note=note.strip(),
        )
        bump()  # QuerySet.update sends no signal (kembar.common.public_cache)
        locked.refresh_from_db()
        requester_notify(locked)
    record.refresh_from_db()
    return record


def decision_refusal(record: TransitionRecord, approver: Any) -> TransitionRefused | None:
    """Why ``approver`` may not decide on ``record`` now, or ``None`` if they may."""
    if record.status != TransitionRecord.Status.PENDING:
        return TransitionRefused([_("This move is not awaiting approval.")], status=409)
    if approver.pk == record.actor_id:
        return TransitionRefused(
            [_("A different person must approve a move you proposed.")], status=403
        )
    transition = record.transition
    approver_roles = transition.approver_roles if transition else []
    allowed = has_role(approver, Role.ADMINISTRATOR) or (
        getattr(approver, "role", "") in approver_roles
        and serves_region(approver, record.partnership.local_region_id)
    )
    if not allowed:
        return TransitionRefused([_("Your role may not approve this move.")], status=403)
    return None


def transition_may_decide(record: TransitionRecord, user: Any) -> bool:
    """Whether ``user`` may approve or reject ``record`` (for showing the buttons)."""
    return decision_refusal(record, user) is None


def _check_decider(record: TransitionRecord, approver: User) -> None:
    refusal = decision_refusal(record, approver)
    if refusal is not None:
        raise refusal
