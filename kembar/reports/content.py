"""What each report says, as data: sections of tables, with their sources and assumptions.

The renderers (:mod:`kembar.reports.render`) turn a :class:`Report` into a PDF
or a workbook; nothing here knows about either, so both show the same figures
and every figure of a chart is the table behind it.  Each builder reads the
record as it stands and is called under ``translation.override`` for the
report's language; the same data and options give the same report, so no
figure or date depends on the clock: ``as_of`` is the newest update of the
records it reads (else the end of the year), and "at risk" is judged on the
last day of the year.

The reports leave the Kembar office (the council report is a public document,
the profile is handed to the partner), so they follow the public rules:

- only partnerships shown to the public, and their activities (no demonstration
  records), through :func:`kembar.partnerships.access.listed_partnerships` for an
  anonymous user;
- counts of people come from the protected public figures
  (:func:`kembar.insights.reach.reach_figures` with ``public=True``,
  :func:`kembar.programs.disclosure.participant_totals`,
  :func:`kembar.programs.disclosure.hidden_people_actuals`): a cell of 1–4
  people, and the cells hidden with it, read "hidden";
- no names of people: agencies and organisations only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, Prefetch, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kembar.geo.models import Region
from kembar.partnerships.access import listed_partnerships
from kembar.partnerships.documents import documents_current, partnerships_expiring
from kembar.partnerships.models import Partnership, PartnershipDocument
from kembar.programs.disclosure import hidden_people_actuals, participant_totals
from kembar.programs.models import (
    Activity,
    BudgetLine,
    Contribution,
    EconomicEffect,
    FundingSource,
    IndicatorPeriod,
    MoneyKind,
    ParticipantCount,
)

__all__ = [
    "KINDS",
    "Cell",
    "Report",
    "Section",
    "Table",
    "council_report",
    "ministry_report",
    "number_text",
    "partnership_profile",
]

#: The kinds of report, as the command and the form name them.
KINDS = ("council", "ministry", "profile")

Cell = str | int | Decimal | None


@dataclass(frozen=True, slots=True)
class Table:
    """A table of the report; ``chart`` draws its last column as bars beside it."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    chart: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    """A whole report, ready for a renderer.

    ``as_of`` dates the report (and the file's metadata): the newest update of
    what it reads, never the time it was made.
    """

    kind: str
    language: str
    title: str
    subtitle: str
    region_name: str
    year: int
    as_of: dt.datetime
    sections: tuple[Section, ...]
    sources: tuple[str, ...]
    assumptions: tuple[str, ...]
    bilingual: bool = False
    meta: dict[str, str] = field(default_factory=dict)


# --- Shared reads --------------------------------------------------------------------------


def _not_recorded() -> str:
    return _("not recorded")


def _hidden() -> str:
    return _("hidden")


def _year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def _as_of(year: int, *stamps: dt.datetime | None) -> dt.datetime:
    known = [stamp for stamp in stamps if stamp is not None]
    if known:
        return max(known).astimezone(dt.UTC).replace(microsecond=0)
    return dt.datetime(year, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


def public_partnerships(region: Region) -> QuerySet[Partnership]:
    """The region's partnerships the public may see (anonymous visitors' rules)."""
    return (
        listed_partnerships(AnonymousUser())
        .filter(local_region=region)
        .select_related("state", "partner_country", "partner_city")
        .prefetch_related("focus_areas")
        .order_by("partner_name", "pk")
    )


def _activities(partnerships: QuerySet[Partnership], year: int) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(partnership__in=partnerships, is_demo=False, start_date__year=year)
        .select_related("partnership", "agency", "place_region")
        .prefetch_related(
            Prefetch(
                "participant_counts",
                queryset=ParticipantCount.objects.select_related("home_region"),
            )
        )
        .order_by("start_date", "reference")
    )


def _plain(value: Decimal) -> Decimal:
    """``value`` without trailing zeros, never in exponent notation (10, not 1E+1)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def number_text(value: Cell, language: str) -> str:
    """A cell as text: thousands grouped as the language groups them (1.500,25 or 1,500.25)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    text = f"{value:,}"
    if language == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def _activities_started(count: int, year: int) -> str:
    return ngettext(
        "%(count)s activity started in %(year)s.",
        "%(count)s activities started in %(year)s.",
        count,
    ) % {"count": count, "year": year}


def _count(value: int | None) -> Cell:
    return _hidden() if value is None else value


def _money(value: Decimal | None) -> Decimal:
    return (value or Decimal(0)).quantize(Decimal("0.01"))


def _agreement(partnership: Partnership) -> PartnershipDocument | None:
    """The current agreement with the longest validity, else the newest current document."""
    documents = documents_current().filter(partnership=partnership).select_related("kind")
    with_validity = documents.filter(kind__has_validity=True).order_by(
        "-valid_until", "-signed_on", "-pk"
    )
    return with_validity.first() or documents.order_by("-signed_on", "-pk").first()


def _legal_basis(partnership: Partnership) -> str:
    document = _agreement(partnership)
    if document is None:
        return _not_recorded()
    parts = [f"{document.kind.name}: {document.title}"]
    if document.signed_on:
        parts.append(_("signed %(date)s") % {"date": document.signed_on_label()})
    if document.valid_until:
        parts.append(_("valid until %(date)s") % {"date": document.valid_until_label()})
    return ", ".join(parts)


def _stage_name(partnership: Partnership) -> str:
    return partnership.state.name if partnership.state is not None else _not_recorded()


def _activity_rows(activities: Iterable[Activity]) -> tuple[tuple[Cell, ...], ...]:
    rows = []
    for activity in activities:
        local, partner = participant_totals(activity, exact=False)
        rows.append(
            (
                activity.reference,
                activity.title,
                activity.get_kind_display(),
                activity.partnership.partner_name,
                activity.start_date.isoformat(),
                activity.get_status_display(),
                _count(local),
                _count(partner),
            )
        )
    return tuple(rows)


def _activity_columns() -> tuple[str, ...]:
    return (
        _("Reference"),
        _("Activity"),
        _("Kind"),
        _("Partner"),
        _("Start"),
        _("Status"),
        _("Local participants"),
        _("Partner participants"),
    )


def _money_table(activities: Sequence[Activity], key: str) -> Table:
    """Budget and spending by source, in rupiah, summed exactly (cent by cent)."""
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for source, kind, amount in BudgetLine.objects.filter(activity__in=activities).values_list(
        "source", "kind", "amount_idr"
    ):
        sums[(source, kind)] += amount
    rows: list[tuple[Cell, ...]] = []
    total_budget = total_spending = Decimal(0)
    for source, label in FundingSource.choices:
        budget = _money(sums.get((source, MoneyKind.BUDGET)))
        spending = _money(sums.get((source, MoneyKind.SPENDING)))
        if budget or spending:
            rows.append((str(label), budget, spending))
            total_budget += budget
            total_spending += spending
    rows.append((_("Total"), _money(total_budget), _money(total_spending)))
    return Table(
        key=key,
        title=_("Money by source (IDR)"),
        columns=(_("Source"), _("Budget (IDR)"), _("Spending (IDR)")),
        rows=tuple(rows),
        chart=True,
    )


def _result_rows(activities: Sequence[Activity], year: int) -> tuple[tuple[Cell, ...], ...]:
    """Every indicator period overlapping ``year``: target, actual and how far it got."""
    start, end = dt.date(year, 1, 1), _year_end(year)
    rows: list[tuple[Cell, ...]] = []
    hidden: set[int] = set()
    for activity in activities:
        hidden |= hidden_people_actuals(activity)
    periods = (
        IndicatorPeriod.objects.filter(
            indicator__result__activity__in=activities,
            period_start__lte=end,
            period_end__gte=start,
        )
        .select_related("indicator__result__activity")
        .order_by("indicator__result__activity__reference", "indicator__title", "period_start")
    )
    for period in periods:
        indicator = period.indicator
        actual: Cell = _hidden() if period.pk in hidden else period.actual
        if period.actual is None:
            actual = _not_recorded()
        achieved: Cell = ""
        if (
            isinstance(actual, Decimal)
            and period.target is not None
            and period.target != 0
            and indicator.higher_is_better
        ):
            achieved = (actual / period.target * 100).quantize(Decimal("0.1"))
        rows.append(
            (
                indicator.result.activity.reference,
                indicator.result.title,
                indicator.title,
                indicator.unit,
                _not_recorded() if period.target is None else _plain(period.target),
                _plain(actual) if isinstance(actual, Decimal) else actual,
                achieved,
            )
        )
    return tuple(rows)


def _results_table(activities: Sequence[Activity], year: int, key: str) -> Table:
    return Table(
        key=key,
        title=_("Results against targets"),
        columns=(
            _("Activity"),
            _("Result"),
            _("Indicator"),
            _("Unit"),
            _("Target"),
            _("Actual"),
            _("Achieved (%)"),
        ),
        rows=_result_rows(activities, year),
    )


def _effects_table(activities: Sequence[Activity], year: int) -> Table:
    effects = (
        EconomicEffect.objects.filter(activity__in=activities, year=year, is_demo=False)
        .values("kind")
        .annotate(count=Count("pk"), amount=Sum("amount_idr"))
        .order_by("kind")
    )
    names = dict(EconomicEffect._meta.get_field("kind").choices or ())
    rows: list[tuple[Cell, ...]] = []
    count, amount = 0, Decimal(0)
    for row in effects:
        rows.append((str(names.get(row["kind"], row["kind"])), row["count"], _money(row["amount"])))
        count += row["count"]
        amount += _money(row["amount"])
    rows.append((_("Total"), count, _money(amount)))
    return Table(
        key="effects",
        title=_("Economic effects recorded (IDR)"),
        columns=(_("Kind of effect"), _("Effects"), _("Amount (IDR)")),
        rows=tuple(rows),
        chart=True,
    )


# --- The council report ----------------------------------------------------------------------


def council_report(*, region: Region, year: int, language: str) -> Report:
    """The annual report of the region's international cooperation (DPRD, LKPJ)."""
    from kembar.reports.impact import impact_section  # the Leontief model, loaded only here
    from kembar.reports.learning import learning_section  # imports this module

    partnerships = public_partnerships(region)
    listed = list(partnerships)
    activities = list(_activities(partnerships, year))
    year_end = _year_end(year)

    by_stage: dict[tuple[int, str, str], int] = defaultdict(int)
    for partnership in listed:
        state = partnership.state
        key = (
            (state.order, state.name, state.legal_basis or _not_recorded())
            if state is not None
            else (10_000, _not_recorded(), _not_recorded())
        )
        by_stage[key] += 1
    stage_rows = tuple(
        (name, basis, count) for (_order, name, basis), count in sorted(by_stage.items())
    )
    partnership_rows = tuple(
        (
            partnership.partner_name,
            partnership.partner_country.name_en
            if language == "en"
            else partnership.partner_country.name_id,
            partnership.get_relationship_type_display(),
            _stage_name(partnership),
            _legal_basis(partnership),
        )
        for partnership in listed
    )
    partnerships_section = Section(
        key="partnerships",
        title=_("Partnerships by stage"),
        paragraphs=(
            ngettext(
                "%(count)s partnership of %(region)s is on the public record.",
                "%(count)s partnerships of %(region)s are on the public record.",
                len(listed),
            )
            % {"count": len(listed), "region": region.name},
        ),
        tables=(
            Table(
                key="stages",
                title=_("Partnerships by stage"),
                columns=(_("Stage"), _("Legal basis of the stage"), _("Partnerships")),
                rows=(*stage_rows, (_("Total"), "", len(listed))),
                chart=True,
            ),
            Table(
                key="partnerships",
                title=_("Partnerships and their legal basis"),
                columns=(
                    _("Partner"),
                    _("Country"),
                    _("Type"),
                    _("Stage"),
                    _("Agreement (legal basis)"),
                ),
                rows=partnership_rows,
            ),
        ),
    )
    activities_section = Section(
        key="activities",
        title=_("Activities of the year"),
        paragraphs=(_activities_started(len(activities), year),),
        tables=(
            Table(
                key="activities",
                title=_("Activities of the year"),
                columns=_activity_columns(),
                rows=_activity_rows(activities),
            ),
        ),
    )
    money_section = Section(
        key="money", title=_("Money by source"), tables=(_money_table(activities, "money"),)
    )
    reach_section = _reach_section(region, year)
    results_section = Section(
        key="results",
        title=_("Results against targets"),
        tables=(_results_table(activities, year, "results"),),
    )
    effects_section = Section(
        key="effects",
        title=_("Economic effects"),
        tables=(_effects_table(activities, year), *impact_section(activities, year, region)),
    )
    risk_section = _risk_section(partnerships, year_end)
    stamps = [
        Partnership.objects.filter(pk__in=[p.pk for p in listed]).aggregate(
            latest=Max("updated_at")
        )["latest"],
        Activity.objects.filter(pk__in=[a.pk for a in activities]).aggregate(
            latest=Max("updated_at")
        )["latest"],
    ]
    return Report(
        kind="council",
        language=language,
        title=_("International cooperation of %(region)s in %(year)s")
        % {"region": region.name, "year": year},
        subtitle=_("Annual report for the DPRD and the LKPJ"),
        region_name=region.name,
        year=year,
        as_of=_as_of(year, *stamps),
        sections=(
            partnerships_section,
            activities_section,
            money_section,
            reach_section,
            results_section,
            effects_section,
            learning_section(region, year, partnerships),
            risk_section,
        ),
        sources=_sources(),
        assumptions=(
            *_public_assumptions(),
            _(
                "Activities of the year are those that started in it; money is the budget "
                "and spending recorded for them, in rupiah at the rate recorded with each line."
            ),
            _(
                "At risk is judged on 31 December of the year: agreements ending within the "
                "next 12 months, and partnerships with no activity in the 12 months before."
            ),
            _(
                "Achieved (%) is the actual value divided by the target, for indicators where "
                "a higher value is better."
            ),
        ),
    )


