"""Benchmark results as data: every run appends one JSON line to ``benchmarks/results/NAME.jsonl``.

Why data and not prose: figures copied by hand into BENCHMARKS.md drifted from what the scripts
printed (its summary quoted a pipeline speed two sessions old beside a newer one further down).
Each script now calls :func:`record` once per run with its headline figures, the parameters it
ran with, the git revision, the time, the core count and how busy the machine was, and
``benchmarks/report.py`` rebuilds BENCHMARKS.md's table from the latest lines.

A line::

    {"date": "2026-12-07T10:15:02+00:00", "git": "66cc697+dirty", "cpus": 2, "load_1min": 3.1,
     "params": {...}, "figures": {...}}

Lines seeded from the old hand-written BENCHMARKS.md carry ``"imported": true`` and the
revision whose text first gave the figure. ``KG_BENCH_RESULTS=DIR`` sends the lines elsewhere
(a scratch run that should not count).

A new benchmark calls ``record("bench_x", {...}, {...})`` once at the end of its run (after
computing, before or after printing: the printed output is its own business); if a figure has a
target, add a ``Target`` to ``report.py`` and run it. A committed line is what BENCHMARKS.md
shows, so run ``python benchmarks/report.py`` and commit the ``.jsonl`` with the page.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"


def results_dir() -> Path:
    """Where lines go: ``$KG_BENCH_RESULTS`` when set, else ``benchmarks/results``."""
    return Path(os.environ.get("KG_BENCH_RESULTS") or RESULTS)


def git_revision(root: Path = ROOT) -> str:
    """Short HEAD, plus ``+dirty`` when tracked files differ from it (the figure then may not be
    reproducible from the revision alone); ``unknown`` outside a git checkout."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        rev = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev + ("+dirty" if dirty else "")


def relative(path: str | Path | None) -> str | None:
    """A path as it should appear in params: relative to the repository when inside it, so
    lines from different checkouts compare equal."""
    if path is None:
        return None
    p = Path(path).resolve()
    try:
        return str(p.relative_to(ROOT))
    except ValueError:
        return str(path)


def record(name: str, figures: dict, params: dict | None = None) -> Path:
    """Append one run of benchmark ``name`` to ``results/NAME.jsonl``; -> the file.

    ``figures`` are what the run measured (nested dicts and lists of plain values), ``params``
    what it was asked to do (paths are best passed through :func:`relative`). The load average
    is sampled now, at the end of the run, so it includes the benchmark's own load."""
    line = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git": git_revision(),
        "cpus": os.cpu_count(),
        "load_1min": round(os.getloadavg()[0], 2),
        "params": params or {},
        "figures": figures,
    }
    folder = results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.jsonl"
    with path.open("a", encoding="utf-8") as out:  # one write per line: appends do not interleave
        out.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
    print(f"recorded in {path}", file=sys.stderr)
    return path
