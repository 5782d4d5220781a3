"""Train the scientific entity recognizer (``tok2vec`` + ``ner``) on SciERC with spaCy's own API.

``train_ner`` reproduces the shipped model end to end from the shared data: SciERC -> DocBin,
floret vectors from the in-domain corpus (when the config uses static vectors and none are
given), then ``spacy.cli.train.train`` with ``configs/ner.cfg``.  The ``ner`` component listens to
the shared ``tok2vec`` component (``spacy.Tok2VecListener.v1``), so both must be sourced together.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import spacy
from spacy.util import registry

from kg.datasets import SCIERC
from kg.datasets.scierc import convert_scierc
from kg.errors import KGError

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = ROOT / "configs" / "ner.cfg"


class TimeLimitReached(Exception):
    """Raised by the time-limited logger right after an evaluation once the budget is spent."""


@registry.loggers("kg.TimeLimitedConsoleLogger.v1")
def time_limited_console_logger(max_minutes: float, progress_bar: bool = False):
    """spaCy's console logger that stops training after ``max_minutes`` (checked at evaluations,
    so ``model-best`` and ``model-last`` are always complete)."""
    from spacy.training.loggers import console_logger  # spacy.ConsoleLogger.v2

    console = console_logger(progress_bar=progress_bar)

    def setup(nlp, stdout: IO = None, stderr: IO = None) -> tuple[Callable, Callable]:
        log_step, finalize = console(nlp, stdout, stderr)
        start = time.monotonic()

        def log(info: dict[str, Any] | None) -> None:
            log_step(info)
            if info is not None and time.monotonic() - start > max_minutes * 60:
                raise TimeLimitReached(f"time limit of {max_minutes} min reached")

        return log, finalize

    return setup


def config_uses_static_vectors(config_path: Path, overrides: dict | None = None) -> bool:
    cfg = spacy.util.load_config(config_path, overrides=overrides or {}, interpolate=False)
    embed = cfg["components"]["tok2vec"]["model"].get("embed", {})
    return bool(embed.get("include_static_vectors", False))


def train_ner(
    output_dir: Path,
    *,
    seed: int = 0,
    max_minutes: float | None = None,
    vectors: Path | None = None,
    config: Path = DEFAULT_CONFIG,
    overrides: dict[str, Any] | None = None,
    train_path: Path | None = None,
    dev_path: Path | None = None,
    limit: int | None = None,
    silver: Path | None = None,
    gold_repeat: int = 4,
) -> Path:
    """Train the NER model into ``output_dir`` and return ``output_dir / "model-best"``.

    ``vectors``: a spaCy pipeline dir holding static vectors (see :mod:`kg.train.vectors`); when
    None and the config uses static vectors, floret vectors are trained into
    ``output_dir / "vectors"`` first.  ``overrides`` are spaCy config overrides (dotted keys).
    ``limit`` keeps only the first N train/dev documents (for smoke tests).

    ``silver``: a DocBin of corpus abstracts labelled by the accurate recognizer
    (``scripts/silver_ner.py``), mixed into the training set with SciERC train repeated
    ``gold_repeat`` times. Why: distillation; the transformer teacher scores 64 F1 where the
    CNN alone gets 56, and its labels on thousands of in-domain abstracts teach the student
    what SciERC's 350 abstracts cannot. The gold copies keep SciERC's conventions dominant
    where the teacher errs.
    """
    from spacy.cli.train import train as spacy_train

    output_dir = Path(output_dir)
    train_path = Path(train_path or SCIERC / "train.json")
    dev_path = Path(dev_path or SCIERC / "dev.json")
    config = Path(config)
    if not config.is_file():
        raise KGError(f"{config}: config not found")
    corpus = output_dir / "corpus"
    convert_scierc(train_path, corpus / "train.spacy", limit=limit)
    convert_scierc(dev_path, corpus / "dev.spacy", limit=limit)
    if silver is not None:
        mix_silver(corpus / "train.spacy", Path(silver), gold_repeat, limit=limit)

    ov: dict[str, Any] = {
        "paths.train": str(corpus / "train.spacy"),
        "paths.dev": str(corpus / "dev.spacy"),
        "system.seed": seed,
    }
    ov.update(overrides or {})
    if config_uses_static_vectors(config, ov):
        if vectors is None:
            from kg.train.vectors import train_vectors

            vectors = train_vectors(output_dir / "vectors", seed=seed)
        ov["paths.vectors"] = str(vectors)
    elif vectors is not None:
        ov["paths.vectors"] = str(vectors)
    if max_minutes is not None:
        ov["training.logger"] = {
            "@loggers": "kg.TimeLimitedConsoleLogger.v1",
            "max_minutes": float(max_minutes),
            "progress_bar": False,
        }
    try:
        spacy_train(config, output_dir, overrides=ov)
    except TimeLimitReached as stop:
        print(f"Stopped: {stop}; model-best and model-last are saved in {output_dir}")
    best = output_dir / "model-best"
    if not best.is_dir():
        raise KGError(f"training produced no model in {output_dir}")
    return best


def mix_silver(train_file: Path, silver: Path, gold_repeat: int, limit: int | None = None) -> int:
    """Rewrite ``train_file`` as ``gold_repeat`` copies of the gold docs plus the silver docs;
    returns the number of silver docs."""
    from spacy.tokens import DocBin

    if not silver.is_file():
        raise KGError(f"{silver}: silver DocBin not found (make it with scripts/silver_ner.py)")
    if gold_repeat < 1:
        raise KGError("gold_repeat must be at least 1")
    try:
        silver_bin = DocBin().from_disk(silver)
    except (ValueError, OSError) as err:
        raise KGError(f"{silver}: not a spaCy DocBin ({err})") from err
    gold = DocBin().from_disk(train_file)
    vocab = spacy.blank("en").vocab
    gold_docs = list(gold.get_docs(vocab))
    silver_docs = list(silver_bin.get_docs(vocab))[: limit or None]
    mixed = DocBin(store_user_data=False)
    for _ in range(gold_repeat):
        for doc in gold_docs:
            mixed.add(doc)
    for doc in silver_docs:
        mixed.add(doc)
    mixed.to_disk(train_file)
    return len(silver_docs)