def _reach_section(region: Region, year: int) -> Section:
    from kembar.insights.reach import ReachFilters, reach_figures

    filters = ReachFilters(region=region.kode, year_from=year, year_to=year, demo=False)
    figures = reach_figures(filters=filters, public=True).as_dict()
    group_rows = tuple(
        (row["name"], _count(row["participants"]))
        for row in figures["groups"]
        if row["participants"] != 0
    )
    gender_rows = tuple(
        (row["name"], _count(row["participants"]))
        for row in figures["gender"]
        if row["participants"] != 0
    )
    district_rows = tuple(
        (row["name"], _count(row["participants"]))
        for row in figures["districts"]
        if row["participants"] != 0
    )
    outside = figures["outside_city"]
    if outside != 0:
        district_rows += ((_("outside the city"), _count(outside)),)
    columns = (_("Category"), _("Local participants"))
    return Section(
        key="reach",
        title=_("Participants and reach"),
        paragraphs=(
            _("Local participants in %(year)s: %(total)s.")
            % {"year": year, "total": _count(figures["total"])},
        ),
        tables=(
            Table("reach_groups", _("By stakeholder group"), columns, group_rows, chart=True),
            Table("reach_gender", _("By gender"), columns, gender_rows),
            Table("reach_districts", _("By home kecamatan"), columns, district_rows),
        ),
    )


