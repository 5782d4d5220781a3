"""Latency of ``kg serve`` under concurrent clients: p50/p99 per concurrency level.

Starts ``kg serve DIR --port 0`` in a subprocess (loopback only), then for each level N runs N
client threads that each send ``--requests`` library queries (every library query with its
first example, round robin) over keep-alive connections, and prints the latency percentiles
and the error count. The traffic stays on 127.0.0.1 and is bounded in count.

    python benchmarks/bench_serve.py kg-out --clients 20 100 --requests 20
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results import record, relative  # noqa: E402 - this directory, as the script's own


def library_requests() -> list[str]:
    from kg.sparql.library import list_queries, parse_params

    out = []
    for q in list_queries():
        values = parse_params(q.examples[0].split()) if q.examples else {}
        out.append("/query?" + urllib.parse.urlencode({"query": q.render(values)}))
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def run_level(port: int, paths: list[str], clients: int, requests: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, bad = [], []
        start.wait()
        for j in range(requests):
            path = paths[(i + j) % len(paths)]
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad.append(str(response.status))
            except (OSError, http.client.HTTPException) as err:
                bad.append(type(err).__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine.append((time.perf_counter() - t0) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": len(errors),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1),
        "throughput_rps": round(len(latencies) / wall, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("store", type=Path, help="a build directory with a store")
    ap.add_argument("--clients", type=int, nargs="+", default=[20, 100])
    ap.add_argument("--requests", type=int, default=20, help="requests per client")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-cache", action="store_true", help="serve with --cache 0 (cold)")
    args = ap.parse_args(argv)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", str(args.store), "--port", "0",
         "--workers", str(args.workers), *(["--cache", "0"] if args.no_cache else [])],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        line = proc.stdout.readline()
        if not line.startswith("kg serve: http://127.0.0.1:"):
            print(f"server did not start: {line!r}", file=sys.stderr)
            return 1
        port = urllib.parse.urlsplit(line.split()[2]).port
        paths = library_requests()
        run_level(port, paths, 2, 5)  # warm-up: every worker opens the store
        levels = []
        for clients in args.clients:
            result = run_level(port, paths, clients, args.requests)
            result["workers"] = args.workers
            result["cache"] = not args.no_cache
            print(json.dumps(result))
            levels.append(result)
        record(
            "bench_serve",
            {"levels": levels},
            {
                "store": relative(args.store),
                "clients": args.clients,
                "requests": args.requests,
                "workers": args.workers,
                "cache": not args.no_cache,
            },
        )
    finally:
        proc.terminate()
        proc.wait(20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
