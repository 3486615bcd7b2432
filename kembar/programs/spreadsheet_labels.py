"""Names instead of codes in the workbook's dropdowns, and back to codes when it is read.

The dropdowns of the template offer the names of a code list in the user's
language ("Pelatihan", not ``training``); the sheet ``Kode`` keeps each code
beside its name.  A name two entries of a list share gets its code in
brackets, so that every name in a dropdown means one code.  Reading accepts
the code, or the name in any of Kembar's languages (case does not matter).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["CodeList", "code_text", "dropdown_labels", "label_lookup"]

#: (code, name) pairs of one code list.
CodeList = Sequence[tuple[Any, str]]


def code_text(code: Any) -> str:
    """A code as the text a cell compares it by (``9`` for the sector 9)."""
    return str(code).strip()


def dropdown_labels(values: CodeList) -> list[tuple[Any, str]]:
    """(code, label) pairs whose labels are unique within the list.

    >>> dropdown_labels([("33.74.01", "Candisari"), ("33.74.02", "Candisari"), ("x", "")])
    [('33.74.01', 'Candisari (33.74.01)'), ('33.74.02', 'Candisari (33.74.02)'), ('x', 'x')]
    """
    names = Counter(name.strip().casefold() for _code, name in values)
    labelled = []
    for code, name in values:
        text = name.strip()
        if not text:
            text = code_text(code)
        elif names[text.casefold()] > 1:
            text = f"{text} ({code_text(code)})"
        labelled.append((code, text))
    return labelled


def label_lookup(versions: Iterable[Mapping[str, CodeList]]) -> dict[str, dict[str, str]]:
    """For each list, its labels (casefolded, in every language given) → code as text.

    ``versions`` are the code lists in each language.  A code always means
    itself; a label that would mean two codes (in two languages) is left
    out, so it is reported as unknown rather than read as the wrong one.

    >>> label_lookup([{"kind": [("visit", "Kunjungan")]}, {"kind": [("visit", "Visit")]}])
    {'kind': {'visit': 'visit', 'kunjungan': 'visit'}}
    """
    lookup: dict[str, dict[str, str]] = {}
    ambiguous: dict[str, set[str]] = {}
    for lists in versions:
        for key, values in lists.items():
            labels = lookup.setdefault(key, {})
            codes = {code_text(code).casefold() for code, _name in values}
            for code, label in dropdown_labels(values):
                wanted = code_text(code)
                labels.setdefault(wanted.casefold(), wanted)
                folded = label.casefold()
                if folded in codes:
                    continue
                if labels.get(folded, wanted) != wanted:
                    ambiguous.setdefault(key, set()).add(folded)
                labels.setdefault(folded, wanted)
    for key, folded_labels in ambiguous.items():
        for folded in folded_labels:
            lookup[key].pop(folded, None)
    return lookup
