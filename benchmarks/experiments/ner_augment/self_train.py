"""Self-training data for the NER (issue 3 lever): the shipped NER labels corpus abstracts
(those sharing a sentence with SciERC dev are left out, as for pretraining), and the result is
written as a DocBin after the SciERC train docs. Experiment only; train with
``kg train ner --set paths.train=OUT``.

    python benchmarks/experiments/ner_augment/self_train.py OUT.spacy --n 700
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

from spacy.tokens import DocBin

from kg.errors import KGError
from kg.evaluation.scierc import NER_PIPES, load_ner_model
from kg.train.ner import SCIERC
from kg.train.pretrain import pretraining_text
from kg.datasets.scierc import load_scierc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("output", type=Path)
    ap.add_argument("--n", type=int, default=700, help="corpus abstracts to label")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        texts_path = Path(tmp) / "texts.jsonl"
        pretraining_text(texts_path)  # the corpus without SciERC dev overlap
        texts = [json.loads(line)["text"] for line in texts_path.open(encoding="utf-8")]
    random.Random(args.seed).shuffle(texts)
    nlp = load_ner_model()
    train, _ = load_scierc(SCIERC / "train.json", vocab=nlp.vocab)
    with nlp.select_pipes(enable=[p for p in NER_PIPES if p in nlp.pipe_names]):
        pseudo = list(nlp.pipe(texts[: args.n], batch_size=32))
    DocBin(docs=train + pseudo, store_user_data=False).to_disk(args.output)
    print(f"{len(train)} train + {len(pseudo)} pseudo-labelled docs -> {args.output}")


if __name__ == "__main__":
    try:
        main()
    except (KGError, OSError) as err:  # a missing or malformed input file
        sys.exit(f"self_train: {err}")
