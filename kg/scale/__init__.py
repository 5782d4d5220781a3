"""Scale-out builds: many processes or a Dask cluster, streaming, resumable (``kg build
--workers N``, ``--engine dask``).

Modules, one job each:

* :mod:`kg.scale.batches` - batches of papers, their keys and checkpoint files;
* :mod:`kg.scale.worker` - what a worker runs: extract one batch (crash-isolated);
* :mod:`kg.scale.engines` - in-process and process-pool engines;
* :mod:`kg.scale.dask_engine` - the Dask engine (``dask.bag``, LocalCluster or a scheduler);
* :mod:`kg.scale.linking` - the global step (entity resolution, topics) over the checkpoints;
* :mod:`kg.scale.ntriples` - N-Triples parts from :mod:`kg.rdf.writer`'s generators;
* :mod:`kg.scale.load` - bulk load into Oxigraph, ``graph.ttl`` from the store;
* :mod:`kg.scale.run` - the stages in order (:func:`build_scaled`), progress, Ctrl-C.
"""

from kg.scale.run import ENGINES, ScaleOptions, build_scaled

__all__ = ["ENGINES", "ScaleOptions", "build_scaled"]
