"""``kg add``: wraps :func:`kg.build.add.add`."""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli._report import echo_problem, summary_lines
from kg.cli._util import app, build_dir


@app.command("add")
def add_cli(
    inputs: list[Path] = typer.Argument(..., help="Input files or directories with new abstracts."),
    store: Path = typer.Option(..., "--store", "-s", help="The build directory (kg build -o DIR)."),
    batch_size: int = typer.Option(32, help="Papers per spaCy batch."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    discard_updates: bool = typer.Option(
        False,
        "--discard-updates",
        help="Re-link even if SPARQL updates changed the store (drops them).",
    ),
) -> None:
    """Add new abstracts to an existing graph: only new papers are extracted, then re-linked."""
    from kg.build.add import add

    store = build_dir(store)
    result = add(
        inputs,
        store,
        batch_size=batch_size,
        progress=not quiet,
        on_problem=echo_problem,
        discard_updates=discard_updates,
    )
    if result.changed:
        typer.echo(f"updated {store} ({result.generation})")
    else:
        typer.echo(f"{store}: nothing new; store unchanged ({result.generation})")
    typer.echo(f"  records:  {result.records_read} read")
    known = result.merged + result.unchanged
    typer.echo(f"  new:      {result.added} {_papers(result.added)} extracted and linked")
    typer.echo(
        f"  known:    {known} {_papers(known)} already in the store"
        + (f" ({result.merged} with new metadata merged)" if result.merged else "")
    )
    typer.echo(f"  papers:   {result.papers}")
    typer.echo(f"  triples:  {result.triples}")
    typer.echo(f"  seconds:  {result.seconds}")
    for line in summary_lines(result.skipped):
        typer.echo(line)


def _papers(n: int) -> str:
    return "paper" if n == 1 else "papers"
