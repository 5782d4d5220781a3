"""``kg serve``: a SPARQL 1.1 Protocol endpoint over a store, on 127.0.0.1.

* ``/query`` - SPARQL queries: ``GET ?query=``, ``POST`` form (``query=``) or ``POST``
  ``application/sparql-query``; ``default-graph-uri``/``named-graph-uri`` honoured. Results are
  negotiated from ``Accept`` (SPARQL JSON by default, XML, CSV, TSV; Turtle by default for
  CONSTRUCT/DESCRIBE, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML). The kg prefixes are
  predeclared, as in ``kg query``.
* ``/update`` - SPARQL updates (``POST`` form ``update=`` or ``application/sparql-update``),
  refused with 403 unless the server was started with ``--allow-update``.
* ``/`` - a query page for the browser; ``/status`` - JSON about the store.

Safe by default. The server binds to 127.0.0.1 and answers only requests whose ``Host`` header
names an address it listens on (``127.0.0.1:PORT``, ``localhost:PORT``), so a page that
rebinds its own DNS name to 127.0.0.1 cannot reach it. It sends no CORS headers and refuses
requests from another origin unless that origin was allowed (``--cors ORIGIN``, or ``--cors '*'``
for any), so other pages in the user's browser can neither read results nor post updates. It
makes no outbound requests: a query with a ``SERVICE`` pattern, or an update with ``LOAD``, is
refused with 403 unless the server was started with ``--allow-service`` (detected from the
request's tokens, :mod:`kg.sparql.outbound`). A malformed query gets 400 with a message that
says where it went wrong (:mod:`kg.sparql.syntax`).

Limits. Queries run in worker processes (``workers``), each with the store open read-only. A
query that runs longer than ``timeout`` seconds is stopped - its worker process is killed and
replaced if it does not stop by itself - and answered with 503; a result larger than
``max_result_bytes`` is answered with 413 (add a LIMIT). Request bodies are capped too.

Freshness and writes. Read-only, the server never writes: ``kg add``/``kg build`` may publish a
new generation meanwhile, and workers switch to it before their next query. With
``allow_update`` the server holds the store's writer lock for its lifetime (builds and adds get a
clear "being written" error), applies updates in a private working copy of the store inside a
dedicated writer process (transactional: a killed update leaves no trace), and publishes each
successful update as a new generation, so the next query sees it.
"""

from __future__ import annotations

import html
import json
import os
import queue
import shutil
import signal
import sys
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from kg.errors import KGError
from kg.sparql.outbound import outbound, refusal
from kg.sparql.syntax import explain_syntax_error

DEFAULT_PORT = 7878
HOST = "127.0.0.1"

RESULTS_TYPES = {  # media type -> pyoxigraph QueryResultsFormat name
    "application/sparql-results+json": "JSON",
    "application/json": "JSON",
    "application/sparql-results+xml": "XML",
    "application/xml": "XML",
    "text/xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
}
GRAPH_TYPES = {  # media type -> pyoxigraph RdfFormat name
    "text/turtle": "TURTLE",
    "application/x-turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "text/plain": "N_TRIPLES",
    "application/n-quads": "N_QUADS",
    "application/trig": "TRIG",
    "application/ld+json": "JSON_LD",
    "application/rdf+xml": "RDF_XML",
}
#: Short names accepted in a ``format=``/``output=`` URL parameter (as many endpoints do).
FORMAT_ALIASES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}


@dataclass
class ServerConfig:
    path: Path
    port: int = DEFAULT_PORT
    allow_update: bool = False
    #: seconds one query (or update) may run
    timeout: float = 30.0
    max_result_bytes: int = 50 * 1024 * 1024
    max_request_bytes: int = 1024 * 1024
    workers: int = 2
    host: str = HOST
    prefixes: dict[str, str] = field(default_factory=dict)
    #: allow SERVICE patterns and LOAD (the server then makes outbound requests)
    allow_service: bool = False
    #: origins whose pages may call the endpoint (CORS); "*" for any; none by default
    cors_origins: tuple[str, ...] = ()
    #: more names the Host header may carry (besides the bound address and localhost)
    allowed_hosts: tuple[str, ...] = ()
    #: answers kept per store generation (0: none)
    cache_entries: int = 512


@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _one_line(err: Exception, limit: int = 600) -> str:
    text = " ".join(str(err).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _text(status: int, message: str) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode("utf-8"))


# --- worker processes ------------------------------------------------------------------------


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


