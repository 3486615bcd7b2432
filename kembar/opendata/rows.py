"""The rows of each public dataset, read through the public selectors and disclosure rules.

Nothing here decides on its own what the public may see:

- partnerships are the home region's public ones, as the portal lists them
  (:func:`kembar.portal.selectors.public_partnerships`); their documented
  events and their *applied* lifecycle moves, as the portal's history shows
  them (who moved them and why stay in the staff record);
- activities are those the public activities API shows an anonymous caller
  (:func:`kembar.portal.activities.public_activities`), with the API's
  protected participant figures (:func:`kembar.programs.disclosure.participant_figures`)
  and indicator values counted in people hidden as the API hides them
  (:func:`kembar.programs.disclosure.hidden_people_actuals`);
- reach is the public answer of :func:`kembar.insights.reach.reach_figures`
  (cells under 5 and their complements suppressed);
- multipliers are those of the public economy page (every table, default
  method and δ).

No row holds a person: no names of travellers, users or residents, no e-mail,
no registration.  Economic effects are given without their visitor counts
(a number of people that could be 1–4).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation

from kembar.geo.models import Region
from kembar.insights.economy import NATIONAL, REGIONS, economy_table, multiplier_figures
from kembar.insights.reach import ReachFilters, reach_figures
from kembar.partnerships.models import Partnership, TransitionRecord
from kembar.portal.activities import public_activities
from kembar.portal.selectors import public_partnerships
from kembar.programs.disclosure import hidden_people_actuals, participant_figures
from kembar.programs.models import Activity, EconomicEffect
from kembar.programs.selectors import activity_with_children

__all__ = ["OUTSIDE_CITY", "PublicRecord", "public_record"]

Row = dict[str, Any]

#: The ``kode`` of the reach row of participants whose home is outside the city.
OUTSIDE_CITY = "outside"
#: Its name (the names of the reach rows are in Bahasa Indonesia, the package's language).
OUTSIDE_CITY_NAME = "luar kota"
#: Decimals kept of a multiplier (as the API rounds its floats).
FLOAT_DECIMALS = 6


@dataclass
class PublicRecord:
    """The rows of every dataset, by dataset name, read once."""

    region: str
    region_name: str
    rows: dict[str, list[Row]] = field(default_factory=dict)


def _codes(items: Any, attribute: str = "pk") -> str:
    """Several codes in one cell, ``;``-separated, sorted (a CSV cell holds one value)."""
    return ";".join(sorted(str(getattr(item, attribute)) for item in items))


def _partnership_rows(partnerships: list[Partnership]) -> list[Row]:
    return [
        {
            "slug": partnership.slug,
            "local_region": partnership.local_region_id,
            "local_region_name": partnership.local_region.name,
            "partner_name": partnership.partner_name,
            "partner_region_name": partnership.partner_region_name,
            "partner_country": partnership.partner_country_id,
            "partner_city": partnership.partner_city.name if partnership.partner_city else None,
            "relationship_type": partnership.relationship_type,
            "documented_status": partnership.documented_status,
            "stage": partnership.state.code if partnership.state else None,
            "stage_name_id": partnership.state.name_id if partnership.state else None,
            "stage_name_en": partnership.state.name_en if partnership.state else None,
            "confidence": partnership.confidence,
            "focus_areas": _codes(partnership.focus_areas.all(), "slug"),
            "initiated_by": partnership.initiated_by or None,
            "consultation_recorded_on": partnership.consultation_recorded_on,
            "sources": partnership.sources,
        }
        for partnership in partnerships
    ]


def _event_rows(partnerships: list[Partnership]) -> list[Row]:
    return [
        {
            "partnership": partnership.slug,
            "date": event.date,
            "date_precision": event.date_precision,
            "kind": event.kind,
            "detail_id": event.detail_id,
            "detail_en": event.detail_en,
            "source": event.source,
        }
        for partnership in partnerships
        for event in partnership.events.all()
    ]


def _move_rows(partnerships: list[Partnership]) -> list[Row]:
    rows = []
    for partnership in partnerships:
        for record in partnership.transitions.all():
            if record.status != TransitionRecord.Status.APPLIED:
                continue
            # As the portal's history: the day it took effect, from which stage to which.
            rows.append(
                {
                    "partnership": partnership.slug,
                    "date": timezone.localdate(record.decided_at or record.created_at),
                    "from_stage": record.source.code if record.source else None,
                    "to_stage": record.target.code,
                }
            )
    return rows


def _place(activity: Activity) -> tuple[str | None, str | None]:
    if activity.in_partner_city:
        return None, activity.partnership.partner_name
    if activity.place_region is not None:
        return activity.place_region.kode, activity.place_region.name
    return None, None


def _activity_row(activity: Activity) -> Row:
    kode, place = _place(activity)
    return {
        "reference": activity.reference,
        "partnership": activity.partnership.slug,
        "kind": activity.kind,
        "title_id": activity.title_id,
        "title_en": activity.title_en,
        "description_id": activity.description_id,
        "description_en": activity.description_en,
        "agency": activity.agency.slug,
        "agency_name": activity.agency.name,
        "start_date": activity.start_date,
        "end_date": activity.end_date,
        "status": activity.status,
        "cancellation_reason": activity.cancellation_reason,
        "place_kode": kode,
        "place_name": place,
        "in_partner_city": activity.in_partner_city,
        "sector": activity.sector_id,
        "government_affair": activity.government_affair_id,
        "sdg_goals": _codes(activity.sdg_goals.all()),
        "sdg_targets": _codes(activity.sdg_targets.all()),
        "focus_areas": _codes(activity.focus_areas.all(), "slug"),
        # The API's anonymous figures: counts of 1–4 and those that would give them back are null.
        **participant_figures(activity, exact=False),
        "is_demo": activity.is_demo,
    }


def _money_rows(activities: list[Activity]) -> tuple[list[Row], list[Row]]:
    budgets = [
        {
            "activity": activity.reference,
            "source": line.source,
            "kind": line.kind,
            "amount": line.amount,
            "currency": line.currency,
            "rate_to_idr": line.rate_to_idr,
            "amount_idr": line.amount_idr,
            "note": line.note,
        }
        for activity in activities
        for line in activity.budget_lines.all()
    ]
    contributions = [
        {
            "activity": activity.reference,
            "side": item.side,
            "form": item.form,
            "description": item.description,
            "value": item.value,
            "currency": item.currency,
            "rate_to_idr": item.rate_to_idr,
            "value_idr": item.value_idr,
        }
        for activity in activities
        for item in activity.contributions.all()
    ]
    return budgets, contributions


def _result_rows(activities: list[Activity]) -> list[Row]:
    rows = []
    for activity in activities:
        hidden = hidden_people_actuals(activity)
        for result in activity.results.all():
            for indicator in result.indicators.all():
                for period in indicator.periods.all():
                    rows.append(
                        {
                            "activity": activity.reference,
                            "result_level": result.level,
                            "result_title": result.title,
                            "indicator": indicator.title,
                            "unit": indicator.unit,
                            "standard_indicator": indicator.standard_id,
                            "higher_is_better": indicator.higher_is_better,
                            "baseline_year": indicator.baseline_year,
                            "baseline_value": indicator.baseline_value,
                            "period_start": period.period_start,
                            "period_end": period.period_end,
                            "target": period.target,
                            "actual": None if period.pk in hidden else period.actual,
                        }
                    )
    return rows


def _effect_rows(activities: list[Activity]) -> list[Row]:
    effects = EconomicEffect.objects.filter(activity__in=[a.pk for a in activities]).select_related(
        "activity"
    )
    return [
        {
            "activity": effect.activity.reference,
            "kind": effect.kind,
            "sector": effect.sector_id,
            "year": effect.year,
            "amount_idr": effect.amount_idr,
            "confidence": effect.confidence,
            "source": effect.source,
            "is_demo": effect.is_demo,
        }
        for effect in effects
    ]


def _reach_rows(region: str) -> tuple[list[Row], list[Row]]:
    """Local participants by kecamatan (and outside the city) and by group, as the public sees."""
    data = reach_figures(
        filters=ReachFilters(region=region), user=AnonymousUser(), public=True
    ).as_dict()
    kecamatan = [
        {
            "kode": row["kode"],
            "name": row["name"],
            "population": row["population"],
            "population_year": data["population_year"],
            "participants": row["participants"],
            "per_10k": row["per_10k"],
            "suppressed": bool(row.get("suppressed", False)),
        }
        for row in data["districts"]
    ]
    outside = data["outside_city"]
    kecamatan.append(
        {
            "kode": OUTSIDE_CITY,
            "name": OUTSIDE_CITY_NAME,
            "population": None,
            "population_year": None,
            "participants": outside,
            "per_10k": None,
            "suppressed": outside is None,
        }
    )
    groups = [
        {
            "kode": row["kode"],
            "name": row["name"],
            "population": row["population"] or None,
            "participants": row["participants"],
            "representation_ratio": row["representation_ratio"],
            "suppressed": bool(row.get("suppressed", False)),
        }
        for row in data["groups"]
    ]
    return kecamatan, groups


def _float(value: float | None) -> float | None:
    return None if value is None else round(float(value), FLOAT_DECIMALS)


def _multiplier_rows() -> list[Row]:
    """The public economy page's multipliers of every table, sector names in both languages."""
    rows = []
    for region in (NATIONAL, *REGIONS):
        table = economy_table(region)
        figures = multiplier_figures(table)
        with translation.override("en"):
            names_en = [table.sector_name(i) for i in range(len(table.sectors))]
        with translation.override("id"):
            names_id = [table.sector_name(i) for i in range(len(table.sectors))]
        for i, sector in enumerate(figures["sectors"]):
            rows.append(
                {
                    "table": region,
                    "method": figures["method"],
                    "sector": sector["code"],
                    "name_id": names_id[i],
                    "name_en": names_en[i],
                    "output_multiplier": _float(sector["output_multiplier"]),
                    "income_multiplier_type1": _float(sector["income_multiplier_type1"]),
                    "income_multiplier_type2": _float(sector["income_multiplier_type2"]),
                    "value_added_multiplier": _float(sector["value_added_multiplier"]),
                    "backward_linkage": _float(sector["backward_linkage"]),
                    "forward_linkage": _float(sector["forward_linkage"]),
                    "key_sector": sector["key_sector"],
                }
            )
    return rows


