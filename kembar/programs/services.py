"""Writes for activities and their code lists."""

from __future__ import annotations

from typing import Any

from kembar.common.sync import sync_rows
from kembar.programs.models import (
    GovernmentAffair,
    SdgGoal,
    SdgTarget,
    Sector,
    StandardIndicator,
)
from kembar.programs.sources import Codelists

__all__ = ["codelists_apply"]


def codelists_apply(lists: Codelists) -> dict[str, Any]:
    """Bring the code lists in line with the files. Call inside ``transaction.atomic()``."""
    return {
        "sectors": sync_rows(Sector, lists.sectors, key=("code",), delete_missing=False).as_dict(),
        "government_affairs": sync_rows(
            GovernmentAffair, lists.affairs, key=("code",), delete_missing=False
        ).as_dict(),
        "sdg_goals": sync_rows(SdgGoal, lists.goals, key=("code",), delete_missing=False).as_dict(),
        "sdg_targets": sync_rows(
            SdgTarget, lists.targets, key=("code",), delete_missing=False
        ).as_dict(),
        "standard_indicators": sync_rows(
            StandardIndicator, lists.indicators, key=("code",), delete_missing=False
        ).as_dict(),
    }