class _CappedWriter:
    """A binary sink that stops the serializer once the result is too big or too late."""

    def __init__(self, max_bytes: int, deadline: float) -> None:
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.chunks: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise _TooLarge()
        if time.monotonic() > self.deadline:
            raise _TooSlow()
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.chunks)


class _HeldElsewhere:
    """The writer lock as seen from the writer process: the server's main process holds it."""

    held = True

    def acquire(self):
        return self

    def release(self) -> None:
        pass


def _best_type(accept: str, offered: dict[str, str], default: str) -> str | None:
    """The offered media type the Accept header prefers (q-values honoured); None if none fits."""
    if not accept.strip():
        return default
    ranges = []
    for i, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        media, q = bits[0].lower(), 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        if media and q > 0:
            ranges.append((-q, i, media))
    for _q, _i, media in sorted(ranges):
        if media in offered:
            return media
        if media in ("*/*", "application/*", "text/*"):
            top = media.split("/")[0]
            if media == "*/*" or default.startswith(top + "/"):
                return default
            return next((m for m in offered if m.startswith(top + "/")), default)
    return None


def _worker_main(conn, config: dict, mode: str, work_dir: str | None) -> None:
    """Loop of one worker process: receive a request dict, send back a Reply."""
    import pyoxigraph as ox

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides when we stop
    path = Path(config["path"])
    prefixes = config["prefixes"]
    state: dict = {"handle": None, "generation": None, "store": None}

    def store_for_reading():
        from kg.store.core import open_store, read_manifest

        if mode == "write":
            return state["store"]
        generation = read_manifest(path).generation
        if generation != state["generation"]:
            if state["handle"] is not None:
                state["handle"].close()
            state["handle"] = open_store(path)
            state["generation"] = state["handle"].generation
        return state["handle"].store

    if mode == "write":
        state["store"] = ox.Store(work_dir)

    def run_query(req: dict) -> Reply:
        store = store_for_reading()
        deadline = time.monotonic() + config["timeout"]
        kwargs = {}
        if req.get("default_graph"):
            kwargs["default_graph"] = [ox.NamedNode(g) for g in req["default_graph"]]
        if req.get("named_graphs"):
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in req["named_graphs"]]
        try:
            result = store.query(req["query"], prefixes=prefixes, **kwargs)
        except SyntaxError as err:
            return _text(400, explain_syntax_error(req["query"], err, prefixes))
        except ValueError as err:  # e.g. an invalid graph IRI
            return _text(400, f"bad request: {err}")
        graph_result = isinstance(result, ox.QueryTriples)
        offered = GRAPH_TYPES if graph_result else RESULTS_TYPES
        default = "text/turtle" if graph_result else "application/sparql-results+json"
        media = _best_type(req.get("accept", ""), offered, default)
        if media is None:
            kinds = ", ".join(offered)
            return _text(
                406,
                f"cannot produce any of the accepted types ({req.get('accept')}); offered: {kinds}",
            )
        out = _CappedWriter(config["max_result_bytes"], deadline)
        try:
            if graph_result:
                fmt = getattr(ox.RdfFormat, offered[media])
                ox.serialize(
                    result,
                    out,
                    fmt,
                    prefixes=prefixes if offered[media] in ("TURTLE", "TRIG") else None,
                )
            else:
                result.serialize(out, getattr(ox.QueryResultsFormat, offered[media]))
        except _TooLarge:
            limit = config["max_result_bytes"] / 1e6
            return _text(
                413,
                f"result larger than the limit of {limit:g} MB (kg serve --max-result-mb); "
                "add a LIMIT or narrow the query",
            )
        except _TooSlow:
            return _text(
                503,
                f"query exceeded the time limit of {config['timeout']:g} s (kg serve --timeout)",
            )
        except (OSError, RuntimeError, ValueError) as err:
            return _text(500, f"query failed: {_one_line(err)}")
        charset = (
            "; charset=utf-8"
            if media.startswith("text/") or "json" in media or "xml" in media
            else ""
        )
        return Reply(200, media + charset, out.getvalue())

    def run_update(req: dict) -> Reply:
        from kg.store.core import EXTRACTIONS, Publisher, generation_dir, read_manifest

        store = state["store"]
        try:
            store.update(req["update"], prefixes=prefixes)
        except SyntaxError as err:
            return _text(400, explain_syntax_error(req["update"], err, prefixes, update=True))
        except (OSError, RuntimeError, ValueError) as err:
            return _text(500, f"update failed: {_one_line(err)}")
        previous = read_manifest(path)
        publisher = Publisher(path, lock=_HeldElsewhere(), what="kg serve --allow-update")  # type: ignore[arg-type]
        publisher.protect.add(Path(work_dir).name)  # our working copy is no debris
        with publisher as pub:
            pub.stage_store_copy(store)
            manifest = pub.publish(
                previous.papers,
                "update",
                sparql_updated=True,
                link_extractions_from=generation_dir(path, previous.generation) / EXTRACTIONS,
            )
        return _text(
            200, f"update applied: {manifest.triples} triples (generation {manifest.generation})"
        )

    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            break
        try:
            if req.get("op") == "update":
                reply = run_update(req) if mode == "write" else _text(403, "updates are disabled")
            else:
                reply = run_query(req)
        except KGError as err:
            reply = _text(503, str(err))
        except Exception as err:  # noqa: BLE001 - report, keep serving
            traceback.print_exc(file=sys.stderr)
            reply = _text(500, f"internal error: {type(err).__name__}: {err}")
        try:
            conn.send(reply)
        except (OSError, ValueError):
            break