def _sort_key(row: Row) -> tuple[Any, ...]:
    """Rows in a stable order whatever the database returned: by every value, nulls first."""
    return tuple((value is not None, _comparable(value)) for value in row.values())


def _comparable(value: Any) -> Any:
    if isinstance(value, bool):
        return (0, Decimal(int(value)), "")
    if isinstance(value, int | float | Decimal):
        return (0, Decimal(str(value)), "")
    if isinstance(value, dt.date):
        return (1, Decimal(0), value.isoformat())
    return (2, Decimal(0), "" if value is None else str(value))


def public_record(*, region: str) -> PublicRecord:
    """Every dataset's rows for the home region ``region``, sorted."""
    # The portal's selector prefetches the events and the applied moves.
    partnerships = list(public_partnerships(region_kode=region))
    activities = list(
        activity_with_children(public_activities(region_kode=region)).order_by("reference")
    )
    budgets, contributions = _money_rows(activities)
    kecamatan, groups = _reach_rows(region)
    region_name = Region.objects.filter(kode=region).values_list("name", flat=True).first()
    rows = {
        "partnerships": _partnership_rows(partnerships),
        "partnership-events": _event_rows(partnerships),
        "lifecycle-moves": _move_rows(partnerships),
        "activities": [_activity_row(activity) for activity in activities],
        "budgets": budgets,
        "contributions": contributions,
        "results": _result_rows(activities),
        "reach-kecamatan": kecamatan,
        "reach-groups": groups,
        "economic-effects": _effect_rows(activities),
        "multipliers": _multiplier_rows(),
    }
    return PublicRecord(
        region=region,
        region_name=region_name or region,
        rows={name: sorted(items, key=_sort_key) for name, items in rows.items()},
    )
