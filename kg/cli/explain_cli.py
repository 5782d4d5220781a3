"""``kg explain``: wraps :func:`kg.explain.explain`."""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli import app


@app.command("explain")
def explain_cli(
    name: str = typer.Argument(
        ..., help="Any surface form of an entity: MoE, 'mixture of experts', ..."
    ),
    graph: Path = typer.Option(
        Path("kg-out/graph.ttl"), "--graph", "-g", help="Graph file or store."
    ),
    max_papers: int = typer.Option(20, help="Papers listed per entity."),
) -> None:
    """Show an entity, all its surface forms, why each was merged, and its papers."""
    from kg.explain import explain, render
    from kg.query import load_graph

    typer.echo(render(explain(load_graph(graph), name), max_papers=max_papers))
