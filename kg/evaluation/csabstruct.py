"""Evaluate sentence roles (``kg_claims``) on CSAbstruct-format JSON lines.

The file is read by :mod:`kg.datasets.csabstruct`; the pipeline is run on Docs built from the
given sentences (the gold segmentation), so scores are per gold sentence.
"""

from __future__ import annotations

from pathlib import Path

from kg.datasets.csabstruct import LABELS, read_csabstruct, sentences_doc
from kg.errors import KGError


def scores(gold: list[str], pred: list[str]) -> dict:
    """accuracy, per-class precision/recall/f1/support, macro F1 and the confusion matrix."""
    n = len(gold)
    correct = sum(g == p for g, p in zip(gold, pred, strict=False))
    per = {}
    for lab in LABELS:
        tp = sum(g == lab and p == lab for g, p in zip(gold, pred, strict=False))
        n_pred = sum(p == lab for p in pred)
        n_gold = sum(g == lab for g in gold)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[lab] = {"p": round(prec, 4), "r": round(rec, 4), "f1": round(f1, 4), "support": n_gold}
    confusion = {g: {p: 0 for p in LABELS} for g in LABELS}
    for g, p in zip(gold, pred, strict=False):
        confusion[g][p] += 1
    return {
        "accuracy": round(correct / n, 4) if n else 0.0,
        "macro_f1": round(sum(v["f1"] for v in per.values()) / len(per), 4),
        "per_class": per,
        "confusion": confusion,
        "sentences": n,
    }


def evaluate_csabstruct(path: Path, model: Path | None = None) -> dict:
    """Score the shipped pipeline's (or ``model``'s) ``kg_claims`` on a CSAbstruct file."""
    records = read_csabstruct(Path(path))
    if model is None:
        from kg.extract import load_pipeline

        nlp = load_pipeline()
    else:
        import spacy

        if not (Path(model) / "config.cfg").is_file():
            raise KGError(f"{model}: not a spaCy pipeline directory")
        nlp = spacy.load(model)
    if "kg_claims" not in nlp.pipe_names:
        raise KGError("the pipeline has no trained 'kg_claims' component (kg train claims)")
    comp = nlp.get_pipe("kg_claims")
    gold, pred = [], []
    for sents, labels in records:
        doc = sentences_doc(nlp, sents)
        labs, _ = comp.predict_sents(doc, list(doc.sents))
        gold.extend(labels)
        pred.extend(labs)
    out = scores(gold, pred)
    out["file"] = str(path)
    out["abstracts"] = len(records)
    return out
