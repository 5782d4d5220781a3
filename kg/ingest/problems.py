"""Where in a file a problem is: ``FILE:LINE:COLUMN:``, as compilers write it.

Why a column: a malformed JSON line of 3,000 characters, or a bad byte in a long CSV row, is
found in an editor only with the column the parser reported; ``FILE:LINE:COLUMN:`` is the form
editors and terminals (vim's quickfix, VS Code) jump to. Columns are 1-based and count
characters. Only problems whose parser gives a position carry one.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.errors import InputProblem


def location(path: str, line: int | None, column: int | None = None) -> str:
    """``path``, ``path:line`` or ``path:line:column`` (what a message starts with)."""
    if line is None:
        return path
    return f"{path}:{line}" if column is None else f"{path}:{line}:{column}"


@dataclass(frozen=True)
class LocatedProblem(InputProblem):
    """A skipped record whose parser gave the column of the fault as well as the line."""

    column: int | None = None

    def __str__(self) -> str:
        return f"{location(self.path, self.line, self.column)}: {self.message}"
