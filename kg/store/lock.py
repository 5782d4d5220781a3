"""File locks for a store directory (POSIX ``fcntl.flock``; released by the kernel if we die).

* One **writer** at a time: :class:`WriterLock` takes ``store/write.lock`` exclusively and without
  waiting; a second writer gets a :class:`StoreBusy` error naming the holder's pid and command.
* **Readers** never wait for writers (a writer builds a new generation next to the current one).
  A reader holds a shared lock on the generation it has open (:func:`hold_generation`) so that a
  writer's clean-up never deletes a generation still in use (:func:`lock_for_removal`).
"""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path

from kg.errors import KGError

WRITE_LOCK = "write.lock"
READERS_LOCK = "readers.lock"


class StoreBusy(KGError):
    """Another process is writing the store."""


class WriterLock:
    """Exclusive, non-blocking writer lock on ``store_dir``; a context manager.

    ``what`` is recorded in the lock file (with the pid) so the error a second writer gets says
    who holds the lock.
    """

    def __init__(self, store_dir: Path, what: str = "") -> None:
        self.store_dir = Path(store_dir)
        self.what = what or " ".join(Path(a).name if i == 0 else a for i, a in enumerate(sys.argv))
        self._fd: int | None = None

    def acquire(self) -> WriterLock:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        path = self.store_dir / WRITE_LOCK
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise StoreBusy(
                f"{self.store_dir.parent}: store is being written by another process ({holder}); "
                "try again when it has finished"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}: {self.what}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
            finally:
                os.close(self._fd)  # closing drops the flock
                self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> WriterLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 500, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "pid unknown"


def writer_active(store_dir: Path) -> str | None:
    """Who holds the writer lock right now (``"pid N: ..."``), or None; does not take it."""
    path = Path(store_dir) / WRITE_LOCK
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def hold_generation(generation_dir: Path) -> int | None:
    """Take a shared lock marking ``generation_dir`` as in use; returns the fd (close to release).

    Waits only while a writer's clean-up holds the lock to delete the generation (the caller then
    finds it gone and opens the current one). None when the lock file cannot be opened.
    """
    try:
        fd = os.open(Path(generation_dir) / READERS_LOCK, os.O_RDONLY)
    except OSError:
        return None
    fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


def lock_for_removal(generation_dir: Path) -> int | None:
    """Exclusive lock on a generation nobody reads, held while it is deleted; None if in use."""
    path = Path(generation_dir) / READERS_LOCK
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return -1  # nothing to lock: no reader can hold it
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd
