"""The standard organisations of a region's government, derived from the government affairs.

A region set up with ``manage.py setup_region KODE`` gets, as rows for
:func:`kembar.accounts.seed.organisations_apply` (the code path that creates
Semarang's organisations from ``kembar/data/semarang/organisations.csv``):

- its local government, *Pemerintah Kota Surabaya*, *Pemerintah Kabupaten …*
  or *Pemerintah Provinsi Jawa Barat*, serving the region;
- its cooperation office as an agency of it: *Bagian Kerja Sama Setda Kota …*
  in a kabupaten or kota, *Biro Kerja Sama Setda Provinsi …* in a province (the
  unit of the regional secretariat that runs cooperation, as in Semarang; a
  capacity plan names it as the office that carries every activity);
- its regional council, *DPRD Kota …*, and its planning agency, *Bappeda …*;
- one agency for each government affair (urusan pemerintahan) of
  ``kembar/data/government/urusan_pemerintahan.csv``, named *Dinas <affair>*,
  with the exceptions of :data:`UNIT_NAMES`, :data:`CARRIED_BY` and
  :data:`PROVINCE_ONLY`:

  * affairs an agency of another name carries (1.05 → Satuan Polisi Pamong
    Praja, 2.09 → Dinas Ketahanan Pangan, 2.12 → Dinas Kependudukan dan
    Pencatatan Sipil, 2.18 → Dinas Penanaman Modal dan PTSP);
  * affairs the standard nomenclature gives to one agency together: statistics
    and encryption go with communication and informatics (Diskominfo),
    archives with libraries, transmigration with manpower;
  * forestry (3.28) and energy and mineral resources (3.29) are affairs of the
    province and the centre only (UU 23/2014, Lampiran CC and CC1), so a
    kabupaten or kota has no agency for them; its fisheries agency is
    *Dinas Perikanan*, the sea being the province's (UU 23/2014 Pasal 27).

  A kabupaten or kota thus gets 26 agencies for 30 affairs, a province 28 for
  32; with the cooperation office, Bappeda, the council and the local
  government 30 and 32 organisations.

Codes (slugs) come from the Kemendagri code and, for an affair's agency, the
affair's code, so they never change: ``35-78-pemda``, ``35-78-kerja-sama``,
``35-78-dprd``, ``35-78-bappeda``, ``35-78-urusan-1-01``.

A region whose government is already recorded (Semarang, from its own file)
keeps what it has: a unit whose code is missing counts as present when an
organisation of the region of the same kind already has its topic in its name
(*Dinas Kebudayaan dan Pariwisata Kota Semarang* stands for both culture and
tourism), so a second set is never added beside the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kembar.accounts.models import OrganisationKind
from kembar.geo.errors import ReferenceDataError
from kembar.geo.models import Region, RegionLevel
from kembar.geo.sources import read_csv

__all__ = [
    "AFFAIRS_FILE",
    "CARRIED_BY",
    "PROVINCE_ONLY",
    "UNIT_NAMES",
    "StandardUnit",
    "affairs_read",
    "region_label",
    "region_slug",
    "standard_units",
]

AFFAIRS_FILE = "government/urusan_pemerintahan.csv"

#: Affairs whose agency has a name other than "Dinas <affair>": by level, "" for both.
UNIT_NAMES: dict[tuple[str, str], str] = {
    ("1.05", ""): "Satuan Polisi Pamong Praja",
    ("2.07", ""): "Dinas Tenaga Kerja dan Transmigrasi",
    ("2.09", ""): "Dinas Ketahanan Pangan",
    ("2.12", ""): "Dinas Kependudukan dan Pencatatan Sipil",
    ("2.18", ""): "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    ("2.23", ""): "Dinas Perpustakaan dan Kearsipan",
    ("3.25", RegionLevel.REGENCY_CITY): "Dinas Perikanan",
}

#: Affairs carried by the agency of another affair (the standard nomenclature).
CARRIED_BY: dict[str, str] = {"2.20": "2.16", "2.21": "2.16", "2.24": "2.23", "3.32": "2.07"}

#: Affairs of provinces only (UU 23/2014, Lampiran): no agency in a kabupaten or kota.
PROVINCE_ONLY = frozenset({"3.28", "3.29"})

#: What marks an existing organisation as an affair's agency, where the affair's own
#: name is not what agencies are called (the name is matched without regard to case).
TOPICS: dict[str, tuple[str, ...]] = {
    "1.03": ("pekerjaan umum",),
    "1.04": ("permukiman",),
    "1.05": ("polisi pamong praja",),
    "2.08": ("perlindungan anak",),
    "2.12": ("pencatatan sipil",),
    "2.13": ("pemberdayaan masyarakat",),
    "2.14": ("keluarga berencana",),
    "2.16": ("informatika",),
    "2.17": ("koperasi",),
    "2.19": ("olahraga",),
    "3.25": ("perikanan",),
    "3.29": ("energi",),
}


@dataclass(frozen=True, slots=True)
class Affair:
    code: str
    name_id: str


@dataclass(frozen=True, slots=True)
class StandardUnit:
    """One organisation of a region's standard set, before it is looked up or created."""

    slug: str
    name: str
    kind: str
    #: The affairs (codes) it carries; empty for the government, council and offices.
    affairs: tuple[str, ...]
    #: Lower-case words, any of which marks an existing organisation of the region of the
    #: same kind as this unit; none: any organisation of that kind (government, council).
    topics: tuple[str, ...]


