"""``kg build``: wraps :func:`kg.build.build`."""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli._report import echo_problem, summary_lines
from kg.cli._util import app


@app.command("build")
def build_cli(
    inputs: list[Path] = typer.Argument(
        None, help="Input files or directories (default: the bundled sample)."
    ),
    output: Path = typer.Option(Path("kg-out"), "--output", "-o", help="Output directory."),
    batch_size: int = typer.Option(32, help="Papers per spaCy batch."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    store: bool = typer.Option(
        True, "--store/--no-store", help="Also load DIR's Oxigraph store (for kg query/serve/add)."
    ),
    workers: int = typer.Option(
        1, "--workers", "-j", min=1, help="Extraction processes (Dask: LocalCluster workers)."
    ),
    engine: str = typer.Option("local", help="local (processes on this machine) or dask."),
    scheduler: str = typer.Option(
        None, help="Dask scheduler address (tcp://host:8786); default: start a LocalCluster."
    ),
    resume: bool = typer.Option(
        True, "--resume/--fresh", help="Reuse batches extracted by an interrupted run (DIR/work)."
    ),
    accurate: bool = typer.Option(
        False,
        "--accurate",
        help="The transformer pipeline: relations 37 vs 33 F1 on SciERC dev (entities equal), "
        "~10x slower (needs the 'accurate' extra: pip install -e \".\\[accurate]\").",
    ),
) -> None:
    """Build the knowledge graph (DIR/graph.ttl and its store DIR/store) from abstracts."""
    from kg.build import build
    from kg.extract import ACCURATE_PIPELINE_DIR

    if accurate:
        from kg.extract.transformer_ner import check_installed

        check_installed()

    result = build(
        inputs or None,
        output,
        progress=not quiet,
        batch_size=batch_size,
        on_problem=echo_problem,
        store=store,
        workers=workers,
        engine=engine,
        scheduler=scheduler,
        resume=resume,
        model=ACCURATE_PIPELINE_DIR if accurate else None,
    )
    typer.echo(
        f"wrote {result.graph_path}" + (f" and the store {output / 'store'}" if store else "")
    )
    typer.echo(
        f"  papers:   {result.papers} ({result.records_read} records read, "
        f"{result.records_read - result.papers} duplicates merged)"
    )
    ents = ", ".join(f"{k} {v}" for k, v in result.entities_by_type.items())
    typer.echo(f"  entities: {sum(result.entities_by_type.values())} ({ents})")
    typer.echo(f"  claims:   {result.claims}")
    typer.echo(f"  topics:   {result.topics}")
    typer.echo(f"  triples:  {result.triples}")
    stages = ", ".join(f"{k} {v}" for k, v in result.stages.items())
    typer.echo(f"  seconds:  {result.seconds}" + (f" ({stages})" if stages else ""))
    for line in summary_lines(result.skipped):
        typer.echo(line)
