"""Mention-replacement augmentation of SciERC train (Dai & Adel 2020, "An Analysis of Simple
Data Augmentation for Named Entity Recognition"): each copy of a training doc replaces every
entity, with probability ``p``, by a random mention of the same label from other train docs.

Experiment only (issue 3's "data augmentation" lever); writes a DocBin with the originals
followed by ``copies`` augmented copies of each doc. Train on it with
``kg train ner --set paths.train=OUT``; dev is untouched.

    python benchmarks/experiments/ner_augment/augment.py OUT.spacy --copies 1 --p 0.5
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from pathlib import Path

from spacy.tokens import Doc, DocBin, Span
from spacy.vocab import Vocab

from kg.errors import KGError
from kg.train.ner import SCIERC
from kg.datasets.scierc import load_scierc

SCIERC_TRAIN = SCIERC / "train.json"


def augment(docs: list[Doc], copies: int, p: float, seed: int) -> list[Doc]:
    rng = random.Random(seed)
    pool: dict[str, list[tuple[list[str], list[bool]]]] = defaultdict(list)
    for doc in docs:
        for ent in doc.ents:
            pool[ent.label_].append(([t.text for t in ent], [bool(t.whitespace_) for t in ent]))
    out = list(docs)
    for _ in range(copies):
        for doc in docs:
            words: list[str] = []
            spaces: list[bool] = []
            ents: list[tuple[int, int, str]] = []
            i = 0
            starts = {e.start: e for e in doc.ents}
            while i < len(doc):
                ent = starts.get(i)
                if ent is None:
                    words.append(doc[i].text)
                    spaces.append(bool(doc[i].whitespace_))
                    i += 1
                    continue
                if rng.random() < p:
                    w, s = rng.choice(pool[ent.label_])
                    s = [*s[:-1], bool(doc[ent.end - 1].whitespace_)]
                else:
                    w = [t.text for t in ent]
                    s = [bool(t.whitespace_) for t in ent]
                ents.append((len(words), len(words) + len(w), ent.label_))
                words += w
                spaces += s
                i = ent.end
            new = Doc(doc.vocab, words=words, spaces=spaces)
            new.ents = [Span(new, a, b, label=lab) for a, b, lab in ents]
            out.append(new)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("output", type=Path)
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--p", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--train", type=Path, default=SCIERC_TRAIN)
    args = ap.parse_args()
    docs, _ = load_scierc(args.train, vocab=Vocab())
    out = augment(docs, args.copies, args.p, args.seed)
    DocBin(docs=out, store_user_data=False).to_disk(args.output)
    n_ents = sum(len(d.ents) for d in out)
    print(f"{len(docs)} docs -> {len(out)} docs, {n_ents} entities -> {args.output}")


if __name__ == "__main__":
    try:
        main()
    except (KGError, OSError) as err:  # a missing or malformed input file
        sys.exit(f"augment: {err}")
