"""Pretrain the entity recognizer's ``tok2vec`` on the in-domain corpus with ``spacy pretrain``.

SciERC has only 350 training abstracts; the corpus has 34,791 unlabeled ML abstracts. spaCy's
pretraining (the "characters" objective: predict each word's first and last characters from its
context) teaches the CNN encoder in-domain context before the NER sees a label, and costs nothing
at run time: the architecture is unchanged, only the starting weights differ.

Why a wrapper and not the ``spacy pretrain`` command: it builds the pipeline with
``load_model_from_config``, which skips ``[initialize] vectors``, and our ``tok2vec`` reads the
static floret vectors (``include_static_vectors``), whose width must be known before the model is
initialised. A registered ``[nlp] after_creation`` callback loads the vectors into the vocab; the
rest is spaCy's own ``pretrain()``, reading the ``[pretraining]`` block of ``configs/ner.cfg``:
one config for both steps, so the pretrained weights fit the NER's ``tok2vec`` and ``spacy train``
loads them (``paths.init_tok2vec``) through that same block.

Evaluation hygiene: corpus abstracts that share a sentence with the SciERC dev set (2 of 50 dev
abstracts are in the corpus) are left out of the pretraining text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.util import registry

from kg.datasets import SCIERC
from kg.datasets.scierc import read_scierc
from kg.errors import KGError
from kg.train.ner import DEFAULT_CONFIG
from kg.train.vectors import CORPUS, corpus_texts


@registry.callbacks("kg.load_vectors.v1")
def load_vectors_callback(path: str) -> Callable[[Language], Language]:
    """``[nlp] after_creation``: copy the static vectors of the pipeline at ``path`` into nlp."""

    def load(nlp: Language) -> Language:
        from spacy.training.initialize import load_vectors_into_model

        from kg.extract.pipeline import register_components

        register_components()  # the source may be the shipped pipeline, with our factories
        load_vectors_into_model(nlp, path)
        return nlp

    return load


def _normalized(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _dev_sentences(dev_path: Path) -> list[str]:
    """Normalized 80-letter prefixes of the dev sentences long enough to identify an abstract."""
    prefixes = []
    for record in read_scierc(dev_path):
        for sentence in record["sentences"]:
            norm = _normalized(" ".join(sentence))
            if len(norm) > 60:
                prefixes.append(norm[:80])
    return prefixes


def pretraining_text(output: Path, corpus: Path = CORPUS, dev_path: Path | None = None) -> dict:
    """Write the corpus as spaCy JSONL (``{"text": title + abstract}``) without dev abstracts."""
    texts = corpus_texts(corpus)
    held_out = _dev_sentences(Path(dev_path or SCIERC / "dev.json"))
    output.parent.mkdir(parents=True, exist_ok=True)
    kept = skipped = 0
    with output.open("w", encoding="utf8") as out:
        for text in texts:
            norm = _normalized(text)
            if any(s in norm for s in held_out):
                skipped += 1
                continue
            out.write(json.dumps({"text": text}) + "\n")
            kept += 1
    return {"abstracts": kept, "left_out_dev_overlap": skipped}


def pretrain_tok2vec(
    output_dir: Path,
    vectors: Path,
    *,
    config: Path = DEFAULT_CONFIG,
    corpus: Path = CORPUS,
    epochs: int = 1,
    seed: int = 0,
    overrides: dict | None = None,
    resume: Path | None = None,
) -> Path:
    """Pretrain the ``tok2vec`` of ``config`` and return the weights file for ``init_tok2vec``.

    ``resume``: weights of an earlier run (``modelN.bin``) to continue from, as epoch N + 1."""
    from spacy.training.pretrain import pretrain

    epoch_resume = None
    if resume is not None:  # checked before the minute spent writing the text
        found = re.search(r"model(\d+)\.bin$", Path(resume).name)
        if not found or not Path(resume).is_file():
            raise KGError(f"{resume}: expected an existing pretraining checkpoint modelN.bin")
        epoch_resume = int(found.group(1)) + 1
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    text = output_dir / "pretrain.jsonl"
    if not text.exists():
        stats = pretraining_text(text, corpus)
        (output_dir / "pretrain-text.json").write_text(json.dumps(stats, indent=2))
    ov = {
        "paths.raw_text": str(text),
        "system.seed": seed,
        # spaCy counts epochs from 0 and resumes at epoch_resume
        "pretraining.max_epochs": epochs + (epoch_resume or 0),
        "nlp.after_creation": {"@callbacks": "kg.load_vectors.v1", "path": str(vectors)},
        **(overrides or {}),
    }
    cfg = spacy.util.load_config(config, overrides=ov, interpolate=False)
    cfg.to_disk(output_dir / "pretrain.cfg")
    pretrain(
        cfg.interpolate(),
        output_dir,
        resume_path=Path(resume) if resume else None,
        epoch_resume=epoch_resume,
        silent=False,
    )
    weights = output_dir / "model-last.bin"
    if not weights.is_file():
        raise KGError(f"pretraining produced no weights in {output_dir}")
    return weights
