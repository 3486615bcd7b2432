"""The diplomatic-relations condition of PP 28/2018 Pasal 27, read from the relations list.

The list (:mod:`kembar.geo.diplomacy`) is the one the recommender uses, so the
checklist, the lifecycle check and the recommendations cannot disagree.
"""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kembar.geo.models import DiplomaticRelation
from kembar.partnerships.models import Partnership

__all__ = ["diplomatic_condition_initial", "no_relations_message", "relations_refusal"]


def no_relations_message(partnership: Partnership) -> str:
    country = partnership.partner_country.name if partnership.partner_country else "—"
    return _(
        "Indonesia has no diplomatic relations with %(country)s, so PP 28/2018 Pasal 27 does not "
        "allow this cooperation. If the list of diplomatic relations is out of date, an "
        "administrator corrects it first."
    ) % {"country": country}


def relations_refusal(partnership: Partnership) -> str | None:
    """Why the relations list rules the partnership out, or ``None`` when it does not."""
    relation = DiplomaticRelation.objects.filter(country_id=partnership.partner_country_id).first()
    if relation is None or relation.has_relations:
        return None
    return no_relations_message(partnership)


def diplomatic_condition_initial(partnership: Partnership) -> tuple[bool, str] | None:
    """What the checklist shows for the condition before anyone records it: the list's answer."""
    relation = DiplomaticRelation.objects.filter(country_id=partnership.partner_country_id).first()
    if relation is None:
        return None
    checked = date_format(relation.checked_on, "j F Y")
    if relation.has_relations:
        note = _("Per the list of diplomatic relations (checked %(date)s).") % {"date": checked}
    else:
        note = _("No diplomatic relations per the list (checked %(date)s): %(note)s") % {
            "date": checked,
            "note": relation.note,
        }
    return relation.has_relations, note
