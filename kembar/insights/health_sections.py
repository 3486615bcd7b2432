"""The health parts of the partnership pages (the portfolio is :mod:`health_views`).

- :func:`health_section`, on the staff partnership page: the health now with
  its explanation and the score's components, the last 36 month ends (a
  chart, and a table with the same figures and the states) and the months
  that moved it with their events.  Staff who do not get the region's
  internal figures see the public figures and no events.
- :func:`public_health`, on the public partnership page: state and
  reciprocity only, computed as the public API computes them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kembar.insights.health import (
    COMPONENT_LABELS,
    EVENT_LABELS,
    direction_text,
    health_figures,
    health_history,
    reciprocity_hint,
)
from kembar.insights.reach import sees_internal_figures
from kembar.partnerships.models import Partnership

__all__ = ["health_section", "public_health"]


def _components(current: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "label": str(COMPONENT_LABELS.get(name, name)),
            "value": part["value"],
            "weight_percent": round(100 * part["weight"], 1),
            "points": part["points"],
        }
        for name, part in (current["components"] or {}).items()
    ]


def health_section(partnership: Partnership, *, user: Any) -> dict[str, Any]:
    """The health part of the staff partnership page (internal figures only for the region's staff).

    The chart data holds the month ends and scores; the table beside the
    chart holds the same figures with the states.
    """
    public = not sees_internal_figures(user, partnership.local_region_id)
    history = health_history(partnership, public=public)
    local = partnership.local_region.name
    moves = [
        {
            **move,
            "events": [
                {
                    "day": event.day,
                    "kind": str(EVENT_LABELS[event.kind]),
                    "direction": direction_text(event.direction, local),
                }
                for event in move["events"]
            ],
        }
        for move in reversed(history.moves)
    ]
    return {
        "history": history,
        "current": history.current,
        "reciprocity_hint": reciprocity_hint(history.current["reciprocity"], local),
        "components": _components(history.current),
        "moves": moves,
        "chart_data": {
            "months": [row["month"].isoformat() for row in history.months],
            "scores": [row["score"] for row in history.months],
            "labels": {"score": _("score (0–100)"), "month": _("month end")},
        },
    }


def public_health(partnership: Partnership) -> dict[str, Any]:
    """State and reciprocity of a public partnership as of today: public figures only."""
    figures = health_figures(
        partnerships=Partnership.objects.filter(pk=partnership.pk, is_public=True), public=True
    )
    row = figures.partnerships[0] if figures.partnerships else None
    if row is None:
        return {"row": None, "as_of": figures.as_of}
    return {
        "row": row,
        "as_of": figures.as_of,
        "reciprocity_hint": reciprocity_hint(row["reciprocity"], partnership.local_region.name),
    }