class _Worker:
    def __init__(self, ctx, config: dict, mode: str, work_dir: str | None) -> None:
        self.ctx, self.config, self.mode, self.work_dir = ctx, config, mode, work_dir
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_worker_main,
            args=(child, config, mode, work_dir),
            daemon=True,
            name=f"kg-serve-{mode}",
        )
        self.process.start()
        child.close()

    def call(self, request: dict, timeout: float) -> Reply | None:
        """The worker's reply, or None if it did not answer in time (then it is killed)."""
        try:
            self.conn.send(request)
            if self.conn.poll(timeout):
                return self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            pass
        self.kill()
        return None

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def respawn(self) -> _Worker:
        return _Worker(self.ctx, self.config, self.mode, self.work_dir)


class _Pool:
    def __init__(self, workers: list[_Worker]) -> None:
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.all = list(workers)
        for w in workers:
            self.idle.put(w)
        self._lock = threading.Lock()

    def run(self, request: dict, timeout: float) -> Reply:
        try:
            worker = self.idle.get(timeout=timeout)
        except queue.Empty:
            return _text(503, "server busy: every worker is running a query; try again")
        reply = worker.call(request, timeout + 1.0)
        if reply is None:
            fresh = worker.respawn()
            with self._lock:
                self.all = [fresh if w is worker else w for w in self.all]
            self.idle.put(fresh)
            what = "update" if request.get("op") == "update" else "query"
            return _text(
                503,
                f"{what} exceeded the time limit of {timeout:g} s (kg serve --timeout); stopped",
            )
        self.idle.put(worker)
        return reply

    def close(self) -> None:
        for w in self.all:
            w.kill()


class _ResultCache:
    """Answers of the current store generation, most recently used first, bounded in count and
    bytes.

    Why: a generation never changes once published, so the same query on it has the same
    answer; library queries and dashboards repeat. A hit skips the worker round trip, which is
    what keeps p99 low when many clients ask at once (BENCHMARKS.md). The key holds the stat
    of the store's manifest, so a new generation (``kg add``, an update) misses at once."""

    def __init__(self, max_entries: int = 512, max_bytes: int = 64 * 1024 * 1024) -> None:
        from collections import OrderedDict

        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.entries: OrderedDict[tuple, Reply] = OrderedDict()
        self.size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Reply | None:
        with self._lock:
            reply = self.entries.get(key)
            if reply is not None:
                self.entries.move_to_end(key)
            return reply

    def put(self, key: tuple, reply: Reply) -> None:
        if reply.status != 200 or len(reply.body) > self.max_bytes // 8 or self.max_entries < 1:
            return
        with self._lock:
            if key in self.entries:
                return
            self.entries[key] = reply
            self.size += len(reply.body)
            while len(self.entries) > self.max_entries or self.size > self.max_bytes:
                _, old = self.entries.popitem(last=False)
                self.size -= len(old.body)


