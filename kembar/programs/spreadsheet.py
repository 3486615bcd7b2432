"""The spreadsheet round trip for activities: template, export and import.

An agency downloads a workbook (:func:`activity_template_build`, or
:func:`activity_export` with its current activities filled in), fills it in
and uploads it (:func:`activity_import`).

The workbook
    Sheets ``Petunjuk`` (instructions), ``Kegiatan`` (activities, one row
    each), ``Peserta`` (participant counts), ``Anggaran`` (budget lines),
    ``Kontribusi`` (contributions), ``Hasil`` (results, one row per period of
    an indicator) and ``Kode`` (the code lists, protected: each name beside
    its code; the dropdowns offer the names in the user's language and a cell
    takes a name or a code, see :mod:`kembar.programs.spreadsheet_labels`).
    On every data sheet row 1 holds the column keys (:data:`COLUMNS`,
    stable, never translated), row 2 their names in the user's language, and
    the data starts at row 3.  Rows of
    ``Peserta`` … ``Hasil`` name their activity by its ``reference`` in
    column A: an activity on ``Kegiatan`` of the same file, or one already in
    Kembar that the user may change.

    Cells: dates as dates or ISO text (``2024-03-04``); yes/no columns take
    ``yes``/``no`` (also ``ya``/``tidak``, TRUE/FALSE, 1/0); several SDG goals,
    targets or focus areas in one cell are separated by ``;``; ``place`` is
    the code of a kecamatan or kelurahan of the partnership's region, or
    empty (``in_partner_city`` says whether it was held in the partner city).

What a row means
    A ``reference`` already in Kembar updates that activity, a new one adds
    it.  When ``Peserta``, ``Anggaran`` or ``Kontribusi`` has rows for an
    activity they replace what Kembar holds for it there; an activity with no
    rows in one of them keeps what it has.  ``Hasil`` rows add or correct
    periods and never remove anything.  The activity is the unit that is
    applied or refused, with all its rows.

CSV
    A CSV file works the same way and comes in one of two shapes.  Either the
    sheet ``Kegiatan`` saved as CSV (the first cell of row 1 is
    ``reference``): keys in row 1, names in row 2, data from row 3, exactly as
    in the workbook.  Or several sheets in one file: a row whose first cell
    is a sheet name (``Kegiatan``, ``Peserta`` …) followed by that sheet's
    keys starts a section; the data rows of the section follow with their
    first cell empty; a row whose first cell starts with ``#`` is a comment
    (the names row) and is skipped.  The section ``Kegiatan`` must be there
    (it may be empty); the others may be left out.  Rows are reported by
    their record number in the file, columns by the letter a spreadsheet
    program shows for them.
    Commas or semicolons separate the cells (whichever the first row uses);
    with semicolons, a comma in a number is the decimal separator, as
    Indonesian spreadsheet programs write it.

Checking and applying
    Every row is checked before anything is written, and every problem is
    reported with its sheet, row, column and how to fix it, in the user's
    language.  Unless every row is valid nothing is applied; with
    ``apply_valid`` the activities whose rows are all valid are applied and the
    rest come back as a workbook with a ``problem`` column
    (:meth:`ImportReport.rejected_workbook`, also kept as the batch's
    ``rejected_file``); a workbook is returned for CSV uploads too.
    Problems with the file itself (not a workbook, a sheet or column
    missing, too large, unpacking too large, too many rows) refuse it whole;
    the limits are checked while it is read
    (:mod:`kembar.programs.spreadsheet_limits`).
    The check loads what it compares with in a few queries (code lists,
    organisations, the partnerships the user may report for, the activities
    the file names) and uses the services' own checks
    (:func:`~kembar.programs.activities.activity_problems` …), so every
    permission and field is checked as strictly as in a form.  Only after the
    whole file is checked are the activities written, in bulk and in short
    transactions of a few hundred activities, all or nothing
    (:mod:`kembar.programs.spreadsheet_apply`: history by the importing user,
    one new version per changed activity, nothing written for unchanged
    values, the participant summary kept in step).  The same file uploaded
    again by the same person after it was applied is recognised by its
    SHA-256 and not even read (unless ``trust_digest`` is off).  Every
    upload, refused or not, is logged as an :class:`ImportBatch` with the
    reason.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise
from lxml import etree
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kembar.accounts.models import Organisation, Role, User
from kembar.common.tabular import xlsx_cell
from kembar.common.text import check_text, clean_text
from kembar.geo.models import Region, RegionLevel
from kembar.partnerships.access import staff_partnerships
from kembar.partnerships.models import FocusArea, Partnership
from kembar.programs import spreadsheet_limits as limits
from kembar.programs.activities import (
    ActivityData,
    BudgetRow,
    ContributionRow,
    ParticipantRow,
    Problems,
    ResultRow,
    activity_problems,
    budget_problems,
    contribution_problems,
    officer_counts,
    participant_problems,
    result_problems,
)
from kembar.programs.demo import REFERENCE_PREFIX as DEMO_PREFIX
from kembar.programs.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    AgeBand,
    ContributionForm,
    ContributionSide,
    FundingSource,
    Gender,
    GovernmentAffair,
    ImportBatch,
    MoneyKind,
    ParticipantCount,
    ParticipantSide,
    ResultLevel,
    SdgGoal,
    SdgTarget,
    Sector,
    StakeholderGroup,
    StandardIndicator,
)
from kembar.programs.rules import may_report_for_partnership
from kembar.programs.selectors import agencies_for
from kembar.programs.spreadsheet_apply import Change, changes_apply, state_load
from kembar.programs.spreadsheet_labels import code_text, dropdown_labels, label_lookup
from kembar.programs.spreadsheet_xlsx import xlsx_open

__all__ = [
    "CODES",
    "COLUMNS",
    "DATA_SHEETS",
    "FIRST_DATA_ROW",
    "INSTRUCTIONS",
    "MAX_ROWS",
    "Column",
    "ImportReport",
    "Problem",
    "activity_export",
    "activity_import",
    "activity_template_build",
]

ACTIVITIES = "Kegiatan"
PARTICIPANTS = "Peserta"
BUDGET = "Anggaran"
CONTRIBUTIONS = "Kontribusi"
RESULTS = "Hasil"
INSTRUCTIONS = "Petunjuk"
CODES = "Kode"
DATA_SHEETS = (ACTIVITIES, PARTICIPANTS, BUDGET, CONTRIBUTIONS, RESULTS)
#: Row 1 holds the keys, row 2 the names; data starts here.
FIRST_DATA_ROW = 3
#: Rows per sheet an upload may hold by default (``KEMBAR_IMPORT_MAX_ROWS`` sets it).
MAX_ROWS = 50000
#: How many problems the upload log keeps as its reason.
_LOGGED_PROBLEMS = 20
#: The column the rejected workbook adds after the template's columns.
PROBLEM_COLUMN = "problem"
#: What the counts of an import count, and how.
KINDS = ("activities", "participants", "budget_lines", "contributions", "results")
COUNTS = ("created", "updated", "unchanged", "removed")

_YES = frozenset({"yes", "y", "ya", "true", "benar", "1"})
_NO = frozenset({"no", "n", "tidak", "t", "false", "salah", "0"})
_WHOLE = re.compile(r"^-?\d+$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SEPARATORS = re.compile(r"[;,]")
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
#: What reading a damaged or hostile workbook raises (a chart sheet where a sheet belongs,
#: a part missing or malformed, a reference to nowhere …): the file is not a workbook
#: Kembar can read.
_UNREADABLE = (
    zipfile.BadZipFile,
    etree.LxmlError,
    KeyError,
    ValueError,
    OSError,
    ParseError,
    TypeError,
    AttributeError,
    IndexError,
    EOFError,
)
#: Columns read from each row of a sheet; the template has fewer than 30.
_MAX_COLUMNS = 100
#: Rows checked between two calls of an import's ``progress``.
_PROGRESS_EVERY = 500
Progress = Callable[[str, int, int], None]

T = TypeVar("T")


# --- The format -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a data sheet: its key (row 1), name (row 2) and what it takes.

    ``codes`` names the code list its dropdown offers; ``number`` is
    ``"whole"`` or ``"decimal"`` for a validation of numbers 0 or more;
    ``text`` formats the column as text so that codes such as ``2.10`` stay
    as written.
    """

    key: str
    label: StrOrPromise
    hint: StrOrPromise
    required: bool = False
    codes: str = ""
    number: str = ""
    text: bool = False
    date: bool = False
    width: int = 16


_REFERENCE_HINT = gettext_lazy(
    "The reference of the activity on the sheet Kegiatan, or of one already in Kembar."
)
_CURRENCY_HINT = gettext_lazy("The ISO 4217 code of the currency; empty means IDR.")
_RATE_HINT = gettext_lazy("Rupiah per unit of the currency, at most six decimals; empty means 1.")
_CHOOSE_HINT = gettext_lazy("Choose from the list.")

