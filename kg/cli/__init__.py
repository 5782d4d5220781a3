"""The ``kg`` command line: one module per command, each a thin wrapper over a library function.

Modelled on ``spacy/cli``: every module registers its command on :data:`app`; this package only
imports them and turns :class:`kg.errors.KGError` into one line on stderr and exit code 2.
A module is named after its command (``build_cli.py`` for ``kg build``, ``train_cli.py`` for the
``kg train`` group) and each command function ``<command>[_<subcommand>]_cli``, like spaCy's
``cli/train.py:train_cli`` (``build_cli``, ``train_ner_cli`` for ``kg train ner``).
"""

from __future__ import annotations

import sys

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


def _register_commands() -> None:
    # Imported for their side effect of registering commands on ``app``.
    from kg.cli import (  # noqa: F401
        add_cli,
        build_cli,
        eval_cli,
        explain_cli,
        export_cli,
        migrate_cli,
        queries_cli,
        query_cli,
        serve_cli,
        train_cli,
        validate_cli,
        viz_cli,
    )


def main() -> None:
    """Console entry point."""
    _register_commands()
    try:
        app()
    except KGError as err:
        typer.echo(f"kg: error: {err}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("kg: interrupted", err=True)
        sys.exit(130)
