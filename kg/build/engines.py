"""Local engines: extraction and part writing in this process, or in a pool of N processes.

An engine runs two kinds of jobs and reports each finished one through a callback:

* ``extract(specs, directory, on_done)``: one checkpoint per :class:`BatchSpec`;
* ``write_parts(jobs, on_done)``: one N-Triples file (and its Turtle) per :class:`PartJob`.

The pool uses ``spawn`` processes (no fork of a process that holds threads or a loaded model);
each loads the pipeline once, in its initializer, and ignores SIGINT: Ctrl-C reaches the
coordinating process, which stops the workers (:meth:`PoolEngine.close`). A worker process that
dies (killed, out of memory) breaks the pool: the pool is restarted and the unfinished batches
are submitted again, at most ``MAX_RESTARTS`` times.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from kg.build.batches import BatchSpec, BatchSummary, failed_summary, write_part
from kg.build.worker import extract_batch_to
from kg.errors import KGError
from kg.link.resolve import Resolution

MAX_RESTARTS = 2
#: how much nicer than the coordinator a pool process writes its parts
PART_NICENESS = 5


@dataclass
class PartJob:
    index: int
    source: Path  # the batch's checkpoint
    offset: int  # global index of its first record
    resolution: Resolution  # its slice of the global resolution
    dest: Path
    #: also its Turtle; False: the coordinator writes it later (:meth:`_Run.write_and_load`)
    turtle: bool = True


@dataclass
class PartResult:
    index: int
    triples: int


def write_part_job(job: PartJob) -> PartResult:
    count, _, _ = write_part(job.source, job.offset, job.resolution, job.dest, job.turtle)
    return PartResult(job.index, count)


_LOWERED: list[bool] = []


def write_part_job_behind_the_load(job: PartJob) -> PartResult:
    """:func:`write_part_job` in a pool process, at a lower priority than the coordinator: its
    bulk load of the parts already written is the critical path of the build's end (8,000
    abstracts: 8.5 CPU-s, against 5 for writing the parts), and a part it has not loaded yet is
    worth less than the load. (The pool is stopped after the parts: the priority is not
    restored.)"""
    if not _LOWERED:
        _LOWERED.append(True)
        try:
            os.nice(PART_NICENESS)
        except (AttributeError, OSError):
            pass
    return write_part_job(job)


class InProcessEngine:
    """Everything in this process, one batch after the other (``--workers 1``)."""

    name = "local, 1 process"

    def __init__(self, batch_size: int = 32, model: str | None = None, setup=None) -> None:
        self.batch_size, self.model, self.setup = batch_size, model, setup

    def extract(
        self, specs: Sequence[BatchSpec], directory: Path, on_done: Callable[[BatchSummary], None]
    ) -> None:
        for spec in specs:
            on_done(extract_batch_to(spec, directory, self.batch_size, self.model, self.setup))

    def write_parts(self, jobs: Sequence[PartJob], on_done: Callable[[PartResult], None]) -> None:
        for job in jobs:
            on_done(write_part_job(job))

    def close(self, graceful: bool = True) -> None:
        pass


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the coordinator handles Ctrl-C


class PoolEngine:
    """A pool of ``workers`` processes, each with its own copy of the pipeline."""

    def __init__(
        self, workers: int, batch_size: int = 32, model: str | None = None, setup=None
    ) -> None:
        self.workers, self.batch_size, self.model, self.setup = workers, batch_size, model, setup
        self.name = f"local, {workers} processes"
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing

            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
            )
        return self._pool

    def _run(
        self,
        items: Sequence,
        submit: Callable[[ProcessPoolExecutor, object], Future],
        on_done: Callable,
        what: str,
        on_error: Callable | None = None,
    ) -> None:
        todo = list(items)
        restarts = 0
        while todo:
            pool = self._executor()
            futures = {submit(pool, item): item for item in todo}
            pending = set(futures)
            broken = False
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    except Exception as err:  # noqa: BLE001 - one batch, not the run
                        if on_error is None:
                            raise
                        result = on_error(futures[future], err)
                    todo.remove(futures[future])
                    on_done(result)
            if broken:
                self._kill()
                restarts += 1
                if restarts > MAX_RESTARTS:
                    raise KGError(
                        f"worker processes keep dying while {what} (out of memory?); "
                        f"{len(todo)} batches left undone; finished ones are kept"
                    )

    def extract(
        self, specs: Sequence[BatchSpec], directory: Path, on_done: Callable[[BatchSummary], None]
    ) -> None:
        def submit(pool, spec):
            return pool.submit(
                extract_batch_to, spec, directory, self.batch_size, self.model, self.setup
            )

        def failed(spec, err):
            return failed_summary(spec, f"{type(err).__name__}: {err}")

        self._run(specs, submit, on_done, "extracting", failed)

    def write_parts(self, jobs: Sequence[PartJob], on_done: Callable[[PartResult], None]) -> None:
        self._run(
            jobs,
            lambda pool, job: pool.submit(write_part_job_behind_the_load, job),
            on_done,
            "writing N-Triples",
        )

    def _kill(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:  # stop work in progress now (Ctrl-C, a broken pool)
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)

    def close(self, graceful: bool = True) -> None:
        if graceful and self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self._kill()
