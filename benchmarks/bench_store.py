"""Benchmark the Oxigraph store against rdflib's in-memory Graph: load, size, library queries.

    python benchmarks/bench_store.py GRAPH [--synthetic-papers N] [--reload] [--runs R]
                                         [--rdflib-runs R] [--no-rdflib] [--work DIR]
                                         [--markdown FILE]

GRAPH: a graph file (graph.ttl) or a ``kg build -o DIR`` directory. A directory with a store is
measured in place: its store is opened read-only where it lies (no load figure; ``--reload``
bulk-loads its graph.ttl into a fresh store in --work instead, to time the load). A graph file
is bulk-loaded into a fresh store. rdflib parses the graph.ttl.

With ``--synthetic-papers N`` the graph is first scaled up - synthetically - to about N papers:
plain renamed replicas of vocabulary 2 (``kg/vocab.py``): every triple that names an IRI minted
per paper or per entity (paper, entity, claim, evidence, sentence, acronym, assignment and
relation IRIs) is copied once per replica with those IRIs renamed (``paper/s17-<id>``...);
literals, the topic scheme and the topic links are not copied (a topic link's kg:sharedPaper
list names every copy's papers; its counts stay the template's). Every copy is about the same
topics, and the statistics the library queries count at read time grow with the copies.
Figures from it are labelled synthetic.

Measured, each in this one run and process: bulk-load time (when loaded) and on-disk size of
the store; rdflib's parse time and memory; and the latency of every library query
(``queries/*.rq``, run with each of its ``@example`` parameters): median and p95 of R runs after
one warm-up, wall clock and CPU time of this process (the machine may be shared: CPU time is
what one uncontended core would take). The Oxigraph figures are for the on-disk store opened
read-only, i.e. what ``kg query DIR`` and ``kg serve`` use; rdflib runs the same SPARQL text on
a Graph parsed from the same triples, so the ratio compares engines on identical data and
queries. rdflib is skipped (``--no-rdflib``) or limited to fewer runs (``--rdflib-runs``) where
it would take too long.
"""

from __future__ import annotations

import argparse
import io
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402
from results import record, relative  # noqa: E402 - this directory, as the script's own

from kg.sparql.library import list_queries, parse_params  # noqa: E402
from kg.sparql.query import run_query  # noqa: E402
from kg.store.core import GRAPH_FILE, Publisher, is_store, open_store, read_manifest  # noqa: E402
from kg.vocab import DATA_BASE, KG  # noqa: E402

#: IRI namespaces renamed per synthetic copy (everything minted per paper or per entity).
RENAMED = (
    "paper/",
    "entity/",
    "claim/",
    "evidence/",
    "sentence/",
    "acronym/",
    "assignment/",
    "relation/",
)


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


class _Replicas(io.RawIOBase):
    """N-Triples of ``copies`` renamed replicas of ``template`` (+ the shared lines), streamed."""

    def __init__(self, shared: bytes, template: bytes, copies: int) -> None:
        self.parts = iter([shared] + [None] * copies)
        self.template = template
        self.k = 0
        self.buf = memoryview(b"")
        self.pos = 0

    def _next_part(self) -> bytes | None:
        part = next(self.parts, b"")
        if part is None:  # a copy
            self.k += 1
            prefix = f"{DATA_BASE}".encode()
            data = self.template
            for ns in RENAMED:
                data = data.replace(
                    prefix + ns.encode(), prefix + ns.encode() + f"s{self.k}-".encode()
                )
            return data
        return part or None

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while self.pos >= len(self.buf):
            part = self._next_part()
            if part is None:
                return 0
            self.buf, self.pos = memoryview(part), 0
        n = min(len(b), len(self.buf) - self.pos)
        b[:n] = self.buf[self.pos : self.pos + n]
        self.pos += n
        return n


