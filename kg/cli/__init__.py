"""The ``kg`` command line: one module per command, each a thin wrapper over a library function.

Modelled on ``spacy/cli``: every module registers its command on :data:`app` (defined in
:mod:`kg.cli._util`, as spaCy's is, so the command modules do not import this package back);
this package only imports them and turns :class:`kg.errors.KGError` into one line on stderr and
exit code 2.
A module is named after its command (``build_cli.py`` for ``kg build``, ``train_cli.py`` for the
``kg train`` group) and each command function ``<command>[_<subcommand>]_cli``, like spaCy's
``cli/train.py:train_cli`` (``build_cli``, ``train_ner_cli`` for ``kg train ner``).
"""

from __future__ import annotations

import sys

import typer

from kg.cli._util import app
from kg.errors import KGError

__all__ = ["app", "main"]


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
