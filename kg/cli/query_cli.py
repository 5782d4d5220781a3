"""``kg query``: wraps :func:`kg.sparql.query.run_query`."""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli._util import app, build_dir


@app.command("query")
def query_cli(
    graph: Path = typer.Argument(
        ..., help="A store (build directory) or a graph file (.ttl, .nt, .jsonld)."
    ),
    sparql: str = typer.Argument(
        None, help="The SPARQL query (prefixes kg:, dcterms:, skos:, prov: ... are predeclared)."
    ),
    file: Path = typer.Option(None, "--file", "-f", help="Read the query from a .rq file."),
    name: str = typer.Option(None, "--name", "-n", help="Run a library query (see kg queries)."),
    param: list[str] = typer.Option(
        None, "--param", "-p", help="NAME=VALUE for a library query (repeatable)."
    ),
    fmt: str = typer.Option("table", "--format", help="table, csv, tsv or json."),
    allow_service: bool = typer.Option(
        False, "--allow-service", help="Allow SERVICE patterns (requests to other endpoints)."
    ),
) -> None:
    """Run a SPARQL query (or a library query) against a store or graph file."""
    from kg.errors import KGError
    from kg.sparql.query import load_graph, run_query
    from kg.sparql.results import FORMATS, format_result

    if fmt not in FORMATS:
        raise KGError(f"unknown --format {fmt!r} (expected one of {', '.join(FORMATS)})")
    if sum(x is not None for x in (sparql, file, name)) != 1:
        raise KGError("give a SPARQL query, --file FILE or --name QUERY (exactly one)")
    if param and name is None:
        raise KGError("--param goes with --name (a library query)")
    if file is not None:
        sparql = _read_query_file(file)
    if name is not None:
        from kg.sparql.library import render_library_query

        sparql = render_library_query(name, param)
    from kg.store.staleness import stale_statistics_note

    graph = build_dir(graph)
    target = load_graph(graph)
    result = run_query(target, sparql, allow_service=allow_service)
    typer.echo(format_result(result, fmt))
    if name is not None and result.kind == "SELECT" and not result.rows:
        from kg.sparql.library import explain_empty

        for line in explain_empty(target, name, param):
            typer.echo(line, err=True)
    note = stale_statistics_note(graph, sparql)
    if note:
        typer.echo(note, err=True)


def _read_query_file(file: Path) -> str:
    """The text of a ``--file`` query; one line naming the file (and the line of a bad byte)
    when it is not a readable UTF-8 text file, as input files get."""
    from kg.errors import KGError

    if file.is_dir():
        raise KGError(f"{file}: is a directory, not a query file")
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise KGError(f"{file}: no such query file") from None
    except OSError as err:
        raise KGError(f"{file}: cannot read ({err.strerror or err})") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise KGError(
            f"{file}:{line}: not UTF-8 text (byte 0x{raw[err.start]:02x} in column {column}); "
            "a query file is SPARQL text"
        ) from None
