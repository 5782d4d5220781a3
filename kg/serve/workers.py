"""The processes that run queries and updates for ``kg serve``, and the pools that own them.

Queries run in worker processes, each with the store open read-only, so that a runaway query
can be killed (its process is replaced) without taking the server down. With
``--allow-update`` one more process owns a private working copy of the store and applies
updates there; each successful update is published as a new generation.
"""

from __future__ import annotations

import queue
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

from kg.errors import KGError
from kg.serve.replies import GRAPH_TYPES, RESULTS_TYPES, Reply, best_type, one_line, text_reply
from kg.sparql.syntax import explain_syntax_error


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


class _WorkerProcess:
    """The state of one worker process: its open store and the generation it reads."""

    def __init__(self, config: dict, mode: str, work_dir: str | None) -> None:
        import pyoxigraph as ox

        self.config, self.mode, self.work_dir = config, mode, work_dir
        self.path = Path(config["path"])
        self.prefixes = config["prefixes"]
        self.handle = None
        self.generation = None
        self.store = ox.Store(work_dir) if mode == "write" else None

    def store_for_reading(self):
        """The store to query: the writer's working copy, or the current generation (reopened
        when ``kg add``/``kg build``/an update has published a new one)."""
        from kg.store.core import open_store, read_manifest

        if self.mode == "write":
            return self.store
        if read_manifest(self.path).generation != self.generation:
            if self.handle is not None:
                self.handle.close()
            self.handle = open_store(self.path)
            self.generation = self.handle.generation
        return self.handle.store

    def answer(self, req: dict) -> Reply:
        """The reply to one request; errors become replies (the process keeps serving)."""
        try:
            if req.get("op") != "update":
                return self.run_query(req)
            if self.mode != "write":
                return text_reply(403, "updates are disabled")
            return self.run_update(req)
        except KGError as err:
            return text_reply(503, str(err))
        except Exception as err:  # noqa: BLE001 - report, keep serving
            traceback.print_exc(file=sys.stderr)
            return text_reply(500, f"internal error: {type(err).__name__}: {err}")

    # --- queries ----------------------------------------------------------------------------

    def run_query(self, req: dict) -> Reply:
        store = self.store_for_reading()
        deadline = time.monotonic() + self.config["timeout"]
        result = self._evaluate(store, req)
        if isinstance(result, Reply):
            return result
        import pyoxigraph as ox

        graph_result = isinstance(result, ox.QueryTriples)
        offered = GRAPH_TYPES if graph_result else RESULTS_TYPES
        default = "text/turtle" if graph_result else "application/sparql-results+json"
        media = best_type(req.get("accept", ""), offered, default)
        if media is None:
            kinds = ", ".join(offered)
            return text_reply(
                406,
                f"cannot produce any of the accepted types ({req.get('accept')}); offered: {kinds}",
            )
        return self._serialize(result, graph_result, offered[media], media, deadline)

    def _evaluate(self, store, req: dict):
        """The query's (lazy) result, or a 400 reply if it is malformed."""
        import pyoxigraph as ox

        kwargs = {}
        if req.get("default_graph"):
            kwargs["default_graph"] = [ox.NamedNode(g) for g in req["default_graph"]]
        if req.get("named_graphs"):
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in req["named_graphs"]]
        try:
            return store.query(req["query"], prefixes=self.prefixes, **kwargs)
        except SyntaxError as err:
            return text_reply(400, explain_syntax_error(req["query"], err, self.prefixes))
        except ValueError as err:  # e.g. an invalid graph IRI
            return text_reply(400, f"bad request: {err}")

    def _serialize(self, result, graph_result: bool, fmt: str, media: str, deadline) -> Reply:
        """The result in ``fmt``, stopped with 413/503 once too large or too late (Oxigraph
        evaluates lazily: serializing is where a query spends its time)."""
        import pyoxigraph as ox

        out = _CappedWriter(self.config["max_result_bytes"], deadline)
        try:
            if graph_result:
                prefixes = self.prefixes if fmt in ("TURTLE", "TRIG") else None
                ox.serialize(result, out, getattr(ox.RdfFormat, fmt), prefixes=prefixes)
            else:
                result.serialize(out, getattr(ox.QueryResultsFormat, fmt))
        except _TooLarge:
            limit = self.config["max_result_bytes"] / 1e6
            return text_reply(
                413,
                f"result larger than the limit of {limit:g} MB (kg serve --max-result-mb); "
                "add a LIMIT or narrow the query",
            )
        except _TooSlow:
            timeout = self.config["timeout"]
            return text_reply(
                503, f"query exceeded the time limit of {timeout:g} s (kg serve --timeout)"
            )
        except (OSError, RuntimeError, ValueError) as err:
            return text_reply(500, f"query failed: {one_line(err)}")
        text = media.startswith("text/") or "json" in media or "xml" in media
        return Reply(200, media + ("; charset=utf-8" if text else ""), out.getvalue())

    # --- updates ----------------------------------------------------------------------------

    def run_update(self, req: dict) -> Reply:
        try:
            self.store.update(req["update"], prefixes=self.prefixes)
        except SyntaxError as err:
            return text_reply(
                400, explain_syntax_error(req["update"], err, self.prefixes, update=True)
            )
        except (OSError, RuntimeError, ValueError) as err:
            return text_reply(500, f"update failed: {one_line(err)}")
        manifest = self._publish()
        return text_reply(
            200, f"update applied: {manifest.triples} triples (generation {manifest.generation})"
        )

    def _publish(self):
        """The working copy published as the store's next generation (its manifest)."""
        from kg.store.core import EXTRACTIONS, Publisher, generation_dir, read_manifest

        previous = read_manifest(self.path)
        publisher = Publisher(self.path, lock=_HeldElsewhere(), what="kg serve --allow-update")  # type: ignore[arg-type]
        publisher.protect.add(Path(self.work_dir).name)  # our working copy is no debris
        with publisher as pub:
            pub.stage_store_copy(self.store)
            return pub.publish(
                previous.papers,
                "update",
                sparql_updated=True,
                link_extractions_from=generation_dir(self.path, previous.generation) / EXTRACTIONS,
            )


def worker_main(conn, config: dict, mode: str, work_dir: str | None) -> None:
    """Loop of one worker process: receive a request dict, send back a Reply."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides when we stop
    worker = _WorkerProcess(config, mode, work_dir)
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            break
        try:
            conn.send(worker.answer(req))
        except (OSError, ValueError):
            break


class Worker:
    """The main process's end of one worker process."""

    def __init__(self, ctx, config: dict, mode: str, work_dir: str | None) -> None:
        self.ctx, self.config, self.mode, self.work_dir = ctx, config, mode, work_dir
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=worker_main,
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

    def respawn(self) -> Worker:
        return Worker(self.ctx, self.config, self.mode, self.work_dir)


class Pool:
    """Idle workers handed to one request at a time; a worker that overruns is replaced."""

    def __init__(self, workers: list[Worker]) -> None:
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.all = list(workers)
        for w in workers:
            self.idle.put(w)
        self._lock = threading.Lock()

    def run(self, request: dict, timeout: float) -> Reply:
        try:
            worker = self.idle.get(timeout=timeout)
        except queue.Empty:
            return text_reply(503, "server busy: every worker is running a query; try again")
        reply = worker.call(request, timeout + 1.0)
        if reply is None:
            fresh = worker.respawn()
            with self._lock:
                self.all = [fresh if w is worker else w for w in self.all]
            self.idle.put(fresh)
            what = "update" if request.get("op") == "update" else "query"
            return text_reply(
                503,
                f"{what} exceeded the time limit of {timeout:g} s (kg serve --timeout); stopped",
            )
        self.idle.put(worker)
        return reply

    def close(self) -> None:
        for w in self.all:
            w.kill()
