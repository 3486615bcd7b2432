"""Writes to partnerships go through these services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kembar.common.public_cache import bump
from kembar.common.sync import sync_rows
from kembar.common.text import check_text, raise_text_problems
from kembar.common.versioning import (
    EditConflict,
    FieldConflict,
    conflict_from_history,
    lock_version,
)
from kembar.partnerships.conditions import relations_refusal
from kembar.partnerships.lifecycle_source import LifecycleDefinition
from kembar.partnerships.models import (
    Condition,
    ConditionCheck,
    Confidence,
    CooperationPlan,
    DocumentedStatus,
    DocumentKind,
    FocusArea,
    InboundRequest,
    Initiator,
    LifecycleState,
    LifecycleTransition,
    Partnership,
    PartnershipDocument,
    PartnershipEvent,
    RecordOrigin,
    RelationshipType,
)
from kembar.partnerships.sources import PartnershipSeed

__all__ = [
    "EDITABLE_FIELDS",
    "EditConflict",
    "FieldConflict",
    "conditions_seen",
    "cooperation_plan_save",
    "inbound_request_accept",
    "inbound_request_create",
    "inbound_request_decline",
    "inbound_request_review",
    "lifecycle_seed_apply",
    "partnership_agreements_apply",
    "partnership_conditions_record",
    "partnership_confirm",
    "partnership_seed_apply",
    "partnership_update",
]


def partnership_seed_apply(seed: PartnershipSeed) -> dict[str, Any]:
    """Load the documented starting record; a partnership that exists is left as it is.

    The record is a seed: once a partnership is in Kembar its staff own it, so
    a later load adds what is missing (new partnerships, new documented
    events, new focus areas) and never overwrites their edits.  Call inside
    ``transaction.atomic()``.
    """
    areas = sync_rows(
        FocusArea,
        {
            area.slug: {"slug": area.slug, "name_id": area.name_id, "name_en": area.name_en}
            for area in seed.focus_areas
        },
        key=("slug",),
        delete_missing=False,
    )
    area_ids = dict(FocusArea.objects.values_list("slug", "id"))
    existing = set(Partnership.objects.values_list("slug", flat=True))
    created = 0
    for row in seed.partnerships:
        if row.slug in existing:
            continue
        partnership = Partnership(
            slug=row.slug,
            local_region_id=row.local_region,
            partner_city_id=row.partner_geonameid,
            partner_name=row.partner_name,
            partner_region_name=row.partner_region_name,
            partner_country_id=row.partner_country,
            relationship_type=row.relationship_type,
            documented_status=row.documented_status,
            confidence=row.confidence,
            sources=row.sources,
            # The starting record holds only what public sources document.
            is_public=True,
        )
        partnership.full_clean()
        partnership._change_reason = "Loaded from the documented starting record"  # type: ignore[attr-defined]
        partnership.save()
        partnership.focus_areas.set([area_ids[slug] for slug in row.focus_areas])
        created += 1

    partnership_ids = dict(Partnership.objects.values_list("slug", "id"))
    known_events = {
        (event.partnership.slug, event.date, event.kind): event
        for event in PartnershipEvent.objects.select_related("partnership")
    }
    new_events = []
    translated = 0
    for event in seed.events:
        known = known_events.get((event.partnership, event.date, event.kind))
        if known is not None:
            # Events loaded before details were bilingual get the missing language; a
            # detail staff have written stays as it is.
            if not known.detail_id and event.detail_id and known.detail_en == event.detail_en:
                known.detail_id = event.detail_id
                known._change_reason = "Indonesian detail added from the documented starting record"  # type: ignore[attr-defined]
                known.save(update_fields=["detail_id"])
                translated += 1
            continue
        new_events.append(
            PartnershipEvent(
                partnership_id=partnership_ids[event.partnership],
                date=event.date,
                date_precision=event.precision,
                kind=event.kind,
                detail_id=event.detail_id,
                detail_en=event.detail_en,
                source=event.source,
            )
        )
    for event_obj in new_events:
        event_obj.full_clean()
        event_obj.save()
    return {
        "focus_areas": areas.as_dict(),
        "partnerships": {"created": created, "kept": len(seed.partnerships) - created},
        "events": {
            "created": len(new_events),
            "kept": len(seed.events) - len(new_events),
            "translated": translated,
        },
    }


def partnership_agreements_apply(seed: PartnershipSeed) -> dict[str, int]:
    """Record the agreements the sources document, with their dates; keep what staff recorded.

    An agreement is added only when its partnership has no document of that
    kind yet (an uploaded copy, or this record from an earlier load).  It has
    no file: ``source`` says where the dates come from.  Runs after the
    lifecycle is loaded (the document kinds come from it).  Call inside
    ``transaction.atomic()``.
    """
    kinds = {kind.code: kind for kind in DocumentKind.objects.all()}
    partnership_ids = dict(Partnership.objects.values_list("slug", "id"))
    present = set(
        PartnershipDocument.objects.values_list("partnership__slug", "kind__code").distinct()
    )
    created = 0
    for row in seed.agreements:
        kind = kinds.get(row.kind)
        if (row.partnership, row.kind) in present or kind is None:
            continue
        document = PartnershipDocument(
            partnership_id=partnership_ids[row.partnership],
            kind=kind,
            title=row.title,
            signed_on=row.signed_on,
            signed_on_precision=row.signed_on_precision,
            valid_until=row.valid_until,
            valid_until_precision=row.valid_until_precision,
            source=row.source,
            sha256="",
            size_bytes=0,
            uploaded_at=timezone.now(),
        )
        document.full_clean(exclude=["sha256"])  # no file, so no digest
        document._change_reason = "Loaded from the documented starting record"  # type: ignore[attr-defined]
        document.save()
        created += 1
    return {"created": created, "kept": len(seed.agreements) - created}


def lifecycle_seed_apply(definition: LifecycleDefinition) -> dict[str, Any]:
    """Load the default lifecycle: add missing states, kinds and transitions; keep edits.

    An administrator may have changed the definition since; rows that exist
    are left as they are.  Partnerships without a stage get the stage their
    documented status maps to.  Call inside ``transaction.atomic()``.
    """
    created = {"states": 0, "document_kinds": 0, "transitions": 0, "partnerships_staged": 0}
    states = {state.code: state for state in LifecycleState.objects.all()}
    for row in definition.states:
        if row["code"] not in states:
            states[row["code"]] = LifecycleState.objects.create(**row)
            created["states"] += 1
    kinds = {kind.code: kind for kind in DocumentKind.objects.all()}
    for row in definition.document_kinds:
        if row["code"] not in kinds:
            kinds[row["code"]] = DocumentKind.objects.create(**row)
            created["document_kinds"] += 1
    existing = set(LifecycleTransition.objects.values_list("source__code", "target__code"))
    for row in definition.transitions:
        if (row["from"], row["to"]) in existing:
            continue
        transition = LifecycleTransition.objects.create(
            source=states[row["from"]],
            target=states[row["to"]],
            roles=row["roles"],
            approver_roles=row["approver_roles"],
            checks=row["checks"],
            requires_reason=row["requires_reason"],
            deadline_working_days=row["deadline_working_days"],
            legal_basis=row["legal_basis"],
        )
        transition.required_documents.set([kinds[code] for code in row["documents"]])
        created["transitions"] += 1
    for status, code in definition.documented_status_map.items():
        created["partnerships_staged"] += Partnership.objects.filter(
            state__isnull=True, documented_status=status
        ).update(state=states[code])
    bump()  # QuerySet.update sends no signal (kembar.common.public_cache)
    return created


# --- Editing partnerships --------------------------------------------------------------------

#: Fields staff may edit directly; the stage changes only through transitions.
EDITABLE_FIELDS = (
    "partner_name",
    "partner_region_name",
    "relationship_type",
    "initiated_by",
    "consultation_recorded_on",
    "is_public",
    "sources",
)


def _require(user: Any, perm: str, obj: Any) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You may not do this."))


def partnership_update(
    *, partnership: Partnership, actor: Any, expected_version: int, data: dict[str, Any]
) -> Partnership:
    """Change the editable fields (and focus areas) of a partnership, refusing lost updates.

    ``expected_version`` is the version the user's form was built from; if
    the stored version is newer, :class:`EditConflict` says what changed.
    """
    _require(actor, "partnerships.change_partnership", partnership)
    unknown = sorted(set(data) - {*EDITABLE_FIELDS, "focus_areas"})
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    with transaction.atomic():
        locked, stale = lock_version(Partnership, partnership.pk, expected_version)
        if stale:
            raise _conflict(locked, expected_version, data)
        for name in EDITABLE_FIELDS:
            if name in data:
                setattr(locked, name, data[name])
        raise_text_problems(locked, fields=EDITABLE_FIELDS)
        locked.full_clean()
        locked.version += 1
        locked._history_user = actor  # type: ignore[attr-defined]
        locked._change_reason = "edited"  # type: ignore[attr-defined]
        locked.save()
        if "focus_areas" in data:
            locked.focus_areas.set(data["focus_areas"])
    return locked


def partnership_confirm(*, actor: Any, partnership: Partnership) -> Partnership:
    """The region confirms a partnership loaded from the world twin-town list.

    Only a cooperation officer of the region or an administrator may
    (``partnerships.change_partnership``, i.e. ``can_act_on_region``); who and
    when are kept on the partnership and in its history.  A partnership not
    from the list, or already confirmed, is a :class:`ValidationError`.
    """
    _require(actor, "partnerships.change_partnership", partnership)
    with transaction.atomic():
        locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
        if locked.origin != RecordOrigin.WORLD_TWIN_LIST:
            raise ValidationError(
                _("Only a partnership from the world twin-town list needs confirming.")
            )
        if locked.confirmed_at is not None:
            raise ValidationError(_("This partnership is already confirmed."))
        locked.confirmed_at = timezone.now()
        locked.confirmed_by = actor
        locked.version += 1
        locked._history_user = actor  # type: ignore[attr-defined]
        locked._change_reason = "confirmed by the region"  # type: ignore[attr-defined]
        locked.save()
    return locked


def _conflict(current: Partnership, base_version: int, data: dict[str, Any]) -> EditConflict:
    labels = {
        name: str(getattr(Partnership._meta.get_field(name), "verbose_name", name))
        for name in EDITABLE_FIELDS
    }
    return conflict_from_history(
        current,
        base_version,
        data,
        labels=labels,
        message=_("Someone else (%(user)s) changed this partnership while you were editing."),
    )


def conditions_seen(partnership: Partnership) -> int:
    """The state of the partnership's conditions checklist: its newest history record's id.

    A checklist form carries it; a save made from an older state is refused.
    """
    newest = ConditionCheck.history.filter(partnership_id=partnership.pk).aggregate(
        newest=Max("history_id")
    )["newest"]
    return int(newest or 0)


def _conditions_conflict(
    partnership: Partnership,
    seen: int,
    results: dict[str, tuple[bool, str]],
    current: dict[str, ConditionCheck],
) -> EditConflict:
    records = ConditionCheck.history.filter(
        partnership_id=partnership.pk, history_id__lte=seen
    ).latest_of_each()
    base = {r.condition: (r.met, r.note) for r in records if r.history_type != "-"}
    labels = dict(Condition.choices)

    def read(state: tuple[bool, str] | None) -> str:
        met, note = state or (False, "")
        return (_("yes") if met else _("no")) + (f" — {note}" if note else "")

    conflicts = []
    for code, yours in results.items():
        now = current.get(code)
        now_state = (now.met, now.note) if now is not None else None
        if read(base.get(code)) != read(now_state) and read(yours) != read(now_state):
            conflicts.append(
                FieldConflict(
                    field=code,
                    label=str(labels.get(code, code)),
                    base=read(base.get(code)),
                    current=read(now_state),
                    yours=read(yours),
                )
            )
    newest = (
        ConditionCheck.history.filter(partnership_id=partnership.pk).order_by("-history_id").first()
    )
    user = newest.history_user if newest is not None else None
    who = str(user) if user is not None else _("unknown")
    return EditConflict(
        current=partnership,
        conflicts=conflicts,
        changed_by=who,
        message=_(
            "Someone else (%(user)s) changed the conditions checklist while you were editing."
        )
        % {"user": who},
    )


def partnership_conditions_record(
    *,
    partnership: Partnership,
    actor: Any,
    results: dict[str, tuple[bool, str]],
    seen: int | None = None,
) -> None:
    """Record the Pasal 27 conditions checked during exploration.

    ``seen`` is :func:`conditions_seen` when the form was built; if the checklist
    changed since, :class:`EditConflict` says what changed.  Conditions whose box
    and note are unchanged are not written again.
    """
    _require(actor, "partnerships.change_partnership", partnership)
    unknown = sorted(set(results) - set(Condition.values))
    if unknown:
        raise ValidationError({name: _("Not a condition of Pasal 27.") for name in unknown})
    refusal = relations_refusal(partnership)
    if results.get(Condition.DIPLOMATIC_RELATIONS, (False, ""))[0] and refusal:
        raise ValidationError(refusal)
    for code, (_met, note) in results.items():
        if (refused := check_text(note, _("Note"), multiline=True)) is not None:
            raise ValidationError({f"note_{code}": refused})
    now = timezone.now()
    with transaction.atomic():
        # The partnership's row is locked so that the check and the writes are one step.
        Partnership.objects.select_for_update().only("pk").get(pk=partnership.pk)
        current = {
            check.condition: check
            for check in ConditionCheck.objects.filter(partnership=partnership)
        }
        if seen is not None and conditions_seen(partnership) != seen:
            raise _conditions_conflict(partnership, seen, results, current)
        for code, (met, note) in results.items():
            check = current.get(code)
            if check is not None and (check.met, check.note) == (met, note):
                continue
            ConditionCheck.objects.update_or_create(
                partnership=partnership,
                condition=code,
                defaults={"met": met, "note": note, "checked_by": actor, "checked_at": now},
            )


def cooperation_plan_save(
    *,
    partnership: Partnership,
    actor: Any,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> CooperationPlan:
    """Create or change the cooperation plan's seven contents, refusing lost updates.

    ``expected_version`` is the plan's version the form was built from (0 when
    there was no plan yet); a stale one raises :class:`EditConflict`.
    """
    _require(actor, "partnerships.change_partnership", partnership)
    allowed = {*CooperationPlan.CONTENTS, "period_start", "period_end"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({name: _("Not part of the cooperation plan.") for name in unknown})
    with transaction.atomic():
        # The partnership's row is locked: the plan may not exist yet, and two first
        # saves must not both create it.
        Partnership.objects.select_for_update().only("pk").get(pk=partnership.pk)
        plan = CooperationPlan.objects.filter(partnership=partnership).first()
        if plan is None:
            plan = CooperationPlan(partnership=partnership)
        elif expected_version is not None and plan.version != expected_version:
            raise conflict_from_history(
                plan,
                expected_version,
                data,
                labels={
                    name: str(getattr(CooperationPlan._meta.get_field(name), "verbose_name", name))
                    for name in allowed
                },
                message=_(
                    "Someone else (%(user)s) changed the cooperation plan while you were editing."
                ),
                empty=CooperationPlan(partnership=partnership),
            )
        if plan.pk is not None and all(getattr(plan, k) == v for k, v in data.items()):
            return plan
        for name, value in data.items():
            setattr(plan, name, value)
        if plan.period_start and plan.period_end and plan.period_end < plan.period_start:
            raise ValidationError(
                {"period_end": _("The implementation period must end after it starts.")}
            )
        if plan.pk is not None:
            plan.version += 1
        plan._history_user = actor  # type: ignore[attr-defined]
        raise_text_problems(plan)
        plan.full_clean()
        plan.save()
    return plan


# --- Inbound requests -------------------------------------------------------------------------


def inbound_request_create(*, actor: Any, data: dict[str, Any]) -> InboundRequest:
    request = InboundRequest(**data)
    _require(actor, "partnerships.add_inboundrequest", request)
    raise_text_problems(request)
    request.full_clean()
    request._history_user = actor  # type: ignore[attr-defined]
    request.save()
    return request


def inbound_request_review(
    *, request: InboundRequest, actor: Any, person_in_charge: Any | None = None
) -> InboundRequest:
    """Mark a received request as in review, with the person in charge.

    Like accepting and declining, the status is checked on the locked row: a
    review begun before someone decided the request must not undo the decision.
    """
    _require(actor, "partnerships.change_inboundrequest", request)
    with transaction.atomic():
        locked = InboundRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status not in {InboundRequest.Status.RECEIVED, InboundRequest.Status.IN_REVIEW}:
            raise ValidationError({"status": _("This request is already decided.")})
        locked.status = InboundRequest.Status.IN_REVIEW
        locked.person_in_charge = person_in_charge or locked.person_in_charge or actor
        locked._history_user = actor  # type: ignore[attr-defined]
        locked.save(update_fields=["status", "person_in_charge"])
    request.refresh_from_db()
    return request


def inbound_request_accept(*, request: InboundRequest, actor: Any) -> Partnership:
    """Accept a request: it opens a partnership at the exploration stage."""
    _require(actor, "partnerships.change_inboundrequest", request)
    with transaction.atomic():
        locked = InboundRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status in {InboundRequest.Status.ACCEPTED, InboundRequest.Status.DECLINED}:
            raise ValidationError({"status": _("This request is already decided.")})
        partnership = Partnership(
            slug=_free_slug(f"{locked.local_region_id}-{locked.partner_name}"),
            local_region_id=locked.local_region_id,
            partner_city_id=locked.partner_city_id,
            partner_name=locked.partner_name,
            partner_country_id=locked.partner_country_id,
            relationship_type=RelationshipType.SISTER_CITY,
            documented_status=DocumentedStatus.EXPLORATION,
            confidence=Confidence.DOCUMENTED,
            initiated_by=Initiator.PARTNER,
            state=LifecycleState.objects.get(code="exploration"),
            is_public=False,
        )
        partnership.full_clean()
        partnership._history_user = actor  # type: ignore[attr-defined]
        partnership._change_reason = f"accepted inbound request {locked.pk}"  # type: ignore[attr-defined]
        partnership.save()
        locked.status = InboundRequest.Status.ACCEPTED
        locked.decided_on = timezone.localdate()
        locked.partnership = partnership
        locked.person_in_charge = locked.person_in_charge or actor
        locked._history_user = actor  # type: ignore[attr-defined]
        locked.save()
    request.refresh_from_db()
    return partnership


def inbound_request_decline(*, request: InboundRequest, actor: Any, reason: str) -> InboundRequest:
    _require(actor, "partnerships.change_inboundrequest", request)
    if not reason.strip():
        raise ValidationError({"decline_reason": _("Give the reason for declining.")})
    if (refused := check_text(reason, _("Reason"), multiline=True)) is not None:
        raise ValidationError({"decline_reason": refused})
    with transaction.atomic():
        locked = InboundRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status in {InboundRequest.Status.ACCEPTED, InboundRequest.Status.DECLINED}:
            raise ValidationError({"status": _("This request is already decided.")})
        locked.status = InboundRequest.Status.DECLINED
        locked.decline_reason = reason.strip()
        locked.decided_on = timezone.localdate()
        locked.person_in_charge = locked.person_in_charge or actor
        locked._history_user = actor  # type: ignore[attr-defined]
        locked.save()
    request.refresh_from_db()
    return request


def _free_slug(text: str) -> str:
    base = slugify(text.replace(".", "-"))[:70] or "partnership"
    slug, number = base, 2
    while Partnership.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug
