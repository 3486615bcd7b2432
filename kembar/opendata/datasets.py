"""The public datasets: stable names, titles in Bahasa Indonesia and English, Table Schemas.

Each dataset is published as ``<name>.csv`` and ``<name>.json`` and is one
resource of the Frictionless data package (:mod:`kembar.opendata.build`).
Names and field names are a contract with the people who download them:
add fields at the end, never rename one.  Titles and descriptions are given
in both languages at once (a catalogue carries both), so they are plain text
here rather than translated messages.  The rows come from
:mod:`kembar.opendata.rows`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["DATASETS", "Dataset", "Field", "dataset_get"]


@dataclass(frozen=True, slots=True)
class Field:
    """One column: its Table Schema ``name``, ``type`` and English description."""

    name: str
    type: str
    description: str
    required: bool = False

    def schema(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "description": self.description,
        }
        if self.type == "date":
            item["format"] = "%Y-%m-%d"
        if self.required:
            item["constraints"] = {"required": True}
        return item


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    title_id: str
    title_en: str
    description_id: str
    description_en: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    #: ``(fields, dataset, fields of that dataset)`` for each reference.
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()
    keywords: tuple[str, ...] = field(default=())

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(item.name for item in self.fields)

    def title(self, language: str) -> str:
        return self.title_en if language.startswith("en") else self.title_id

    def description(self, language: str) -> str:
        return self.description_en if language.startswith("en") else self.description_id

    def schema(self) -> dict[str, Any]:
        """The Frictionless Table Schema of the dataset's CSV file."""
        schema: dict[str, Any] = {
            "fields": [item.schema() for item in self.fields],
            "missingValues": [""],
        }
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": list(own), "reference": {"resource": other, "fields": list(theirs)}}
                for own, other, theirs in self.foreign_keys
            ]
        return schema


def _partnership_ref() -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    return (("partnership",), "partnerships", ("slug",))


def _activity_ref() -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    return (("activity",), "activities", ("reference",))


_PARTNERSHIP = Field("partnership", "string", "The partnership's slug (partnerships.slug).", True)
_ACTIVITY = Field("activity", "string", "The activity's reference (activities.reference).", True)
_DEMO = Field(
    "is_demo", "boolean", "A demonstration record (generated for trying Kembar), not a real one."
)
_PEOPLE_NOTE = (
    "null when suppressed: a count of 1–4 people, or one that would give such a count back"
)

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        name="partnerships",
        title_id="Kerja sama",
        title_en="Partnerships",
        description_id=(
            "Kerja sama sister city dan kerja sama luar negeri lain yang terbuka untuk publik: "
            "mitra, negara, jenis, tahap siklus hidup, bidang, dan sumbernya."
        ),
        description_en=(
            "The public sister-city and other international partnerships: partner, country, "
            "type, lifecycle stage, focus areas and sources."
        ),
        fields=(
            Field("slug", "string", "Stable code of the partnership.", True),
            Field("local_region", "string", "Kemendagri code of the local region."),
            Field("local_region_name", "string", "Name of the local region."),
            Field("partner_name", "string", "Name of the partner city or region.", True),
            Field("partner_region_name", "string", "The partner's province or state."),
            Field("partner_country", "string", "ISO 3166-1 alpha-2 code of the partner country."),
            Field("partner_city", "string", "The partner city as named in the gazetteer."),
            Field("relationship_type", "string", "sister_city, friendship_city, cooperation …"),
            Field("documented_status", "string", "Status as the public sources document it."),
            Field("stage", "string", "Code of the current lifecycle stage."),
            Field("stage_name_id", "string", "The stage's name in Bahasa Indonesia."),
            Field("stage_name_en", "string", "The stage's name in English."),
            Field("confidence", "string", "How well the partnership is documented."),
            Field("focus_areas", "string", "Codes of the focus areas, separated by ';'."),
            Field("initiated_by", "string", "Which side proposed the partnership."),
            Field(
                "consultation_recorded_on", "date", "Date the council consultation was recorded."
            ),
            Field("sources", "string", "Public sources of the record."),
        ),
        primary_key=("slug",),
        keywords=("kerja sama", "sister city", "partnerships"),
    ),
    Dataset(
        name="partnership-events",
        title_id="Peristiwa kerja sama",
        title_en="Partnership events",
        description_id="Peristiwa terdokumentasi dalam sejarah setiap kerja sama publik.",
        description_en="Documented events in the history of each public partnership.",
        fields=(
            _PARTNERSHIP,
            Field("date", "date", "Date (first day of the month or year when less precise).", True),
            Field("date_precision", "string", "day, month or year: how precise the date is."),
            Field("kind", "string", "Kind of event (agreement_signed, visit, …).", True),
            Field("detail_id", "string", "Detail in Bahasa Indonesia."),
            Field("detail_en", "string", "Detail in English."),
            Field("source", "string", "Where the event is documented."),
        ),
        primary_key=("partnership", "date", "kind"),
        foreign_keys=(_partnership_ref(),),
        keywords=("kerja sama", "sejarah", "history"),
    ),
    Dataset(
        name="lifecycle-moves",
        title_id="Perpindahan tahap",
        title_en="Lifecycle moves",
        description_id="Perpindahan tahap siklus hidup kerja sama yang telah berlaku.",
        description_en="The applied moves of each public partnership between lifecycle stages.",
        fields=(
            _PARTNERSHIP,
            Field("date", "date", "Day the move took effect (local time).", True),
            Field("from_stage", "string", "Code of the stage before (empty for the first)."),
            Field("to_stage", "string", "Code of the stage after.", True),
        ),
        foreign_keys=(_partnership_ref(),),
        keywords=("kerja sama", "siklus hidup", "lifecycle"),
    ),
    Dataset(
        name="activities",
        title_id="Kegiatan",
        title_en="Activities",
        description_id=(
            "Kegiatan kerja sama publik: jenis, judul, perangkat daerah, tanggal, tempat, "
            "sektor, urusan pemerintahan, TPB/SDGs dan jumlah peserta (angka kecil disembunyikan)."
        ),
        description_en=(
            "Activities of the public partnerships: kind, title, agency, dates, place, sector, "
            "government affair, SDGs and participants (small counts suppressed)."
        ),
        fields=(
            Field("reference", "string", "Stable reference of the activity.", True),
            _PARTNERSHIP,
            Field("kind", "string", "Kind of activity (training, visit, exchange …)."),
            Field("title_id", "string", "Title in Bahasa Indonesia."),
            Field("title_en", "string", "Title in English."),
            Field("description_id", "string", "Description in Bahasa Indonesia."),
            Field("description_en", "string", "Description in English."),
            Field("agency", "string", "Code of the responsible agency (perangkat daerah)."),
            Field("agency_name", "string", "Name of the responsible agency."),
            Field("start_date", "date", "First day."),
            Field("end_date", "date", "Last day."),
            Field("status", "string", "planned, ongoing, completed or cancelled."),
            Field("cancellation_reason", "string", "Why it was cancelled, if it was."),
            Field("place_kode", "string", "Kemendagri code of the place in the city (if any)."),
            Field("place_name", "string", "Name of the place, or of the partner city."),
            Field("in_partner_city", "boolean", "Held in the partner city."),
            Field("sector", "integer", "BPS input-output sector (1–17)."),
            Field("government_affair", "string", "Government affair code (UU 23/2014)."),
            Field("sdg_goals", "string", "SDG goal numbers, separated by ';'."),
            Field("sdg_targets", "string", "SDG target codes, separated by ';'."),
            Field("focus_areas", "string", "Focus area codes, separated by ';'."),
            Field(
                "participants_local",
                "integer",
                f"Local people counted by officers; {_PEOPLE_NOTE}.",
            ),
            Field(
                "participants_registered",
                "integer",
                f"Local people counted from registrations checked in; {_PEOPLE_NOTE}.",
            ),
            Field(
                "participants_partner", "integer", f"People of the partner side; {_PEOPLE_NOTE}."
            ),
            _DEMO,
        ),
        primary_key=("reference",),
        foreign_keys=(_partnership_ref(),),
        keywords=("kegiatan", "activities", "SDGs"),
    ),
    Dataset(
        name="budgets",
        title_id="Anggaran dan realisasi",
        title_en="Budgets and spending",
        description_id="Anggaran dan realisasi setiap kegiatan menurut sumber dana, dalam rupiah.",
        description_en="Budget and spending of each activity by funding source, in rupiah.",
        fields=(
            _ACTIVITY,
            Field("source", "string", "Funding source (apbd, apbn, partner, …).", True),
            Field("kind", "string", "budget or spending.", True),
            Field("amount", "number", "Amount in its currency."),
            Field("currency", "string", "ISO 4217 currency code."),
            Field("rate_to_idr", "number", "Rate used to convert to rupiah."),
            Field("amount_idr", "number", "Amount in rupiah (amount × rate, to the cent)."),
            Field("note", "string", "Note."),
        ),
        primary_key=("activity", "source", "kind"),
        foreign_keys=(_activity_ref(),),
        keywords=("anggaran", "APBD", "budget"),
    ),
    Dataset(
        name="contributions",
        title_id="Kontribusi",
        title_en="Contributions",
        description_id="Kontribusi setiap pihak (daerah dan mitra) pada kegiatan.",
        description_en="What each side (local and partner) contributed to each activity.",
        fields=(
            _ACTIVITY,
            Field("side", "string", "local or partner: who gave it.", True),
            Field("form", "string", "money, in_kind, expertise …", True),
            Field("description", "string", "What was contributed.", True),
            Field("value", "number", "Value in its currency (if valued)."),
            Field("currency", "string", "ISO 4217 currency code."),
            Field("rate_to_idr", "number", "Rate used to convert to rupiah."),
            Field("value_idr", "number", "Value in rupiah."),
        ),
        primary_key=("activity", "side", "form", "description"),
        foreign_keys=(_activity_ref(),),
        keywords=("kontribusi", "contributions"),
    ),
    Dataset(
        name="results",
        title_id="Hasil dan indikator",
        title_en="Results and indicators",
        description_id="Hasil kegiatan dengan indikator, target dan capaian per periode.",
        description_en="Results of each activity with indicators, targets and actuals by period.",
        fields=(
            _ACTIVITY,
            Field("result_level", "string", "output, outcome or impact."),
            Field("result_title", "string", "The result."),
            Field("indicator", "string", "The indicator."),
            Field("unit", "string", "Unit of the indicator."),
            Field("standard_indicator", "string", "Code of the standard indicator, if one."),
            Field("higher_is_better", "boolean", "Whether a higher value is better."),
            Field("baseline_year", "integer", "Year of the baseline."),
            Field("baseline_value", "number", "Baseline value."),
            Field("period_start", "date", "First day of the period."),
            Field("period_end", "date", "Last day of the period."),
            Field("target", "number", "Target for the period."),
            Field(
                "actual",
                "number",
                f"Actual value; for indicators counted in people {_PEOPLE_NOTE}.",
            ),
        ),
        foreign_keys=(_activity_ref(),),
        keywords=("hasil", "indikator", "results"),
    ),
    Dataset(
        name="reach-kecamatan",
        title_id="Jangkauan per kecamatan",
        title_en="Reach by kecamatan",
        description_id=(
            "Peserta lokal per kecamatan tempat tinggal (dan dari luar kota) terhadap penduduk; "
            "sel di bawah 5 orang dan sel pelengkapnya disembunyikan."
        ),
        description_en=(
            "Local participants by home kecamatan (and from outside the city) against the "
            "population; cells under 5 people and their complements are suppressed."
        ),
        fields=(
            Field(
                "kode",
                "string",
                "Kemendagri code of the kecamatan; 'outside' for outside the city.",
                True,
            ),
            Field("name", "string", "Name of the kecamatan."),
            Field("population", "integer", "Residents of the kecamatan."),
            Field("population_year", "integer", "Year of the population figure."),
            Field("participants", "integer", f"Participants living there; {_PEOPLE_NOTE}."),
            Field("per_10k", "number", "Participants per 10,000 residents (null when suppressed)."),
            Field("suppressed", "boolean", "Whether the count is suppressed."),
        ),
        primary_key=("kode",),
        keywords=("jangkauan", "kecamatan", "reach"),
    ),
    Dataset(
        name="reach-groups",
        title_id="Jangkauan per kelompok",
        title_en="Reach by group",
        description_id=(
            "Peserta lokal per kelompok pemangku kepentingan; sel di bawah 5 orang dan sel "
            "pelengkapnya disembunyikan."
        ),
        description_en=(
            "Local participants by stakeholder group; cells under 5 people and their "
            "complements are suppressed."
        ),
        fields=(
            Field("kode", "string", "Code of the stakeholder group.", True),
            Field("name", "string", "Name of the group (Bahasa Indonesia)."),
            Field("population", "integer", "Reference population of the group, if entered."),
            Field("participants", "integer", f"Participants of the group; {_PEOPLE_NOTE}."),
            Field(
                "representation_ratio", "number", "Share of participants over share of population."
            ),
            Field("suppressed", "boolean", "Whether the count is suppressed."),
        ),
        primary_key=("kode",),
        keywords=("jangkauan", "kelompok", "reach"),
    ),
    Dataset(
        name="economic-effects",
        title_id="Dampak ekonomi",
        title_en="Economic effects",
        description_id=(
            "Permintaan akhir baru yang dibawa kegiatan (kontrak ekspor, investasi terealisasi, "
            "belanja pengunjung) per sektor input-output, dalam rupiah."
        ),
        description_en=(
            "New final demand the activities brought (export contracts, realised investment, "
            "visitors' spending) by input-output sector, in rupiah."
        ),
        fields=(
            _ACTIVITY,
            Field(
                "kind", "string", "export_contract, investment_realised, visitor_spending, other."
            ),
            Field("sector", "integer", "BPS input-output sector (1–17) the money buys from."),
            Field("year", "integer", "Year the money is spent."),
            Field("amount_idr", "number", "Amount in rupiah."),
            Field("confidence", "string", "documented, reported or estimated."),
            Field("source", "string", "Where the figure comes from."),
            _DEMO,
        ),
        foreign_keys=(_activity_ref(),),
        keywords=("ekonomi", "dampak", "economy"),
    ),
    Dataset(
        name="multipliers",
        title_id="Pengganda input-output",
        title_en="Input-output multipliers",
        description_id=(
            "Pengganda output, pendapatan dan nilai tambah serta keterkaitan setiap sektor dari "
            "Tabel Input-Output BPS 2020 (nasional) dan tabel regional turunannya."
        ),
        description_en=(
            "Output, income and value-added multipliers and linkages of each sector, from BPS's "
            "2020 input-output table (national) and the regional tables made from it."
        ),
        fields=(
            Field("table", "string", "national, or the Kemendagri code of the region.", True),
            Field(
                "method", "string", "Regionalisation method (flq, slq, cilq); empty for national."
            ),
            Field("sector", "integer", "BPS input-output sector (1–17).", True),
            Field("name_id", "string", "Sector name in Bahasa Indonesia."),
            Field("name_en", "string", "Sector name in English."),
            Field("output_multiplier", "number", "Output multiplier (Type I)."),
            Field("income_multiplier_type1", "number", "Income multiplier, Type I."),
            Field("income_multiplier_type2", "number", "Income multiplier, Type II."),
            Field("value_added_multiplier", "number", "Value-added multiplier."),
            Field("backward_linkage", "number", "Normalised backward linkage."),
            Field("forward_linkage", "number", "Normalised forward linkage (Ghosh)."),
            Field("key_sector", "boolean", "Both linkages above 1."),
        ),
        primary_key=("table", "sector"),
        keywords=("ekonomi", "input-output", "BPS", "multipliers"),
    ),
)

_BY_NAME = {dataset.name: dataset for dataset in DATASETS}


def dataset_get(name: str) -> Dataset | None:
    return _BY_NAME.get(name)
