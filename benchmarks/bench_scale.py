"""Benchmark ``kg build`` at scale (issue 7): wall time, papers/s, peak RSS, overhead.

    python benchmarks/bench_scale.py [--sizes 1000 5000 10000 all]
                                     [--configs local:1 local:2 dask:2] [--no-bare]
                                     [--corpus FILE] [--work DIR] [--results FILE]

For every size (the first N abstracts of the corpus; ``all`` = the whole file) and every
configuration (``ENGINE:WORKERS``), in this order:

* ``kg build INPUT -o DIR -q --fresh --workers W --engine E`` as a subprocess (a new output
  directory, no checkpoints reused): wall time, papers/s, the stage times it prints, and the peak
  RSS of its whole process tree (parent + workers + Dask scheduler/nanny/workers), sampled every
  0.2 s with psutil (the sum over processes: what the machine must hold);
* unless ``--no-bare``: the bare model on the same texts, once per worker count: a subprocess
  that reads and deduplicates the same input, loads the same pipeline (in each of W spawned
  processes) and times only ``nlp.pipe(chunk, batch_size=32)`` over chunks of 256 texts, with the
  model already loaded (no record conversion, linking or RDF). spaCy's own ``n_process`` cannot
  be used: it serializes Docs between processes and ours carry Span-valued extensions.
  overhead = ``kg build`` wall time / bare ``nlp.pipe`` wall time (same W).

The machine's 1-minute load average is recorded before each run (the cores may be shared).
Results are appended as JSON lines to ``--results`` and printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from results import record, relative

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "data" / "corpus" / "ml_abstracts.jsonl.gz"

BARE = r"""
import json, multiprocessing, sys, time
from kg.build import read_papers
from kg.extract import load_pipeline
from kg.extract.sections import paper_text

def init():
    global nlp
    nlp = load_pipeline()

def run(texts):
    for doc in nlp.pipe(texts, batch_size=32):
        pass
    return len(texts)

if __name__ == "__main__":
    started = time.perf_counter()
    papers, _ = read_papers([sys.argv[1]], lambda p: None)
    texts = [paper_text(p.title, p.abstract) for p in papers]
    words = sum(len(t.split()) for t in texts)
    workers = int(sys.argv[2])
    chunks = [texts[i : i + 256] for i in range(0, len(texts), 256)]
    if workers == 1:
        init()
        t = time.perf_counter()
        for chunk in chunks:
            run(chunk)
    else:  # spaCy's n_process cannot ship our Docs (Span-valued extensions): a pool, as kg does
        pool = multiprocessing.get_context("spawn").Pool(workers, initializer=init)
        pool.map(run, [texts[:1]] * workers, chunksize=1)  # every worker has its model loaded
        t = time.perf_counter()
        assert sum(pool.imap_unordered(run, chunks)) == len(texts)
    pipe = time.perf_counter() - t
    print(json.dumps({"papers": len(texts), "words": words, "pipe_s": round(pipe, 2),
                      "total_s": round(time.perf_counter() - started, 2)}))
