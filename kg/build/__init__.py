"""``kg build`` and ``kg add``: the pipeline, ingest -> extract -> link -> RDF -> store, one path.

Modules, one job each:

* :mod:`kg.build.papers` - read the inputs, report their problems, deduplicate;
* :mod:`kg.build.batches` - batches of papers, their keys and checkpoint files;
* :mod:`kg.build.worker` - what a worker runs: extract one batch (crash-isolated);
* :mod:`kg.build.engines` - the in-process and process-pool engines;
* :mod:`kg.build.dask_engine` - the Dask engine (``dask.bag``, LocalCluster or a scheduler);
* :mod:`kg.build.linking` - the global step (entity resolution, topics) over the checkpoints;
* :mod:`kg.build.load` - bulk load of the N-Triples parts into Oxigraph, ``graph.ttl``;
* :mod:`kg.build.run` - the stages in order (:func:`build`, :func:`run`), progress, Ctrl-C;
* :mod:`kg.build.add` - ``kg add``: new papers into a store, through the same stages.
"""

from kg.build.add import AddResult, add
from kg.build.linking import LinkedGraph, link
from kg.build.papers import read_papers
from kg.build.run import DEFAULT_OUT, ENGINES, BuildOptions, BuildResult, build, run

__all__ = [
    "DEFAULT_OUT",
    "ENGINES",
    "AddResult",
    "BuildOptions",
    "BuildResult",
    "LinkedGraph",
    "add",
    "build",
    "link",
    "read_papers",
    "run",
]
