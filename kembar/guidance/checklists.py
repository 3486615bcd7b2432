"""Checklists built from the lifecycle file (``kembar/data/lifecycle/ksdpl.json``), never retyped.

- **Stage checklist** (``stage-checklist``): for every forward step of the
  lifecycle (to a later, non-terminal state), the documents it requires, the
  checks, who makes it, whether a second person approves, and the deadline,
  with the step's legal basis; last, the document kinds the lifecycle knows
  but no step requires (implementation agreements, addenda, and the older
  practice's expert study, regional potential data and full powers).  The
  same definition Kembar enforces when a partnership moves on.
- **Exploration checklist** (``exploration-checklist``): the conditions of
  PP 28/2018 Pasal 27 (:class:`~kembar.partnerships.models.Condition`) and
  the checks of the steps out of initiative and exploration.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from kembar.accounts.models import Role
from kembar.guidance.library import Bilingual, Document, Section
from kembar.partnerships.lifecycle_source import LIFECYCLE_FILE, LifecycleDefinition, lifecycle_read
from kembar.partnerships.models import Check, Condition

__all__ = ["CHECKLIST_SLUGS", "checklist_documents"]

CHECKLIST_SLUGS = ("stage-checklist", "exploration-checklist")


def _both(make: Callable[[str], str]) -> Bilingual:
    """``make(language)`` in Indonesian and in English, gettext speaking that language."""
    with translation.override("id"):
        indonesian = make("id")
    with translation.override("en"):
        english = make("en")
    return Bilingual(indonesian, english)


def _document_line(kind: dict[str, Any]) -> Callable[[str], str]:
    return lambda lang: _("Document: %(name)s") % {"name": kind[f"name_{lang}"]}


def _check_line(code: str) -> Callable[[str], str]:
    return lambda lang: _("Check: %(check)s") % {"check": Check(code).label}


def _label(label: Any) -> Callable[[str], str]:
    """A lazily translated label, in the language ``_both`` speaks."""
    return lambda lang: str(label)


def _roles(codes: list[str]) -> str:
    names = {code: str(label) for code, label in Role.choices}
    return ", ".join(names.get(code, code) for code in codes)


def _step_lines(
    transition: dict[str, Any], kinds: dict[str, dict[str, Any]], states: dict[str, dict[str, Any]]
) -> tuple[Bilingual, ...]:
    lines: list[Bilingual] = []
    for code in transition["documents"]:
        kind = kinds[code]
        lines.append(_both(_document_line(kind)))
    for code in transition["checks"]:
        lines.append(_both(_check_line(code)))
    lines.append(
        _both(lambda lang: _("Recorded by: %(roles)s") % {"roles": _roles(transition["roles"])})
    )
    if transition["approver_roles"]:
        lines.append(
            _both(
                lambda lang: (
                    _("Second approval by: %(roles)s")
                    % {"roles": _roles(transition["approver_roles"])}
                )
            )
        )
    if transition["deadline_working_days"]:
        target = states[transition["to"]]
        lines.append(
            _both(
                lambda lang: (
                    _("Deadline: %(days)s working days in the stage “%(state)s”")
                    % {"days": transition["deadline_working_days"], "state": target[f"name_{lang}"]}
                )
            )
        )
    if not transition["documents"] and not transition["checks"]:
        lines.insert(0, _both(lambda lang: _("No document or check is required.")))
    return tuple(lines)


def _stage_checklist(definition: LifecycleDefinition) -> Document:
    states = {state["code"]: state for state in definition.states}
    kinds = {kind["code"]: kind for kind in definition.document_kinds}
    forward = [
        transition
        for transition in definition.transitions
        if states[transition["to"]]["order"] > states[transition["from"]]["order"]
        and not states[transition["to"]]["is_terminal"]
    ]
    forward.sort(key=lambda t: (states[t["from"]]["order"], states[t["to"]]["order"]))
    sections = [
        Section(
            key=f"{transition['from']}-{transition['to']}",
            heading=Bilingual(
                f"{states[transition['from']]['name_id']} → {states[transition['to']]['name_id']}",
                f"{states[transition['from']]['name_en']} → {states[transition['to']]['name_en']}",
            ),
            basis=transition["legal_basis"],
            lines=_step_lines(transition, kinds, states),
        )
        for transition in forward
    ]
    required = {code for t in definition.transitions for code in t["documents"]}
    other = [kind for kind in definition.document_kinds if kind["code"] not in required]
    if other:
        sections.append(
            Section(
                key="other_documents",
                heading=_both(lambda lang: _("Other documents kept when there are any")),
                basis="",
                lines=tuple(Bilingual(kind["name_id"], kind["name_en"]) for kind in other),
            )
        )
    return Document(
        slug="stage-checklist",
        kind="checklist",
        title=_both(lambda lang: _("Checklist of each stage of a partnership")),
        summary=_both(
            lambda lang: _(
                "What each step of the lifecycle needs before a partnership moves on: documents, "
                "checks, who records it and who approves it. Kembar asks for the same when the "
                "step is recorded."
            )
        ),
        note=_both(
            lambda lang: (
                _(
                    "Built from the lifecycle definition %(file)s (%(name)s); a region that "
                    "changes its lifecycle changes this checklist with it."
                )
                % {"file": LIFECYCLE_FILE, "name": definition.name}
            )
        ),
        legal_basis=("UU 23/2014", "PP 28/2018", "Permendagri 25/2020"),
        sections=tuple(sections),
    )


def _exploration_checklist(definition: LifecycleDefinition) -> Document:
    conditions = tuple(_both(_label(Condition(value).label)) for value in Condition.values)
    steps = [
        t
        for t in definition.transitions
        if t["from"] in {"initiative", "exploration"} and t["checks"]
    ]
    checks = tuple(_both(_label(Check(code).label)) for t in steps for code in t["checks"])
    sections = (
        Section(
            key="conditions",
            heading=_both(lambda lang: _("Conditions of the cooperation")),
            basis="PP 28/2018 Pasal 27",
            lines=conditions,
        ),
        Section(
            key="records",
            heading=_both(lambda lang: _("Recorded before the letter of intent")),
            basis="; ".join(dict.fromkeys(t["legal_basis"] for t in steps if t["legal_basis"])),
            lines=checks,
        ),
    )
    return Document(
        slug="exploration-checklist",
        kind="checklist",
        title=_both(lambda lang: _("Exploration checklist")),
        summary=_both(
            lambda lang: _(
                "The conditions to check while exploring a partnership, and what must be on "
                "record before the letter of intent is signed."
            )
        ),
        note=_both(
            lambda lang: _(
                "The conditions are those Kembar's partnership page asks for; the records are "
                "the checks of the lifecycle definition's first steps."
            )
        ),
        legal_basis=("PP 28/2018 Pasal 27, 28(1), 28(3)", "Permendagri 25/2020"),
        sections=sections,
    )


def checklist_documents(path: Path | None = None) -> tuple[Document, ...]:
    """The checklists, built from the lifecycle file at ``path`` (default: the shipped one)."""
    definition = lifecycle_read(path or Path(settings.KEMBAR_DATA_DIR) / LIFECYCLE_FILE)
    return (_stage_checklist(definition), _exploration_checklist(definition))
