"""``kg explain``: wraps :func:`kg.sparql.explain.explain`."""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli._util import app


@app.command("explain")
def explain_cli(
    name: str = typer.Argument(
        ..., help="Any surface form of an entity: MoE, 'mixture of experts', ..."
    ),
    target: Path = typer.Argument(
        None,
        help="A store (build directory) or a graph file, as for kg query (default: kg-out).",
        show_default=False,
    ),
    graph: Path = typer.Option(
        None, "--graph", "-g", help="The same as GRAPH_OR_STORE (kept for older scripts)."
    ),
    max_papers: int = typer.Option(
        20, help="Papers, relations and acronym definitions listed per entity (the rest counted)."
    ),
) -> None:
    """Show an entity, all its surface forms, why each was merged, and its papers.

    A build directory is read from its store (about 1 s on the sample) rather than its
    graph.ttl (about 7 s), like every other read command."""
    from kg.errors import KGError
    from kg.sparql.explain import explain, render
    from kg.sparql.query import load_graph

    if target is not None and Path(name).exists() and not target.exists():
        # "kg explain kg-out MoE": every other read command takes the graph first
        name, target = str(target), Path(name)
    if target is not None and graph is not None and target != graph:
        raise KGError(f"two graphs given ({target} and -g {graph}): give one")
    source = target or graph or DEFAULT_TARGET
    if not source.exists():
        hint = (
            " (build it with kg build, or name a graph or store)"
            if source == DEFAULT_TARGET
            else ""
        )
        raise KGError(f"{source}: no such graph file or store{hint}")
    loaded = load_graph(source)
    try:
        explanations = explain(loaded, name)
    except KGError:
        from kg.sparql.explain import render_set_aside, set_aside_forms

        found = set_aside_forms(source, name) if source.is_dir() else None
        if found is None:
            raise KGError(_not_found(loaded, name)) from None
        typer.echo(render_set_aside(found, _termhood_thresholds()))
        return
    typer.echo(render(explanations, max_papers=max_papers))


def _not_found(graph, name: str) -> str:
    """The one line for a name that is no entity, with the nearest labels as ``kg query``
    gives them: a typo ("Mixtral 8x7") should not read as "the graph has nothing on it"."""
    from kg.sparql.library import entity_labels, nearest_labels

    near = nearest_labels(name.strip(), entity_labels(graph))
    return f"no entity named {name!r} in the graph (try a label or any surface form)" + (
        f"; nearest labels: {', '.join(near)}" if near else ""
    )


def _termhood_thresholds():
    """The shipped termhood model's threshold per type (both pipelines ship the same model), as
    a function of the type; None when the model cannot be read."""
    import json

    from kg.extract.pipeline import PIPELINE_DIR
    from kg.extract.termhood import TermhoodModel

    file = PIPELINE_DIR / "kg_termhood" / "termhood.json"
    try:
        return TermhoodModel.from_json(json.loads(file.read_text())).threshold_for
    except (OSError, ValueError, KeyError):
        return None


#: What ``kg explain NAME`` reads without a graph: the default output of ``kg build``.
DEFAULT_TARGET = Path("kg-out")