COLUMNS: dict[str, tuple[Column, ...]] = {
    ACTIVITIES: (
        Column(
            "reference",
            gettext_lazy("Reference"),
            gettext_lazy(
                "A short code of your choice, unique in Kembar, e.g. SMG-BNE-2024-01; "
                "the same code updates the activity."
            ),
            required=True,
            text=True,
            width=20,
        ),
        Column(
            "partnership",
            gettext_lazy("Partnership"),
            gettext_lazy("The code of the partnership, from the list."),
            required=True,
            codes="partnership",
            width=22,
        ),
        Column(
            "kind",
            gettext_lazy("Kind of activity"),
            _CHOOSE_HINT,
            required=True,
            codes="kind",
            width=20,
        ),
        Column(
            "title_id",
            gettext_lazy("Title (Indonesian)"),
            gettext_lazy("Required, at most 200 characters."),
            required=True,
            width=36,
        ),
        Column(
            "title_en",
            gettext_lazy("Title (English)"),
            gettext_lazy("Optional, at most 200 characters."),
            width=36,
        ),
        Column(
            "description_id",
            gettext_lazy("Description (Indonesian)"),
            gettext_lazy("Optional."),
            width=40,
        ),
        Column(
            "description_en",
            gettext_lazy("Description (English)"),
            gettext_lazy("Optional."),
            width=40,
        ),
        Column(
            "agency",
            gettext_lazy("Responsible agency"),
            gettext_lazy(
                "The code of the responsible agency, from the list; an agency officer reports "
                "only for their own agency."
            ),
            required=True,
            codes="agency",
            width=22,
        ),
        Column(
            "start_date",
            gettext_lazy("Start date"),
            gettext_lazy("A date, or text as YYYY-MM-DD."),
            required=True,
            date=True,
            width=12,
        ),
        Column(
            "end_date",
            gettext_lazy("End date"),
            gettext_lazy("A date on or after the start date, or text as YYYY-MM-DD."),
            required=True,
            date=True,
            width=12,
        ),
        Column(
            "status",
            gettext_lazy("Status"),
            gettext_lazy("Choose from the list; empty means planned."),
            codes="status",
            width=12,
        ),
        Column(
            "cancellation_reason",
            gettext_lazy("Reason for cancelling"),
            gettext_lazy("Required when the status is cancelled."),
            width=30,
        ),
        Column(
            "place",
            gettext_lazy("Place (kecamatan or kelurahan)"),
            gettext_lazy(
                "The code of the kecamatan or kelurahan of the city where it took place; "
                "empty when it was held in the partner city or elsewhere."
            ),
            codes="place",
            text=True,
            width=16,
        ),
        Column(
            "in_partner_city",
            gettext_lazy("Held in the partner city"),
            gettext_lazy("yes or no; empty means no."),
            codes="yes_no",
            width=10,
        ),
        Column(
            "sector",
            gettext_lazy("Sector (Input-Output table)"),
            gettext_lazy("The code of the sector, from the list."),
            required=True,
            codes="sector",
            width=10,
        ),
        Column(
            "government_affair",
            gettext_lazy("Government affair"),
            gettext_lazy("The code of the government affair (1.01 … 3.32), from the list."),
            required=True,
            codes="government_affair",
            text=True,
            width=10,
        ),
        Column(
            "sdg_goals",
            gettext_lazy("SDG goals"),
            gettext_lazy("Goal numbers separated by semicolons, e.g. 4; 17."),
            text=True,
        ),
        Column(
            "sdg_targets",
            gettext_lazy("SDG targets"),
            gettext_lazy("Target codes separated by semicolons, e.g. 4.7; 17.17."),
            text=True,
        ),
        Column(
            "focus_areas",
            gettext_lazy("Focus areas"),
            gettext_lazy("Focus-area codes separated by semicolons (see the sheet Kode)."),
            text=True,
            width=22,
        ),
        Column(
            "participants_local",
            gettext_lazy("Local participants (total)"),
            gettext_lazy(
                "People of our region who took part; the local rows on the sheet Peserta "
                "add up to it."
            ),
            number="whole",
            width=12,
        ),
        Column(
            "participants_partner",
            gettext_lazy("Partner participants hosted (total)"),
            gettext_lazy(
                "People from the partner side whom we hosted; the partner rows on the sheet "
                "Peserta add up to it."
            ),
            number="whole",
            width=12,
        ),
    ),
    PARTICIPANTS: (
        Column(
            "reference",
            gettext_lazy("Activity reference"),
            _REFERENCE_HINT,
            required=True,
            text=True,
            width=20,
        ),
        Column(
            "side",
            gettext_lazy("Side"),
            gettext_lazy("local: our people who took part; partner: partner people hosted."),
            required=True,
            codes="participant_side",
            width=10,
        ),
        Column(
            "group",
            gettext_lazy("Stakeholder group"),
            _CHOOSE_HINT,
            required=True,
            codes="group",
            width=16,
        ),
        Column(
            "gender",
            gettext_lazy("Gender"),
            _CHOOSE_HINT,
            required=True,
            codes="gender",
            width=12,
        ),
        Column(
            "age_band",
            gettext_lazy("Age band"),
            _CHOOSE_HINT,
            required=True,
            codes="age_band",
            text=True,
            width=10,
        ),
        Column(
            "home_kecamatan",
            gettext_lazy("Home kecamatan"),
            gettext_lazy(
                "The code of the kecamatan they live in; empty for people from outside the "
                "city (always so for partner people)."
            ),
            codes="kecamatan",
            text=True,
        ),
        Column(
            "count",
            gettext_lazy("Number of people"),
            gettext_lazy("A whole number, 0 or more."),
            required=True,
            number="whole",
            width=10,
        ),
    ),
    BUDGET: (
        Column(
            "reference",
            gettext_lazy("Activity reference"),
            _REFERENCE_HINT,
            required=True,
            text=True,
            width=20,
        ),
        Column(
            "source",
            gettext_lazy("Source"),
            _CHOOSE_HINT,
            required=True,
            codes="source",
            width=12,
        ),
        Column(
            "kind",
            gettext_lazy("Budget or spending"),
            _CHOOSE_HINT,
            required=True,
            codes="money_kind",
            width=12,
        ),
        Column(
            "amount",
            gettext_lazy("Amount"),
            gettext_lazy("In the currency of the row, at most two decimals."),
            required=True,
            number="decimal",
        ),
        Column("currency", gettext_lazy("Currency"), _CURRENCY_HINT, text=True, width=10),
        Column("rate_to_idr", gettext_lazy("Rate to IDR"), _RATE_HINT, number="decimal"),
        Column("note", gettext_lazy("Note"), gettext_lazy("Optional."), width=30),
    ),
    CONTRIBUTIONS: (
        Column(
            "reference",
            gettext_lazy("Activity reference"),
            _REFERENCE_HINT,
            required=True,
            text=True,
            width=20,
        ),
        Column(
            "side",
            gettext_lazy("Given by"),
            _CHOOSE_HINT,
            required=True,
            codes="contribution_side",
            width=10,
        ),
        Column(
            "form",
            gettext_lazy("Form"),
            _CHOOSE_HINT,
            required=True,
            codes="contribution_form",
            width=12,
        ),
        Column(
            "description",
            gettext_lazy("Description"),
            gettext_lazy("What was given."),
            required=True,
            width=36,
        ),
        Column(
            "value",
            gettext_lazy("Value"),
            gettext_lazy("Empty where the contribution cannot be valued; at most two decimals."),
            number="decimal",
        ),
        Column("currency", gettext_lazy("Currency"), _CURRENCY_HINT, text=True, width=10),
        Column("rate_to_idr", gettext_lazy("Rate to IDR"), _RATE_HINT, number="decimal"),
    ),
    RESULTS: (
        Column(
            "reference",
            gettext_lazy("Activity reference"),
            _REFERENCE_HINT,
            required=True,
            text=True,
            width=20,
        ),
        Column(
            "level",
            gettext_lazy("Level"),
            _CHOOSE_HINT,
            required=True,
            codes="result_level",
            width=10,
        ),
        Column(
            "result",
            gettext_lazy("Result"),
            gettext_lazy("What the activity achieved, in a short sentence."),
            required=True,
            width=30,
        ),
        Column(
            "indicator",
            gettext_lazy("Indicator"),
            gettext_lazy("How it is measured; may stay empty when a standard indicator is chosen."),
            width=30,
        ),
        Column(
            "standard_indicator",
            gettext_lazy("Standard indicator"),
            gettext_lazy("Optional: a standard indicator from the list, for comparable numbers."),
            codes="standard_indicator",
            width=22,
        ),
        Column(
            "unit",
            gettext_lazy("Unit"),
            gettext_lazy(
                "people, rupiah, policies …; may stay empty when a standard indicator is chosen."
            ),
            width=12,
        ),
        Column(
            "higher_is_better",
            gettext_lazy("Higher is better"),
            gettext_lazy("yes or no; empty means yes."),
            codes="yes_no",
            width=10,
        ),
        Column(
            "baseline_year",
            gettext_lazy("Baseline year"),
            gettext_lazy("Optional, e.g. 2023."),
            width=10,
        ),
        Column("baseline_value", gettext_lazy("Baseline"), gettext_lazy("Optional."), width=12),
        Column(
            "period_start",
            gettext_lazy("Period start"),
            gettext_lazy("A date, or text as YYYY-MM-DD."),
            required=True,
            date=True,
            width=12,
        ),
        Column(
            "period_end",
            gettext_lazy("Period end"),
            gettext_lazy("A date on or after the period start, or text as YYYY-MM-DD."),
            required=True,
            date=True,
            width=12,
        ),
        Column(
            "target",
            gettext_lazy("Target"),
            gettext_lazy("A target, an actual value, or both."),
            width=12,
        ),
        Column(
            "actual",
            gettext_lazy("Actual"),
            gettext_lazy("A target, an actual value, or both."),
            width=12,
        ),
    ),
}

#: The code lists of the sheet ``Kode``, in their order there, with their names.
CODE_LISTS: dict[str, StrOrPromise] = {
    "partnership": gettext_lazy("partnerships"),
    "kind": gettext_lazy("kinds of activity"),
    "status": gettext_lazy("statuses"),
    "agency": gettext_lazy("agencies"),
    "place": gettext_lazy("kecamatan and kelurahan"),
    "yes_no": gettext_lazy("yes or no"),
    "sector": gettext_lazy("sectors"),
    "government_affair": gettext_lazy("government affairs"),
    "sdg_goal": gettext_lazy("SDG goals"),
    "sdg_target": gettext_lazy("SDG targets"),
    "focus_area": gettext_lazy("focus areas"),
    "participant_side": gettext_lazy("sides (participants)"),
    "group": gettext_lazy("stakeholder groups"),
    "gender": gettext_lazy("genders"),
    "age_band": gettext_lazy("age bands"),
    "kecamatan": gettext_lazy("kecamatan"),
    "source": gettext_lazy("funding sources"),
    "money_kind": gettext_lazy("budget or spending"),
    "contribution_side": gettext_lazy("sides (contributions)"),
    "contribution_form": gettext_lazy("forms of contribution"),
    "result_level": gettext_lazy("result levels"),
    "standard_indicator": gettext_lazy("standard indicators"),
}

#: Names the services give fields, where the sheet's column key differs.
_FIELD_COLUMNS = {
    "place_region": "place",
    "home_region": "home_kecamatan",
    "result_title": "result",
    "indicator_title": "indicator",
}


#: Each column by sheet and key (the checks look a column up for every cell).
_COLUMN_INDEX = {
    (sheet, column.key): column for sheet, columns in COLUMNS.items() for column in columns
}


#: The code list of each column that has one, by sheet and key.
_CODE_LISTS = {place: column.codes for place, column in _COLUMN_INDEX.items() if column.codes}


def _column(sheet: str, key: str) -> Column | None:
    return _COLUMN_INDEX.get((sheet, key))


