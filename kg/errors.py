"""Errors users see as one clear line (the CLI prints ``str(err)`` and exits non-zero)."""

from __future__ import annotations

from dataclasses import dataclass


class KGError(Exception):
    """A user-facing failure: bad input, missing file, malformed query. Never a traceback."""


@dataclass(frozen=True)
class InputProblem:
    """One skipped record or unreadable input, reported and counted, never silently dropped."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Truncated(InputProblem):
    """A record that was kept but cut short (too many entities): reported with its file and line
    and counted apart from the skipped records."""
