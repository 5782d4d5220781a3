"""``kg query``: wraps :func:`kg.query.run_query`."""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli import app


@app.command("query")
def query_cli(
    graph: Path = typer.Argument(..., help="A graph file (.ttl, .nt, .jsonld)."),
    sparql: str = typer.Argument(None, help="The SPARQL query (prefixes kg:, dcterms:, skos:, prov: ... are predeclared)."),
    file: Path = typer.Option(None, "--file", "-f", help="Read the query from a .rq file."),
    fmt: str = typer.Option("table", "--format", help="table, csv, tsv or json."),
) -> None:
    """Run a SPARQL query against a built graph."""
    from kg.errors import KGError
    from kg.query import FORMATS, format_result, load_graph, run_query

    if fmt not in FORMATS:
        raise KGError(f"unknown --format {fmt!r} (expected one of {', '.join(FORMATS)})")
    if (sparql is None) == (file is None):
        raise KGError("give a SPARQL query or --file FILE (exactly one)")
    if file is not None:
        if not file.is_file():
            raise KGError(f"{file}: no such query file")
        sparql = file.read_text(encoding="utf-8")
    result = run_query(load_graph(graph), sparql)
    typer.echo(format_result(result, fmt))
