"""The ``kg`` Typer app and the one-line error helper every command module uses.

Apart from ``kg/cli/__init__.py`` (like spaCy's ``cli/_util.py``) so that the command modules
import it, not the package that imports them.
"""

from __future__ import annotations

import typer

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
