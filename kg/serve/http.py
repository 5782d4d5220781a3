"""The HTTP side of ``kg serve``: the listening server and the request handler.

The handler checks where a request comes from (Host, Origin), parses the SPARQL 1.1 Protocol
forms of a query or update, answers repeated queries from the cache, and hands the rest to the
worker pools (:mod:`kg.serve.workers`); it never touches the store itself.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import traceback
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from kg.errors import KGError
from kg.rdf.version import outdated_message
from kg.serve.cache import ResultCache
from kg.serve.config import ServerConfig
from kg.serve.page import query_page
from kg.serve.replies import FORMAT_ALIASES, Reply, text_reply
from kg.serve.workers import Pool, Worker
from kg.sparql.outbound import outbound, refusal
from kg.store.core import (
    CURRENT,
    is_store,
    not_a_store_error,
    open_store,
    read_manifest,
    store_root,
)
from kg.store.lock import WriterLock
from kg.vocab import PREFIXES, VOCABULARY_VERSION


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    #: the listen backlog: the stdlib's 5 overflowed at 20 concurrent clients (p99 ~1 s)
    request_queue_size = 256

    def __init__(self, config: ServerConfig) -> None:
        import multiprocessing

        self.config = config
        path = Path(config.path)
        if not is_store(path):
            raise not_a_store_error(path)
        vocabulary = read_manifest(path).vocabulary
        if vocabulary != VOCABULARY_VERSION:  # refused at start, not with a 503 per query
            raise KGError(outdated_message(str(path), vocabulary, store=True))
        self.lock: WriterLock | None = None
        self.work_dir: Path | None = None
        if config.allow_update:
            self.lock = WriterLock(
                store_root(path), f"kg serve --allow-update (port {config.port})"
            )
            self.lock.acquire()
            self.work_dir = store_root(path) / f"work-{os.getpid()}"
            if self.work_dir.exists():
                shutil.rmtree(self.work_dir)
            with open_store(path) as handle:
                handle.store.backup(str(self.work_dir))  # a checkpoint: hard links, fast
        worker_config = asdict(config)
        worker_config["path"] = str(path)
        ctx = multiprocessing.get_context("spawn")
        self.readers = Pool(
            [Worker(ctx, worker_config, "read", None) for _ in range(max(1, config.workers))]
        )
        self.writer = (
            Pool([Worker(ctx, worker_config, "write", str(self.work_dir))])
            if config.allow_update
            else None
        )
        self.manifest = read_manifest(path)
        self.manifest_file = store_root(path) / CURRENT
        self.cache = ResultCache(max_entries=config.cache_entries)
        self.page = query_page(config)
        try:
            super().__init__((config.host, config.port), _Handler)
        except OSError as err:
            self.close()
            raise KGError(
                f"cannot listen on {config.host}:{config.port}: {err.strerror or err}"
            ) from err

    @property
    def own_hosts(self) -> frozenset[str]:
        """What the Host header may say: the bound address and localhost, with and without
        the port (lower case), plus any names the user allowed."""
        host, port = self.server_address[:2]
        names = {host, "localhost", *self.config.allowed_hosts}
        if host == "127.0.0.1":
            names.add("127.0.0.1")
        out = set()
        for name in names:
            name = name.lower()
            shown = f"[{name}]" if ":" in name else name
            out.update({shown, f"{shown}:{port}"})
        return frozenset(out)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def close(self) -> None:
        self.readers.close()
        if self.writer is not None:
            self.writer.close()
        if self.work_dir is not None:
            shutil.rmtree(self.work_dir, ignore_errors=True)
        if self.lock is not None:
            self.lock.release()

    def server_close(self) -> None:
        super().server_close()
        self.close()


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    protocol_version = "HTTP/1.1"
    server_version = "kg-sparql/1"
    #: headers and body go out in two writes; with Nagle's algorithm and the client's delayed
    #: ACK every keep-alive answer waited 40 ms (measured: p50 44 ms for one client)
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        sys.stderr.write(f"kg serve: {self.address_string()} {format % args}\n")

    def _allowed_origin(self) -> str | None:
        """The value of Access-Control-Allow-Origin for this request: only an allowed origin."""
        origin = self.headers.get("Origin")
        allowed = self.server.config.cors_origins
        if "*" in allowed:
            return "*"
        return origin if origin and origin in allowed else None

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        cors = self._allowed_origin()
        if cors is not None:
            self.send_header("Access-Control-Allow-Origin", cors)
            self.send_header("Access-Control-Expose-Headers", "Content-Type")
        self.send_header("Vary", "Accept, Origin")
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def do_OPTIONS(self) -> None:  # noqa: N802 - CORS preflight
        refused = self._refuse_host_or_origin()
        cors = self._allowed_origin()
        if refused is not None or cors is None:
            self._send(
                refused
                or text_reply(
                    403,
                    "cross-origin requests are not allowed here "
                    "(start kg serve with --cors ORIGIN to allow one)",
                )
            )
            return
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", cors)
        self.send_header("Vary", "Origin")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def _refuse_host_or_origin(self) -> Reply | None:
        """403 for a Host the server does not listen on (DNS rebinding) or a foreign Origin.

        A page on another origin can still send a plain form POST without a CORS preflight;
        refusing any Origin that is neither the server's own nor allowed stops that too."""
        host = (self.headers.get("Host") or "").strip().lower()
        own = self.server.own_hosts
        if host and host not in own:
            return text_reply(
                403,
                f"Host {host!r} is not an address of this server ({', '.join(sorted(own))}); "
                "refused (kg serve --allow-host NAME to add one)",
            )
        origin = self.headers.get("Origin")
        if origin and origin.lower() != "null":
            parsed = urlsplit(origin.lower())
            same = parsed.scheme == "http" and parsed.netloc in own
            if not same and self._allowed_origin() is None:
                return text_reply(
                    403,
                    f"cross-origin request from {origin} refused "
                    "(start kg serve with --cors ORIGIN to allow that origin)",
                )
        elif origin and self._allowed_origin() is None:
            return text_reply(403, "cross-origin request from an opaque origin refused")
        return None

    def _dispatch(self, method: str) -> None:
        refused = self._refuse_host_or_origin()
        if refused is not None:
            self.close_connection = True
            self._send(refused)
            return
        try:
            reply = self._route(method)
        except Exception as err:  # noqa: BLE001 - never drop a connection without an answer
            traceback.print_exc(file=sys.stderr)
            reply = text_reply(500, f"internal error: {type(err).__name__}: {err}")
        self._send(reply)

    def _body(self) -> bytes | Reply:
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return text_reply(411, "chunked request bodies are not supported; send Content-Length")
        try:
            n = int(length or 0)
        except ValueError:
            return text_reply(400, "bad Content-Length")
        if n > self.server.config.max_request_bytes:
            self.close_connection = True
            return text_reply(
                413, f"request body larger than {self.server.config.max_request_bytes} bytes"
            )
        return self.rfile.read(n) if n else b""

    def _route(self, method: str) -> Reply:
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        route = url.path.rstrip("/") or "/"
        if route == "/" and method == "GET":
            return Reply(200, "text/html; charset=utf-8", self.server.page)
        if route == "/status" and method == "GET":
            return self._status()
        if route not in ("/query", "/update", "/sparql"):
            return text_reply(
                404, f"no such endpoint {url.path!r}; use /query, /update or / (query page)"
            )
        body = self._body() if method == "POST" else b""
        if isinstance(body, Reply):
            return body
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if method == "POST" and ctype == "application/x-www-form-urlencoded":
            try:
                for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items():
                    params.setdefault(k, []).extend(v)
            except UnicodeDecodeError:
                return text_reply(400, "request body is not UTF-8")
            body = b""
        if route == "/update":
            return self._update(method, ctype, body, params)
        return self._query(method, ctype, body, params)

    def _accept(self, params: dict[str, list[str]]) -> str:
        for key in ("format", "output"):
            for value in params.get(key, []):
                if value.lower() in FORMAT_ALIASES:
                    return FORMAT_ALIASES[value.lower()]
                if "/" in value:
                    return value
        return self.headers.get("Accept", "")

    def _query(self, method: str, ctype: str, body: bytes, params: dict[str, list[str]]) -> Reply:
        query = self._query_text(method, ctype, body, params)
        if isinstance(query, Reply):
            return query
        if not self.server.config.allow_service:
            found = outbound(query)
            if found:
                return text_reply(403, refusal(found))
        request = {
            "op": "query",
            "query": query,
            "accept": self._accept(params),
            "default_graph": params.get("default-graph-uri", []),
            "named_graphs": params.get("named-graph-uri", []),
        }
        return self._cached_or_run(request)

    def _query_text(
        self, method: str, ctype: str, body: bytes, params: dict[str, list[str]]
    ) -> str | Reply:
        """The one query of the request (URL, form field or body), or the reply refusing it."""
        queries = params.get("query", [])
        if method == "POST" and ctype == "application/sparql-query":
            try:
                queries = [*queries, body.decode("utf-8")]
            except UnicodeDecodeError:
                return text_reply(400, "query is not UTF-8")
        elif (
            method == "POST"
            and ctype not in ("application/x-www-form-urlencoded", "")
            and not queries
        ):
            return text_reply(
                415,
                f"unsupported Content-Type {ctype!r} for a query "
                "(use application/sparql-query or a form with query=)",
            )
        if "update" in params and not queries:
            return text_reply(400, "this is the query endpoint; send updates to /update")
        if len(queries) != 1:
            return text_reply(
                400,
                "give exactly one query (GET ?query=..., a form field query=, "
                "or a POST body of type application/sparql-query)",
            )
        return queries[0]

    def _generation(self) -> tuple | None:
        """The stat of the store's manifest: it changes with every published generation."""
        try:
            st = os.stat(self.server.manifest_file)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _cached_or_run(self, request: dict) -> Reply:
        """The cached answer of this generation, or the readers' (then cached)."""
        generation = self._generation()
        key = (
            generation,
            request["query"],
            request["accept"],
            tuple(request["default_graph"]),
            tuple(request["named_graphs"]),
        )
        cached = self.server.cache.get(key) if generation else None
        if cached is not None:
            return cached
        reply = self.server.readers.run(request, self.server.config.timeout)
        if generation:
            self.server.cache.put(key, reply)
        return reply

    def _update(self, method: str, ctype: str, body: bytes, params: dict[str, list[str]]) -> Reply:
        if method != "POST":
            return Reply(
                405,
                "text/plain; charset=utf-8",
                b"SPARQL updates must be POSTed "
                b"(form field update= or application/sparql-update)\n",
                {"Allow": "POST, OPTIONS"},
            )
        if self.server.writer is None:
            return text_reply(
                403,
                "updates are disabled: this endpoint is read-only "
                "(start kg serve with --allow-update to accept SPARQL updates)",
            )
        update = self._update_text(ctype, body, params)
        if isinstance(update, Reply):
            return update
        if not self.server.config.allow_service:
            found = outbound(update)
            if found:
                return text_reply(403, refusal(found))
        return self.server.writer.run(
            {"op": "update", "update": update}, self.server.config.timeout
        )

    def _update_text(self, ctype: str, body: bytes, params: dict[str, list[str]]) -> str | Reply:
        """The one update of a POST (form field or body), or the reply refusing it."""
        updates = params.get("update", [])
        if ctype == "application/sparql-update":
            try:
                updates = [*updates, body.decode("utf-8")]
            except UnicodeDecodeError:
                return text_reply(400, "update is not UTF-8")
        elif ctype != "application/x-www-form-urlencoded":
            return text_reply(
                415,
                f"unsupported Content-Type {ctype!r} for an update "
                "(use application/sparql-update or a form with update=)",
            )
        if "query" in params and not updates:
            return text_reply(400, "this is the update endpoint; send queries to /query")
        if len(updates) != 1:
            return text_reply(
                400,
                "give exactly one update (form field update= or a POST body of type "
                "application/sparql-update)",
            )
        if params.get("using-graph-uri") or params.get("using-named-graph-uri"):
            return text_reply(400, "using-graph-uri / using-named-graph-uri are not supported")
        return updates[0]

    def _status(self) -> Reply:
        manifest = read_manifest(self.server.config.path)
        info = {
            "store": str(self.server.config.path),
            "generation": manifest.generation,
            "papers": manifest.papers,
            "triples": manifest.triples,
            "written_by": manifest.written_by,
            "sparql_updated": manifest.sparql_updated,
            "allow_update": self.server.config.allow_update,
            "timeout_seconds": self.server.config.timeout,
            "max_result_bytes": self.server.config.max_result_bytes,
            "endpoints": {"query": "/query", "update": "/update"},
        }
        return Reply(200, "application/json", json.dumps(info, indent=1).encode())


def serve(config: ServerConfig, on_ready=None) -> None:
    """Run the endpoint until interrupted (Ctrl-C or SIGTERM)."""
    if not config.prefixes:
        config.prefixes = dict(PREFIXES)
    server = SparqlServer(config)

    def stop(_signum, _frame) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        if on_ready is not None:
            on_ready(server)
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
