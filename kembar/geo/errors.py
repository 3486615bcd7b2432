"""Errors raised while reading reference data files."""

from __future__ import annotations

from pathlib import Path

__all__ = ["ReferenceDataError"]


class ReferenceDataError(Exception):
    """A reference file is missing or malformed.

    The message names the file, the line (1-based, the header is line 1) and
    the problem, so that whoever maintains the data knows what to fix.
    """

    def __init__(self, path: Path | str, problem: str, *, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        where = f"{self.path.name}, line {line}" if line is not None else self.path.name
        super().__init__(f"{where}: {problem} ({self.path})")
