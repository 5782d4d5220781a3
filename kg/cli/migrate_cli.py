"""``kg migrate``: wraps :func:`kg.build.add.migrate`."""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli._util import app, build_dir


@app.command("migrate")
def migrate_cli(
    store: Path = typer.Argument(..., help="The build directory (kg build -o DIR)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Rewrite a store built by an older kg in today's vocabulary (re-links, no NLP)."""
    from kg.build.add import migrate

    store = build_dir(store)
    result = migrate(store, progress=not quiet)
    if result.changed:
        typer.echo(f"migrated {store} ({result.generation}): {result.papers} papers, "
                   f"{result.triples} triples, {result.seconds} s")  # fmt: skip
    else:
        typer.echo(f"{store}: already in the current vocabulary ({result.generation})")
