"""Checks shared by the activity services: problems by field, in the user's language.

A check adds messages to a ``Problems`` mapping (field name → messages) and
writes nothing; the services raise them together as one ValidationError, the
spreadsheet import reports them row by row.
"""

from __future__ import annotations

import dataclasses
import functools
from decimal import Decimal
from typing import Any

import pycountry
from django.utils.translation import gettext as _

from kembar.common.text import check_text
from kembar.programs.spreadsheet_limits import MULTI_LINE_COLUMNS

__all__ = [
    "LIMIT",
    "RATE_LIMIT",
    "Problems",
    "add_problem",
    "choice_problem",
    "currency_problems",
    "decimals",
    "stamp",
    "text_problem",
    "text_problems",
]

#: Amounts in rupiah stay below 10^17 (the columns hold 20 digits, 2 decimals).
LIMIT = Decimal("1e17")
#: Fields that may hold line breaks; every other text is one line.
MULTI_LINE = MULTI_LINE_COLUMNS | {"purpose", "outputs"}
#: Rates to rupiah stay below 10^12 with at most six decimals.
RATE_LIMIT = Decimal("1e12")

Problems = dict[str, list[str]]


def add_problem(problems: Problems, name: str, message: str) -> None:
    problems.setdefault(name, []).append(message)


def text_problem(problems: Problems, name: str, value: str, *, field: str = "") -> None:
    """A problem under ``name`` when ``value`` holds a character Kembar refuses.

    Control characters, lone surrogates and noncharacters are refused (see
    :func:`kembar.common.text.check_text`); line breaks only in :data:`MULTI_LINE`
    fields.  ``field`` names the field in the message when it is not ``name``.
    """
    field = field or name
    message = check_text(value, field, multiline=field in MULTI_LINE)
    if message is not None:
        add_problem(problems, name, message)


def text_problems(problems: Problems, row: Any) -> None:
    """:func:`text_problem` for every text field of the dataclass ``row``."""
    kind = type(row)
    names = _FIELD_NAMES.get(kind)
    if names is None:
        # ``dataclasses.fields`` builds its answer on every call; an import checks thousands.
        names = _FIELD_NAMES[kind] = tuple(item.name for item in dataclasses.fields(row))
    for name in names:
        value = getattr(row, name)
        if isinstance(value, str):
            text_problem(problems, name, value)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


@functools.cache
def _allowed(choices: Any) -> frozenset[str]:
    # ``choices.values`` builds a list (and every label) on each call; a bulk import checks
    # tens of thousands of cells against the same few classes.
    return frozenset(choices.values)


def choice_problem(problems: Problems, name: str, value: str, choices: Any) -> None:
    """A problem under ``name`` unless ``value`` is one of ``choices`` (a TextChoices class)."""
    if value not in _allowed(choices):
        add_problem(
            problems,
            name,
            _("“%(value)s” is not one of: %(allowed)s.")
            % {"value": value, "allowed": ", ".join(choices.values)},
        )


def decimals(value: Decimal) -> int:
    """How many decimals ``value`` is written with.

    >>> decimals(Decimal("1.50")), decimals(Decimal("12")), decimals(Decimal("1e3"))
    (2, 0, 0)
    """
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def currency_problems(problems: Problems, currency: str, rate: Decimal) -> None:
    """An ISO 4217 currency, and a rate to rupiah that the database keeps exactly."""
    if pycountry.currencies.get(alpha_3=currency) is None:
        add_problem(
            problems,
            "currency",
            _("“%(code)s” is not an ISO 4217 currency code (IDR, USD, AUD …).")
            % {"code": currency},
        )
    if currency == "IDR" and rate != 1:
        add_problem(problems, "rate_to_idr", _("An amount in IDR has the rate 1."))
    if rate <= 0:
        add_problem(problems, "rate_to_idr", _("Give the rate to IDR, greater than 0."))
    elif rate >= RATE_LIMIT or decimals(rate) > 6:
        add_problem(
            problems, "rate_to_idr", _("Give a rate below 10^12 with at most six decimals.")
        )


def stamp(obj: Any, actor: Any, reason: str) -> None:
    """Who makes the change and why, for the history record simple-history writes on save."""
    obj._history_user = actor
    obj._change_reason = reason
