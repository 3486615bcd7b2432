"""IATI 2.03 files of a region's public cooperation: an activity file and an organisation file.

What goes in is what anonymous visitors may see, read through the public
selectors, never re-derived here: the activities of the region's public
partnerships (:func:`kembar.portal.activities.public_activities`, demonstration
records left out), the current agreements the public partnership page lists
(:func:`kembar.portal.record.agreement_documents`), and indicator values with
the actual values of counts of people hidden exactly as the public API hides
them (:func:`kembar.programs.disclosure.hidden_people_actuals`).  Participant
counts, trip reports and travellers, users and uploaded files never go in.

Identifiers (documented in the README):

- the region's organisation identifier is ``KEMBAR_IATI_ORG_PREFIX`` + ``-`` +
  its Kemendagri code (``ID-KMD-33.74``); it is the ``reporting-org/@ref`` and
  the ``organisation-identifier``;
- an activity's ``iati-identifier`` is the organisation identifier + ``-`` +
  the activity's reference (``ID-KMD-33.74-SMG-BNE-2024-01``), stable because
  the reference is;
- sectors: SDG goals and targets (vocabularies 7 and 8), the BPS
  Input-Output sector (99, reporting organisation) and its KBLI 2020 sections
  (98, reporting organisation 2).

Money is in rupiah (``amount_idr``: the original amount at the recorded rate).
The files are built from the record alone (times are the record's own
``updated_at``), so the same record gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from lxml import etree

from kembar.accounts.models import Organisation, OrganisationKind
from kembar.geo.models import Region
from kembar.partnerships.models import Partnership, PartnershipDocument
from kembar.portal.activities import public_activities
from kembar.portal.record import agreement_documents
from kembar.programs.disclosure import PEOPLE_UNITS, hidden_people_actuals
from kembar.programs.models import (
    Activity,
    ActivityStatus,
    BudgetLine,
    ContributionForm,
    ContributionSide,
    FundingSource,
    IndicatorPeriod,
    MoneyKind,
    Result,
    ResultLevel,
)

__all__ = [
    "IATI_VERSION",
    "SCHEMA_DIR",
    "IatiError",
    "IatiInvalid",
    "IatiNoActivities",
    "IatiUnknownRegion",
    "activities_xml",
    "iati_schema",
    "iati_validate",
    "org_identifier",
    "organisation_xml",
    "region_publishes",
]

IATI_VERSION = "2.03"
#: The official IATI 2.03 schemas, shipped unchanged (see its README.md).
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas" / "iati-2.03"
_SCHEMAS = {
    "activities": "iati-activities-schema.xsd",
    "organisations": "iati-organisations-schema.xsd",
}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_WGS84 = "http://www.opengis.net/def/crs/EPSG/0/4326"
_CURRENCY = "IDR"
_LANGUAGES = ("id", "en")

# IATI 2.03 code lists.
_LOCAL_GOVERNMENT_TYPE = "11"  # OrganisationType: local government
_ROLE_FUNDING, _ROLE_ACCOUNTABLE, _ROLE_IMPLEMENTING = "1", "2", "4"
_STATUS = {  # ActivityStatus
    ActivityStatus.PLANNED: "1",
    ActivityStatus.ONGOING: "2",
    ActivityStatus.COMPLETED: "4",
    ActivityStatus.CANCELLED: "5",
}
_RESULT_TYPE = {ResultLevel.OUTPUT: "1", ResultLevel.OUTCOME: "2", ResultLevel.IMPACT: "3"}
_PLANNED_START, _ACTUAL_START, _PLANNED_END, _ACTUAL_END = "1", "2", "3", "4"
_INCOMING_FUNDS, _DISBURSEMENT, _EXPENDITURE = "1", "3", "4"  # TransactionType
_SDG_GOAL, _SDG_TARGET = "7", "8"  # SectorVocabulary
_KBLI, _IO_SECTOR = "98", "99"  # SectorVocabulary: reporting organisation 2 and 1
_MOU, _WEB_PAGE = "A09", "A12"  # DocumentCategory
#: Who publishes the two national classifications: BPS (the 17 Input-Output sectors of the
#: Tabel Input-Output Indonesia 2020) and the OSS (KBLI 2020 by risk, its sections A–U).
_IO_SECTOR_URI = "https://www.bps.go.id/"
_KBLI_URI = "https://oss.go.id/informasi/kbli-berbasis-risiko"
_PERCENT_UNITS = frozenset({"%", "persen", "percent", "percentage"})
#: Who a funding source's money comes from, when not the region or the partner.
_OTHER_FUNDERS: dict[str, str] = {
    FundingSource.APBN: "10",  # OrganisationType: government
    FundingSource.PRIVATE: "70",  # private sector
    FundingSource.OTHER: "90",  # other
}


class IatiError(Exception):
    """An IATI file cannot be built."""


class IatiUnknownRegion(IatiError):
    """No region has the Kemendagri code asked for."""


class IatiNoActivities(IatiError):
    """The region has no public activity; an activity file needs at least one."""


class IatiInvalid(IatiError):
    """A file does not validate against the IATI 2.03 schema."""


def org_identifier(region_code: str) -> str:
    """The region's IATI organisation identifier, e.g. ``ID-KMD-33.74``."""
    return f"{settings.KEMBAR_IATI_ORG_PREFIX}-{region_code}"