def _risk_section(partnerships: QuerySet[Partnership], year_end: dt.date) -> Section:
    expiring = partnerships_expiring(today=year_end, within_days=365, include_expired=False).filter(
        pk__in=partnerships.values("pk")
    )
    expiring_rows = tuple(
        (partnership.partner_name, valid_until.isoformat())
        for partnership in expiring.order_by("agreement_valid_until", "partner_name")
        for valid_until in [getattr(partnership, "agreement_valid_until")]  # noqa: B009
    )
    since = year_end - dt.timedelta(days=365)
    recent = Activity.objects.filter(
        is_demo=False, start_date__gt=since, start_date__lte=year_end
    ).values("partnership")
    quiet = (
        partnerships.exclude(state__is_terminal=True)
        .exclude(pk__in=recent)
        .annotate(last=Max("activities__start_date"))
    )
    quiet_rows = tuple(
        (
            partnership.partner_name,
            _stage_name(partnership),
            partnership.last.isoformat() if partnership.last else _not_recorded(),
        )
        for partnership in quiet
    )
    return Section(
        key="risk",
        title=_("What is at risk"),
        tables=(
            Table(
                "expiring",
                _("Agreements ending within 12 months"),
                (_("Partner"), _("Valid until")),
                expiring_rows,
            ),
            Table(
                "dormant",
                _("Partnerships with no activity in the last 12 months"),
                (_("Partner"), _("Stage"), _("Last activity")),
                quiet_rows,
            ),
        ),
    )


