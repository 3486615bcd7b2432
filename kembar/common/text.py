"""Characters a text may hold: refused at input, replaced on output.

A control character or a lone surrogate stored in one title used to turn the
region's whole workbook into a server error (openpyxl refuses C0 controls,
UTF-8 refuses surrogates).  Every write checks its texts with
:func:`check_text` (the services through :func:`model_text_problems` or the
field checks of :mod:`kembar.programs.checks`); every writer of files passes
texts through :func:`clean_text`, so that what was stored before this check
existed still comes out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

__all__ = [
    "check_text",
    "clean_text",
    "model_text_problems",
    "raise_text_problems",
]

# Noncharacters: U+FDD0–U+FDEF and the last two code points of every plane.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
# C0 without tab, line feed and carriage return; DEL and C1; surrogates; noncharacters.
_ALWAYS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff" + _NONCHARACTERS
_MULTI_LINE_BAD = re.compile(f"[{_ALWAYS}]")
_SINGLE_LINE_BAD = re.compile(f"[{_ALWAYS}\t\n\r]")


def check_text(value: str, field: str, *, multiline: bool = False) -> str | None:
    """A message naming ``field`` when ``value`` holds a character Kembar refuses, else None.

    Tab, line feed and carriage return are allowed only in a multi-line field.

    >>> check_text("Kerja sama", "title") is None
    True
    >>> check_text("Baris\\nkedua", "description", multiline=True) is None
    True
    >>> from django.utils import translation
    >>> with translation.override("en"):
    ...     print(check_text("Bel\\x07", "title"))  # doctest: +NORMALIZE_WHITESPACE
    title contains an invisible character that is not allowed (U+0007) at position 4;
    delete it or type the text again.
    """
    found = (_MULTI_LINE_BAD if multiline else _SINGLE_LINE_BAD).search(value)
    if found is None:
        return None
    character = found.group()
    if character in "\t\n\r":
        return _(
            "%(field)s must be one line: remove the line break or tab at position %(position)s."
        ) % {"field": field, "position": found.start() + 1}
    return _(
        "%(field)s contains an invisible character that is not allowed (U+%(code)04X) at "
        "position %(position)s; delete it or type the text again."
    ) % {"field": field, "code": ord(character), "position": found.start() + 1}


def clean_text(value: str, *, multiline: bool = True) -> str:
    """``value`` with every character :func:`check_text` refuses replaced by U+FFFD.

    For writing files from texts stored before the check existed.

    >>> clean_text("a\\x00b\\udc80c")
    'a\\ufffdb\\ufffdc'
    """
    pattern = _MULTI_LINE_BAD if multiline else _SINGLE_LINE_BAD
    if pattern.search(value) is None:
        return value
    return pattern.sub("\ufffd", value)


def _label(field: models.Field[Any, Any]) -> str:
    return capfirst(str(field.verbose_name or field.name))


def model_text_problems(
    instance: models.Model, *, fields: Iterable[str] | None = None
) -> dict[str, list[str]]:
    """Problems with the texts of ``instance``, by field name (text fields are multi-line).

    ``fields`` limits the check to those names (default: every char and text field).
    """
    wanted = set(fields) if fields is not None else None
    problems: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        if wanted is not None and field.name not in wanted:
            continue
        value = getattr(instance, field.attname)
        if not isinstance(value, str):
            continue
        message = check_text(value, _label(field), multiline=isinstance(field, models.TextField))
        if message is not None:
            problems[field.name] = [message]
    return problems


def raise_text_problems(instance: models.Model, *, fields: Iterable[str] | None = None) -> None:
    """Raise a ValidationError by field when :func:`model_text_problems` finds anything."""
    problems = model_text_problems(instance, fields=fields)
    if problems:
        raise ValidationError(problems)
