"""BENCHMARKS.md's table is generated from benchmarks/results/*.jsonl: the committed page must be
what the committed data give, and a new run must show up in it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "benchmarks" / "report.py"


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, env=env, check=False
    )


def test_committed_page_matches_the_data() -> None:
    result = run(str(REPORT), "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_fails_on_a_stale_page_and_a_rewrite_fixes_it(tmp_path: Path) -> None:
    page = tmp_path / "BENCHMARKS.md"
    page.write_text((ROOT / "BENCHMARKS.md").read_text(encoding="utf-8"), encoding="utf-8")
    results = tmp_path / "results"
    shutil.copytree(ROOT / "benchmarks" / "results", results)
    script = (
        "import sys; sys.path.insert(0, 'benchmarks'); from results import record; "
        "record('sample_entities', {'judged': 120, 'ok': 111, 'ok_2': 110, 'share': 0.93}, "
        "{'score': 'benchmarks/data/entities_eval_fresh8.tsv'})"
    )
    recorded = run("-c", script, env={**os.environ, "KG_BENCH_RESULTS": str(results)})
    assert recorded.returncode == 0, recorded.stderr
    line = json.loads((results / "sample_entities.jsonl").read_text().splitlines()[-1])
    assert {"date", "git", "cpus", "load_1min", "params", "figures"} <= line.keys()

    args = [str(REPORT), "--file", str(page), "--results", str(results)]
    assert run(*args, "--check").returncode == 1
    assert run(*args).returncode == 0
    assert run(*args, "--check").returncode == 0
    row = next(r for r in page.read_text().splitlines() if r.startswith("| Entity nodes"))
    assert "**111 and 110 of 120**" in row and ">= 110 of 120: **met**" in row
