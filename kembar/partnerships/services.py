"""Writes to partnerships go through these services."""

from __future__ import annotations

from typing import Any

from kembar.common.sync import sync_rows
from kembar.partnerships.models import FocusArea, Partnership, PartnershipEvent
from kembar.partnerships.sources import PartnershipSeed

__all__ = ["partnership_seed_apply"]


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
