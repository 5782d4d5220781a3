"""The ``kg`` Typer app and the helpers every command module uses: the one-line error, the
up-front checks of output paths and the build directory a path names.

Apart from ``kg/cli/__init__.py`` (like spaCy's ``cli/_util.py``) so that the command modules
import it, not the package that imports them.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from kg.errors import KGError

app = typer.Typer(
    name="kg",
    help="Turn ML paper abstracts into an RDF knowledge graph you can query and explore.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one error line and return the Exit to raise (``raise fail(...)``)."""
    typer.echo(f"kg: error: {message}", err=True)
    return typer.Exit(code)


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
    """Like :func:`check_output_file` for an output directory: a file at ``path`` or above it,
    or a directory that cannot be made or written, is one line naming ``path``."""
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


def build_dir(path: Path) -> Path:
    """The build directory ``path`` names: ``path`` itself, or its parent when ``path`` is the
    build directory's ``store/`` (what a user may well pass: it is the store)."""
    from kg.store import build_dir_of

    return build_dir_of(path)
