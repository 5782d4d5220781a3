"""``kg viz``: wraps :func:`kg.viz.visualize`."""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli._util import app, build_dir, check_output_file


@app.command("viz")
def viz_cli(
    graph: Path = typer.Argument(..., help="A graph file (.ttl, .nt, .jsonld) or build directory."),
    out: Path = typer.Option(Path("graph.html"), "--out", "-o", help="The HTML page to write."),
    focus: str = typer.Option(
        None,
        "--focus",
        help="Show the neighbourhood of this topic, paper or "
        "entity (any name or alias, case-insensitive, e.g. MoE).",
    ),
    hops: int = typer.Option(2, "--hops", help="With --focus: how many links out to go."),
    topics: str = typer.Option(
        None, "--topics", help="Only these topics, comma-separated (e.g. RAG,MoE,KnowledgeEditing)."
    ),
    max_nodes: int = typer.Option(
        300,
        "--max-nodes",
        help="Cap on nodes; the rest are grouped into '+N more' nodes and listed on the page.",
    ),
    title: str = typer.Option(None, "--title", help="Page title."),
) -> None:
    """Write an interactive HTML view of a graph (the topic map by default); works offline."""
    from kg.viz import open_path, visualize

    names = [t for t in topics.split(",") if t.strip()] if topics is not None else None
    check_output_file(out)  # before the graph is read (a graph file is loaded in full)
    source = open_path(build_dir(graph))
    result = visualize(
        source,
        out,
        focus=focus,
        hops=hops,
        topics=names,
        max_nodes=max_nodes,
        title=title,
    )
    typer.echo(result.describe())