def _sources() -> tuple[str, ...]:
    return (
        _("Kembar record: partnerships, their lifecycle stages and agreement documents."),
        _("Kembar record: activities, budget lines, contributions, results and indicators."),
        _("Kembar record: participant counts by group, gender and home kecamatan (aggregates)."),
        _("Kembar record: economic effects, each with its own source and confidence."),
    )


def _public_assumptions() -> tuple[str, ...]:
    return (
        _(
            "Only partnerships shown to the public and their activities are counted; "
            "demonstration records are left out."
        ),
        _(
            "Counts of 1 to 4 people are hidden, and so are the cells that would let them be "
            "recomputed from a total; a hidden cell reads 'hidden'."
        ),
        _("Where the record holds nothing, the report says 'not recorded'."),
    )


# --- The report to the Minister ----------------------------------------------------------------


def _partnership_rows(partnership: Partnership, language: str) -> tuple[tuple[Cell, ...], ...]:
    country = partnership.partner_country
    return (
        (_("Local region"), partnership.local_region.name),
        (_("Partner"), partnership.partner_name),
        (_("Country"), country.name_en if language == "en" else country.name_id),
        (_("Type"), partnership.get_relationship_type_display()),
        (_("Stage"), _stage_name(partnership)),
        (
            _("Legal basis of the stage"),
            (partnership.state.legal_basis if partnership.state else "") or _not_recorded(),
        ),
        (_("Agreement (legal basis)"), _legal_basis(partnership)),
    )


