"""The graph's files on disk: their names, and the one atomic writer every stage uses.

One writer, durable: data is fsynced before the rename and the directory after it, so a file
is either absent or complete even across a power cut (the store's manifest depends on it, and
a checkpoint that a resume trusts must not be a torn write either; the cost, a few ms per file,
is nothing next to extracting a batch).
"""

from __future__ import annotations

import os
from pathlib import Path

#: The build output's Turtle file (``DIR/graph.ttl``).
GRAPH_FILE = "graph.ttl"


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to ``path``, which is then either absent or complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("wb") as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)
