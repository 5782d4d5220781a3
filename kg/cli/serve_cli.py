"""``kg serve``: wraps :func:`kg.serve.serve`."""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli._util import app, build_dir


@app.command("serve")
def serve_cli(
    store: Path = typer.Argument(..., help="The store (build directory) to serve."),
    port: int = typer.Option(7878, "--port", "-p", help="Port on 127.0.0.1 (0: any free port)."),
    allow_update: bool = typer.Option(
        False, "--allow-update", help="Accept SPARQL updates at /update."
    ),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds a query may run."),
    max_result_mb: float = typer.Option(50.0, "--max-result-mb", help="Largest result, in MB."),
    workers: int = typer.Option(2, "--workers", help="Query worker processes."),
    allow_service: bool = typer.Option(
        False,
        "--allow-service",
        help="Allow SERVICE (federated queries) and LOAD: the server then sends requests to "
        "the hosts they name.",
    ),
    cors: list[str] = typer.Option(
        [],
        "--cors",
        help="An origin (e.g. http://localhost:8888) whose pages may query the endpoint; "
        "repeatable; '*' for any. None by default.",
    ),
    cache: int = typer.Option(
        512, "--cache", min=0, help="Answers kept per store generation (0: no result cache)."
    ),
    allow_host: list[str] = typer.Option(
        [],
        "--allow-host",
        help="Another name the Host header may carry (besides 127.0.0.1 and localhost).",
    ),
) -> None:
    """Serve the store as a SPARQL 1.1 endpoint (/query, /update, a query page at /)."""
    from kg.errors import KGError
    from kg.serve import ServerConfig, serve

    if timeout <= 0 or max_result_mb <= 0 or workers < 1 or not 0 <= port <= 65535:
        raise KGError(
            "--timeout and --max-result-mb must be positive, --workers at least 1, --port 0..65535"
        )
    store = build_dir(store)
    config = ServerConfig(
        path=store,
        port=port,
        allow_update=allow_update,
        timeout=timeout,
        max_result_bytes=int(max_result_mb * 1e6),
        workers=workers,
        allow_service=allow_service,
        cors_origins=tuple(_origin(o) for o in cors),
        allowed_hosts=tuple(h.strip().lower() for h in allow_host if h.strip()),
        cache_entries=cache,
    )

    def ready(server) -> None:
        mode = "read-write" if allow_update else "read-only"
        if allow_service:
            mode += ", SERVICE/LOAD allowed"
        if cors:
            mode += f", CORS for {', '.join(config.cors_origins)}"
        typer.echo(
            f"kg serve: {server.url} ({mode}; store {store}, {server.manifest.generation}, "
            f"{server.manifest.triples} triples)"
        )
        endpoints = f"  query endpoint: {server.url}query"
        if allow_update:  # a read-only server refuses /update: do not advertise it
            endpoints += f"   update endpoint: {server.url}update"
        typer.echo(endpoints, err=True)
        typer.echo("  Ctrl-C to stop", err=True)

    serve(config, on_ready=ready)


def _origin(value: str) -> str:
    """An origin as browsers send it (scheme://host[:port], no path), or '*'."""
    from urllib.parse import urlsplit

    from kg.errors import KGError

    value = value.strip().rstrip("/")
    if value == "*":
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
        raise KGError(f"--cors {value!r}: give an origin such as http://localhost:8888, or '*'")
    return f"{parts.scheme}://{parts.netloc}"
