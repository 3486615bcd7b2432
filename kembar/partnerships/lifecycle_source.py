"""Read and check a lifecycle definition (``kembar/data/lifecycle/*.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kembar.accounts.models import Role
from kembar.geo.errors import ReferenceDataError
from kembar.partnerships.models import Check, DocumentedStatus

__all__ = ["LIFECYCLE_FILE", "LifecycleDefinition", "lifecycle_read"]

LIFECYCLE_FILE = "lifecycle/ksdpl.json"


@dataclass(frozen=True, slots=True)
class LifecycleDefinition:
    name: str
    states: list[dict[str, Any]]
    document_kinds: list[dict[str, Any]]
    transitions: list[dict[str, Any]]
    documented_status_map: dict[str, str]


_STATE_KEYS = {
    "code",
    "order",
    "name_id",
    "name_en",
    "legal_basis",
    "is_terminal",
    "counts_as_active",
}
_KIND_KEYS = {"code", "name_id", "name_en", "has_validity"}
_TRANSITION_KEYS = {
    "from",
    "to",
    "roles",
    "approver_roles",
    "documents",
    "checks",
    "requires_reason",
    "deadline_working_days",
    "legal_basis",
}


def _keys(path: Path, where: str, item: Any, expected: set[str]) -> None:
    if not isinstance(item, dict):
        raise ReferenceDataError(path, f"{where}: expected an object")
    missing = sorted(expected - set(item))
    unknown = sorted(set(item) - expected)
    if missing or unknown:
        raise ReferenceDataError(
            path,
            f"{where}: missing {', '.join(missing) or '-'}; unknown {', '.join(unknown) or '-'}",
        )


def lifecycle_read(path: Path) -> LifecycleDefinition:
    """Read a lifecycle definition and check that every reference in it resolves."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReferenceDataError(path, "file not found") from None
    except json.JSONDecodeError as exc:
        raise ReferenceDataError(path, f"not valid JSON: {exc.msg}", line=exc.lineno) from None
    if not isinstance(raw, dict):
        raise ReferenceDataError(
            path, "expected an object with states, document_kinds, transitions"
        )
    states, kinds = raw.get("states", []), raw.get("document_kinds", [])
    transitions, status_map = raw.get("transitions", []), raw.get("documented_status_map", {})
    codes: set[str] = set()
    for number, state in enumerate(states, start=1):
        _keys(path, f"states[{number}]", state, _STATE_KEYS)
        if state["code"] in codes:
            raise ReferenceDataError(path, f"states[{number}]: code {state['code']} repeats")
        codes.add(state["code"])
    kind_codes: set[str] = set()
    for number, kind in enumerate(kinds, start=1):
        _keys(path, f"document_kinds[{number}]", kind, _KIND_KEYS)
        kind_codes.add(kind["code"])
    roles, checks = set(Role.values), set(Check.values)
    pairs: set[tuple[str, str]] = set()
    for number, transition in enumerate(transitions, start=1):
        where = f"transitions[{number}] ({transition.get('from')} → {transition.get('to')})"
        _keys(path, where, transition, _TRANSITION_KEYS)
        for end in ("from", "to"):
            if transition[end] not in codes:
                raise ReferenceDataError(path, f"{where}: {end} {transition[end]!r} is not a state")
        pair = (transition["from"], transition["to"])
        if pair in pairs:
            raise ReferenceDataError(path, f"{where}: this transition repeats")
        pairs.add(pair)
        for field, allowed, label in (
            ("roles", roles, "role"),
            ("approver_roles", roles, "role"),
            ("documents", kind_codes, "document kind"),
            ("checks", checks, "check"),
        ):
            for value in transition[field]:
                if value not in allowed:
                    raise ReferenceDataError(path, f"{where}: {value!r} is not a {label}")
        if not transition["roles"]:
            raise ReferenceDataError(path, f"{where}: no role may make it")
    for status, state in status_map.items():
        if status not in DocumentedStatus.values or state not in codes:
            raise ReferenceDataError(
                path, f"documented_status_map: {status!r} → {state!r} does not resolve"
            )
    return LifecycleDefinition(
        name=str(raw.get("name", path.stem)),
        states=states,
        document_kinds=kinds,
        transitions=transitions,
        documented_status_map=dict(status_map),
    )
