"""``kg validate GRAPH``: check a graph file against the kg SHACL shapes (thin wrapper)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli._util import app, build_dir, fail
from kg.errors import KGError


@app.command("validate")
def validate_cli(
    graph: Annotated[
        Path,
        typer.Argument(
            help="RDF file to check (.ttl, .nt, .jsonld, .nq, .trig, .rdf) or a build "
            "directory (its store, else its graph.ttl).",
            show_default=False,
        ),
    ],
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=0, help="Print at most N violations (0: all).")
    ] = 0,
) -> None:
    """Validate GRAPH against ontology/shapes.ttl; exit 1 if it does not conform."""
    from kg.rdf.validate import validate
    from kg.store import read_graph

    try:
        # the graph read is ours: no copy
        report = validate(read_graph(build_dir(graph)), copy=False)
    except KGError as err:
        raise fail(str(err)) from None
    if report.conforms:
        typer.echo(f"OK: {report.triples} triples conform")
        return
    shown = report.violations[:limit] if limit else report.violations
    for line in shown:
        typer.echo(line)
    hidden = len(report.violations) - len(shown)
    more = f" ({hidden} not shown)" if hidden else ""
    typer.echo(
        f"FAILED: {len(report.violations)} violations in {report.triples} triples{more}", err=True
    )
    raise typer.Exit(1)
