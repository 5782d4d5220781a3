"""The gold data sets training and evaluation both read: one reader module per data set.

:mod:`kg.datasets.scierc` turns SciERC (DyGIE JSON lines) into spaCy ``Doc`` objects with gold
entities; :mod:`kg.datasets.csabstruct` reads CSAbstruct sentence-role files and builds the Doc
of an abstract's gold sentences. They live below both ``kg.train`` and ``kg.evaluation`` so that
neither has to import the other to read a file (layer 1: only the shared bottom and spaCy).

Where the data sets are is also said here, once: the shared data directory beside the checkout
(``../shared/data``), which training, evaluation and the benchmarks all default to.
"""

from pathlib import Path

#: The shared data directory (gold sets and the corpus), beside the repository.
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
#: SciERC in DyGIE JSON lines: ``train.json``, ``dev.json``, ``test.json``.
SCIERC = SHARED_DATA / "scierc"
#: CSAbstruct sentence roles: ``train.jsonl``, ``dev.jsonl``, ``test.jsonl``.
CSABSTRUCT = SHARED_DATA / "csabstruct"