def split_template(turtle: Path) -> tuple[bytes, bytes, int]:
    """(shared N-Triples lines, per-copy template lines, papers in the graph).

    A triple is in the template when its subject or object is an IRI of a :data:`RENAMED`
    namespace, else shared (the topic scheme, the graph's own node, the extractors)."""
    renamed = tuple(DATA_BASE + ns for ns in RENAMED)
    paper_class = str(KG.Paper)
    shared, template = [], []
    papers = 0
    for t in ox.parse(path=str(turtle), format=ox.RdfFormat.TURTLE):
        line = f"{t.subject} {t.predicate} {t.object} .\n"
        values = [x.value for x in (t.subject, t.object) if isinstance(x, ox.NamedNode)]
        (template if any(v.startswith(renamed) for v in values) else shared).append(line)
        if t.predicate.value.endswith("22-rdf-syntax-ns#type") and t.object.value == paper_class:
            papers += 1
    return "".join(shared).encode(), "".join(template).encode(), papers


def replicas(turtle: Path, copies: int) -> io.BufferedReader:
    """N-Triples of ``copies`` renamed copies of ``turtle``, streamed."""
    shared, template, _ = split_template(turtle)
    return io.BufferedReader(_Replicas(shared, template, copies), 1 << 20)


def synthetic_store(
    turtle: Path, papers_wanted: int, work: Path, reuse: bool = False
) -> tuple[Path, int, int, float]:
    """A store of ~``papers_wanted`` papers built from copies of ``turtle``.

    Returns (store dir, copies, papers, bulk-load seconds; NaN when an existing one is reused)."""
    papers = split_template(turtle)[2]
    copies = max(1, round(papers_wanted / papers))
    out = work / f"synthetic-{copies}x"
    if reuse and is_store(out) and read_manifest(out).papers == papers * copies:
        return out, copies, papers * copies, float("nan")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    data = replicas(turtle, copies)  # the graph is parsed and split before the clock starts
    started = time.perf_counter()
    with Publisher(out) as pub:
        pub.stage_load(data, ox.RdfFormat.N_TRIPLES, None)
        pub.publish(papers * copies, "build")
    return out, copies, papers * copies, time.perf_counter() - started


def real_store(turtle: Path, work: Path) -> tuple[Path, float]:
    """A fresh store bulk-loaded from ``turtle`` (as ``kg build`` does); -> (dir, seconds)."""
    out = work / "store"
    if out.exists():
        shutil.rmtree(out)
    started = time.perf_counter()
    with Publisher(out) as pub:
        pub.stage_turtle(turtle, None)
        pub.publish(0, "build")
    return out, time.perf_counter() - started


def time_query(target, sparql: str, runs: int, cap_s: float = float("inf")) -> dict:
    """Median/p95 of ``runs`` timed runs after a warm-up run. A warm-up slower than ``cap_s``
    is the only measurement (``runs`` is then 1)."""
    w, c = time.perf_counter(), time.process_time()
    rows = len(run_query(target, sparql).rows)  # warm-up, and the row count
    first = ((time.perf_counter() - w) * 1000, (time.process_time() - c) * 1000)
    if first[0] > cap_s * 1000:
        return {
            "rows": rows,
            "median": first[0],
            "p95": first[0],
            "cpu_median": first[1],
            "runs": 1,
        }
    wall, cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        run_query(target, sparql)
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return {
        "rows": rows,
        "median": statistics.median(wall),
        "p95": _p95(wall),
        "cpu_median": statistics.median(cpu),
        "runs": runs,
    }


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(0.95 * len(values) + 0.5) - 1))]