# --- Problems and the report ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of an upload, where it is and how to fix it, in the user's language.

    ``row`` is the row number a spreadsheet program shows (0 for the whole
    file or sheet), ``column`` the column key of row 1 and ``letter`` the
    column letter (both empty when no column is concerned).
    """

    sheet: str
    row: int
    column: str
    letter: str
    message: str
    fix: str

    @property
    def place(self) -> str:
        """``Kegiatan!O5`` or as much of it as is known."""
        cell = f"{self.letter}{self.row or ''}"
        return f"{self.sheet}!{cell}" if self.sheet and cell else self.sheet

    def __str__(self) -> str:
        where = self.place
        return f"{where}: {self.message} {self.fix}".strip() if where else self.message

    def sort_key(self) -> tuple[int, int, int]:
        order = DATA_SHEETS.index(self.sheet) if self.sheet in DATA_SHEETS else -1
        position = column_index_from_string(self.letter) if self.letter else 0
        return (order, self.row, position)


def _zero_counts() -> dict[str, dict[str, int]]:
    return {kind: dict.fromkeys(COUNTS, 0) for kind in KINDS}


@dataclass(slots=True)
class _OutRow:
    """A row to write into a workbook, with the problems to show on it."""

    values: Mapping[str, Any]
    problems: Sequence[Problem] = ()


@dataclass(slots=True)
class ImportReport:
    """What an upload did: its outcome, the problems found and the counts of what changed.

    ``counts`` holds, for each of :data:`KINDS`, how many records were
    created, updated, left unchanged or removed.  ``rejected_references``
    are the activities with problems; when the upload was refused as a whole
    the valid ones are neither applied nor rejected.
    """

    outcome: str
    actor: User = field(repr=False)
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=_zero_counts)
    applied_references: list[str] = field(default_factory=list)
    rejected_references: list[str] = field(default_factory=list)
    batch: ImportBatch | None = None
    rejected_rows: dict[str, list[_OutRow]] = field(default_factory=dict, repr=False)

    @property
    def changed(self) -> int:
        """How many records the upload created, updated or removed."""
        return sum(
            numbers[name]
            for numbers in self.counts.values()
            for name in ("created", "updated", "removed")
        )

    def rejected_workbook(self) -> bytes:
        """The template holding only the rejected rows, each with its problems to correct."""
        return _workbook_build(
            user=self.actor,
            partnerships=_reportable_partnerships(self.actor),
            rows=self.rejected_rows,
            with_problems=True,
        )


# --- Code lists -----------------------------------------------------------------------------


def _reportable_partnerships(
    user: User, partnership: Partnership | None = None
) -> list[Partnership]:
    """The partnerships ``user`` may report activities for (only ``partnership`` if given)."""
    partnerships = staff_partnerships(user).select_related("local_region").order_by("slug")
    if partnership is not None:
        partnerships = partnerships.filter(pk=partnership.pk)
    return [item for item in partnerships if may_report_for_partnership(user, item)]


def _choices(choices: Any) -> list[tuple[Any, str]]:
    return [(value, str(label)) for value, label in choices.choices]


def _code_lists(
    user: User, partnerships: Sequence[Partnership]
) -> dict[str, list[tuple[Any, str]]]:
    """Every code list of the sheet ``Kode``: (code, name in the active language) pairs."""
    region_ids = sorted({partnership.local_region_id for partnership in partnerships})
    inside = Q(pk__in=[])
    for region_id in region_ids:
        inside |= Q(kode__startswith=region_id + ".")
    places = Region.objects.filter(
        inside, level__in=[RegionLevel.DISTRICT, RegionLevel.VILLAGE]
    ).order_by("kode")
    agencies: dict[str, Organisation] = {}
    for region_id in region_ids:
        for agency in agencies_for(user, region_id):
            agencies.setdefault(agency.slug, agency)
    return {
        "partnership": [(p.slug, p.partner_name) for p in partnerships],
        "kind": _choices(ActivityKind),
        "status": _choices(ActivityStatus),
        "agency": sorted((slug, agency.name) for slug, agency in agencies.items()),
        "place": [(region.kode, region.name) for region in places],
        "yes_no": [("yes", _("yes")), ("no", _("no"))],
        "sector": [(sector.code, sector.name) for sector in Sector.objects.order_by("code")],
        "government_affair": [
            (affair.code, affair.name) for affair in GovernmentAffair.objects.order_by("code")
        ],
        "sdg_goal": [(goal.code, goal.name) for goal in SdgGoal.objects.order_by("code")],
        "sdg_target": [(target.code, target.name) for target in SdgTarget.objects.all()],
        "focus_area": [(area.slug, area.name) for area in FocusArea.objects.order_by("slug")],
        "participant_side": _choices(ParticipantSide),
        "group": _choices(StakeholderGroup),
        "gender": _choices(Gender),
        "age_band": _choices(AgeBand),
        "kecamatan": [
            (region.kode, region.name) for region in places if region.level == RegionLevel.DISTRICT
        ],
        "source": _choices(FundingSource),
        "money_kind": _choices(MoneyKind),
        "contribution_side": _choices(ContributionSide),
        "contribution_form": _choices(ContributionForm),
        "result_level": _choices(ResultLevel),
        "standard_indicator": [
            (indicator.code, indicator.name)
            for indicator in StandardIndicator.objects.order_by("code")
        ],
    }


# --- Writing workbooks ----------------------------------------------------------------------

_BOLD = Font(bold=True)
_LABEL_FONT = Font(italic=True, color="555555")
_LABEL_FILL = PatternFill("solid", fgColor="EEEEEE")
_PROBLEM_FONT = Font(color="9C0006")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _write_codes(
    sheet: Worksheet, lists: Mapping[str, Sequence[tuple[Any, str]]]
) -> dict[str, str]:
    """Write the code lists side by side; return each non-empty list's range for dropdowns.

    Each list is a column of codes and one of their names (unique, see
    :func:`dropdown_labels`); the dropdowns offer the names.
    """
    ranges: dict[str, str] = {}
    for index, (key, values) in enumerate(lists.items()):
        code_column, name_column = 2 * index + 1, 2 * index + 2
        name_letter = get_column_letter(name_column)
        xlsx_cell(sheet, 1, code_column, key).font = _BOLD
        xlsx_cell(sheet, 1, name_column, str(CODE_LISTS[key])).font = _BOLD
        sheet.column_dimensions[get_column_letter(code_column)].width = 14
        sheet.column_dimensions[name_letter].width = 40
        for offset, (code, name) in enumerate(values, start=2):
            xlsx_cell(sheet, offset, code_column, code)
            xlsx_cell(sheet, offset, name_column, name)
        if values:
            ranges[key] = f"{CODES}!${name_letter}$2:${name_letter}${len(values) + 1}"
    sheet.freeze_panes = "A2"
    sheet.protection.sheet = True
    return ranges


def _add_validations(
    sheet: Worksheet, columns: Sequence[Column], ranges: Mapping[str, str]
) -> None:
    last = FIRST_DATA_ROW + limits.max_rows() - 1
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cells = f"{letter}{FIRST_DATA_ROW}:{letter}{last}"
        validation: DataValidation | None = None
        if column.codes and column.codes in ranges:
            validation = DataValidation(type="list", formula1=ranges[column.codes])
            validation.error = _("Choose a value from the list.")
        elif column.number:
            validation = DataValidation(
                type=column.number, operator="greaterThanOrEqual", formula1="0"
            )
            validation.error = _("Write a number, 0 or more.")
        if validation is None:
            continue
        validation.allow_blank = True
        validation.showErrorMessage = True
        validation.showInputMessage = True
        validation.prompt = str(column.hint)[:255]
        validation.add(cells)
        sheet.add_data_validation(validation)


def _write_data_sheet(
    sheet: Worksheet,
    columns: Sequence[Column],
    ranges: Mapping[str, str],
    rows: Sequence[_OutRow],
    *,
    with_problems: bool,
    labels: Mapping[str, Mapping[str, str]],
) -> None:
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        key_cell = xlsx_cell(sheet, 1, index, column.key)
        key_cell.font = _BOLD
        label_cell = xlsx_cell(sheet, 2, index, str(column.label))
        label_cell.font = _LABEL_FONT
        label_cell.fill = _LABEL_FILL
        label_cell.alignment = _WRAP
        label_cell.comment = Comment(str(column.hint), "Kembar")
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        if column.text:
            dimension.number_format = "@"
        elif column.date:
            dimension.number_format = "yyyy-mm-dd"
    problem_index = len(columns) + 1
    if with_problems:
        xlsx_cell(sheet, 1, problem_index, PROBLEM_COLUMN).font = _BOLD
        label = xlsx_cell(sheet, 2, problem_index, _("Problems to correct"))
        label.font = _LABEL_FONT
        label.fill = _LABEL_FILL
        sheet.column_dimensions[get_column_letter(problem_index)].width = 80
    sheet.freeze_panes = f"B{FIRST_DATA_ROW}"
    _add_validations(sheet, columns, ranges)
    positions = {column.key: index for index, column in enumerate(columns, start=1)}
    names = {column.key: labels.get(column.codes, {}) for column in columns if column.codes}
    for number, row in enumerate(rows, start=FIRST_DATA_ROW):
        for key, value in row.values.items():
            if key in positions and value not in (None, ""):
                if key in names:
                    value = names[key].get(code_text(value), value)
                cell = xlsx_cell(sheet, number, positions[key], value)
                if isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
        if not with_problems or not row.problems:
            continue
        texts = []
        for problem in row.problems:
            texts.append(
                f"{problem.column}: {problem.message} {problem.fix}".strip()
                if problem.column
                else f"{problem.message} {problem.fix}".strip()
            )
            if problem.column in positions:
                cell = sheet.cell(row=number, column=positions[problem.column])
                text = f"{problem.message} {problem.fix}".strip()
                if cell.comment is not None:
                    text = f"{cell.comment.text}\n{text}"
                cell.comment = Comment(clean_text(text), "Kembar")
        problem_cell = xlsx_cell(sheet, number, problem_index, "\n".join(texts))
        problem_cell.font = _PROBLEM_FONT
        problem_cell.alignment = _WRAP


def _write_instructions(sheet: Worksheet) -> None:
    limit_mb = _megabytes(settings.KEMBAR_MAX_UPLOAD_BYTES)
    paragraphs = [
        _(
            "Every data sheet has the column keys in row 1 (do not change them) and their names "
            "in row 2; write your data from row 3."
        ),
        _(
            "Kegiatan: one row per activity. Its reference is its code: a reference already in "
            "Kembar updates that activity, a new one adds an activity."
        ),
        _(
            "Peserta, Anggaran, Kontribusi and Hasil: every row names the reference of its "
            "activity in column A. When one of Peserta, Anggaran or Kontribusi has rows for an "
            "activity, they replace what Kembar holds for it there; an activity without rows "
            "there keeps what it has. Hasil adds or corrects periods and removes nothing."
        ),
        _(
            "Peserta: the counts of an activity must add up to its totals participants_local "
            "and participants_partner on the sheet Kegiatan. No names: only numbers of people."
        ),
        _(
            "Choose from the dropdown lists, which offer names; the sheet Kode lists each name "
            "beside its code, and a cell may hold either. Write dates as dates or as "
            "YYYY-MM-DD (2024-03-04), yes or no in the yes/no columns, and separate several SDG "
            "goals, targets or focus areas in one cell with semicolons: 4; 17."
        ),
        _(
            "When you upload the file every row is checked first. Nothing is applied unless "
            "every row is valid, unless you choose to apply the valid activities: then you get "
            "the others back in a file with a column problem, to correct and upload again. "
            "Uploading the same file again changes nothing."
        ),
        _(
            "A CSV file works the same way: either the sheet Kegiatan saved as CSV (keys in row "
            "1, names in row 2, data from row 3), or several sheets in one file, where a row "
            "whose first cell is a sheet name (Kegiatan, Peserta …) followed by that sheet's "
            "keys starts a section, its data rows follow with their first cell empty, and rows "
            "whose first cell starts with # are skipped."
        ),
        _("At most %(rows)s rows per sheet and %(limit)s MB per file.")
        % {"rows": number_format(limits.max_rows(), force_grouping=True), "limit": limit_mb},
    ]
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 22
    sheet.column_dimensions["C"].width = 30
    sheet.column_dimensions["D"].width = 10
    sheet.column_dimensions["E"].width = 80
    xlsx_cell(sheet, 1, 1, _("How to fill in this workbook")).font = Font(bold=True, size=14)
    number = 3
    for paragraph in paragraphs:
        sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=5)
        xlsx_cell(sheet, number, 1, paragraph).alignment = _WRAP
        sheet.row_dimensions[number].height = 45
        number += 1
    number += 1
    headings = (_("Sheet"), _("Column key"), _("Name"), _("Required"), _("What to write"))
    for index, heading in enumerate(headings, start=1):
        xlsx_cell(sheet, number, index, heading).font = _BOLD
    for sheet_name, columns in COLUMNS.items():
        for column in columns:
            number += 1
            values = (
                sheet_name,
                column.key,
                str(column.label),
                _("yes") if column.required else "",
                str(column.hint),
            )
            for index, value in enumerate(values, start=1):
                xlsx_cell(sheet, number, index, value).alignment = _WRAP
    sheet.protection.sheet = True


def _workbook_build(
    *,
    user: User,
    partnerships: Sequence[Partnership],
    rows: Mapping[str, Sequence[_OutRow]],
    with_problems: bool = False,
) -> bytes:
    workbook = Workbook()
    instructions = workbook.active
    if not isinstance(instructions, Worksheet):  # a new workbook always has one
        instructions = workbook.create_sheet()
    instructions.title = INSTRUCTIONS
    data_sheets = {name: workbook.create_sheet(name) for name in DATA_SHEETS}
    codes = workbook.create_sheet(CODES)
    lists = {
        key: dropdown_labels(values) for key, values in _code_lists(user, partnerships).items()
    }
    ranges = _write_codes(codes, lists)
    labels = {key: {code_text(code): name for code, name in pairs} for key, pairs in lists.items()}
    for name, sheet in data_sheets.items():
        _write_data_sheet(
            sheet,
            COLUMNS[name],
            ranges,
            rows.get(name, ()),
            with_problems=with_problems,
            labels=labels,
        )
    _write_instructions(instructions)
    workbook.active = 1 if any(rows.values()) else 0
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def activity_template_build(*, user: User, partnership: Partnership | None = None) -> bytes:
    """An empty workbook to report activities in, with dropdowns for every code list.

    The lists offer what ``user`` may report: the partnerships (only
    ``partnership`` when given), the agencies (their own, for an agency
    officer), the kecamatan and kelurahan of those partnerships' regions.
    """
    partnerships = _reportable_partnerships(user, partnership)
    if partnership is not None and not partnerships:
        raise PermissionDenied(_("You may not report activities for this partnership."))
    return _workbook_build(user=user, partnerships=partnerships, rows={})


def _joined(values: Iterable[Any]) -> str:
    return "; ".join(str(value) for value in values)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def system_user() -> User:
    """Who works without a person (``export_activities`` without ``--user``): never saved.

    An active administrator and superuser, so that every permission check
    passes and the code lists offer every body of every region.
    """
    return User(
        username="kembar-system", role=Role.ADMINISTRATOR, is_active=True, is_superuser=True
    )


def activity_export(
    *, user: User | None, partnership: Partnership | None = None, demo: bool = False
) -> bytes:
    """The template filled with the activities ``user`` may change, to edit and upload again.

    Without ``user`` (the system: ``manage.py export_activities``) every
    activity, or every one of ``partnership``.  With ``demo`` the
    demonstration records instead of the real ones (``import_activities
    --demo`` reads them back as such).
    """
    if user is None:
        user = system_user()
        partnerships = list(Partnership.objects.select_related("local_region").order_by("slug"))
        if partnership is not None:
            partnerships = [item for item in partnerships if item.pk == partnership.pk]
    else:
        partnerships = _reportable_partnerships(user, partnership)
    if partnership is not None and not partnerships:
        raise PermissionDenied(_("You may not report activities for this partnership."))
    activities = (
        Activity.objects.filter(partnership__in=partnerships, is_demo=demo)
        .select_related("partnership", "agency__parent__parent")
        .prefetch_related(
            "sdg_goals",
            "sdg_targets",
            "focus_areas",
            "participant_counts",
            "budget_lines",
            "contributions",
            "results__indicators__periods",
            "results__indicators__standard",
        )
        .order_by("start_date", "reference")
    )
    rows: dict[str, list[_OutRow]] = {name: [] for name in DATA_SHEETS}
    for activity in activities:
        if not user.has_perm("programs.change_activity", activity):
            continue
        reference = activity.reference
        rows[ACTIVITIES].append(_OutRow(_activity_values(activity)))
        # Officers' counts only: those of registrations checked in are not theirs to re-import.
        for count in officer_counts(activity):
            rows[PARTICIPANTS].append(
                _OutRow(
                    {
                        "reference": reference,
                        "side": count.side,
                        "group": count.group,
                        "gender": count.gender,
                        "age_band": count.age_band,
                        "home_kecamatan": count.home_region_id or "",
                        "count": count.count,
                    }
                )
            )
        for line in activity.budget_lines.all():
            rows[BUDGET].append(
                _OutRow(
                    {
                        "reference": reference,
                        "source": line.source,
                        "kind": line.kind,
                        "amount": line.amount,
                        "currency": line.currency,
                        "rate_to_idr": line.rate_to_idr,
                        "note": line.note,
                    }
                )
            )
        for contribution in activity.contributions.all():
            rows[CONTRIBUTIONS].append(
                _OutRow(
                    {
                        "reference": reference,
                        "side": contribution.side,
                        "form": contribution.form,
                        "description": contribution.description,
                        "value": contribution.value,
                        "currency": contribution.currency,
                        "rate_to_idr": contribution.rate_to_idr,
                    }
                )
            )
        for result in activity.results.all():
            for indicator in result.indicators.all():
                for period in indicator.periods.all():
                    rows[RESULTS].append(
                        _OutRow(
                            {
                                "reference": reference,
                                "level": result.level,
                                "result": result.title,
                                "indicator": indicator.title,
                                "standard_indicator": indicator.standard_id or "",
                                "unit": indicator.unit,
                                "higher_is_better": _yes_no(indicator.higher_is_better),
                                "baseline_year": indicator.baseline_year,
                                "baseline_value": indicator.baseline_value,
                                "period_start": period.period_start,
                                "period_end": period.period_end,
                                "target": period.target,
                                "actual": period.actual,
                            }
                        )
                    )
    return _workbook_build(user=user, partnerships=partnerships, rows=rows)


def _activity_values(activity: Activity) -> dict[str, Any]:
    return {
        "reference": activity.reference,
        "partnership": activity.partnership.slug,
        "kind": activity.kind,
        "title_id": activity.title_id,
        "title_en": activity.title_en,
        "description_id": activity.description_id,
        "description_en": activity.description_en,
        "agency": activity.agency.slug,
        "start_date": activity.start_date,
        "end_date": activity.end_date,
        "status": activity.status,
        "cancellation_reason": activity.cancellation_reason,
        "place": activity.place_region_id or "",
        "in_partner_city": _yes_no(activity.in_partner_city),
        "sector": activity.sector_id,
        "government_affair": activity.government_affair_id,
        "sdg_goals": _joined(sorted(goal.code for goal in activity.sdg_goals.all())),
        "sdg_targets": _joined(
            target.code
            for target in sorted(activity.sdg_targets.all(), key=lambda t: (t.goal_id, t.order))
        ),
        "focus_areas": _joined(sorted(area.slug for area in activity.focus_areas.all())),
        "participants_local": activity.participants_local,
        "participants_partner": activity.participants_partner,
    }


# --- Reading uploads ------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    number: int
    values: dict[str, Any]


@dataclass(slots=True)
class _Table:
    sheet: str
    letters: dict[str, str]
    rows: list[_Row] = field(default_factory=list)
    #: (key, letter, 0-based position) of each column, in the order of ``letters``.
    places: list[tuple[str, str, int]] = field(init=False)

    def __post_init__(self) -> None:
        self.places = [
            (key, letter, column_index_from_string(letter) - 1)
            for key, letter in self.letters.items()
        ]


@dataclass(slots=True)
class _Upload:
    tables: dict[str, _Table] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Problems of single cells found while reading; they refuse their row, not the file.
    cell_problems: list[Problem] = field(default_factory=list)
    decimal_comma: bool = False
    scanned: int = 0


def _megabytes(size: int) -> str:
    value = size / 2**20
    return number_format(value, decimal_pos=0 if value.is_integer() else 1)


def _file_problem(message: str, fix: str, *, sheet: str = "", row: int = 0) -> Problem:
    return Problem(sheet=sheet, row=row, column="", letter="", message=message, fix=fix)


def _not_a_template() -> Problem:
    return _file_problem(
        _("This file is not an Excel workbook or a CSV file made from the Kembar template."),
        _("Download the template, fill it in and upload that file."),
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header(
    upload: _Upload, sheet: str, cells: Sequence[Any], *, first: int, row: int
) -> _Table | None:
    """Read a header row (keys from position ``first``, 0-based) into a table, or report it."""
    letters: dict[str, str] = {}
    for position in range(first, len(cells)):
        value = cells[position]
        if _blank(value):
            continue
        key = str(value).strip().lower()
        letter = get_column_letter(position + 1)
        if key in letters:
            upload.problems.append(
                Problem(
                    sheet,
                    row,
                    key,
                    letter,
                    _("The column %(key)s appears twice in row %(row)s.")
                    % {"key": key, "row": row},
                    _("Keep one of them."),
                )
            )
            continue
        letters[key] = letter
    missing = [column.key for column in COLUMNS[sheet] if column.key not in letters]
    for key in missing:
        upload.problems.append(
            Problem(
                sheet,
                row,
                key,
                "",
                _("The column %(key)s is missing from row %(row)s.") % {"key": key, "row": row},
                _(
                    "Download the template again and copy your rows into it, or write the key "
                    "%(key)s in an empty cell of row %(row)s above its column."
                )
                % {"key": key, "row": row},
            )
        )
    if missing:
        return None
    return _Table(sheet, letters)


def _add_row(upload: _Upload, table: _Table, number: int, cells: Sequence[Any]) -> bool:
    """Add a data row (unless blank); False once the sheet holds more rows than allowed.

    Rows are counted as they are read, blank ones too, so that reading stops
    at the limit whatever the file declares; a cell longer than the limit is
    cut there and reported on its row.
    """
    upload.scanned += 1
    if upload.scanned > limits.max_scanned_rows():
        upload.problems.append(
            _file_problem(*limits.too_many_scanned(table.sheet), sheet=table.sheet)
        )
        return False
    values: dict[str, Any] = {}
    longest = limits.max_cell_chars()
    width = len(cells)
    blank = True
    for key, letter, position in table.places:
        value = cells[position] if position < width else None
        if isinstance(value, str):
            value = value.strip()
            if len(value) > longest:
                message, fix = limits.cell_too_long(len(value))
                upload.cell_problems.append(Problem(table.sheet, number, key, letter, message, fix))
                value = value[:longest]
            if value and key != PROBLEM_COLUMN:
                blank = False
        elif value is not None and key != PROBLEM_COLUMN:
            blank = False
        values[key] = value
    if blank:
        return True
    if len(table.rows) >= limits.max_rows():
        upload.problems.append(_file_problem(*limits.too_many_rows(table.sheet), sheet=table.sheet))
        return False
    table.rows.append(_Row(number, values))
    return True


def _read_xlsx(content: bytes) -> _Upload:
    upload = _Upload()
    if (refused := limits.zip_problems(content)) is not None:
        upload.problems.append(_file_problem(*refused))
        return upload
    try:
        workbook = xlsx_open(content)
    except _UNREADABLE:
        upload.problems.append(_not_a_template())
        return upload
    try:
        names = {name.strip().lower(): name for name in workbook.sheetnames}
        missing = [sheet for sheet in DATA_SHEETS if sheet.lower() not in names]
        if len(missing) == len(DATA_SHEETS):
            upload.problems.append(
                _file_problem(
                    _("The workbook has none of the sheets %(sheets)s.")
                    % {"sheets": ", ".join(DATA_SHEETS)},
                    _("Download the template, fill it in and upload that file."),
                )
            )
            return upload
        for sheet in missing:
            upload.problems.append(
                _file_problem(
                    _("The sheet %(sheet)s is missing.") % {"sheet": sheet},
                    _(
                        "Upload the workbook with all the sheets of the template; a sheet may "
                        "stay empty."
                    ),
                    sheet=sheet,
                )
            )
        for sheet in DATA_SHEETS:
            if sheet in missing:
                continue
            rows = limits.sheet_rows(workbook, names[sheet.lower()], columns=_MAX_COLUMNS)
            number, header = next(rows, (1, ()))
            table = _header(upload, sheet, header if number == 1 else (), first=0, row=1)
            if table is None:
                continue
            upload.tables[sheet] = table
            for number, cells in rows:
                if number < FIRST_DATA_ROW:
                    continue
                if not _add_row(upload, table, number, cells):
                    break
    except _UNREADABLE:
        upload.problems.append(_not_a_template())
    finally:
        workbook.close()
    return upload


def _decode(content: bytes) -> str | None:
    if b"\x00" in content:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _read_csv(content: bytes) -> _Upload:
    upload = _Upload()
    text = _decode(content)
    if text is None:
        upload.problems.append(_not_a_template())
        return upload
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    upload.decimal_comma = delimiter == ";"
    # Not list(reader): a file of 20 MB of line breaks would be 20 million lists.
    most = limits.max_scanned_rows() + FIRST_DATA_ROW
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        records = list(itertools.islice(reader, most + 1))
    except csv.Error:
        upload.problems.append(_not_a_template())
        return upload
    if len(records) > most:
        upload.problems.append(_file_problem(*limits.too_many_lines(most)))
        return upload
    if not records or not records[0]:
        upload.problems.append(_not_a_template())
        return upload
    sheets = {sheet.lower(): sheet for sheet in DATA_SHEETS}
    first = records[0][0].strip().lower()
    if first == "reference":
        table = _header(upload, ACTIVITIES, records[0], first=0, row=1)
        if table is None:
            return upload
        upload.tables[ACTIVITIES] = table
        for number, cells in enumerate(records[FIRST_DATA_ROW - 1 :], start=FIRST_DATA_ROW):
            if not _add_row(upload, table, number, cells):
                break
    elif first in sheets:
        current: _Table | None = None
        skipping = False
        for number, cells in enumerate(records, start=1):
            marker = cells[0].strip() if cells else ""
            if marker.startswith("#"):
                continue
            if marker:
                sheet = sheets.get(marker.lower())
                if sheet is None:
                    upload.problems.append(
                        Problem(
                            "",
                            number,
                            "",
                            "A",
                            _("“%(value)s” in column A is not the name of a sheet.")
                            % {"value": marker},
                            _(
                                "Start a section with the name of a sheet (%(sheets)s); leave "
                                "column A empty in data rows."
                            )
                            % {"sheets": ", ".join(DATA_SHEETS)},
                        )
                    )
                    current, skipping = None, True
                    continue
                if sheet in upload.tables:
                    upload.problems.append(
                        _file_problem(
                            _("The section %(sheet)s appears a second time in row %(row)s.")
                            % {"sheet": sheet, "row": number},
                            _("Put all rows of a sheet in one section."),
                            sheet=sheet,
                            row=number,
                        )
                    )
                    current, skipping = None, True
                    continue
                current = _header(upload, sheet, cells, first=1, row=number)
                skipping = current is None
                if current is not None:
                    upload.tables[sheet] = current
                continue
            if (
                current is not None
                and not skipping
                and not _add_row(upload, current, number, cells)
            ):
                current, skipping = None, True
        if ACTIVITIES not in upload.tables and not upload.problems:
            upload.problems.append(
                _file_problem(
                    _("The section %(sheet)s is missing.") % {"sheet": ACTIVITIES},
                    _("Start it with a row whose first cell is %(sheet)s, even with no rows.")
                    % {"sheet": ACTIVITIES},
                    sheet=ACTIVITIES,
                )
            )
    else:
        upload.problems.append(_not_a_template())
    return upload


def _read(content: bytes) -> _Upload:
    if not content:
        upload = _Upload()
        upload.problems.append(
            _file_problem(_("The file is empty."), _("Choose the filled-in workbook."))
        )
        return upload
    if content.startswith(_XLSX_MAGIC):
        upload = _read_xlsx(content)
    elif content.startswith(_XLS_MAGIC):
        upload = _Upload()
        upload.problems.append(
            _file_problem(
                _("This is a workbook in the old Excel 97–2003 format (.xls)."),
                _("Save it as an Excel workbook (.xlsx) and upload that file."),
            )
        )
    else:
        upload = _read_csv(content)
    if not upload.problems and not any(table.rows for table in upload.tables.values()):
        upload.problems.append(
            _file_problem(
                _("The file holds no rows to import."),
                _("Write the activities from row %(row)s of the sheets.") % {"row": FIRST_DATA_ROW},
            )
        )
    return upload


# --- Reading cells --------------------------------------------------------------------------


def _as_text(value: Any) -> str:
    if isinstance(value, str):  # most cells: first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


class _Cells:
    """Reads typed values from one row, recording a problem for each cell it cannot read.

    A reader returns the value, the default for an empty optional cell, or
    None after recording a problem; ``ok`` says whether every read succeeded.
    """

    def __init__(self, run: _Run, table: _Table, row: _Row) -> None:
        self.run = run
        self.table = table
        self.row = row
        self.ok = True

    def fail(self, key: str, message: str, fix: str = "") -> None:
        self.ok = False
        self.run.problem(self.table, self.row.number, key, message, fix or self.hint(key))

    def hint(self, key: str) -> str:
        column = _column(self.table.sheet, key)
        return str(column.hint) if column else ""

    def raw(self, key: str) -> Any:
        """The cell's value; a name chosen from a dropdown comes back as its code."""
        value = self.row.values.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            stripped = value.strip()
            if not stripped:
                return None
            codes = _CODE_LISTS.get((self.table.sheet, key))
            if codes:
                return self.run.labels.get(codes, {}).get(stripped.casefold(), value)
        return value

    def missing(self, key: str) -> None:
        column = _column(self.table.sheet, key)
        label = str(column.label) if column else key
        self.fail(key, _("The cell is empty, but %(label)s is required.") % {"label": label})

    def text(self, key: str, *, required: bool = False, code: bool = False) -> str:
        value = self.raw(key)
        if value is None:
            if required:
                self.missing(key)
            return ""
        text = _as_text(value)
        multiline = key in limits.MULTI_LINE_COLUMNS
        # The column's name is looked up only for the message of a text with a problem.
        if check_text(text, "", multiline=multiline) is not None:
            problem = check_text(text, self.run.label(self.table.sheet, key), multiline=multiline)
            self.fail(key, problem or "", _("Type the text again, or copy it without formatting."))
            return ""
        return text.lower() if code else text

    def date(self, key: str) -> date | None:
        value = self.raw(key)
        if value is None:
            self.missing(key)
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str) and _ISO_DATE.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(
            key,
            _("“%(value)s” is not a date.") % {"value": _as_text(value)},
            _("Enter a date, or write it as YYYY-MM-DD, e.g. 2024-03-04."),
        )
        return None

    def whole(self, key: str, *, default: int | None) -> int | None:
        value = self.raw(key)
        if value is None:
            if default is None and (column := _column(self.table.sheet, key)) and column.required:
                self.missing(key)
            return default
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _WHOLE.match(value):
            return int(value)
        self.fail(
            key,
            _("“%(value)s” is not a whole number.") % {"value": _as_text(value)},
            _("Write a whole number, 0 or more, without dots, commas or spaces."),
        )
        return None

    def decimal(self, key: str, *, places: int, limit: Decimal) -> Decimal | None:
        """A number with at most ``places`` decimals and below ``limit``; None when empty."""
        value = self.raw(key)
        if value is None:
            if (column := _column(self.table.sheet, key)) and column.required:
                self.missing(key)
            return None
        number: Decimal | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = Decimal(value)
        elif isinstance(value, float):
            try:
                number = Decimal(repr(value))
            except InvalidOperation:
                number = None
        elif isinstance(value, str):
            text = value.replace(" ", "")
            if self.run.upload.decimal_comma and "." not in text:
                text = text.replace(",", ".")
            if _NUMBER.match(text):
                number = Decimal(text)
        if number is None or not number.is_finite():
            self.fail(
                key,
                _("“%(value)s” is not a number.") % {"value": _as_text(value)},
                _(
                    "Write a number with a dot before the decimals and no thousands "
                    "separators, e.g. 1250.50."
                ),
            )
            return None
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -places:
            self.fail(
                key,
                _("“%(value)s” has more than %(places)s decimals.")
                % {"value": _as_text(value), "places": places},
                _("Round it to %(places)s decimals.") % {"places": places},
            )
            return None
        if abs(number) >= limit:
            self.fail(
                key,
                _("“%(value)s” is too large.") % {"value": _as_text(value)},
                _("Check the number; Kembar keeps numbers below %(limit)s.")
                % {"limit": f"{limit:.0E}"},
            )
            return None
        return number

    def yes_no(self, key: str, *, default: bool) -> bool:
        value = self.raw(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = _as_text(value).lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
        self.fail(
            key,
            _("“%(value)s” is neither yes nor no.") % {"value": _as_text(value)},
            _("Write yes or no."),
        )
        return default

    def _unknown(self, key: str, value: str) -> None:
        column = _column(self.table.sheet, key)
        self.fail(
            key,
            _("“%(value)s” is not a code of the list %(list)s.")
            % {"value": value, "list": str(column.label) if column else key},
            _("Choose a value from the dropdown list; the sheet Kode says what each code means."),
        )

    def code(self, key: str, lookup: Mapping[str, T], *, text: str | None = None) -> T | None:
        column = _column(self.table.sheet, key)
        value = self.text(key, required=bool(column and column.required))
        if text is not None:
            value = text
        if not value:
            return None
        found = lookup.get(value)
        if found is None:
            self._unknown(key, value)
        return found

    def codes(self, key: str, lookup: Mapping[str, T]) -> list[T]:
        found: list[T] = []
        for part in _SEPARATORS.split(self.text(key)):
            code = part.strip()
            if not code:
                continue
            if code.endswith(".0") and code[:-2].isdigit():
                code = code[:-2]
            item = lookup.get(code)
            if item is None:
                self._unknown(key, code)
            elif item not in found:
                found.append(item)
        return found


# --- Checking and applying ------------------------------------------------------------------


@dataclass(slots=True)
class _Group:
    """An activity and every row of the upload that belongs to it: applied or refused together."""

    reference: str
    activity_row: int | None = None
    data: ActivityData | None = None
    instance: Activity | None = None
    participants: list[tuple[int, ParticipantRow]] = field(default_factory=list)
    budget: list[tuple[int, BudgetRow]] = field(default_factory=list)
    contributions: list[tuple[int, ContributionRow]] = field(default_factory=list)
    results: list[tuple[int, ResultRow]] = field(default_factory=list)
    rows: list[tuple[str, int]] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)


class _Run:
    """One import: lookups, the groups of rows by activity, the problems found."""

    def __init__(
        self,
        actor: User,
        upload: _Upload,
        progress: Progress | None = None,
        *,
        demo: bool = False,
    ) -> None:
        self.actor = actor
        self.demo = demo
        self._labels: dict[tuple[str, str], str] = {}
        self.upload = upload
        self.progress = progress
        self.checked = 0
        self.total = sum(len(table.rows) for table in upload.tables.values())
        self.problems: list[Problem] = list(upload.cell_problems)
        self.bad_rows: set[tuple[str, int]] = {(p.sheet, p.row) for p in upload.cell_problems}
        self.groups: dict[str, _Group] = {}
        self._load()

    # Lookups, loaded once for the whole file.
    def _load(self) -> None:
        tables = self.upload.tables

        def used(sheet: str, key: str) -> set[str]:
            table = tables.get(sheet)
            column = _column(sheet, key)
            names = self.labels.get(column.codes, {}) if column and column.codes else {}
            texts = {_as_text(row.values.get(key)) for row in table.rows} if table else set()
            return {names.get(text.casefold(), text) for text in texts}

        self.partnerships = {p.slug: p for p in _reportable_partnerships(self.actor)}
        versions = []
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                versions.append(_code_lists(self.actor, list(self.partnerships.values())))
        self.labels = label_lookup(versions)
        self.agencies = {
            agency.slug: agency
            for agency in Organisation.objects.filter(
                slug__in=used(ACTIVITIES, "agency")
            ).select_related("parent__parent")
        }
        codes = used(ACTIVITIES, "place") | used(PARTICIPANTS, "home_kecamatan")
        self.regions = {region.kode: region for region in Region.objects.filter(kode__in=codes)}
        self.sectors = {str(sector.code): sector for sector in Sector.objects.all()}
        self.affairs = {affair.code: affair for affair in GovernmentAffair.objects.all()}
        self.goals = {str(goal.code): goal for goal in SdgGoal.objects.all()}
        self.targets = {target.code: target for target in SdgTarget.objects.select_related("goal")}
        self.focus_areas = {area.slug: area for area in FocusArea.objects.all()}
        self.standards = {item.code: item for item in StandardIndicator.objects.all()}
        references: set[str] = set()
        for sheet in DATA_SHEETS:
            references |= used(sheet, "reference")
        # The activities and everything an upload may change under them, read once (a few
        # queries); applying starts from the same state and only compares versions again.
        self.state = state_load(sorted(references))
        self.activities = self.state.activities

    def label(self, sheet: str, key: str) -> str:
        """The name of a column in the active language (looked up once per run)."""
        found = self._labels.get((sheet, key))
        if found is None:
            column = _column(sheet, key)
            found = self._labels[(sheet, key)] = str(column.label) if column else key
        return found

    def tick(self) -> None:
        """Count a row checked; tell ``progress`` every :data:`_PROGRESS_EVERY` rows."""
        self.checked += 1
        if self.progress is not None and (
            self.checked % _PROGRESS_EVERY == 0 or self.checked == self.total
        ):
            self.progress("checking", self.checked, self.total)

    def problem(self, table: _Table | str, row: int, key: str, message: str, fix: str) -> None:
        sheet = table.sheet if isinstance(table, _Table) else table
        letters = table.letters if isinstance(table, _Table) else {}
        self.problems.append(Problem(sheet, row, key, letters.get(key, ""), message, fix))
        self.bad_rows.add((sheet, row))

    def service_problems(self, table: _Table, row: int, problems: Problems) -> None:
        """Report what a service check found for one row, each under its column."""
        for name, messages in problems.items():
            key = _FIELD_COLUMNS.get(name, name)
            column = _column(table.sheet, key)
            if column is None:
                key, column = "reference", _column(table.sheet, "reference")
            for message in messages:
                self.problem(table, row, key, message, str(column.hint) if column else "")

    # Kegiatan
    def check_activities(self) -> None:
        table = self.upload.tables.get(ACTIVITIES)
        if table is None:
            return
        for row in table.rows:
            self.tick()
            cells = _Cells(self, table, row)
            reference = cells.text("reference", required=True)
            if not reference:
                continue
            group = self.groups.get(reference)
            if group is not None and group.activity_row is not None:
                self.problem(
                    table,
                    row.number,
                    "reference",
                    _("The reference %(reference)s is already on row %(row)s.")
                    % {"reference": reference, "row": group.activity_row},
                    _("Give each activity one row, with a reference of its own."),
                )
                group.rows.append((ACTIVITIES, row.number))
                continue
            group = self.groups.setdefault(reference, _Group(reference))
            group.activity_row = row.number
            group.rows.append((ACTIVITIES, row.number))
            group.instance = self.activities.get(reference)
            group.data = self._activity_data(cells, reference, group.instance)

    def _activity_data(
        self, cells: _Cells, reference: str, instance: Activity | None
    ) -> ActivityData | None:
        slug = cells.text("partnership", required=True)
        partnership = self.partnerships.get(slug)
        if slug and partnership is None:
            cells.fail(
                "partnership",
                _("“%(value)s” is not a partnership you may report for.") % {"value": slug},
            )
        kind = cells.text("kind", required=True, code=True)
        title_id = cells.text("title_id", required=True)
        agency = cells.code("agency", self.agencies)
        start_date = cells.date("start_date")
        end_date = cells.date("end_date")
        status = cells.text("status", code=True) or ActivityStatus.PLANNED
        place = cells.code("place", self.regions)
        in_partner_city = cells.yes_no("in_partner_city", default=False)
        sector = cells.code("sector", self.sectors)
        affair_value = cells.raw("government_affair")
        affair = cells.code(
            "government_affair",
            self.affairs,
            text=f"{affair_value:.2f}" if isinstance(affair_value, float) else None,
        )
        goals = cells.codes("sdg_goals", self.goals)
        targets = cells.codes("sdg_targets", self.targets)
        areas = cells.codes("focus_areas", self.focus_areas)
        local = cells.whole("participants_local", default=0)
        partner = cells.whole("participants_partner", default=0)
        table, number = cells.table, cells.row.number
        if instance is not None:
            if not self.actor.has_perm("programs.change_activity", instance):
                self.problem(
                    table,
                    number,
                    "reference",
                    _(
                        "The activity %(reference)s is reported by %(agency)s; "
                        "you may not change it."
                    )
                    % {"reference": reference, "agency": instance.agency.name},
                    _("Ask that agency or the cooperation officer, or use a new reference."),
                )
                return None
            if instance.is_demo != self.demo:
                self.problem(
                    table,
                    number,
                    "reference",
                    _("This reference belongs to a demonstration record.")
                    if instance.is_demo
                    else _(
                        "This reference belongs to a real activity, not a demonstration record."
                    ),
                    _("Use a new reference."),
                )
                return None
        elif self.demo and not reference.startswith(DEMO_PREFIX):
            self.problem(
                table,
                number,
                "reference",
                _("The reference of a demonstration record starts with %(prefix)s.")
                % {"prefix": DEMO_PREFIX},
                _("Import real activities without the demonstration option."),
            )
            return None
        if (
            not cells.ok
            or partnership is None
            or agency is None
            or sector is None
            or affair is None
            or start_date is None
            or end_date is None
            or local is None
            or partner is None
        ):
            return None
        data = ActivityData(
            reference=reference,
            partnership=partnership,
            kind=kind,
            title_id=title_id,
            title_en=cells.text("title_en"),
            description_id=cells.text("description_id"),
            description_en=cells.text("description_en"),
            agency=agency,
            start_date=start_date,
            end_date=end_date,
            status=status,
            cancellation_reason=cells.text("cancellation_reason"),
            place_region=place,
            in_partner_city=in_partner_city,
            sector=sector,
            government_affair=affair,
            sdg_goals=goals,
            sdg_targets=targets,
            focus_areas=areas,
            participants_local=local,
            participants_partner=partner,
        )
        taken = instance is None and reference in self.activities
        self.service_problems(
            table,
            number,
            activity_problems(data, user=self.actor, instance=instance, reference_taken=taken),
        )
        return data

    # Peserta, Anggaran, Kontribusi, Hasil
    def _group_for(self, cells: _Cells) -> _Group | None:
        reference = cells.text("reference", required=True)
        if not reference:
            return None
        group = self.groups.get(reference)
        if group is None:
            instance = self.activities.get(reference)
            if instance is not None and self.demo and not instance.is_demo:
                cells.fail(
                    "reference",
                    _("This reference belongs to a real activity, not a demonstration record."),
                    _("Use a new reference."),
                )
            elif instance is not None and self.actor.has_perm("programs.change_activity", instance):
                group = self.groups[reference] = _Group(reference, instance=instance)
            elif instance is not None and self.actor.has_perm("programs.view_activity", instance):
                cells.fail(
                    "reference",
                    _(
                        "The activity %(reference)s is reported by %(agency)s; you may not "
                        "change it."
                    )
                    % {"reference": reference, "agency": instance.agency.name},
                    _("Ask that agency or the cooperation officer, or use a new reference."),
                )
            else:
                cells.fail(
                    "reference",
                    _("There is no activity %(reference)s on the sheet Kegiatan or in Kembar.")
                    % {"reference": reference},
                    _("Add the activity to the sheet Kegiatan, or correct the reference."),
                )
        if group is not None:
            group.rows.append((cells.table.sheet, cells.row.number))
        return group

    def check_participants(self) -> None:
        table = self.upload.tables.get(PARTICIPANTS)
        if table is None:
            return
        for row in table.rows:
            self.tick()
            cells = _Cells(self, table, row)
            group = self._group_for(cells)
            side = cells.text("side", required=True, code=True)
            participant_group = cells.text("group", required=True, code=True)
            gender = cells.text("gender", required=True, code=True)
            age_band = cells.text("age_band", required=True, code=True)
            home = cells.code("home_kecamatan", self.regions)
            count = cells.whole("count", default=None)
            if group is None:
                continue
            if not cells.ok or count is None:
                group.unreadable.add(PARTICIPANTS)
                continue
            group.participants.append(
                (
                    row.number,
                    ParticipantRow(
                        side=side,
                        group=participant_group,
                        gender=gender,
                        age_band=age_band,
                        count=count,
                        home_region=home,
                    ),
                )
            )

    def _money(self, cells: _Cells) -> tuple[str, Decimal]:
        currency = cells.text("currency").upper() or "IDR"
        rate = cells.decimal("rate_to_idr", places=6, limit=Decimal("1e12"))
        return currency, Decimal(1) if rate is None else rate

    def check_budget(self) -> None:
        table = self.upload.tables.get(BUDGET)
        if table is None:
            return
        for row in table.rows:
            self.tick()
            cells = _Cells(self, table, row)
            group = self._group_for(cells)
            source = cells.text("source", required=True, code=True)
            kind = cells.text("kind", required=True, code=True)
            amount = cells.decimal("amount", places=2, limit=Decimal("1e17"))
            currency, rate = self._money(cells)
            if group is None:
                continue
            if not cells.ok or amount is None:
                group.unreadable.add(BUDGET)
                continue
            group.budget.append(
                (
                    row.number,
                    BudgetRow(
                        source=source,
                        kind=kind,
                        amount=amount,
                        currency=currency,
                        rate_to_idr=rate,
                        note=cells.text("note"),
                    ),
                )
            )

    def check_contributions(self) -> None:
        table = self.upload.tables.get(CONTRIBUTIONS)
        if table is None:
            return
        for row in table.rows:
            self.tick()
            cells = _Cells(self, table, row)
            group = self._group_for(cells)
            side = cells.text("side", required=True, code=True)
            form = cells.text("form", required=True, code=True)
            description = cells.text("description", required=True)
            value = cells.decimal("value", places=2, limit=Decimal("1e17"))
            currency, rate = self._money(cells)
            if group is None:
                continue
            if not cells.ok:
                group.unreadable.add(CONTRIBUTIONS)
                continue
            group.contributions.append(
                (
                    row.number,
                    ContributionRow(
                        side=side,
                        form=form,
                        description=description,
                        value=value,
                        currency=currency,
                        rate_to_idr=rate,
                    ),
                )
            )

    def check_results(self) -> None:
        table = self.upload.tables.get(RESULTS)
        if table is None:
            return
        for row in table.rows:
            self.tick()
            cells = _Cells(self, table, row)
            group = self._group_for(cells)
            level = cells.text("level", required=True, code=True)
            result = cells.text("result", required=True)
            standard = cells.code("standard_indicator", self.standards)
            indicator = cells.text("indicator")
            unit = cells.text("unit")
            higher_is_better = cells.yes_no("higher_is_better", default=True)
            baseline_year = cells.whole("baseline_year", default=None)
            limit = Decimal("1e16")
            baseline_value = cells.decimal("baseline_value", places=4, limit=limit)
            period_start = cells.date("period_start")
            period_end = cells.date("period_end")
            target = cells.decimal("target", places=4, limit=limit)
            actual = cells.decimal("actual", places=4, limit=limit)
            if group is None:
                continue
            if not cells.ok or period_start is None or period_end is None:
                group.unreadable.add(RESULTS)
                continue
            result_row = ResultRow(
                level=level,
                result_title=result,
                indicator_title=indicator,
                unit=unit,
                period_start=period_start,
                period_end=period_end,
                target=target,
                actual=actual,
                higher_is_better=higher_is_better,
                baseline_year=baseline_year,
                baseline_value=baseline_value,
                standard=standard,
            )
            self.service_problems(table, row.number, result_problems(result_row))
            group.results.append((row.number, result_row))

    # Checks across the rows of one activity
    def _duplicates(
        self, sheet: str, rows: list[tuple[int, T]], key: Callable[[T], Any], message: str
    ) -> list[tuple[int, T]]:
        """The rows without repeated natural keys; each repetition is reported."""
        table = self.upload.tables[sheet]
        seen: dict[Any, int] = {}
        kept: list[tuple[int, T]] = []
        for number, row in rows:
            row_key = key(row)
            if row_key in seen:
                column = COLUMNS[sheet][1].key
                self.problem(
                    table,
                    number,
                    column,
                    message % {"row": seen[row_key]},
                    _("Remove one of the rows, or add them up into one."),
                )
                continue
            seen[row_key] = number
            kept.append((number, row))
        return kept

    def check_groups(self) -> None:
        for group in self.groups.values():
            if group.participants:
                group.participants = self._duplicates(
                    PARTICIPANTS,
                    group.participants,
                    lambda row: row.key,
                    _(
                        "The same side, group, gender, age band and kecamatan is already on row "
                        "%(row)s for this activity."
                    ),
                )
                self._check_participant_rows(group)
            if group.budget:
                group.budget = self._duplicates(
                    BUDGET,
                    group.budget,
                    lambda row: (row.source, row.kind),
                    _("This source and kind is already on row %(row)s for this activity."),
                )
                table = self.upload.tables[BUDGET]
                found = budget_problems([row for _number, row in group.budget])
                for index, problems in found.items():
                    self.service_problems(table, group.budget[index][0], problems)
            if group.contributions:
                group.contributions = self._duplicates(
                    CONTRIBUTIONS,
                    group.contributions,
                    lambda row: (row.side, row.form, row.description.strip()),
                    _("The same contribution is already on row %(row)s for this activity."),
                )
                table = self.upload.tables[CONTRIBUTIONS]
                found = contribution_problems([row for _number, row in group.contributions])
                for index, problems in found.items():
                    self.service_problems(table, group.contributions[index][0], problems)
            if group.results:
                group.results = self._duplicates(
                    RESULTS,
                    group.results,
                    _result_key,
                    _(
                        "The same result, indicator and period start is already on row %(row)s "
                        "for this activity."
                    ),
                )
            self._check_totals(group)

    def _check_participant_rows(self, group: _Group) -> None:
        region_id = (
            group.data.partnership.local_region_id
            if group.data is not None
            else group.instance.partnership.local_region_id
            if group.instance is not None
            else None
        )
        if region_id is None:
            return
        table = self.upload.tables[PARTICIPANTS]
        found = participant_problems(
            [row for _number, row in group.participants],
            local_region_id=region_id,
            local_total=0,
            partner_total=0,
        )
        for index, problems in found.items():
            if isinstance(index, int):
                self.service_problems(table, group.participants[index][0], problems)

    def _check_totals(self, group: _Group) -> None:
        """The participant breakdown must add up to the totals (in the file or in Kembar)."""
        if PARTICIPANTS in group.unreadable:
            return
        if group.data is not None:
            region_id = group.data.partnership.local_region_id
            local, partner = group.data.participants_local, group.data.participants_partner
        elif group.activity_row is None and group.instance is not None and group.participants:
            region_id = group.instance.partnership.local_region_id
            local, partner = group.instance.participants_local, group.instance.participants_partner
        else:
            return
        if group.participants:
            rows = [row for _number, row in group.participants]
        elif group.instance is not None:
            rows = [
                _stored_participant(count)
                for count in self.state.participants.get(group.instance.pk, [])
            ]
        else:
            rows = []
        totals = participant_problems(
            rows, local_region_id=region_id, local_total=local, partner_total=partner
        ).get("totals")
        if not totals:
            return
        numbers = ", ".join(str(number) for number, _row in group.participants)
        if group.activity_row is not None:
            fix = (
                _("Correct this total or the rows %(rows)s of this activity on the sheet Peserta.")
                % {"rows": numbers}
                if numbers
                else _("Correct this total or add the rows of this activity to the sheet Peserta.")
            )
            for key, messages in totals.items():
                for message in messages:
                    self.problem(
                        self.upload.tables[ACTIVITIES], group.activity_row, key, message, fix
                    )
        else:
            table = self.upload.tables[PARTICIPANTS]
            for messages in totals.values():
                for message in messages:
                    self.problem(
                        table,
                        group.participants[0][0],
                        "count",
                        message,
                        _(
                            "Correct the rows, or add the activity to the sheet Kegiatan with "
                            "the right totals."
                        ),
                    )

    def add_notes(self) -> None:
        """Say on every valid row of an activity with problems why it is not applied."""
        for group in self.groups.values():
            bad = [place for place in group.rows if place in self.bad_rows]
            if not bad:
                continue
            where = ", ".join(f"{sheet} {number}" for sheet, number in bad)
            for sheet, number in group.rows:
                if (sheet, number) in self.bad_rows:
                    continue
                self.problem(
                    self.upload.tables[sheet],
                    number,
                    "reference",
                    _(
                        "Not applied: other rows of the activity %(reference)s have problems "
                        "(%(rows)s)."
                    )
                    % {"reference": group.reference, "rows": where},
                    _("Correct those rows; this one can stay as it is."),
                )

    def check(self) -> None:
        self.check_activities()
        self.check_participants()
        self.check_budget()
        self.check_contributions()
        self.check_results()
        self.check_groups()
        self.add_notes()

    def valid(self, group: _Group) -> bool:
        return not any(place in self.bad_rows for place in group.rows)

    def refuse_group(self, group: _Group, message: str) -> None:
        """Report why an activity was refused while applying (it changed since the check)."""
        sheet, number = group.rows[0]
        self.problem(
            self.upload.tables[sheet],
            number,
            "reference",
            message or _("The activity could not be saved."),
            _("Upload the file again; if the problem stays, tell the cooperation officer."),
        )


def _result_key(row: ResultRow) -> tuple[str, str, str, date]:
    indicator = row.indicator_title.strip() or (row.standard.name_id if row.standard else "")
    return (row.level, row.result_title.strip(), indicator, row.period_start)


def _stored_participant(count: ParticipantCount) -> ParticipantRow:
    return ParticipantRow(
        side=count.side,
        group=count.group,
        gender=count.gender,
        age_band=count.age_band,
        count=count.count,
        home_region=count.home_region,
    )


def _rejected_rows(run: _Run, groups: Iterable[_Group]) -> dict[str, list[_OutRow]]:
    places: set[tuple[str, int]] = set(run.bad_rows)
    for group in groups:
        places.update(group.rows)
    by_place: dict[tuple[str, int], list[Problem]] = {}
    for problem in run.problems:
        by_place.setdefault((problem.sheet, problem.row), []).append(problem)
    rows: dict[str, list[_OutRow]] = {}
    for sheet, table in run.upload.tables.items():
        for row in table.rows:
            if (sheet, row.number) in places:
                rows.setdefault(sheet, []).append(
                    _OutRow(row.values, by_place.get((sheet, row.number), ()))
                )
    return rows


def _change(group: _Group) -> Change:
    return Change(
        reference=group.reference,
        checked_version=group.instance.version if group.instance is not None else None,
        data=group.data,
        participants=[row for _number, row in group.participants] or None,
        budget=[row for _number, row in group.budget] or None,
        contributions=[row for _number, row in group.contributions] or None,
        results=[row for _number, row in group.results],
        rows=len(group.rows),
    )


