"""Mentions of a corpus split with their evidence, as JSON lines, for judging and for training
the termhood classifier (issue 19).

    python scripts/termhood_mentions.py judge --papers 600 -o /work/termhood/judge.jsonl
    python scripts/termhood_mentions.py eval --papers 600 -o /work/termhood/eval.jsonl

Each line: paper id, the mention's text, type, extractor, relation, field, offsets and its
sentence. ``--pipeline`` picks another spaCy pipeline directory (default: the shipped one).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("split", choices=["judge", "eval"])
    ap.add_argument("--papers", type=int, default=600)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pipeline", type=Path, default=None)
    ap.add_argument("-o", "--out", type=Path, required=True)
    args = ap.parse_args(argv)

    from corpus_splits import split

    from kg.extract import load_pipeline
    from kg.extract.doc_records import extract
    from kg.records import Paper

    rows = split(args.split)
    chosen = random.Random(args.seed).sample(rows, min(args.papers, len(rows)))
    papers = [Paper(title=r["title"], abstract=r["abstract"], id=r["id"]) for r in chosen]
    nlp = load_pipeline(args.pipeline)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with args.out.open("w", encoding="utf-8") as f:
        for ext in extract(papers, nlp):
            for m in ext.mentions:
                row = {
                    "paper": ext.paper.id,
                    "text": m.text,
                    "type": m.label,
                    "extractor": m.extractor,
                    "relation": m.relation,
                    "field": m.field,
                    "start": m.start,
                    "end": m.end,
                    "sentence": m.sentence,
                    "sent_start": m.sent_start,
                }
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
    print(f"{len(papers)} papers, {n} mentions -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
