"""Writes to partnerships go through these services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kembar.common.sync import sync_rows
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
    PartnershipEvent,
    RelationshipType,
)
from kembar.partnerships.sources import PartnershipSeed

__all__ = [
    "EDITABLE_FIELDS",
    "EditConflict",
    "FieldConflict",
    "cooperation_plan_save",
    "inbound_request_accept",
    "inbound_request_create",
    "inbound_request_decline",
    "inbound_request_review",
    "lifecycle_seed_apply",
    "partnership_conditions_record",
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
    known_events = set(PartnershipEvent.objects.values_list("partnership__slug", "date", "kind"))
    new_events = []
    for event in seed.events:
        if (event.partnership, event.date, event.kind) in known_events:
            continue
        new_events.append(
            PartnershipEvent(
                partnership_id=partnership_ids[event.partnership],
                date=event.date,
                date_precision=event.precision,
                kind=event.kind,
                detail=event.detail,
                source=event.source,
            )
        )
    for event_obj in new_events:
        event_obj.full_clean()
        event_obj.save()
    return {
        "focus_areas": areas.as_dict(),
        "partnerships": {"created": created, "kept": len(seed.partnerships) - created},
        "events": {"created": len(new_events), "kept": len(seed.events) - len(new_events)},
    }


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


@dataclass(frozen=True, slots=True)
class FieldConflict:
    field: str
    label: str
    base: Any
    current: Any
    yours: Any


class EditConflict(Exception):
    """Someone saved the partnership since this user opened it.

    ``conflicts`` lists, field by field, the value the user started from, the
    value now stored and the value the user wanted, so nothing is lost.
    """

    def __init__(
        self, *, current: Partnership, conflicts: list[FieldConflict], changed_by: str
    ) -> None:
        self.current = current
        self.conflicts = conflicts
        self.changed_by = changed_by
        super().__init__(
            _("Someone else (%(user)s) changed this partnership while you were editing.")
            % {"user": changed_by}
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
        locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
        if locked.version != expected_version:
            raise _conflict(locked, expected_version, data)
        for name in EDITABLE_FIELDS:
            if name in data:
                setattr(locked, name, data[name])
        locked.full_clean()
        locked.version += 1
        locked._history_user = actor  # type: ignore[attr-defined]
        locked._change_reason = "edited"  # type: ignore[attr-defined]
        locked.save()
        if "focus_areas" in data:
            locked.focus_areas.set(data["focus_areas"])
    return locked


def _conflict(current: Partnership, base_version: int, data: dict[str, Any]) -> EditConflict:
    base = current.history.filter(version=base_version).order_by("-history_id").first()
    latest = current.history.order_by("-history_id").first()
    conflicts = []
    for name in EDITABLE_FIELDS:
        now = getattr(current, name)
        before = getattr(base, name) if base is not None else None
        if name in data and (base is None or before != now):
            conflicts.append(
                FieldConflict(
                    field=name,
                    label=str(getattr(Partnership._meta.get_field(name), "verbose_name", name)),
                    base=before,
                    current=now,
                    yours=data[name],
                )
            )
    changed_by = str(latest.history_user) if latest and latest.history_user else _("unknown")
    return EditConflict(current=current, conflicts=conflicts, changed_by=changed_by)


def partnership_conditions_record(
    *, partnership: Partnership, actor: Any, results: dict[str, tuple[bool, str]]
) -> None:
    """Record the Pasal 27 conditions checked during exploration."""
    _require(actor, "partnerships.change_partnership", partnership)
    unknown = sorted(set(results) - set(Condition.values))
    if unknown:
        raise ValidationError({name: _("Not a condition of Pasal 27.") for name in unknown})
    now = timezone.now()
    with transaction.atomic():
        for code, (met, note) in results.items():
            ConditionCheck.objects.update_or_create(
                partnership=partnership,
                condition=code,
                defaults={"met": met, "note": note, "checked_by": actor, "checked_at": now},
            )


def cooperation_plan_save(
    *, partnership: Partnership, actor: Any, data: dict[str, Any]
) -> CooperationPlan:
    """Create or change the cooperation plan's seven contents."""
    _require(actor, "partnerships.change_partnership", partnership)
    allowed = {*CooperationPlan.CONTENTS, "period_start", "period_end"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({name: _("Not part of the cooperation plan.") for name in unknown})
    with transaction.atomic():
        plan, _created = CooperationPlan.objects.select_for_update().get_or_create(
            partnership=partnership
        )
        for name, value in data.items():
            setattr(plan, name, value)
        if plan.period_start and plan.period_end and plan.period_end < plan.period_start:
            raise ValidationError(
                {"period_end": _("The implementation period must end after it starts.")}
            )
        plan._history_user = actor  # type: ignore[attr-defined]
        plan.full_clean()
        plan.save()
    return plan


# --- Inbound requests -------------------------------------------------------------------------


def inbound_request_create(*, actor: Any, data: dict[str, Any]) -> InboundRequest:
    request = InboundRequest(**data)
    _require(actor, "partnerships.add_inboundrequest", request)
    request.full_clean()
    request._history_user = actor  # type: ignore[attr-defined]
    request.save()
    return request


def inbound_request_review(
    *, request: InboundRequest, actor: Any, person_in_charge: Any | None = None
) -> InboundRequest:
    """Mark a received request as in review, with the person in charge."""
    _require(actor, "partnerships.change_inboundrequest", request)
    if request.status not in {InboundRequest.Status.RECEIVED, InboundRequest.Status.IN_REVIEW}:
        raise ValidationError({"status": _("This request is already decided.")})
    request.status = InboundRequest.Status.IN_REVIEW
    request.person_in_charge = person_in_charge or request.person_in_charge or actor
    request._history_user = actor  # type: ignore[attr-defined]
    request.save()
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