def _run_import(
    run: _Run, report: ImportReport, *, apply_valid: bool, progress: Progress | None
) -> None:
    run.check()
    groups = {group.reference: group for group in run.groups.values()}
    valid = [group for group in groups.values() if run.valid(group)]
    invalid = [group for group in groups.values() if not run.valid(group)]
    counts = _zero_counts()
    applied: list[_Group] = []
    if not run.problems or apply_valid:
        changes = [_change(group) for group in valid]
        total = sum(change.rows for change in changes)
        outcome = changes_apply(
            actor=run.actor,
            changes=changes,
            apply_valid=apply_valid,
            demo=run.demo,
            preloaded=run.state,
            progress=None if progress is None else lambda done: progress("applying", done, total),
        )
        for reference, message in outcome.refused.items():
            run.refuse_group(groups[reference], message)
            invalid.append(groups[reference])
        applied = [groups[reference] for reference in outcome.applied]
        counts = outcome.counts
    report.problems = sorted(run.problems, key=Problem.sort_key)
    report.applied_references = [group.reference for group in applied]
    report.rejected_references = [group.reference for group in invalid]
    report.rejected_rows = _rejected_rows(run, invalid)
    if applied:
        report.counts = counts
        if report.problems:
            report.outcome = ImportBatch.Outcome.PARTLY_APPLIED
        elif report.changed:
            report.outcome = ImportBatch.Outcome.APPLIED
        else:
            report.outcome = ImportBatch.Outcome.UNCHANGED
    else:
        report.outcome = ImportBatch.Outcome.REFUSED


