"""Progress on a terminal: a bar with papers/s and ETA while papers are extracted, and a status
line for the stages that have no count (linking, writing, loading the store).

Shown only when ``enabled`` (``kg build``/``kg add`` without ``--quiet``) and stderr is a
terminal, so CI logs and redirected output get none of it. Everything goes to stderr and is
erased when done, so stdout keeps only the summary.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: The size used when the terminal reports 0 (a pseudo-terminal nobody sized, as ``script`` or
#: an IDE's run window give): tqdm draws nothing at all there.
FALLBACK_COLUMNS = 80
FALLBACK_ROWS = 24


def on_terminal() -> bool:
    """Whether stderr is a terminal (the only place progress is drawn)."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


def _size() -> tuple[int, int]:
    """(columns, rows) of the terminal; the fallback for a size of 0."""
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
        columns, rows = size.columns, size.lines
    except (OSError, ValueError, AttributeError):
        columns = rows = 0
    return columns or FALLBACK_COLUMNS, rows or FALLBACK_ROWS


def _columns() -> int:
    return _size()[0]


def bar(enabled: bool, total: int | None, desc: str, unit: str = "paper", initial: int = 0) -> Any:
    """A tqdm bar on stderr, or a disabled one (same interface) off a terminal or when not
    ``enabled``. With ``unit="paper"`` it shows papers/s and the ETA."""
    from tqdm import tqdm

    show = enabled and on_terminal()
    return tqdm(
        total=total,
        initial=initial,
        desc=desc,
        unit=unit,
        leave=False,
        file=sys.stderr,
        disable=not show,
        ncols=_size()[0] if show else None,
        nrows=_size()[1] if show else None,
        mininterval=0.2,
        smoothing=0.1,
    )


@contextmanager
def status(enabled: bool, text: str) -> Iterator[None]:
    """``text`` on one terminal line while the block runs (then erased); nothing elsewhere."""
    if not (enabled and on_terminal()):
        yield
        return
    line = f"kg: {text}..."[: _columns() - 1]
    sys.stderr.write("\r" + line)
    sys.stderr.flush()
    try:
        yield
    finally:
        sys.stderr.write("\r" + " " * len(line) + "\r")
        sys.stderr.flush()


def echo(message: str) -> None:
    """One line on stderr that does not break a bar being drawn (it is redrawn below)."""
    if on_terminal():
        from tqdm import tqdm

        tqdm.write(message, file=sys.stderr)
    else:
        print(message, file=sys.stderr, flush=True)
