"""The ``kg`` Typer app and the helpers every command module uses: the one-line error, the
up-front checks of output paths and the build directory a path names.

Apart from ``kg/cli/__init__.py`` (like spaCy's ``cli/_util.py``) so that the command modules
import it, not the package that imports them.
"""

from __future__ import annotations

from pathlib import Path

import typer

from kg.errors import check_output_dir, check_output_file

__all__ = ["app", "build_dir", "check_output_dir", "check_output_file", "fail"]

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


def build_dir(path: Path) -> Path:
    """The build directory ``path`` names: ``path`` itself, or its parent when ``path`` is the
    build directory's ``store/`` (what a user may well pass: it is the store)."""
    from kg.store import build_dir_of

    return build_dir_of(path)