def _documents_table(partnership: Partnership) -> Table:
    documents = (
        documents_current()
        .filter(partnership=partnership)
        .select_related("kind")
        .order_by("kind__code", "-version")
    )
    rows = tuple(
        (
            document.kind.name,
            document.title,
            document.signed_on_label() or _not_recorded(),
            document.valid_from.isoformat() if document.valid_from else _not_recorded(),
            document.valid_until_label() or _not_recorded(),
        )
        for document in documents
    )
    return Table(
        "documents",
        _("Agreement documents"),
        (_("Kind"), _("Title"), _("Signed"), _("Valid from"), _("Valid until")),
        rows,
    )


def _contributions_table(activities: Sequence[Activity]) -> Table:
    rows = tuple(
        (
            contribution.activity.reference,
            contribution.get_side_display(),
            contribution.get_form_display(),
            contribution.description,
            _not_recorded() if contribution.value_idr is None else _money(contribution.value_idr),
        )
        for contribution in Contribution.objects.filter(activity__in=activities)
        .select_related("activity")
        .order_by("activity__reference", "side", "form", "description")
    )
    return Table(
        "contributions",
        _("Contributions"),
        (_("Activity"), _("Given by"), _("Form"), _("Description"), _("Value (IDR)")),
        rows,
    )


def _notes_rows(partnership: Partnership, activities: Sequence[Activity], year: int) -> list[str]:
    notes = [
        _("%(reference)s cancelled: %(reason)s")
        % {"reference": activity.reference, "reason": activity.cancellation_reason}
        for activity in activities
        if activity.cancellation_reason
    ]
    notes += [
        f"{event.date_label()}: {event.get_kind_display()}"
        + (f" — {event.detail}" if event.detail else "")
        for event in partnership.events.filter(date__year=year).order_by("date", "pk")
    ]
    return notes or [_not_recorded()]


def ministry_report(*, partnership: Partnership, year: int, language: str) -> Report:
    """The implementation report to the Minister (PP 28/2018 Pasal 43) of one partnership."""
    scope = Partnership.objects.filter(pk=partnership.pk)
    activities = list(_activities(scope, year))
    region = partnership.local_region
    return Report(
        kind="ministry",
        language=language,
        title=_("Implementation report of the cooperation of %(region)s with %(partner)s, %(year)s")
        % {"region": region.name, "partner": partnership.partner_name, "year": year},
        subtitle=_("Report to the Minister of Home Affairs (PP 28/2018 Pasal 43)"),
        region_name=region.name,
        year=year,
        as_of=_as_of(
            year,
            partnership.updated_at,
            Activity.objects.filter(pk__in=[a.pk for a in activities]).aggregate(
                latest=Max("updated_at")
            )["latest"],
        ),
        sections=(
            Section(
                "partnership",
                _("The partnership and its legal basis"),
                tables=(
                    Table(
                        "partnership",
                        _("The partnership"),
                        (_("Item"), _("Value")),
                        _partnership_rows(partnership, language),
                    ),
                    _documents_table(partnership),
                ),
            ),
            Section(
                "activities",
                _("Activities carried out"),
                paragraphs=(_activities_started(len(activities), year),),
                tables=(
                    Table(
                        "activities",
                        _("Activities carried out"),
                        _activity_columns(),
                        _activity_rows(activities),
                    ),
                ),
            ),
            Section(
                "funding",
                _("Funding"),
                tables=(_money_table(activities, "funding"), _contributions_table(activities)),
            ),
            Section("results", _("Results"), tables=(_results_table(activities, year, "results"),)),
            Section(
                "notes",
                _("Obstacles and notes"),
                paragraphs=tuple(_notes_rows(partnership, activities, year)),
            ),
        ),
        sources=_sources(),
        assumptions=_public_assumptions(),
    )


