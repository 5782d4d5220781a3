"""``kg build`` and ``kg add`` show progress on a terminal (papers/s, ETA, the stage), on every
path, and none with ``--quiet`` or when stderr is not a terminal (issue 22). The terminal is a
real pseudo-terminal of width 0, as an unsized pty reports (tqdm alone draws nothing there)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kg.ingest import SAMPLE_DIR

SMALL = SAMPLE_DIR / "000_bcbd85c17ff45941.txt"  # 7 papers
MEDIUM = SAMPLE_DIR / "001_25be13e0edc890ca.txt"  # 50 papers
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


def _on_a_terminal(*args: str, cwd: Path) -> tuple[int, str, str]:
    """Run ``kg ARGS`` with stderr on a pty: (exit code, stdout, what the terminal showed)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", *args], cwd=cwd, env=ENV,
        stdout=subprocess.PIPE, stderr=slave, text=True,
    )  # fmt: skip
    os.close(slave)
    shown = bytearray()

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the process closed the terminal
                return
            if not data:
                return
            shown.extend(data)

    reader = threading.Thread(target=drain)
    reader.start()
    out, _ = proc.communicate(timeout=600)
    reader.join(timeout=30)
    os.close(master)
    return proc.returncode, out, shown.decode("utf-8", "replace")


def _piped(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], cwd=cwd, env=ENV,
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip


@pytest.mark.parametrize("workers", ["1", "2"])
def test_build_shows_progress_on_a_terminal_only(tmp_path, workers):
    code, out, shown = _on_a_terminal(
        "build", str(MEDIUM), "-o", "out", "-j", workers, cwd=tmp_path
    )
    assert code == 0, shown
    assert "extract:" in shown and "/50 [" in shown and "paper/s" in shown, shown
    assert "kg: linking 50 papers..." in shown
    assert "paper/s" not in out and "wrote out/graph.ttl" in out  # stdout: the summary only

    code, out, shown = _on_a_terminal(
        "build", str(SMALL), "-o", "quiet", "-j", workers, "--quiet", cwd=tmp_path
    )
    assert code == 0 and shown.strip() == "", shown

    proc = _piped("build", str(SMALL), "-o", "piped", "-j", workers, cwd=tmp_path)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


def test_add_shows_progress_on_a_terminal(tmp_path):
    assert _piped("build", str(SMALL), "-o", "out", cwd=tmp_path).returncode == 0
    code, out, shown = _on_a_terminal("add", str(MEDIUM), "--store", "out", cwd=tmp_path)
    assert code == 0, shown
    assert "extract:" in shown and "/43 [" in shown and "paper/s" in shown, shown
    assert "kg: linking 50 papers..." in shown
    assert "new:      43 papers" in out