def affairs_read(path: Path) -> list[Affair]:
    """The government affairs of the reference file, in code order."""
    affairs = []
    for line, row in read_csv(path, ("kode", "nama_id")):
        if not row["kode"] or not row["nama_id"]:
            raise ReferenceDataError(path, "columns kode and nama_id must not be empty", line=line)
        affairs.append(Affair(row["kode"], row["nama_id"]))
    return sorted(affairs, key=lambda affair: affair.code)


def region_slug(kode: str) -> str:
    """``35.78`` → ``35-78``: the start of every code of the region's organisations."""
    return kode.replace(".", "-")


def region_label(region: Region) -> str:
    """How an organisation's name ends: ``Kota Surabaya``, ``Provinsi Jawa Barat``."""
    name = " ".join(region.name.split())
    return f"Provinsi {name}" if region.level == RegionLevel.PROVINCE else name


def standard_units(region: Region, affairs: list[Affair]) -> list[StandardUnit]:
    """The region's standard organisations, the local government first (see the module)."""
    province = region.level == RegionLevel.PROVINCE
    prefix = region_slug(region.kode)
    label = region_label(region)
    secretariat = "Biro Kerja Sama Setda" if province else "Bagian Kerja Sama Setda"
    units = [
        StandardUnit(
            f"{prefix}-pemda", f"Pemerintah {label}", OrganisationKind.LOCAL_GOVERNMENT, (), ()
        ),
        StandardUnit(
            f"{prefix}-kerja-sama",
            f"{secretariat} {label}",
            OrganisationKind.AGENCY,
            (),
            ("kerja sama",),
        ),
        StandardUnit(f"{prefix}-dprd", f"DPRD {label}", OrganisationKind.COUNCIL, (), ()),
        StandardUnit(
            f"{prefix}-bappeda",
            f"Bappeda {label}",
            OrganisationKind.AGENCY,
            (),
            ("bappeda", "perencanaan pembangunan"),
        ),
    ]
    carried: dict[str, list[str]] = {}
    for affair in affairs:
        if affair.code in CARRIED_BY:
            carried.setdefault(CARRIED_BY[affair.code], []).append(affair.code)
    for affair in affairs:
        if affair.code in CARRIED_BY or (affair.code in PROVINCE_ONLY and not province):
            continue
        name = UNIT_NAMES.get((affair.code, region.level)) or UNIT_NAMES.get(
            (affair.code, ""), f"Dinas {affair.name_id}"
        )
        units.append(
            StandardUnit(
                f"{prefix}-urusan-{affair.code.replace('.', '-')}",
                f"{name} {label}",
                OrganisationKind.AGENCY,
                (affair.code, *carried.get(affair.code, [])),
                TOPICS.get(affair.code, (affair.name_id.casefold(),)),
            )
        )
    return units