# --- Schemas ---------------------------------------------------------------------------------


class _LocalSchemas(etree.Resolver):
    """Resolves the schemas' includes to the shipped files and refuses anything else."""

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        name = system_url.rsplit("/", 1)[-1]
        path = SCHEMA_DIR / name
        if not path.is_file() or path.parent != SCHEMA_DIR:
            raise IatiError(f"The IATI schemas may not load {system_url!r}.")
        return self.resolve_filename(str(path), context)


@functools.cache
def iati_schema(kind: Literal["activities", "organisations"]) -> etree.XMLSchema:
    """The IATI 2.03 schema of ``kind``, loaded from the shipped files only (never the network)."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalSchemas())
    document = etree.parse(str(SCHEMA_DIR / _SCHEMAS[kind]), parser)
    return etree.XMLSchema(document)


def iati_validate(content: bytes, kind: Literal["activities", "organisations"]) -> None:
    """Raise :class:`IatiInvalid` unless ``content`` is a valid IATI 2.03 file of ``kind``."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    document = etree.fromstring(content, parser)
    schema = iati_schema(kind)
    if not schema.validate(document):
        raise IatiInvalid("; ".join(str(error) for error in schema.error_log))


# --- Helpers -----------------------------------------------------------------------------------


def _number(value: Decimal) -> str:
    """A decimal as plain digits, without trailing zeros or exponent (``1500000``, ``12.5``)."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _shares(count: int) -> list[str]:
    """``count`` percentages that add up to exactly 100, the first taking the rounding."""
    if count == 0:
        return []
    share = (Decimal(100) / count).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    first = Decimal(100) - share * (count - 1)
    return [_number(first)] + [_number(share)] * (count - 1)


def _in_languages(label: str | Promise) -> dict[str, str]:
    """A translatable label in Indonesian and English."""
    texts = {}
    for language in _LANGUAGES:
        with translation.override(language):
            texts[language] = str(label)
    return texts


def _narratives(parent: etree._Element, texts: dict[str, str]) -> None:
    for language in _LANGUAGES:
        text = texts.get(language, "").strip()
        if text:
            etree.SubElement(parent, "narrative", {_XML_LANG: language}).text = text


def _child(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(
        parent, tag, {key.replace("_", "-"): v for key, v in attributes.items()}
    )


def _timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _site_url(path: str) -> str:
    return settings.KEMBAR_SITE_URL + path


# --- The record --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Publisher:
    region: Region
    ref: str
    name: str


def _publisher(region_code: str) -> _Publisher:
    region = Region.objects.filter(kode=region_code).first()
    if region is None:
        raise IatiUnknownRegion(f"No region has the Kemendagri code {region_code!r}.")
    government = (
        Organisation.objects.filter(kind=OrganisationKind.LOCAL_GOVERNMENT, region=region)
        .order_by("slug")
        .first()
    )
    name = government.name if government is not None else f"Pemerintah {region.name}"
    return _Publisher(region=region, ref=org_identifier(region.kode), name=name)


def _activities(region_code: str) -> list[Activity]:
    """The region's public activities, real ones only, with what the files show of them."""
    return list(
        public_activities(region_kode=region_code)
        .filter(is_demo=False)
        .select_related("partnership__partner_city", "partnership__partner_country")
        .prefetch_related(
            Prefetch("budget_lines", BudgetLine.objects.order_by("kind", "source")),
            "contributions",
            Prefetch(
                "results",
                Result.objects.order_by("level", "title").prefetch_related(
                    "indicators__standard",
                    Prefetch(
                        "indicators__periods",
                        IndicatorPeriod.objects.order_by("period_start").prefetch_related(
                            "disaggregations"
                        ),
                    ),
                ),
            ),
        )
        .order_by("reference")
    )


