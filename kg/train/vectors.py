"""Floret (subword-hashed fastText) vectors trained on the in-domain abstract corpus.

Floret keeps the table small and fixed (``bucket`` rows x ``dim``) and still gives every word,
including unseen ones, a vector from its character n-grams. The text is tokenized with spaCy's
own English tokenizer and lowercased, and the vectors are keyed on ``LOWER``, so training and
run time see the same tokens.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from pathlib import Path

import spacy

from kg.datasets import SHARED_DATA
from kg.errors import KGError

CORPUS = SHARED_DATA / "corpus" / "ml_abstracts.jsonl.gz"

# Sized for a shared 2-core CPU: ~7 CPU-minutes on the 6.6M-token corpus, 8 MB table.
DEFAULTS = dict(dim=100, bucket=20000, minn=4, maxn=5, hash_count=2, epoch=2, model="cbow")


def corpus_texts(corpus: Path) -> Iterator[str]:
    """Title + abstract of each record of the gzipped JSONL corpus, one string per abstract.

    A missing corpus fails here, at the call, before any output file is opened."""
    if not Path(corpus).is_file():
        raise KGError(f"{corpus}: corpus not found")

    def texts() -> Iterator[str]:
        with gzip.open(corpus, "rt", encoding="utf8") as fh:
            for line in fh:
                rec = json.loads(line)
                yield " ".join(x for x in (rec.get("title"), rec.get("abstract")) if x)

    return texts()


def tokenized_corpus(corpus: Path, output: Path) -> int:
    """Write each abstract (title + abstract) lowercased and spaCy-tokenized on one line.

    Returns the number of tokens written."""
    texts = corpus_texts(corpus)
    nlp = spacy.blank("en")
    output.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with output.open("w", encoding="utf8") as out:
        for doc in nlp.tokenizer.pipe(texts, batch_size=1000):
            toks = [t.lower_ for t in doc if not t.is_space]
            n += len(toks)
            out.write(" ".join(toks) + "\n")
    return n


def train_vectors(
    output_dir: Path,
    *,
    corpus: Path = CORPUS,
    seed: int = 0,  # recorded only: floret (1 thread) is deterministic with its fixed seed
    threads: int = 1,
    **params,
) -> Path:
    """Train floret vectors and return a spaCy pipeline dir holding only them (``[initialize]
    vectors`` / ``paths.vectors`` accepts it)."""
    import floret  # only needed here
    from spacy.training.initialize import convert_vectors

    p = {**DEFAULTS, **params}
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    text = output_dir / "corpus.txt"
    if not text.exists():
        tokenized_corpus(corpus, text)
    t0 = time.time()
    model = floret.train_unsupervised(
        str(text),
        model=p["model"],
        mode="floret",
        dim=p["dim"],
        bucket=p["bucket"],
        minn=p["minn"],
        maxn=p["maxn"],
        hashCount=p["hash_count"],
        epoch=p["epoch"],
        minCount=3,
        thread=threads,
        verbose=2,
    )
    floret_file = output_dir / "vectors.floret"
    model.save_floret_vectors(str(floret_file))
    nlp = spacy.blank("en")
    convert_vectors(nlp, floret_file, truncate=0, prune=-1, mode="floret", attr="LOWER")
    vec_dir = output_dir / "model"
    nlp.to_disk(vec_dir)
    (output_dir / "params.json").write_text(
        json.dumps({**p, "seed": seed, "minutes": round((time.time() - t0) / 60, 2)}, indent=2)
    )
    return vec_dir
