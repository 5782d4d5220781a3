"""Evaluate sentence roles (``kg_claims``) on CSAbstruct-format JSON lines.

Each line: ``{"sentences": [...], "labels": [...]}`` (other keys ignored). The pipeline is run on
Docs built from the given sentences (the gold segmentation), so scores are per gold sentence.
"""

from __future__ import annotations

import json
from pathlib import Path

from kg.errors import KGError

LABELS = ("background", "objective", "method", "result", "other")


def read_csabstruct(path: Path) -> list[tuple[list[str], list[str]]]:
    """(sentences, labels) per abstract; a malformed file raises KGError with one clear line."""
    path = Path(path)
    if not path.is_file():
        raise KGError(f"{path}: file not found")
    out = []
    with path.open(encoding="utf8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as err:
                raise KGError(f"{path}:{n}: not JSON ({err.msg})") from None
            if not isinstance(rec, dict):
                raise KGError(f"{path}:{n}: expected a JSON object per line")
            sents, labels = rec.get("sentences"), rec.get("labels")
            if not isinstance(sents, list) or not isinstance(labels, list):
                raise KGError(f"{path}:{n}: needs 'sentences' and 'labels' lists")
            if len(sents) != len(labels):
                raise KGError(f"{path}:{n}: {len(sents)} sentences but {len(labels)} labels")
            if not all(isinstance(s, str) and s.strip() for s in sents):
                raise KGError(f"{path}:{n}: every sentence must be a non-empty string")
            bad = [lab for lab in labels if lab not in LABELS]
            if bad:
                raise KGError(
                    f"{path}:{n}: unknown label {bad[0]!r} (expected one of {', '.join(LABELS)})"
                )
            if sents:
                out.append((sents, labels))
    if not out:
        raise KGError(f"{path}: no abstracts")
    return out


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
    from kg.train.claims import sentences_doc

    records = read_csabstruct(Path(path))
    if model is None:
        from kg.extract import load_pipeline

        nlp = load_pipeline()
    else:
        import spacy

        from kg.extract import claims  # noqa: F401  (registers the factory)

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