def _partner_name(partnership: Partnership, partner_governments: dict[int, str]) -> str:
    if partnership.partner_city_id is not None and partnership.partner_city_id in (
        partner_governments
    ):
        return partner_governments[partnership.partner_city_id]
    return partnership.partner_name


def _partner_governments(activities: Iterable[Activity]) -> dict[int, str]:
    """The name of the government of each partner city (first by code), by city id."""
    cities = {activity.partnership.partner_city_id for activity in activities} - {None}
    names: dict[int, str] = {}
    for organisation in Organisation.objects.filter(
        kind=OrganisationKind.PARTNER_GOVERNMENT, city_id__in=cities
    ).order_by("-slug"):
        assert organisation.city_id is not None  # noqa: S101 (filtered above)
        names[organisation.city_id] = organisation.name
    return names


# --- The activity file -------------------------------------------------------------------------


class _ActivityWriter:
    """Writes one ``iati-activity`` in the order the 2.03 schema requires."""

    def __init__(
        self, publisher: _Publisher, partner_governments: dict[int, str], *, public_pages: bool
    ) -> None:
        self.publisher = publisher
        self.partner_governments = partner_governments
        self.public_pages = public_pages
        self.agreements: dict[int, list[PartnershipDocument]] = {}

    def write(self, parent: etree._Element, activity: Activity) -> None:
        element = _child(
            parent,
            "iati-activity",
            last_updated_datetime=_timestamp(activity.updated_at),
            default_currency=_CURRENCY,
        )
        element.set(_XML_LANG, "id")
        _child(element, "iati-identifier").text = f"{self.publisher.ref}-{activity.reference}"
        reporting = _child(
            element, "reporting-org", ref=self.publisher.ref, type=_LOCAL_GOVERNMENT_TYPE
        )
        _narratives(reporting, {"id": self.publisher.name})
        _narratives(_child(element, "title"), {"id": activity.title_id, "en": activity.title_en})
        description = {"id": activity.description_id, "en": activity.description_en}
        if not any(text.strip() for text in description.values()):
            description = {"id": activity.title_id, "en": activity.title_en}
        _narratives(_child(element, "description", type="1"), description)
        self._participants(element, activity)
        _child(element, "activity-status", code=_STATUS[ActivityStatus(activity.status)])
        self._dates(element, activity)
        self._countries(element, activity)
        self._location(element, activity)
        self._sectors(element, activity)
        self._budget(element, activity)
        self._transactions(element, activity)
        self._documents(element, activity)
        self._results(element, activity)

    # Who ----------------------------------------------------------------------------------

    def _partner(self, activity: Activity) -> str:
        return _partner_name(activity.partnership, self.partner_governments)

    def _participants(self, element: etree._Element, activity: Activity) -> None:
        sources = {line.source for line in activity.budget_lines.all()}
        partner_funds = FundingSource.PARTNER in sources or any(
            contribution.side == ContributionSide.PARTNER
            and contribution.form == ContributionForm.FUNDS
            for contribution in activity.contributions.all()
        )
        rows: list[tuple[str, str, str | None]] = []  # role, name, ref
        if FundingSource.APBD in sources:
            rows.append((_ROLE_FUNDING, self.publisher.name, self.publisher.ref))
        if partner_funds:
            rows.append((_ROLE_FUNDING, self._partner(activity), None))
        rows.append((_ROLE_ACCOUNTABLE, self.publisher.name, self.publisher.ref))
        rows.append((_ROLE_IMPLEMENTING, activity.agency.name, None))
        rows.append((_ROLE_IMPLEMENTING, self._partner(activity), None))
        for role, name, ref in rows:
            attributes = {"role": role, "type": _LOCAL_GOVERNMENT_TYPE}
            if ref is not None:
                attributes["ref"] = ref
            org = _child(element, "participating-org", **attributes)
            _narratives(org, {"id": name})

    # When and where -----------------------------------------------------------------------

    def _dates(self, element: etree._Element, activity: Activity) -> None:
        status = ActivityStatus(activity.status)
        started = status in {ActivityStatus.ONGOING, ActivityStatus.COMPLETED}
        ended = status == ActivityStatus.COMPLETED
        start_type = _ACTUAL_START if started else _PLANNED_START
        end_type = _ACTUAL_END if ended else _PLANNED_END
        _child(element, "activity-date", type=start_type, iso_date=activity.start_date.isoformat())
        _child(element, "activity-date", type=end_type, iso_date=activity.end_date.isoformat())

    def _countries(self, element: etree._Element, activity: Activity) -> None:
        partner_country = activity.partnership.partner_country
        if activity.in_partner_city and partner_country.iso2 != "ID":
            # Held abroad: it serves both sides of the partnership, in equal shares.
            for code in sorted(("ID", partner_country.iso2)):
                _child(element, "recipient-country", code=code, percentage="50")
            return
        _child(element, "recipient-country", code="ID")

    def _location(self, element: etree._Element, activity: Activity) -> None:
        region = activity.place_region
        city = activity.partnership.partner_city if activity.in_partner_city else None
        if region is not None:
            location = _child(element, "location", ref=region.kode)
            _narratives(_child(location, "name"), {"id": region.name})
            if region.latitude is not None and region.longitude is not None:
                point = _child(location, "point", srsName=_WGS84)
                _child(point, "pos").text = f"{region.latitude:.6f} {region.longitude:.6f}"
                _child(location, "exactness", code="2")  # approximate: the centroid
            _child(location, "location-class", code="1")  # administrative region
        elif city is not None:
            location = _child(element, "location", ref=f"city-{city.pk}")
            if city.geonameid:
                _child(location, "location-id", code=str(city.geonameid), vocabulary="G1")
            _narratives(_child(location, "name"), {"id": city.name})
            point = _child(location, "point", srsName=_WGS84)
            _child(point, "pos").text = f"{city.latitude:.6f} {city.longitude:.6f}"
            _child(location, "exactness", code="2")
            _child(location, "location-class", code="2")  # populated place

    def _sectors(self, element: etree._Element, activity: Activity) -> None:
        goals = sorted(activity.sdg_goals.all(), key=lambda goal: goal.code)
        for goal, share in zip(goals, _shares(len(goals)), strict=True):
            sector = _child(
                element, "sector", vocabulary=_SDG_GOAL, code=str(goal.code), percentage=share
            )
            _narratives(sector, {"id": goal.name_id, "en": goal.name_en})
        targets = sorted(
            activity.sdg_targets.all(), key=lambda target: (target.goal_id, target.order)
        )
        for target, share in zip(targets, _shares(len(targets)), strict=True):
            sector = _child(
                element, "sector", vocabulary=_SDG_TARGET, code=target.code, percentage=share
            )
            _narratives(sector, {"id": target.name_id, "en": target.name_en})
        io_sector = activity.sector
        sections = [part.strip() for part in io_sector.kbli_sections.split(",") if part.strip()]
        for section, share in zip(
            sections, _shares(len(sections)) if sections else [], strict=True
        ):
            _child(
                element,
                "sector",
                vocabulary=_KBLI,
                vocabulary_uri=_KBLI_URI,
                code=section,
                percentage=share,
            )
        sector = _child(
            element,
            "sector",
            vocabulary=_IO_SECTOR,
            vocabulary_uri=_IO_SECTOR_URI,
            code=str(io_sector.code),
            percentage="100",
        )
        _narratives(sector, {"id": io_sector.name_id, "en": io_sector.name_en})

    # Money --------------------------------------------------------------------------------

    def _value(self, parent: etree._Element, amount: Decimal, day: dt.date) -> None:
        value = _child(parent, "value", currency=_CURRENCY, value_date=day.isoformat())
        value.text = _number(amount)

    def _budget(self, element: etree._Element, activity: Activity) -> None:
        lines = [line for line in activity.budget_lines.all() if line.kind == MoneyKind.BUDGET]
        if not lines:
            return
        budget = _child(element, "budget", type="1", status="2")  # original, committed
        _child(budget, "period-start", iso_date=activity.start_date.isoformat())
        _child(budget, "period-end", iso_date=activity.end_date.isoformat())
        self._value(
            budget, sum((line.amount_idr for line in lines), Decimal(0)), activity.start_date
        )

    def _funder(self, parent: etree._Element, tag: str, source: str, activity: Activity) -> None:
        if source == FundingSource.APBD:
            org = _child(parent, tag, ref=self.publisher.ref, type=_LOCAL_GOVERNMENT_TYPE)
            _narratives(org, {"id": self.publisher.name})
        elif source == FundingSource.PARTNER:
            org = _child(parent, tag, type=_LOCAL_GOVERNMENT_TYPE)
            _narratives(org, {"id": self._partner(activity)})
        else:
            org = _child(parent, tag, type=_OTHER_FUNDERS[source])
            _narratives(org, _in_languages(FundingSource(source).label))

    def _transaction(
        self, element: etree._Element, kind: str, amount: Decimal, day: dt.date
    ) -> etree._Element:
        transaction = _child(element, "transaction")
        _child(transaction, "transaction-type", code=kind)
        _child(transaction, "transaction-date", iso_date=day.isoformat())
        self._value(transaction, amount, day)
        return transaction

    def _transactions(self, element: etree._Element, activity: Activity) -> None:
        # Spending is dated when the activity ended; before that, when it started.
        done = activity.status in {ActivityStatus.COMPLETED, ActivityStatus.CANCELLED}
        spent_on = activity.end_date if done else activity.start_date
        contributions = sorted(
            (
                contribution
                for contribution in activity.contributions.all()
                if contribution.form == ContributionForm.FUNDS and contribution.value_idr
            ),
            key=lambda contribution: (contribution.side, contribution.description),
        )
        for contribution in contributions:
            assert contribution.value_idr is not None  # noqa: S101 (filtered above)
            incoming = contribution.side == ContributionSide.PARTNER
            transaction = self._transaction(
                element,
                _INCOMING_FUNDS if incoming else _DISBURSEMENT,
                contribution.value_idr,
                activity.start_date,
            )
            _narratives(_child(transaction, "description"), {"id": contribution.description})
            giver = FundingSource.PARTNER if incoming else FundingSource.APBD
            self._funder(transaction, "provider-org", giver, activity)
            taker = FundingSource.APBD if incoming else FundingSource.PARTNER
            self._funder(transaction, "receiver-org", taker, activity)
        for line in activity.budget_lines.all():
            if line.kind != MoneyKind.SPENDING:
                continue
            transaction = self._transaction(element, _EXPENDITURE, line.amount_idr, spent_on)
            _narratives(
                _child(transaction, "description"),
                _in_languages(FundingSource(line.source).label),
            )
            self._funder(transaction, "provider-org", line.source, activity)

    # Documents and results ----------------------------------------------------------------

    def _document(
        self,
        element: etree._Element,
        *,
        url: str,
        title: dict[str, str],
        category: str,
        languages: Sequence[str] = (),
        day: dt.date | None = None,
    ) -> None:
        kind = "application/pdf" if url.lower().endswith(".pdf") else "text/html"
        link = _child(element, "document-link", url=url, format=kind)
        _narratives(_child(link, "title"), title)
        _child(link, "category", code=category)
        for language in languages:
            _child(link, "language", code=language)
        if day is not None:
            _child(link, "document-date", iso_date=day.isoformat())

    def _documents(self, element: etree._Element, activity: Activity) -> None:
        partnership = activity.partnership
        if partnership.pk not in self.agreements:
            self.agreements[partnership.pk] = agreement_documents(partnership)
        page = ""
        if self.public_pages:
            page = _site_url(reverse("portal:partnership", kwargs={"slug": partnership.slug}))
            self._document(
                element,
                url=_site_url(
                    reverse("portal:public-activity", kwargs={"reference": activity.reference})
                ),
                title={"id": activity.title_id, "en": activity.title_en},
                category=_WEB_PAGE,
            )
        for document in self.agreements[partnership.pk]:
            # Only what the public partnership page lists: the kind, the date and the source.
            source = document.source.strip()
            url = source if source.startswith(("https://", "http://")) else page
            if not url:
                continue
            languages = [part for part in document.language.split("+") if part in _LANGUAGES]
            self._document(
                element,
                url=url,
                title={"id": document.kind.name_id, "en": document.kind.name_en},
                category=_MOU,
                languages=languages,
                day=document.signed_on,
            )

    def _results(self, element: etree._Element, activity: Activity) -> None:
        hidden = hidden_people_actuals(activity)
        for result in activity.results.all():
            indicators = sorted(result.indicators.all(), key=lambda indicator: indicator.title)
            if not indicators:
                continue  # the schema wants at least one indicator per result
            node = _child(element, "result", type=_RESULT_TYPE[ResultLevel(result.level)])
            _narratives(_child(node, "title"), {"id": result.title})
            for indicator in indicators:
                unit = indicator.unit.strip().lower()
                measure = "2" if unit in _PERCENT_UNITS else "1"  # percentage or unit
                item = _child(
                    node,
                    "indicator",
                    measure=measure,
                    ascending="1" if indicator.higher_is_better else "0",
                )
                _narratives(_child(item, "title"), {"id": indicator.title})
                if indicator.standard_id:
                    _child(item, "reference", vocabulary="99", code=indicator.standard_id)
                if indicator.baseline_year is not None:
                    baseline = _child(item, "baseline", year=str(indicator.baseline_year))
                    # A baseline counted in people is not protected like the actual values.
                    if indicator.baseline_value is not None and unit not in PEOPLE_UNITS:
                        baseline.set("value", _number(indicator.baseline_value))
                for period in indicator.periods.all():
                    self._period(item, period, hidden=period.pk in hidden)

    def _period(self, item: etree._Element, period: IndicatorPeriod, *, hidden: bool) -> None:
        node = _child(item, "period")
        _child(node, "period-start", iso_date=period.period_start.isoformat())
        _child(node, "period-end", iso_date=period.period_end.isoformat())
        if period.target is not None:
            _child(node, "target", value=_number(period.target))
        if period.actual is not None and not hidden:
            _child(node, "actual", value=_number(period.actual))


