"""What our city wants to learn, matched with what partner cities and other cities can teach.

The region's *needs* are the practices its own city seeks; the *offers* are
the practices the region's staff recorded for other cities (a partner city or
any city of the world twin-town network).  :func:`region_matches` pairs them
with :func:`kembar.analytics.practice_match.match_practices` and puts each
match into words: the fields of cooperation, urusan, sector and SDG targets
the two share, and the words that speak of the same idea in either language
("banjir" and "flood").  Offers by partner cities come first: the cooperation
that exists can carry them at once.

The network page uses the same records (:func:`network_learning`): the fields
of the practices sought are its learning needs, and a city with an offer
recorded is known for the offer's fields, for the region's own staff only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kembar.accounts.regions import user_region
from kembar.analytics.practice_match import PracticeMatch, Topic, match_practices
from kembar.geo.models import City
from kembar.insights.network import home_city_id
from kembar.knowledge.models import Practice, PracticeDirection
from kembar.knowledge.rules import can_view_region
from kembar.partnerships.models import Partnership
from kembar.programs.models import GovernmentAffair, Sector
from kembar.search.analysis import concepts

__all__ = [
    "MAX_OFFERS_SHOWN",
    "NeedMatches",
    "NetworkLearning",
    "OfferMatch",
    "learning_region",
    "matches_network_city",
    "network_learning",
    "offered_practices",
    "region_matches",
    "sought_practices",
]

#: Offers listed per need and kind (partner cities, other cities).
MAX_OFFERS_SHOWN = 10


@dataclass(frozen=True, slots=True)
class OfferMatch:
    """A practice offered by ``city`` that answers a need, with the reasons in words."""

    practice: Practice
    city: City
    is_partner: bool
    score: float
    reasons: list[str]


@dataclass(frozen=True, slots=True)
class NeedMatches:
    """A practice our city seeks and the offers that answer it, best first."""

    practice: Practice
    partner_offers: list[OfferMatch] = field(default_factory=list)
    network_offers: list[OfferMatch] = field(default_factory=list)
    #: Offers beyond :data:`MAX_OFFERS_SHOWN` (both kinds).
    left_out: int = 0


@dataclass(frozen=True, slots=True)
class NetworkLearning:
    """What the network page takes from the records: the needs and who offers what."""

    #: The practices our city seeks that name a field of cooperation.
    sought: list[Practice]
    #: Their fields, the learning needs (focus-area codes), sorted.
    needs: list[str]
    #: City id → focus-area codes of the practices recorded as offered by it.
    known_for: dict[int, list[str]]
    #: City id → those practices.
    offers: dict[int, list[Practice]]
    #: The region's own city in the world network (whose page takes ``needs``), if known.
    home_city: int | None = None

    def offers_for(self, city_id: int, needs: Iterable[str]) -> list[Practice]:
        """The practices recorded as offered by the city, those of ``needs`` (all without)."""
        wanted = set(needs)
        return [
            practice
            for practice in self.offers.get(city_id, [])
            if not wanted or wanted & {area.slug for area in practice.focus_areas.all()}
        ]


def _with_codes(practices: QuerySet[Practice]) -> QuerySet[Practice]:
    return practices.select_related(
        "partner_city", "sector", "government_affair", "contact_agency"
    ).prefetch_related("focus_areas", "sdg_targets")


def sought_practices(region_id: str) -> QuerySet[Practice]:
    """The practices the region's own city wants to learn."""
    return _with_codes(
        Practice.objects.filter(
            region_id=region_id, partner_city__isnull=True, direction=PracticeDirection.SOUGHT
        )
    ).order_by("title_id", "id")


def offered_practices(region_id: str) -> QuerySet[Practice]:
    """The practices the region recorded as offered by other cities."""
    return _with_codes(
        Practice.objects.filter(
            region_id=region_id, partner_city__isnull=False, direction=PracticeDirection.OFFERED
        )
    ).order_by("title_id", "id")


def partner_city_ids(region_id: str) -> set[int]:
    """The cities the region has a partnership with (at any stage)."""
    return set(
        Partnership.objects.filter(local_region_id=region_id, partner_city__isnull=False)
        .values_list("partner_city_id", flat=True)
        .distinct()
    )


def _topic(practice: Practice) -> Topic:
    text = " ".join(
        (practice.title_id, practice.title_en, practice.description_id, practice.description_en)
    )
    return Topic(
        key=practice.pk,
        city=practice.partner_city_id,
        focus_areas=frozenset(area.slug for area in practice.focus_areas.all()),
        government_affair=practice.government_affair_id,
        sector=str(practice.sector_id),
        sdg_targets=frozenset(str(target.pk) for target in practice.sdg_targets.all()),
        ideas=concepts(text),
    )


