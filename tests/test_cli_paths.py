"""Bad paths given to the ``kg`` commands are one line on stderr naming the path and a non-zero
exit, never a traceback (a user review's findings): an output that is a directory, an output
under a file, an unwritable output, a query file that is binary or a directory, a negative
LIMIT parameter; and a build directory's ``store/`` is accepted wherever the build directory is.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import KGError
from kg.sparql.library import render_library_query


def _kg(*args: str, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _one_line_error(proc: subprocess.CompletedProcess, *names: str) -> str:
    """The error line of a failed command: non-zero exit, one line, naming every name."""
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr, proc.stderr
    line = proc.stderr.strip()
    assert "\n" not in line, proc.stderr
    assert line.startswith("kg: error: "), line
    for name in names:
        assert name in line, line
    return line


@pytest.fixture(scope="module")
def out(sample_build) -> Path:
    return sample_build[1]


@pytest.fixture(scope="module")
def sample_input() -> Path:
    from kg.ingest import sample_inputs

    (first,) = sample_inputs()[:1]
    return Path(first)


# --- outputs: a directory where a file goes, a file where a directory goes, unwritable -------


@pytest.mark.parametrize("command", ["viz", "export"])
def test_output_file_that_is_a_directory(out, tmp_path, command):
    line = _one_line_error(_kg(command, str(out), "-o", str(tmp_path)), str(tmp_path))
    assert line.endswith("Is a directory")


@pytest.mark.parametrize("command", ["viz", "export"])
def test_output_file_under_a_file(out, tmp_path, command):
    target = out / "graph.ttl" / "x.html"
    line = _one_line_error(_kg(command, str(out), "-o", str(target)), str(target))
    assert line.endswith(f"{out / 'graph.ttl'} is a file, not a directory")
    assert (out / "graph.ttl").is_file()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("command", ["viz", "export"])
def test_output_file_in_an_unwritable_place(out, command):
    _one_line_error(_kg(command, str(out), "-o", "/proc/kg-no/x.out"), "/proc/kg-no/x.out")


def test_build_output_that_is_a_file_fails_before_extracting(out, sample_input, tmp_path):
    graph = out / "graph.ttl"
    line = _one_line_error(_kg("build", "-q", str(sample_input), "-o", str(graph)), str(graph))
    assert line.endswith("it is a file, not a directory")
    below = graph / "sub"
    line = _one_line_error(_kg("build", "-q", str(sample_input), "-o", str(below)), str(below))
    assert line.endswith(f"{graph} is a file, not a directory")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc (Linux)")
def test_build_output_that_cannot_be_made(sample_input):
    _one_line_error(_kg("build", "-q", str(sample_input), "-o", "/proc/kg-no"), "/proc/kg-no")


def test_the_up_front_check_leaves_no_directory_behind(tmp_path):
    """A build whose inputs are unusable fails after the check: no empty output remains."""
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    target = tmp_path / "a" / "b"
    proc = _kg("build", "-q", str(bad), "-o", str(target))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert not (tmp_path / "a").exists()


def test_train_output_that_is_a_file(out):
    graph = out / "graph.ttl"
    for command in ("ner", "claims", "relations", "pretrain", "ner-accurate"):
        _one_line_error(_kg("train", command, "-o", str(graph)), str(graph))


# --- kg query --file -------------------------------------------------------------------------


def test_query_file_that_is_not_utf8(out, tmp_path):
    png = tmp_path / "some.png"
    png.write_bytes(b"SELECT\n\x89PNG\r\n\x1a\n\xff\xfe\x00")
    line = _one_line_error(_kg("query", str(out), "--file", str(png)), f"{png}:2:")
    assert "not UTF-8 text" in line and "0x89 in column 1" in line


def test_query_file_that_is_a_directory(out):
    line = _one_line_error(_kg("query", str(out), "--file", str(out)), str(out))
    assert line.endswith("is a directory, not a query file")


# --- library query parameters ----------------------------------------------------------------


def test_negative_limit_is_refused_in_one_line(out):
    line = _one_line_error(
        _kg("query", str(out), "--name", "papers-using", "-p", "method=LoRA", "-p", "limit=-1"),
        "limit",
    )
    assert line == "kg: error: parameter limit: must be a non-negative integer, got '-1'"
    assert "SPARQL" not in line


def test_every_row_count_parameter_is_checked():
    for name in ("compared-with", "evaluated-on", "used-for"):
        with pytest.raises(KGError, match="non-negative"):
            render_library_query(name, ["entity=T5", "limit=-3"])
    assert "LIMIT 0" in render_library_query("papers-using", ["method=LoRA", "limit=0"])
    # min is no row count: a negative one is a valid (if pointless) comparison
    assert ">= -1" in render_library_query("top-datasets", ["min=-1"])


# --- a build directory's store/ names the build directory ------------------------------------

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_query_export_validate_viz_take_the_store_directory(out, tmp_path):
    by_dir = _kg("query", str(out), COUNT, "--format", "csv")
    by_store = _kg("query", str(out / "store"), COUNT, "--format", "csv")
    assert by_store.returncode == 0, by_store.stderr
    assert by_store.stdout == by_dir.stdout
    proc = _kg("validate", str(out / "store"), "-n", "1")
    assert proc.returncode == 0 and proc.stdout.startswith("OK: "), proc.stderr
    proc = _kg("export", str(out / "store"), "-f", "ntriples", "-o", str(tmp_path / "g.nt"))
    assert proc.returncode == 0, proc.stderr
    proc = _kg("viz", str(out / "store"), "-o", str(tmp_path / "g.html"))
    assert proc.returncode == 0 and (tmp_path / "g.html").is_file(), proc.stderr


def test_migrate_takes_the_store_directory(out, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    proc = _kg("migrate", "-q", str(copy / "store"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"{copy}: already in the current vocabulary")


def test_a_store_like_directory_elsewhere_is_still_refused(tmp_path):
    lone = tmp_path / "store"
    lone.mkdir()
    (lone / "CURRENT.json").write_text("{}")
    _one_line_error(_kg("query", str(lone), COUNT), str(lone))


# --- kg serve's start-up lines ---------------------------------------------------------------


def _startup(store: Path, *args: str) -> str:
    """stderr of ``kg serve`` up to its "Ctrl-C to stop" line; the server is then stopped."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", str(store), "--port", "0", "--workers", "1", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    try:
        for line in proc.stderr:
            lines.append(line)
            if "Ctrl-C" in line or len(lines) > 20:
                break
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return "".join(lines)


def test_serve_names_the_update_endpoint_only_when_updates_are_allowed(out, tmp_path):
    read_only = _startup(out / "store")  # the store directory itself is accepted too
    assert "query endpoint: http://127.0.0.1:" in read_only, read_only
    assert "update" not in read_only
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    assert "update endpoint: http://127.0.0.1:" in _startup(copy, "--allow-update")