# --- The partnership profile ------------------------------------------------------------------


def partnership_profile(*, partnership: Partnership, year: int, language: str) -> Report:
    """A one-page profile for a meeting with the partner: Indonesian and English side by side."""
    from django.utils import translation

    scope = Partnership.objects.filter(pk=partnership.pk)
    activities = list(_activities(scope, year))
    every = Activity.objects.filter(partnership=partnership, is_demo=False)
    spent = BudgetLine.objects.filter(activity__in=activities, kind=MoneyKind.SPENDING).aggregate(
        total=Sum("amount_idr")
    )["total"]
    local_people: int | None = 0
    for activity in activities:
        local, _partner = participant_totals(activity, exact=False)
        local_people = None if local is None or local_people is None else local_people + local
    document = _agreement(partnership)

    def side(code: str) -> list[tuple[str, str]]:
        with translation.override(code):
            state = partnership.state
            areas = [area.name_en if code == "en" else area.name_id for area in _areas(partnership)]
            country = partnership.partner_country
            return [
                (_("Partner"), partnership.partner_name),
                (_("Country"), country.name_en if code == "en" else country.name_id),
                (_("Type"), str(partnership.get_relationship_type_display())),
                (
                    _("Stage"),
                    (state.name_en if code == "en" else state.name_id)
                    if state
                    else _not_recorded(),
                ),
                (_("Agreement (legal basis)"), _legal_basis(partnership)),
                (
                    _("Valid until"),
                    (document.valid_until_label() if document else "") or _not_recorded(),
                ),
                (_("Fields of cooperation"), ", ".join(areas) or _not_recorded()),
                (_("Activities, all years"), str(every.count())),
                (_("Activities in %(year)s") % {"year": year}, str(len(activities))),
                (
                    _("Local participants in %(year)s") % {"year": year},
                    _hidden() if local_people is None else number_text(local_people, code),
                ),
                (
                    _("Spending in %(year)s (IDR)") % {"year": year},
                    number_text(_money(spent), code),
                ),
            ]

    indonesian, english = side("id"), side("en")
    rows = tuple(
        (f"{label_id}: {value_id}", f"{label_en}: {value_en}")
        for (label_id, value_id), (label_en, value_en) in zip(indonesian, english, strict=True)
    )
    recent = tuple(
        (activity.reference, activity.title_id, activity.title_en or activity.title_id)
        for activity in activities
    )
    region = partnership.local_region
    return Report(
        kind="profile",
        language=language,
        title=f"{region.name} – {partnership.partner_name}",
        subtitle=_("Partnership profile, %(year)s") % {"year": year},
        region_name=region.name,
        year=year,
        as_of=_as_of(year, partnership.updated_at),
        sections=(
            Section(
                "profile",
                _("Profile"),
                tables=(Table("profile", _("Profile"), ("Bahasa Indonesia", "English"), rows),),
            ),
            Section(
                "activities",
                _("Activities of the year"),
                tables=(
                    Table(
                        "activities",
                        _("Activities of the year"),
                        (_("Reference"), "Bahasa Indonesia", "English"),
                        recent,
                    ),
                ),
            ),
        ),
        sources=_sources(),
        assumptions=_public_assumptions(),
        bilingual=True,
    )


def _areas(partnership: Partnership) -> list[Any]:
    return sorted(partnership.focus_areas.all(), key=lambda area: area.slug)
