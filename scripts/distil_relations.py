"""Label the candidate pairs of silver corpus abstracts with the accurate relation classifier.

Why: SciERC train has ~1,800 relations, too few for the default pipeline's sparse
``kg_relations`` model; the accurate pipeline's MiniLM + LoRA classifier (59.5 vs 51.0 F1 on
SciERC dev given gold entities) can label as many corpus abstracts as time allows, and
``kg train relations --silver FILE`` trains the sparse model on its labels next to SciERC's
(distillation, issue 18).

Input: a spaCy DocBin of ``silver``-split corpus abstracts whose ``doc.ents`` are the accurate
recognizer's spans (``scripts/silver_ner.py``; never SciERC dev). Output (JSON lines, one per
abstract, kept outside the repository): ``{"words": lower-cased tokens, "groups": [[[start,
end, type], ...] per sentence], "pairs": [[group, i, j, [15 class probabilities]], ...]}``;
the pairs are :func:`kg.extract.relations.candidate_pairs` of
:func:`kg.extract.relations.sentence_groups`, as the sparse model sees them (minus the few the
teacher cannot see, past its 256 word pieces).

    OMP_NUM_THREADS=1 nice -n 10 python scripts/distil_relations.py \
        /work/silver/silver6k.spacy /tmp/h4/silver_rel.jsonl --limit 2000
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("docbin", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--limit", type=int, default=2000, help="abstracts to label (first N)")
    ap.add_argument("--skip", type=int, default=0, help="abstracts to skip first (to resume)")
    ap.add_argument("--batch", type=int, default=16, help="abstracts per teacher batch")
    args = ap.parse_args(argv)

    import spacy
    import torch
    from spacy.lang.en import English
    from spacy.tokens import DocBin

    from kg.extract import ACCURATE_PIPELINE_DIR
    from kg.extract.components.kg_relations import RelationExtractor
    from kg.extract.relations import sentence_bounds

    torch.set_num_threads(1)
    teacher = RelationExtractor(English(), "kg_relations")
    teacher.from_disk(ACCURATE_PIPELINE_DIR / "kg_relations")
    model = teacher.model
    if model.kind != "transformer":
        raise SystemExit(f"{ACCURATE_PIPELINE_DIR}: its kg_relations is not the MiniLM model")
    vocab = spacy.blank("en").vocab
    docs = DocBin().from_disk(args.docbin).get_docs(vocab)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    started, done, n_pairs = time.perf_counter(), 0, 0
    cache: dict = {}
    with open(args.out, "a" if args.skip else "w", encoding="utf8") as out:
        batch: list = []

        def flush() -> None:
            nonlocal n_pairs
            items = [x for _, its in batch for x in its]
            probs = model.probabilities(items)
            k = 0
            for doc, its in batch:
                groups, pairs = [], []
                for g, x in enumerate(its):
                    groups.append([list(s) for s in x["group"]])
                    for i, j in x["pairs"]:
                        pairs.append([g, i, j, [round(float(p), 4) for p in probs[k]]])
                        k += 1
                n_pairs += len(pairs)
                row = {"words": [t.lower_ for t in doc], "groups": groups, "pairs": pairs}
                out.write(json.dumps(row) + "\n")
            batch.clear()

        for n, doc in enumerate(docs):
            if n < args.skip:
                continue
            if n >= args.skip + args.limit:
                break
            spans = [(e.start, e.end, e.label_) for e in doc.ents]
            batch.append((doc, model.items(doc, sentence_bounds(doc), spans, cache)))
            done += 1
            if len(batch) >= args.batch:
                flush()
            if done % 200 == 0:
                out.flush()
                rate = done / (time.perf_counter() - started)
                print(f"{done} abstracts, {n_pairs} pairs, {rate:.1f}/s", file=sys.stderr)
        if batch:
            flush()
    print(f"{done} abstracts, {n_pairs} pairs -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