@contextmanager
def _few_collections() -> Iterator[None]:
    """Python's cycle collector paused while a file is read, checked and applied.

    Reading and checking keep every row, value and record of the file until
    the end, hundreds of thousands of objects; the collector would go
    through all of them again and again as they pile up (a third of a
    re-check of 10,000 activities) to find next to nothing: what an import
    drops is freed by reference counting as it goes, the few cycles when the
    collector runs again after it.  When it was paused already (by an
    import in another thread), it is left to whoever paused it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def activity_import(
    *,
    actor: User,
    filename: str,
    content: bytes,
    apply_valid: bool = False,
    size: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    trust_digest: bool = True,
    demo: bool = False,
) -> ImportReport:
    """Check an uploaded workbook or CSV row by row and apply it; log the upload.

    Nothing is applied unless every row is valid; with ``apply_valid`` the
    activities whose rows are all valid are applied and the others come
    back in :meth:`ImportReport.rejected_workbook`.  The same file applied
    before by the same person is recognised by its SHA-256 and changes
    nothing.  ``size`` is the size of the upload when ``content`` was not
    read because the file is over the limit
    (:class:`kembar.common.uploads.RefusedUpload`).

    The upload is logged before it is read, as refused for an error, so that
    a file that breaks the reader still leaves its trace; the log then gets
    the outcome and the reason.

    ``progress`` is called now and then (every few hundred rows) with
    ``("checking", rows checked, rows in the file)`` and then
    ``("applying", rows applied, rows to apply)``; the rows are applied in
    short transactions after the whole file is checked, all or nothing
    (:mod:`kembar.programs.spreadsheet_apply`).  ``trust_digest`` False
    checks a file applied before by its values too (``import_activities``
    computes from the file only).  With ``demo`` the activities are
    demonstration records (references ``DEMO-…``, as ``export_activities
    --demo`` writes them): only such records are created or changed, marked
    ``is_demo`` and created by no one.
    """
    digest = hashlib.sha256(content).hexdigest()
    report = ImportReport(outcome=ImportBatch.Outcome.REFUSED, actor=actor)
    limit = settings.KEMBAR_MAX_UPLOAD_BYTES
    size = len(content) if size is None else size
    batch = ImportBatch.objects.create(
        sha256=digest,
        filename=filename[-200:],
        uploaded_by=actor,
        outcome=ImportBatch.Outcome.REFUSED,
        reason=_("The import stopped at an error before it finished; nothing was applied."),
    )
    previous = (
        ImportBatch.objects.filter(
            sha256=digest,
            uploaded_by=actor,
            outcome__in=[ImportBatch.Outcome.APPLIED, ImportBatch.Outcome.UNCHANGED],
        )
        .order_by("-uploaded_at", "-pk")
        .first()
    )
    if not actor.has_perm("programs.import_activities"):
        report.problems = [
            _file_problem(
                _("You may not import activities."),
                _("Ask your cooperation officer to give you the role of an agency officer."),
            )
        ]
    elif size > limit:
        report.problems = [
            _file_problem(
                _("The file is larger than the limit of %(limit)s MB.")
                % {"limit": _megabytes(limit)},
                _("Split the rows over several files and upload them one after the other."),
            )
        ]
    elif previous is not None and trust_digest:
        report.outcome = ImportBatch.Outcome.UNCHANGED
        for kind in KINDS:
            numbers = previous.summary.get(kind, {}) if isinstance(previous.summary, dict) else {}
            report.counts[kind]["unchanged"] = sum(
                int(numbers.get(name, 0)) for name in ("created", "updated", "unchanged")
            )
    else:
        with _few_collections():
            upload = _read(content)
            if upload.problems:
                report.problems = sorted(upload.problems, key=Problem.sort_key)
            else:
                _run_import(
                    _Run(actor, upload, progress, demo=demo),
                    report,
                    apply_valid=apply_valid,
                    progress=progress,
                )
    batch.outcome = report.outcome
    batch.summary = report.counts
    batch.problem_count = len(report.problems)
    batch.reason = "\n".join(
        str(problem) if problem.place else f"{problem.message} {problem.fix}".strip()
        for problem in report.problems[:_LOGGED_PROBLEMS]
    )
    batch.rejected_file = report.rejected_workbook() if report.rejected_rows else b""
    batch.save()
    report.batch = batch
    return report
