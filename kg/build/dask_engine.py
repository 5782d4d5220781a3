"""The Dask engine: the same jobs as :mod:`kg.build.engines`, as ``dask.bag`` partitions.

One partition per batch. Workers extract (each loads the pipeline once, :func:`~kg.build.worker.
pipeline`) and send back the checkpoint bytes; workers write the N-Triples (and Turtle) of each
part and send back the bytes. Only the coordinating process (the client) touches ``OUT``, so
workers need no shared file system: a cluster needs the ``kg`` package (with its model) on every
worker, that is all. Without a scheduler address a ``LocalCluster`` of ``workers`` processes
is started; its workers share this machine's disk, so they write their checkpoints and stream
their parts straight to ``OUT`` instead, and send back only the summaries (shipping every part's
N-Triples and Turtle through the client made the corpus build's write stage twice as long as
the process pool's; the checkpoints' bytes cost extraction time and raised the client's memory
peak).

A batch whose task fails on the cluster (Dask retries it on another worker first, then gives up
with ``KilledWorker``) is reported and skipped; a re-run retries it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from kg.build.batches import (
    BatchSpec,
    BatchSummary,
    failed_summary,
    write_part,
)
from kg.build.engines import PartJob, PartResult, write_part_job
from kg.build.worker import extract_batch, extract_batch_to
from kg.errors import KGError
from kg.rdf.files import write_atomic
from kg.rdf.ntriples import TURTLE_SUFFIX


def _extract_partition(specs: list[BatchSpec], batch_size: int, model, setup) -> list:
    return [extract_batch(spec, batch_size, model, setup) for spec in specs]


def _extract_partition_to_disk(
    specs: list[BatchSpec], directory: Path, batch_size: int, model, setup
) -> list:
    return [extract_batch_to(spec, directory, batch_size, model, setup) for spec in specs]


def _part_partition(jobs: list[PartJob]) -> list:
    return [(job.index, *write_part(job.source, job.offset, job.resolution, None)) for job in jobs]


def _part_partition_to_disk(jobs: list[PartJob]) -> list:
    return [write_part_job(job) for job in jobs]


class DaskEngine:
    def __init__(
        self,
        workers: int = 2,
        scheduler: str | None = None,
        batch_size: int = 32,
        model: str | None = None,
        setup=None,
        processes: bool = True,
        ship_bytes: bool | None = None,
    ) -> None:
        """``ship_bytes``: checkpoints, N-Triples and Turtle go through the client (no shared
        disk); None: only when connected to a scheduler."""
        try:
            from distributed import Client, LocalCluster
        except ImportError as err:
            raise KGError("--engine dask needs Dask: pip install 'dask[distributed]'") from err
        self.batch_size, self.model, self.setup = batch_size, model, setup
        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout="20s")
            except OSError as err:
                raise KGError(f"cannot reach the Dask scheduler at {scheduler}: {err}") from err
            self.name = f"dask, scheduler {scheduler}"
        else:
            self.cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=processes,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
            self.name = f"dask, LocalCluster of {workers} workers"
        self.ship_bytes = scheduler is not None if ship_bytes is None else ship_bytes
        self._check_workers(model)

    def _check_workers(self, model: str | None) -> None:
        """Every worker must run the same pipeline as the client (the checkpoints' keys)."""
        from kg.build.batches import pipeline_fingerprint

        mine = pipeline_fingerprint(model)
        try:
            theirs = self.client.run(pipeline_fingerprint, model)
        except Exception as err:  # noqa: BLE001 - e.g. kg not installed on a worker
            self.close()
            raise KGError(f"Dask workers cannot run kg: {type(err).__name__}: {err}") from err
        other = sorted(w for w, fp in theirs.items() if fp != mine)
        if other:
            self.close()
            raise KGError(
                f"Dask workers {', '.join(other)} have a different kg pipeline or version than "
                "this machine: install the same kg (and model) on every worker"
            )

    def _window(self) -> int:
        """Partitions in flight at once: enough to keep every worker busy, few enough that
        the client never holds the inputs and results of the whole corpus (it did: 4.4 GB)."""
        try:
            workers = len(self.client.scheduler_info().get("workers", {}))
        except Exception:  # noqa: BLE001 - an unreachable scheduler fails the tasks anyway
            workers = 0
        return max(4, 3 * workers)

    def _each(
        self,
        items: Sequence,
        bag_of: Callable,
        on_result: Callable,
        on_error: Callable,
        prepare: Callable | None = None,
    ) -> None:
        """Run one partition per item, a sliding window of them at a time; ``prepare(item)``
        makes what is shipped (e.g. reads a checkpoint) just before it is submitted."""
        import dask.bag as db
        from distributed import as_completed

        todo = list(items)
        if not todo:
            return
        running = as_completed()
        item_of: dict = {}

        def submit(item) -> None:
            payload = prepare(item) if prepare is not None else item
            (delayed,) = bag_of(db.from_sequence([payload], npartitions=1)).to_delayed()
            future = self.client.compute(delayed)
            item_of[future.key] = item
            running.add(future)

        window = self._window()
        for item in todo[:window]:
            submit(item)
        following = iter(todo[window:])
        for future in running:
            item = item_of.pop(future.key)
            try:
                results = future.result()
            except Exception as err:  # noqa: BLE001 - KilledWorker, errors outside the pipeline
                on_error(item, err)
            else:
                for result in results:
                    on_result(result)
            future.release()
            nxt = next(following, None)
            if nxt is not None:
                submit(nxt)

    def extract(
        self, specs: Sequence[BatchSpec], directory: Path, on_done: Callable[[BatchSummary], None]
    ) -> None:
        def on_error(spec, err) -> None:
            on_done(failed_summary(spec, f"{type(err).__name__}: {err}"))

        if not self.ship_bytes:  # the workers write their checkpoints to OUT themselves
            self._each(
                specs,
                lambda bag: bag.map_partitions(
                    _extract_partition_to_disk,
                    Path(directory),
                    self.batch_size,
                    self.model,
                    self.setup,
                ),
                on_done,
                on_error,
            )
            return

        def on_result(result) -> None:
            summary, data = result
            write_atomic(Path(directory) / summary.name, data)
            on_done(summary)

        self._each(
            specs,
            lambda bag: bag.map_partitions(
                _extract_partition, self.batch_size, self.model, self.setup
            ),
            on_result,
            on_error,
        )

    def write_parts(self, jobs: Sequence[PartJob], on_done: Callable[[PartResult], None]) -> None:
        def on_error(job, err) -> None:
            raise KGError(f"writing N-Triples part {job.index} failed on the cluster: {err}")

        if not self.ship_bytes:  # the workers write to OUT themselves
            self._each(
                jobs, lambda bag: bag.map_partitions(_part_partition_to_disk), on_done, on_error
            )
            return
        dest = {job.index: job.dest for job in jobs}

        def shipped(job: PartJob) -> PartJob:  # the checkpoint's bytes: no shared disk needed
            return PartJob(job.index, job.source.read_bytes(), job.offset, job.resolution, job.dest)

        def on_result(result) -> None:
            index, count, data, ttl = result
            write_atomic(dest[index], data)
            write_atomic(dest[index].with_suffix(TURTLE_SUFFIX), ttl)
            on_done(PartResult(index, count))

        self._each(
            jobs, lambda bag: bag.map_partitions(_part_partition), on_result, on_error, shipped
        )

    def close(self, graceful: bool = True) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()