def library_cases() -> list[tuple[str, str, str]]:
    """(query, example parameters, SPARQL) for every ``@example`` of every library query, and
    every ``@precompute`` parameter set twice: computed, and served from the answer the store
    generation keeps (``kept``; kg.sparql.answers)."""
    cases = []
    for q in list_queries():
        for example in q.examples or [""]:
            values = parse_params(example.split()) if example else {}
            cases.append((q.name, example, q.render(values)))
        for line in q.precompute:
            values = parse_params(line.split()) if line else {}
            cases.append((q.name, f"{line} computed", q.render(values)))
            cases.append((q.name, f"{line} kept", q.render(values)))
    return cases


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("graph", type=Path, help="graph.ttl or a kg build directory")
    ap.add_argument(
        "--synthetic-papers",
        type=int,
        default=0,
        help="scale the graph up to about this many papers (synthetic)",
    )
    ap.add_argument("--runs", type=int, default=20, help="timed runs per query on Oxigraph")
    ap.add_argument("--rdflib-runs", type=int, default=5, help="timed runs per query on rdflib")
    ap.add_argument(
        "--rdflib-cap",
        type=float,
        default=60.0,
        help="seconds: an rdflib query slower than this is run (and reported) once",
    )
    ap.add_argument("--no-rdflib", action="store_true", help="Oxigraph only")
    ap.add_argument(
        "--reload",
        action="store_true",
        help="a build directory: bulk-load its graph.ttl into a fresh store instead of "
        "measuring its store in place",
    )
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the synthetic store a previous run left in --work (no load figure)",
    )
    ap.add_argument(
        "--work", type=Path, default=None, help="where to build stores (default: a temp dir)"
    )
    ap.add_argument("--markdown", type=Path, default=None, help="append the tables to this file")
    args = ap.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="kg-bench-store-"))
    turtle = args.graph / GRAPH_FILE if args.graph.is_dir() else args.graph
    command = "python benchmarks/bench_store.py " + " ".join(sys.argv[1:])
    lines = [f"### `{command}`", ""]
    label = "synthetic" if args.synthetic_papers else "real"

    if args.synthetic_papers:
        store, copies, papers, load_s = synthetic_store(
            turtle, args.synthetic_papers, work, reuse=args.reuse
        )
        what = f"synthetic: {copies} renamed copies of {turtle} = {papers} papers"
    elif args.graph.is_dir() and is_store(args.graph) and not args.reload:
        store, load_s = args.graph, float("nan")
        what = f"{args.graph} (its store, in place)"
    else:
        store, load_s = real_store(turtle, work)
        what = f"{turtle}"
    handle = open_store(store)
    triples = len(handle.store)
    size = _du(store / "store")
    lines += [
        f"Graph: {what} ({label}), {triples:,} triples. "
        f"Machine: {platform.machine()}, Python {platform.python_version()}, pyoxigraph "
        f"{ox.__version__ if hasattr(ox, '__version__') else '?'}.",
        "",
        "| load | figure |",
        "|---|---|",
        "| Oxigraph bulk load + compaction (store on disk) | "
        + (f"{load_s:.1f} s |" if load_s == load_s else "not loaded here (reused or in place) |"),
        f"| Oxigraph store size on disk | {size / 1e6:.1f} MB |",
    ]

    graph = None
    figures: dict = {
        "graph": label,
        "triples": triples,
        "load_s": round(load_s, 1) if load_s == load_s else None,  # NaN: a reused store
        "store_mb": round(size / 1e6, 1),
    }
    if not args.no_rdflib:
        from rdflib import Graph

        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        graph = Graph()
        if args.synthetic_papers:
            data = replicas(turtle, copies).read()
            graph.parse(data=data.decode("utf-8"), format="nt")
        else:
            graph.parse(turtle, format="turtle")
        parse_s = time.perf_counter() - started
        rss = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1e3
        figures.update(rdflib_parse_s=round(parse_s, 1), rdflib_mb=round(rss))
        lines += [
            f"| rdflib parse into a Graph (memory store) | {parse_s:.1f} s |",
            f"| rdflib peak memory growth | {rss:.0f} MB |",
        ]
    lines += [""]

    head = "| query (example params) | rows | Oxigraph median ms | p95 ms | CPU median ms |"
    sep = "|---|---:|---:|---:|---:|"
    if graph is not None:
        head += " rdflib median ms | p95 ms | CPU median ms | rdflib / Oxigraph (wall, CPU) |"
        sep += "---:|---:|---:|---:|"
    lines += [head, sep]
    slowest = ("", 0.0, 0.0, 0.0)  # rdflib's slowest case: name, median, wall ratio, CPU ratio
    worst = ("", 0.0, 0.0)  # Oxigraph's slowest case: name, median, CPU median
    cases = []
    for name, example, sparql in library_cases():
        case = f"{name} ({example or 'no params'})"
        # a bare pyoxigraph store computes every query; the handle serves kept answers
        ox_t = time_query(
            handle.store if example.endswith("computed") else handle, sparql, args.runs
        )
        row = (
            f"| {case} | {ox_t['rows']} | {ox_t['median']:.1f} | "
            f"{ox_t['p95']:.1f} | {ox_t['cpu_median']:.1f} |"
        )
        if ox_t["median"] > worst[1]:
            worst = (case, ox_t["median"], ox_t["cpu_median"])
        cases.append(
            {
                "case": case,
                "rows": ox_t["rows"],
                "median_ms": round(ox_t["median"], 1),
                "p95_ms": round(ox_t["p95"], 1),
                "cpu_ms": round(ox_t["cpu_median"], 1),
            }
        )
        if graph is not None:
            rd = time_query(graph, sparql, args.rdflib_runs, args.rdflib_cap)
            ratio = rd["median"] / ox_t["median"]
            cpu_ratio = rd["cpu_median"] / max(ox_t["cpu_median"], 1e-3)
            row += (
                f" {rd['median']:.0f} | {rd['p95']:.0f} | {rd['cpu_median']:.0f} | "
                f"{ratio:.0f}x, {cpu_ratio:.0f}x |"
            )
            if rd["rows"] != ox_t["rows"]:
                row += f" rdflib: {rd['rows']} rows"
            if rd["runs"] == 1:
                row += " (rdflib: 1 run, over --rdflib-cap)"
            if rd["median"] > slowest[1]:
                slowest = (case, rd["median"], ratio, cpu_ratio)
            cases[-1].update(rdflib_median_ms=round(rd["median"], 1), ratio=round(ratio, 1))
        lines.append(row)
        print(row, flush=True)
    lines += [
        "",
        f"Slowest on Oxigraph: {worst[0]}, {worst[1]:.1f} ms median ({worst[2]:.1f} ms CPU).",
    ]
    if graph is not None:
        lines.append(
            f"Slowest on rdflib: {slowest[0]}, {slowest[1]:.0f} ms median: Oxigraph is "
            f"{slowest[2]:.0f}x faster (wall clock), {slowest[3]:.0f}x (CPU time)."
        )
    lines.append("")
    figures.update(
        cases=len(cases),
        under_100ms=sum(c["median_ms"] < 100 for c in cases),
        slowest={"case": worst[0], "median_ms": round(worst[1], 1), "cpu_ms": round(worst[2], 1)},
    )
    if graph is not None:
        figures["rdflib_slowest"] = {
            "case": slowest[0],
            "median_ms": round(slowest[1], 1),
            "ratio": round(slowest[2], 1),
            "cpu_ratio": round(slowest[3], 1),
        }
    figures["queries"] = cases
    record(
        "bench_store",
        figures,
        {
            "graph": relative(args.graph),
            "synthetic_papers": args.synthetic_papers,
            "runs": args.runs,
            "rdflib": not args.no_rdflib,
            "rdflib_runs": args.rdflib_runs,
            "reuse": args.reuse,
            "in_place": load_s != load_s and not args.synthetic_papers,
        },
    )
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        with args.markdown.open("a", encoding="utf-8") as out:
            out.write(text + "\n")
    handle.close()


if __name__ == "__main__":
    main()
