"""Errors users see as one clear line (the CLI prints ``str(err)`` and exits non-zero)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


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


def check_output_file(path: Path) -> None:
    """Fail in one line naming ``path``, before any work is done, if it cannot be written as a
    file: it is a directory, a file stands where one of its directories should be, or its
    directory cannot be made or written.

    Why up front: a command that finds out only when it writes has done its work for nothing,
    and the OSError it meets there is a traceback."""
    if path.is_dir():
        raise KGError(f"cannot write {path}: Is a directory")
    _probe_dir(path.parent, path)


def check_output_dir(path: Path) -> None:
    """Like :func:`check_output_file` for an output directory (``kg build -o``, ``kg train
    -o``): a file at ``path`` or above it, or a directory that cannot be made or written, is
    one line naming ``path``."""
    _probe_dir(path, path)


def _probe_dir(directory: Path, named: Path) -> None:
    """Make ``directory`` to see that it can be made, then remove what was made: a command that
    fails later (a bad input) leaves no empty directory behind; the writer makes it again."""
    missing = []
    for ancestor in (directory, *directory.parents):
        if ancestor.exists() or ancestor.is_symlink():
            if not ancestor.is_dir():
                where = "it" if ancestor == named else str(ancestor)
                raise KGError(f"cannot write {named}: {where} is a file, not a directory")
            break
        missing.append(ancestor)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise KGError(f"cannot write {named}: {err.strerror or err}") from None
    writable = os.access(directory, os.W_OK | os.X_OK)
    for made in missing:  # nearest first, as rmdir needs
        try:
            made.rmdir()
        except OSError:
            break  # something else wrote there meanwhile: leave it
    if not writable:
        raise KGError(f"cannot write {named}: Permission denied")
