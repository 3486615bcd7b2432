"""The survey's published aggregate on other apps' pages, without touching their views.

``{% survey_activity_summary page.activity as survey %}`` on the public
activity page, ``{% survey_reach_summary as survey %}`` on the reach
dashboards (public and staff).  The tags only call
:func:`kembar.participation.survey.survey_summary`, whose rows are already
protected (no row of fewer than five answers, nothing that gives one back);
comments never reach them.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser

from kembar.participation.survey import survey_summary
from kembar.programs.models import Activity
from kembar.programs.selectors import activity_list

register = template.Library()


@register.simple_tag
def survey_activity_summary(activity: Activity) -> dict[str, Any] | None:
    """The activity's one row of answers (``None``: nobody answered yet)."""
    rows = survey_summary(activity, by="activity")
    return rows[-1] if rows else None


@register.simple_tag(takes_context=True)
def survey_reach_summary(context: template.Context) -> dict[str, list[dict[str, Any]]]:
    """Answers by group and by home kecamatan, for the dashboard's region and filters.

    The public page counts the activities the public may see; the staff page
    those the signed-in user may see (``public`` and ``figures`` are the
    dashboard's own context).
    """
    figures = context["figures"]
    filters = figures.filters
    request = context.get("request")
    user = getattr(request, "user", None)
    if context.get("public") or user is None:
        user = AnonymousUser()
    activities = activity_list(user=user)
    if filters.partnership:
        activities = activities.filter(partnership__slug=filters.partnership)
    if filters.sector is not None:
        activities = activities.filter(sector_id=filters.sector)
    if filters.kind:
        activities = activities.filter(kind=filters.kind)
    if filters.year_from is not None:
        activities = activities.filter(start_date__year__gte=filters.year_from)
    if filters.year_to is not None:
        activities = activities.filter(start_date__year__lte=filters.year_to)
    if filters.demo is not None:
        activities = activities.filter(is_demo=filters.demo)
    return {
        "groups": survey_summary(local_region_id=filters.region, by="group", activities=activities),
        "kecamatan": survey_summary(
            local_region_id=filters.region, by="kecamatan", activities=activities
        ),
    }
