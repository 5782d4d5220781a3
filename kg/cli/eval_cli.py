"""``kg eval scierc`` / ``kg eval csabstruct``: print evaluation scores as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from kg.cli._util import app

eval_app = typer.Typer(name="eval", help="Evaluate pipeline components.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


@eval_app.command("scierc")
def eval_scierc_cli(
    file: Path = typer.Argument(..., help="SciERC JSON lines file (e.g. dev.json)"),
    model: Path | None = typer.Option(None, "--model", help="Model dir (default: shipped)"),
    accurate: bool = typer.Option(
        False, "--accurate", help="Score the accurate (transformer) pipeline's recognizer."
    ),
) -> None:
    """Entity P/R/F1 (exact span + label) and relation P/R/F1 (end to end and on the gold
    entities) on a SciERC file."""
    from kg.evaluation.scierc import evaluate_scierc
    from kg.extract import ACCURATE_PIPELINE_DIR

    if accurate:
        model = model or ACCURATE_PIPELINE_DIR
    typer.echo(json.dumps(evaluate_scierc(file, model), indent=2))


@eval_app.command("csabstruct")
def eval_csabstruct_cli(
    file: Path = typer.Argument(..., help="CSAbstruct file"),
    model: Path | None = typer.Option(None, "--model", help="Model dir (default: shipped)"),
) -> None:
    """Sentence-role classification scores on CSAbstruct."""
    from kg.evaluation.csabstruct import evaluate_csabstruct

    typer.echo(json.dumps(evaluate_csabstruct(file, model), indent=2))


if __name__ == "__main__":
    import sys

    from kg.errors import KGError

    try:
        eval_app()
    except KGError as err:
        typer.echo(f"kg: error: {err}", err=True)
        sys.exit(2)