def _names(items: Iterable[object]) -> str:
    return ", ".join(str(item) for item in items)


def reasons(match: PracticeMatch, practices: dict[object, Practice]) -> list[str]:
    """The parts of ``match``, strongest first, in the active language."""
    need, offer = practices[match.need.key], practices[match.offer.key]
    areas = {area.slug: area for area in (*need.focus_areas.all(), *offer.focus_areas.all())}
    texts = []
    for part in match.strongest:
        shared = match.shared[part]
        if part == "focus_areas":
            texts.append(
                _("same field of cooperation: %(fields)s")
                % {"fields": _names(areas[str(slug)].name for slug in shared)}
            )
        elif part == "ideas":
            words = cast(tuple[tuple[str, str], ...], shared)
            pairs = [
                wanted if wanted == offered else f"{wanted} ≈ {offered}"
                for wanted, offered in words
            ]
            texts.append(_("the same topic: %(words)s") % {"words": _names(pairs)})
        elif part == "government_affair":
            affair: GovernmentAffair = need.government_affair
            texts.append(_("same government affair: %(affair)s") % {"affair": affair.name})
        elif part == "sector":
            sector: Sector = need.sector
            texts.append(_("same sector: %(sector)s") % {"sector": sector.name})
        else:
            texts.append(_("same SDG targets: %(targets)s") % {"targets": _names(shared)})
    return texts


def region_matches(region_id: str) -> list[NeedMatches]:
    """Every practice the region's city seeks, with the recorded offers that answer it.

    Offers by the region's partner cities and by other cities are listed
    apart, each best first and at most :data:`MAX_OFFERS_SHOWN` of each.
    """
    needs = list(sought_practices(region_id))
    if not needs:
        return []
    offers = list(offered_practices(region_id))
    practices: dict[object, Practice] = {practice.pk: practice for practice in (*needs, *offers)}
    partners = partner_city_ids(region_id)
    found = match_practices([_topic(need) for need in needs], [_topic(o) for o in offers])
    result = []
    for need in needs:
        partner_offers: list[OfferMatch] = []
        network_offers: list[OfferMatch] = []
        for match in found[need.pk]:
            offer = practices[match.offer.key]
            city = offer.partner_city
            assert city is not None  # noqa: S101 (offered_practices has a city)
            is_partner = city.pk in partners
            words = reasons(match, practices)
            (partner_offers if is_partner else network_offers).append(
                OfferMatch(offer, city, is_partner, round(match.score, 3), words)
            )
        shown = len(partner_offers[:MAX_OFFERS_SHOWN]) + len(network_offers[:MAX_OFFERS_SHOWN])
        result.append(
            NeedMatches(
                need,
                partner_offers[:MAX_OFFERS_SHOWN],
                network_offers[:MAX_OFFERS_SHOWN],
                len(partner_offers) + len(network_offers) - shown,
            )
        )
    return result


def learning_region(user: Any) -> str | None:
    """The region whose practices the network page uses for ``user``, if they may see them.

    The user's own region; the home region (``KEMBAR_HOME_REGION``) for an
    administrator of none (:func:`~kembar.accounts.regions.user_region`); None
    for everyone else (partner counterparts, supervisors, visitors), who see the
    page without the region's records.
    """
    region_id = user_region(user)
    return region_id if can_view_region(user, region_id) else None


def network_learning(region_id: str | None) -> NetworkLearning:
    """The learning needs and offers the network page uses for ``region_id`` (none without one)."""
    if region_id is None:
        return NetworkLearning([], [], {}, {})
    sought = [practice for practice in sought_practices(region_id) if practice.focus_areas.all()]
    needs = sorted({area.slug for practice in sought for area in practice.focus_areas.all()})
    known_for: dict[int, set[str]] = defaultdict(set)
    offers: dict[int, list[Practice]] = defaultdict(list)
    for practice in offered_practices(region_id):
        assert practice.partner_city_id is not None  # noqa: S101 (offered_practices has a city)
        offers[practice.partner_city_id].append(practice)
        known_for[practice.partner_city_id].update(area.slug for area in practice.focus_areas.all())
    return NetworkLearning(
        sought=sought,
        needs=needs,
        known_for={city: sorted(areas) for city, areas in known_for.items() if areas},
        offers=dict(offers),
        home_city=home_city_id(region_id) if needs and region_id else None,
    )


def matches_network_city(region_id: str, needs: Sequence[NeedMatches]) -> int | None:
    """The region's city, whose network page takes these needs, if any need names a field."""
    if not any(need.practice.focus_areas.all() for need in needs):
        return None
    return home_city_id(region_id)