"""


def subset(corpus: Path, n: int | None, work: Path) -> Path:
    if n is None:
        return corpus
    path = work / f"corpus-{n}.jsonl"
    if not path.exists():
        with gzip.open(corpus, "rt", encoding="utf-8") as src, path.open("w") as out:
            for i, line in enumerate(src):
                if i >= n:
                    break
                out.write(line)
    return path


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(cmd: list[str], env: dict | None = None) -> tuple[float, int, int, str, str]:
    """Run ``cmd``; -> (wall seconds, peak RSS of the process tree, peak single RSS, out, err).

    The CPU seconds of the whole tree (user + system, every process waited for) are left in
    ``run_measured.cpu``."""
    import psutil

    cpu_before = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    peak_sum = peak_one = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_sum, peak_one
        parent = psutil.Process(proc.pid)
        while not stop.is_set():
            try:
                procs = [parent, *parent.children(recursive=True)]
                rss = []
                for p in procs:
                    try:
                        rss.append(p.memory_info().rss)
                    except psutil.Error:
                        pass
                peak_sum = max(peak_sum, sum(rss))
                peak_one = max(peak_one, max(rss, default=0))
            except psutil.Error:
                pass
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    run_measured.cpu = round(_children_cpu() - cpu_before, 1)
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    return wall, peak_sum, peak_one, out, err


def kg_build(inp: Path, out: Path, engine: str, workers: int, store: bool = True) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "kg", "build", str(inp), "-o", str(out), "-q", "--fresh",
           "--workers", str(workers), "--engine", engine]  # fmt: skip
    if not store:
        cmd.append("--no-store")
    load = os.getloadavg()[0]
    wall, peak, one, stdout, _ = run_measured(cmd)
    papers = int(re.search(r"papers:\s+(\d+)", stdout).group(1))
    triples = int(re.search(r"triples:\s+(\d+)", stdout).group(1))
    stages = dict(
        (k, float(v)) for k, v in re.findall(r"(extract|link|write|load) ([\d.]+)", stdout)
    )
    return {
        "papers": papers,
        "triples": triples,
        "wall_s": round(wall, 1),
        "cpu_s": run_measured.cpu,
        "papers_per_s": round(papers / wall, 1),
        "peak_rss_mb": peak >> 20,
        "peak_one_mb": one >> 20,
        "stages": stages,
        "load_before": round(load, 1),
        "ttl_mb": (out / "graph.ttl").stat().st_size >> 20,
        "command": " ".join(cmd[1:]),
    }


def bare(inp: Path, workers: int, work: Path) -> dict:
    script = work / "bare_model.py"  # a file: spawned processes re-import the main module
    script.write_text(BARE, encoding="utf-8")
    load = os.getloadavg()[0]
    wall, peak, one, stdout, _ = run_measured([sys.executable, str(script), str(inp), str(workers)])
    result = json.loads(stdout.strip().splitlines()[-1])
    result.update(peak_rss_mb=peak >> 20, load_before=round(load, 1), wall_s=round(wall, 1),
                  cpu_s=run_measured.cpu)  # fmt: skip
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", nargs="+", default=["1000", "5000", "10000", "all"])
    ap.add_argument(
        "--configs",
        nargs="+",
        default=["local:1", "local:2", "dask:2"],
        help="ENGINE:WORKERS[:nostore] (nostore: graph.ttl only, no Oxigraph store)",
    )
    ap.add_argument("--no-bare", action="store_true")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--work", type=Path, default=Path("/tmp/kg-bench-scale"))
    ap.add_argument("--results", type=Path, default=Path("/tmp/kg-bench-scale/results.jsonl"))
    ap.add_argument("--keep", action="store_true", help="keep the output directories")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes:
        n = None if size == "all" else int(size)
        inp = subset(args.corpus, n, args.work)
        bare_of: dict[int, dict] = {}
        for config in args.configs:
            engine, workers, *flags = config.split(":")
            workers, store = int(workers), "nostore" not in flags
            out = args.work / f"out-{size}-{engine}-{workers}{'' if store else '-nostore'}"
            row = {"size": size, "engine": engine, "workers": workers, "store": store,
                   **kg_build(inp, out, engine, workers, store)}  # fmt: skip
            if not args.keep:
                shutil.rmtree(out, ignore_errors=True)
            print(json.dumps(row), flush=True)
            if not args.no_bare:
                if workers not in bare_of:
                    bare_of[workers] = bare(inp, workers, args.work)
                b = bare_of[workers]
                row["bare"] = b
                row["overhead"] = round(row["wall_s"] / b["pipe_s"], 2)
                # the issue-3 figure: words of the whole build per second and per process
                row["words_per_s_per_process"] = round(b["words"] / row["wall_s"] / workers)
            rows.append(row)
            with args.results.open("a") as f:
                f.write(json.dumps(row) + "\n")
            print(json.dumps(row), flush=True)
    record(
        "bench_scale",
        {"runs": rows},
        {
            "sizes": args.sizes,
            "configs": args.configs,
            "bare": not args.no_bare,
            "corpus": relative(args.corpus),
        },
    )
    print()
    print("| abstracts | engine | workers | store | wall s | papers/s | peak RSS MB | stages (s) | "
          "bare nlp.pipe s | build / bare | triples | load avg |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        stages = ", ".join(f"{k} {v:g}" for k, v in r["stages"].items())
        b = r.get("bare", {})
        print(f"| {r['papers']:,} | {r['engine']} | {r['workers']} | "
              f"{'yes' if r['store'] else 'no'} | {r['wall_s']} | "
              f"{r['papers_per_s']} | {r['peak_rss_mb']:,} | {stages} | {b.get('pipe_s', '')} | "
              f"{r.get('overhead', '')} | {r['triples']:,} | {r['load_before']} |")  # fmt: skip


if __name__ == "__main__":
    main()
