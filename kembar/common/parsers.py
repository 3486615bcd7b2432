"""JSON request bodies with limits on size and nesting.

A module of its own, not part of :mod:`kembar.common.api`: REST framework reads
``DEFAULT_PARSER_CLASSES`` while it defines ``APIView``, so the parser must not
import ``rest_framework.views``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers
from rest_framework.utils import json

__all__ = ["JSONParser", "json_too_deep"]


_STRUCTURE = re.compile(r'["\[\]{}]')
# The rest of a string after its opening quote; linear, the two branches never overlap.
_STRING_REST = re.compile(r'(?:[^"\\]|\\.)*"', re.DOTALL)


def json_too_deep(text: str, limit: int) -> bool:
    """Whether arrays and objects in ``text`` nest more than ``limit`` deep (strings skipped).

    >>> json_too_deep('{"a": [[1]], "b": "[[[["}', 3), json_too_deep("[[[[]]]]", 3)
    (False, True)
    """
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    position = 0
    while found := _STRUCTURE.search(text, position):
        character = found.group()
        position = found.end()
        if character == '"':
            rest = _STRING_REST.match(text, position)
            if rest is None:
                return False  # an unterminated string: the JSON parser refuses it
            position = rest.end()
        elif character in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a nesting limit, answered as a JSON error (400).

    Python's parser recurses once per level: 100,000 nested ``[`` raised a
    RecursionError, a 500 for anyone.  The nesting is counted before the body
    is parsed.  (Its size is limited before: REST framework reads JSON through
    ``request.body``, which Django holds to ``DATA_UPLOAD_MAX_MEMORY_SIZE``.)
    """

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read()
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise exceptions.ParseError(
                _("The request body is not %(encoding)s text.") % {"encoding": encoding}
            ) from exc
        depth = settings.KEMBAR_JSON_MAX_DEPTH
        if json_too_deep(text, depth):
            raise exceptions.ParseError(
                _("The JSON body nests arrays or objects more than %(limit)s levels deep.")
                % {"limit": depth}
            )
        try:
            constant = json.strict_constant if self.strict else None
            return json.loads(text, parse_constant=constant)
        except (ValueError, RecursionError) as exc:
            raise exceptions.ParseError(
                _("The body is not valid JSON: %(error)s") % {"error": exc}
            ) from exc