# --- The files ---------------------------------------------------------------------------------


def _document_bytes(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _root(tag: str, activities: Sequence[Activity]) -> etree._Element:
    root = etree.Element(tag, version=IATI_VERSION)
    if activities:
        root.set("generated-datetime", _timestamp(max(a.updated_at for a in activities)))
    return root


def region_publishes(region_code: str) -> bool:
    """Whether the region has a public activity, hence IATI files to serve."""
    return public_activities(region_kode=region_code).filter(is_demo=False).exists()


def activities_xml(region_code: str) -> bytes:
    """The IATI 2.03 activity file of the region's public activities.

    Raises :class:`IatiUnknownRegion` or :class:`IatiNoActivities` (the schema
    wants at least one activity).
    """
    publisher = _publisher(region_code)
    activities = _activities(publisher.region.kode)
    if not activities:
        raise IatiNoActivities(f"Region {region_code} has no public activity to publish.")
    writer = _ActivityWriter(
        publisher,
        _partner_governments(activities),
        public_pages=publisher.region.kode == settings.KEMBAR_HOME_REGION,
    )
    root = _root("iati-activities", activities)
    with translation.override("id"):
        for activity in activities:
            writer.write(root, activity)
    return _document_bytes(root)


def organisation_xml(region_code: str) -> bytes:
    """The IATI 2.03 organisation file of the region's government.

    It names the organisation only: IATI's ``total-budget`` is the whole
    budget of the organisation, which Kembar does not hold (only the money of
    its cooperation, which the activity file reports).
    """
    publisher = _publisher(region_code)
    activities = _activities(publisher.region.kode)
    root = _root("iati-organisations", activities)
    organisation = _child(root, "iati-organisation", default_currency=_CURRENCY)
    if activities:
        organisation.set("last-updated-datetime", root.get("generated-datetime", ""))
    organisation.set(_XML_LANG, "id")
    _child(organisation, "organisation-identifier").text = publisher.ref
    _narratives(_child(organisation, "name"), {"id": publisher.name})
    reporting = _child(
        organisation, "reporting-org", ref=publisher.ref, type=_LOCAL_GOVERNMENT_TYPE
    )
    _narratives(reporting, {"id": publisher.name})
    return _document_bytes(root)
