"""SciERC dev gold entities that become entity nodes: the recall side of the termhood stage.

SciERC's entity F1 (``bench_ner.py``) scores the recognizer alone; what a reader sees is the
spans the whole pipeline keeps after ``kg_termhood``. Of the dev set's gold non-Generic entities
(Generic is SciERC's "the method", "it"), counted once per (abstract, exact character span):

* ``recognizer``: the recognizer (``ner``) predicts exactly that span (any label);
* ``nodes``: the full default pipeline keeps exactly that span as an entity mention (any
  extractor), so it becomes an entity node;
* ``set_aside``: the span is found but ``kg_termhood`` sets it aside (``PaperExtraction.rejected``).

Each abstract is read as a paper without a title (SciERC has none). ``--dump TSV`` writes the
set-aside gold spans with their sentence and score (for judging whether they are terms a reader
would look up, or SciERC's generic phrases such as "features").

    OMP_NUM_THREADS=1 python benchmarks/bench_scierc_nodes.py [--model DIR] [--dump TSV]
        [--curve 0.5,0.6,0.7]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from results import record, relative  # noqa: E402 - this directory, as the script's own

from kg.datasets import SCIERC  # noqa: E402
from kg.datasets.scierc import read_scierc, record_to_doc  # noqa: E402

DEV = SCIERC / "dev.json"


def gold_spans(records: list[dict], vocab) -> tuple[list[str], list[dict[tuple[int, int], str]]]:
    """Per abstract: its text and {(start, end): label} of the non-Generic gold spans that
    :func:`record_to_doc` keeps (the few nested ones are dropped there, as in ``bench_ner``'s
    main figures); a trailing period is not part of the span, as the pipeline strips it from
    mentions."""
    texts, golds = [], []
    for rec in records:
        doc = record_to_doc(rec, vocab)
        gold: dict[tuple[int, int], str] = {}
        for ent in doc.ents:
            if ent.label_ == "Generic":
                continue
            s, e = ent.start_char, ent.end_char
            if doc.text[s:e].endswith(".") and e - s > 1:
                e -= 1
            gold[(s, e)] = ent.label_
        texts.append(doc.text)
        golds.append(gold)
    return texts, golds


def measure(
    model: Path | None = None, dump: Path | None = None, threshold: float | None = None
) -> dict:
    from kg.extract import load_pipeline
    from kg.extract.doc_records import doc_to_extraction
    from kg.extract.sections import paper_text
    from kg.records import Paper

    nlp = load_pipeline(model)
    if threshold is not None:
        nlp.get_pipe("kg_termhood").threshold_override = threshold
    records = list(read_scierc(DEV))
    texts, golds = gold_spans(records, nlp.vocab)
    counts = {k: Counter() for k in ("gold", "recognizer", "found", "nodes", "set_aside")}
    aside_rows = []
    papers = [Paper(title="", abstract=t, id=r.get("doc_key", str(i))) for i, (t, r) in
              enumerate(zip(texts, records, strict=True))]  # fmt: skip
    stream = ((paper_text(p.title, p.abstract), p) for p in papers)
    for (doc, paper), gold in zip(nlp.pipe(stream, as_tuples=True), golds, strict=True):
        base = doc._.abstract_start
        ext = doc_to_extraction(doc, paper)
        ner = {(e.start_char - base, e.end_char - base) for e in doc.ents}
        ner |= {(s, e - 1) for s, e in ner if doc.text[base + e - 1 : base + e] == "."}
        kept = {(m.start, m.end): m for m in ext.mentions if m.field == "abstract"}
        aside = {(m.start, m.end): m for m in ext.rejected if m.field == "abstract"}
        for span, label in gold.items():
            counts["gold"][label] += 1
            counts["recognizer"][label] += span in ner
            counts["nodes"][label] += span in kept
            counts["set_aside"][label] += span in aside and span not in kept
            counts["found"][label] += span in kept or span in aside
            if span in aside and span not in kept:
                m = aside[span]
                aside_rows.append(
                    [paper.id, label, m.label, m.extractor, m.confidence, m.text, m.sentence]
                )
    if dump is not None:
        with dump.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, delimiter="\t", lineterminator="\n")
            w.writerow(["paper", "gold", "type", "extractor", "score", "text", "sentence"])
            w.writerows(aside_rows)
    total = {k: sum(c.values()) for k, c in counts.items()}
    per_type = {label: {k: counts[k][label] for k in counts} for label in sorted(counts["gold"])}
    shipped = nlp.get_pipe("kg_termhood").threshold
    return {"abstracts": len(records), "threshold": shipped, **total, "per_type": per_type}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=None, help="pipeline dir (default: shipped)")
    ap.add_argument("--dump", type=Path, default=None, help="write the set-aside gold spans")
    ap.add_argument(
        "--curve",
        default="",
        help="also count nodes at these termhood thresholds (comma-separated; not recorded)",
    )
    args = ap.parse_args()
    for t in (float(v) for v in args.curve.split(",") if v.strip()):
        f = measure(args.model, threshold=t)
        print(f"threshold {t:.2f}: {f['nodes']} nodes of {f['gold']} ({f['found']} found)")
    figures = measure(args.model, args.dump)
    record(
        "scierc_node_recall",
        figures,
        {"dev": relative(DEV), "model": relative(args.model) or "shipped"},
    )
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
