"""``kg export``: wraps :func:`kg.store.export.export`."""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli._util import app, build_dir, check_output_file


@app.command("export")
def export_cli(
    graph: Path = typer.Argument(..., help="A store (build directory) or a graph file."),
    fmt: str = typer.Option(
        "turtle", "--format", "-f", help="turtle, ntriples, nquads, trig or jsonld."
    ),
    output: Path = typer.Option(None, "--output", "-o", help="Output file (default: stdout)."),
    split_provenance: bool = typer.Option(
        False,
        "--split-provenance",
        help="Put provenance (evidence, alias merges, prov:) in its own named graph "
        "(nquads, trig, jsonld).",
    ),
    per_paper: bool = typer.Option(
        False,
        "--graph-per-paper",
        help="Put each paper's statements (with its sentences, claims and evidence) in a named "
        "graph named by the paper's IRI; shared entities and relations stay in the default graph "
        "(nquads, trig, jsonld).",
    ),
) -> None:
    """Export a graph as Turtle, N-Triples, N-Quads, TriG or JSON-LD."""
    from kg.store.export import export

    if output is not None:
        check_output_file(output)
    result = export(
        build_dir(graph), output, fmt, split_provenance=split_provenance, per_paper=per_paper
    )
    if output is not None:
        extra = f", {result.provenance} in the provenance graph" if split_provenance else ""
        extra = f", in {result.papers} paper graphs" if per_paper else extra
        typer.echo(f"wrote {output}: {result.quads} statements as {fmt}{extra}", err=True)