# --- HTTP ------------------------------------------------------------------------------------


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    #: the listen backlog: the stdlib's 5 overflowed at 20 concurrent clients (p99 ~1 s)
    request_queue_size = 256

    def __init__(self, config: ServerConfig) -> None:
        import multiprocessing

        from kg.store.core import CURRENT, is_store, open_store, read_manifest, store_root
        from kg.store.lock import WriterLock

        self.config = config
        path = Path(config.path)
        if not is_store(path):
            raise KGError(f"{path}: not a kg store (build one with kg build -o {path})")
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
        self.readers = _Pool(
            [_Worker(ctx, worker_config, "read", None) for _ in range(max(1, config.workers))]
        )
        self.writer = (
            _Pool([_Worker(ctx, worker_config, "write", str(self.work_dir))])
            if config.allow_update
            else None
        )
        self.manifest = read_manifest(path)
        self.manifest_file = store_root(path) / CURRENT
        self.cache = _ResultCache(max_entries=config.cache_entries)
        self.page = _query_page(config)
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
                or _text(
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
            return _text(
                403,
                f"Host {host!r} is not an address of this server ({', '.join(sorted(own))}); "
                "refused (kg serve --allow-host NAME to add one)",
            )
        origin = self.headers.get("Origin")
        if origin and origin.lower() != "null":
            parsed = urlsplit(origin.lower())
            same = parsed.scheme == "http" and parsed.netloc in own
            if not same and self._allowed_origin() is None:
                return _text(
                    403,
                    f"cross-origin request from {origin} refused "
                    "(start kg serve with --cors ORIGIN to allow that origin)",
                )
        elif origin and self._allowed_origin() is None:
            return _text(403, "cross-origin request from an opaque origin refused")
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
            reply = _text(500, f"internal error: {type(err).__name__}: {err}")
        self._send(reply)

    def _body(self) -> bytes | Reply:
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return _text(411, "chunked request bodies are not supported; send Content-Length")
        try:
            n = int(length or 0)
        except ValueError:
            return _text(400, "bad Content-Length")
        if n > self.server.config.max_request_bytes:
            self.close_connection = True
            return _text(
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
            return _text(
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
                return _text(400, "request body is not UTF-8")
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
        queries = params.get("query", [])
        if method == "POST" and ctype == "application/sparql-query":
            try:
                queries = [*queries, body.decode("utf-8")]
            except UnicodeDecodeError:
                return _text(400, "query is not UTF-8")
        elif (
            method == "POST"
            and ctype not in ("application/x-www-form-urlencoded", "")
            and not queries
        ):
            return _text(
                415,
                f"unsupported Content-Type {ctype!r} for a query "
                "(use application/sparql-query or a form with query=)",
            )
        if "update" in params and not queries:
            return _text(400, "this is the query endpoint; send updates to /update")
        if len(queries) != 1:
            return _text(
                400,
                "give exactly one query (GET ?query=..., a form field query=, "
                "or a POST body of type application/sparql-query)",
            )
        if not self.server.config.allow_service:
            found = outbound(queries[0])
            if found:
                return _text(403, refusal(found))
        request = {
            "op": "query",
            "query": queries[0],
            "accept": self._accept(params),
            "default_graph": params.get("default-graph-uri", []),
            "named_graphs": params.get("named-graph-uri", []),
        }
        try:
            st = os.stat(self.server.manifest_file)
            generation: tuple | None = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            generation = None
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
            return _text(
                403,
                "updates are disabled: this endpoint is read-only "
                "(start kg serve with --allow-update to accept SPARQL updates)",
            )
        updates = params.get("update", [])
        if ctype == "application/sparql-update":
            try:
                updates = [*updates, body.decode("utf-8")]
            except UnicodeDecodeError:
                return _text(400, "update is not UTF-8")
        elif ctype != "application/x-www-form-urlencoded":
            return _text(
                415,
                f"unsupported Content-Type {ctype!r} for an update "
                "(use application/sparql-update or a form with update=)",
            )
        if "query" in params and not updates:
            return _text(400, "this is the update endpoint; send queries to /query")
        if len(updates) != 1:
            return _text(
                400,
                "give exactly one update (form field update= or a POST body of type "
                "application/sparql-update)",
            )
        if params.get("using-graph-uri") or params.get("using-named-graph-uri"):
            return _text(400, "using-graph-uri / using-named-graph-uri are not supported")
        if not self.server.config.allow_service:
            found = outbound(updates[0])
            if found:
                return _text(403, refusal(found))
        return self.server.writer.run(
            {"op": "update", "update": updates[0]}, self.server.config.timeout
        )

    def _status(self) -> Reply:
        from kg.store.core import read_manifest

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


def _query_page(config: ServerConfig) -> bytes:
    """The browser page: a query box, the library queries as examples, a results table."""
    examples: list[tuple[str, str, str]] = []
    try:
        from kg.store.library import list_queries, parse_params

        for q in list_queries():
            values = parse_params(q.examples[0].split()) if q.examples else {}
            try:
                examples.append((q.name, q.summary, q.render(values)))
            except KGError:
                continue
    except KGError:
        pass
    default = (
        examples[0][2]
        if examples
        else "SELECT ?paper ?title WHERE { ?paper a kg:Paper ; dcterms:title ?title } LIMIT 10"
    )
    options = "\n".join(
        f'<option value="{i}">{html.escape(name)}: {html.escape(summary)}</option>'
        for i, (name, summary, _text_) in enumerate(examples)
    )
    prefixes = " ".join(f"{p}:" for p in config.prefixes)
    mode = "read-write (updates accepted at /update)" if config.allow_update else "read-only"
    page = _PAGE.format(
        store=html.escape(str(config.path)),
        mode=mode,
        prefixes=html.escape(prefixes),
        options=options,
        default=html.escape(default),
        examples=json.dumps([e[2] for e in examples]).replace("</", "<\\/"),
    )
    return page.encode("utf-8")


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kg SPARQL</title>
<style>
body {{ font: 14px system-ui, sans-serif; margin: 1.5em; }}
textarea {{ width: 100%; height: 16em; font: 13px ui-monospace, monospace; }}
table {{ border-collapse: collapse; margin-top: 1em; }}
td, th {{ border: 1px solid #ccc; padding: 2px 6px; vertical-align: top; font-size: 13px; }}
th {{ background: #f3f3f3; }} #msg {{ margin-top: .8em; white-space: pre-wrap; }}
.err {{ color: #b00; }} select {{ max-width: 100%; }}
</style></head><body>
<h1>kg SPARQL endpoint</h1>
<p>Store <code>{store}</code>, {mode}. Endpoint: <code>/query</code> (SPARQL 1.1 Protocol).
Predeclared prefixes: <code>{prefixes}</code></p>
<p><label>Library query: <select id="examples">{options}</select></label></p>
<textarea id="q">{default}</textarea><br>
<button id="run">Run (Ctrl+Enter)</button>
<div id="msg"></div><div id="out"></div>
<script>
const examples = {examples};
const $ = id => document.getElementById(id);
const q = $('q'), out = $('out'), msg = $('msg');
$('examples').onchange = e => {{ q.value = examples[e.target.value]; }};
const esc = s => s.replace(/[&<>]/g, c => ({{'&': '&amp;', '<': '&lt;', '>': '&gt;'}}[c]));
const cell = t => !t ? '' : esc(t.type === 'uri' ? '<' + t.value + '>' : t.value);
async function run() {{
  msg.textContent = 'running...'; msg.className = ''; out.innerHTML = '';
  const t0 = performance.now();
  const r = await fetch('query', {{method: 'POST', body: new URLSearchParams({{query: q.value}}),
    headers: {{'Accept': 'application/sparql-results+json, text/turtle;q=0.9'}}}});
  const text = await r.text();
  const ms = Math.round(performance.now() - t0);
  if (!r.ok) {{ msg.textContent = r.status + ': ' + text; msg.className = 'err'; return; }}
  if (!(r.headers.get('Content-Type') || '').includes('json')) {{
    msg.textContent = ms + ' ms'; out.innerHTML = '<pre>' + esc(text) + '</pre>'; return; }}
  const data = JSON.parse(text);
  if ('boolean' in data) {{ msg.textContent = String(data.boolean) + ' (' + ms + ' ms)'; return; }}
  const vars = data.head.vars, rows = data.results.bindings;
  msg.textContent = rows.length + ' rows, ' + ms + ' ms';
  const tr = cells => '<tr>' + cells.join('') + '</tr>';
  out.innerHTML = '<table>' + tr(vars.map(v => '<th>' + esc(v) + '</th>')) +
    rows.map(b => tr(vars.map(v => '<td>' + cell(b[v]) + '</td>'))).join('') + '</table>';
}}
$('run').onclick = run;
q.addEventListener('keydown', e => {{ if (e.key === 'Enter' && e.ctrlKey) run(); }});
</script></body></html>
"""


def serve(config: ServerConfig, on_ready=None) -> None:
    """Run the endpoint until interrupted (Ctrl-C or SIGTERM)."""
    if not config.prefixes:
        from kg.vocab import PREFIXES

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
