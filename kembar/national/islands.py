"""The island group of a region, from the first digit of its Kemendagri province code.

Kemendagri numbers the provinces by island group: 1x Sumatera, 3x Jawa, 5x Bali
and Nusa Tenggara, 6x Kalimantan, 7x Sulawesi, 8x Maluku, 9x Papua.  The one
exception is Kepulauan Riau (21), split from Riau (14) in 2002, which BPS counts
with Sumatera as well; so the digit 2 is Sumatera too.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = ["ISLAND_GROUPS", "island_name", "island_of"]

#: Island groups in the order of the codes, with their names.
ISLAND_GROUPS: dict[str, Promise] = {
    "sumatera": _("Sumatera"),
    "jawa": _("Jawa"),
    "bali_nusa_tenggara": _("Bali and Nusa Tenggara"),
    "kalimantan": _("Kalimantan"),
    "sulawesi": _("Sulawesi"),
    "maluku": _("Maluku"),
    "papua": _("Papua"),
}

_BY_DIGIT = {
    "1": "sumatera",
    "2": "sumatera",
    "3": "jawa",
    "5": "bali_nusa_tenggara",
    "6": "kalimantan",
    "7": "sulawesi",
    "8": "maluku",
    "9": "papua",
}


def island_of(kode: str) -> str:
    """The island group of the region ``kode`` (any level), ``""`` when the code has none.

    >>> island_of("33.74"), island_of("21"), island_of("94.01"), island_of("")
    ('jawa', 'sumatera', 'papua', '')
    """
    return _BY_DIGIT.get(kode[:1], "")


def island_name(group: str) -> str:
    """The island group's name in the active language (``""`` for none)."""
    return str(ISLAND_GROUPS.get(group, ""))
