"""Hostile input end to end (issue 22): a record too long to be an abstract, one with too many
entities, a line that is not UTF-8, files of no input type. Every build path (in-memory, scaled
with two workers) and ``kg add`` skip or cut what is bad, name it with file and line, count it
in the summary and build the rest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.extract.doc_records import MAX_ENTITIES_PER_PAPER
from kg.ingest.inputs import MAX_RECORD_CHARS

KG = [sys.executable, "-m", "kg"]


def _kg(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*KG, *args], cwd=cwd, capture_output=True, text=True, timeout=600,
        env={**__import__("os").environ, "OMP_NUM_THREADS": "1"},
    )  # fmt: skip


def _titles(out: Path) -> set[str]:
    proc = subprocess.run(
        [*KG, "query", str(out), "SELECT ?t WHERE { ?p a kg:Paper ; dcterms:title ?t }",
         "--format", "json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return {row["t"]["value"] for row in json.loads(proc.stdout)["results"]["bindings"]}


def _many_entities() -> str:
    return "We propose FooNet. " + " ".join(
        f"We compare FooNet with Baseline{i}Net on the Set{i}QA benchmark." for i in range(200)
    )


def _write_inputs(folder: Path, tag: str) -> None:
    """good, too long, too many entities, not UTF-8, good; and a stray PDF."""
    folder.mkdir()
    good = "We propose {0}, a retrieval-augmented generation method. {0} beats baselines."
    lines = [
        json.dumps({"title": f"Good paper one {tag}", "abstract": good.format("AlphaRAG")}),
        json.dumps({"title": f"Huge {tag}", "abstract": "word " * (MAX_RECORD_CHARS // 4)}),
        json.dumps({"title": f"Crowded {tag}", "abstract": _many_entities()}),
    ]
    data = "\n".join(lines).encode() + b'\n{"title": "Caf\xe9", "abstract": "Latin-1."}\n'
    last = {"title": f"Good paper two {tag}", "abstract": good.format("BetaRAG")}
    (folder / "in.jsonl").write_bytes(data + json.dumps(last).encode() + b"\n")
    (folder / "paper.pdf").write_bytes(b"%PDF-1.4 not an input")


def _check_run(proc: subprocess.CompletedProcess, folder: str, tag: str) -> None:
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    err = proc.stderr.splitlines()
    assert f"kg: skipped {folder}: 1 entry of no input type not read: paper.pdf " in err[0]
    assert any(
        line.startswith(f"kg: skipped {folder}/in.jsonl:2: record too long (") for line in err
    ), proc.stderr
    assert any(
        line.startswith(f"kg: skipped {folder}/in.jsonl:4:15: not UTF-8 text (byte 0xe9)")
        for line in err
    ), proc.stderr
    assert any(
        line.startswith(f"kg: truncated {folder}/in.jsonl:3: ")
        and f"kept the first {MAX_ENTITIES_PER_PAPER} ('Crowded {tag}')" in line
        for line in err
    ), proc.stderr
    assert "  skipped:  2 records (see messages above)" in proc.stdout
    assert "  truncated: 1 papers with too many entities (see above)" in proc.stdout
    assert "  not read: files of no input type in 1 directories (see above)" in proc.stdout


@pytest.mark.parametrize("workers", ["1", "2"])
def test_build_skips_and_cuts_bad_records_and_builds_the_rest(tmp_path, workers):
    _write_inputs(tmp_path / "in", "A")
    proc = _kg("build", "in", "-o", "out", "-q", "--workers", workers, cwd=tmp_path)
    _check_run(proc, "in", "A")
    assert "extract" in proc.stdout  # every build reports its stages (one path)
    assert _titles(tmp_path / "out") == {"Good paper one A", "Crowded A", "Good paper two A"}
    entities = subprocess.run(
        [*KG, "query", str(tmp_path / "out"), "--format", "json",
         'SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?p dcterms:title "Crowded A" ; '
         "kg:mentions ?e }"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    count = json.loads(entities.stdout)["results"]["bindings"][0]["n"]["value"]
    assert 100 < int(count) <= MAX_ENTITIES_PER_PAPER

    if workers == "1":  # kg add reads through the same ingest and extraction
        _write_inputs(tmp_path / "more", "B")
        proc = _kg("add", "more", "--store", "out", "-q", cwd=tmp_path)
        _check_run(proc, "more", "B")
        assert _titles(tmp_path / "out") == {
            f"{kind} {tag}" for kind in ("Good paper one", "Crowded", "Good paper two")
            for tag in "AB"
        }  # fmt: skip


def test_nothing_usable_counts_records_not_unread_files(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.md").write_text("not an input\n")
    (tmp_path / "in" / "bad.jsonl").write_bytes(
        b'{"title": "Caf\xe9", "abstract": "x"}\n{oops\n{"title": "no abstract"}\n'
    )
    proc = _kg("build", "in", "-o", "out", "-q", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("kg: skipped in: 1 entry of no input type not read: notes.md")
    assert lines[-1] == "kg: error: no usable papers in the inputs (3 records skipped)"
    assert len(lines) == 5  # the directory, three records, the error
