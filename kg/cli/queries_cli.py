"""``kg queries``: list the query library (``queries/*.rq``)."""

from __future__ import annotations

import typer

from kg.cli._util import app


@app.command("queries")
def queries_cli(
    name: str = typer.Argument(None, help="Show this query in full (its SPARQL and parameters)."),
) -> None:
    """List the library queries that kg query --name runs."""
    from kg.sparql.library import get_query, list_queries

    if name:
        query = get_query(name)
        typer.echo(query.sparql.rstrip())
        return
    for query in list_queries():
        typer.echo(f"{query.name}: {query.summary}")
        for p in query.params:
            default = f" (default {p.default!r})" if p.default is not None else ""
            typer.echo(f"    --param {p.name}=...  {p.help}{default}")
        for example in query.examples[:1]:
            args = " ".join(f"--param {e}" for e in example.split())
            typer.echo(f"    e.g. kg query DIR --name {query.name} {args}")
