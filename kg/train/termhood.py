"""Train the termhood classifier (``kg_termhood``) on hand-judged corpus mentions.

The judged rows (``benchmarks/data/termhood_judged.tsv``) are mentions the shipped pipeline
found in abstracts of the ``judge`` split of the corpus (``scripts/corpus_splits.py``), each
judged ``ok``/``junk`` by two annotators blind to the extractor (guidelines:
``benchmarks/data/termhood_guidelines.md``). Rows the two disagree on are left out of training.
The model is a logistic regression over :data:`kg.extract.termhood.FEATURES`, its C chosen by
5-fold cross-validation; the threshold is the lowest at which the cross-validated precision of
the kept mentions reaches ``target_precision``. Why logistic regression: 1,000 rows support a
few dozen weights, not a forest, and its weights read as what makes a term (BENCHMARKS.md).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg.errors import KGError
from kg.extract.termhood import TRUSTED, TermhoodModel, corpus_stats, features

ROOT = Path(__file__).resolve().parents[2]
JUDGED = ROOT / "benchmarks" / "data" / "termhood_judged.tsv"
COLUMNS = (
    "item", "paper", "judge_a", "judge_b", "type", "extractor", "text", "before", "after", "field",
)  # fmt: skip


@dataclass
class JudgedMention:
    text: str
    label: str
    extractor: str
    before: str
    after: str
    ok: bool
    field: str = "abstract"


def read_judged(path: Path = JUDGED) -> list[JudgedMention]:
    """The rows both annotators agree on."""
    path = Path(path)
    if not path.is_file():
        raise KGError(f"{path}: judged mentions not found")
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise KGError(f"{path}: missing columns {', '.join(sorted(missing))}")
        rows = []
        for n, r in enumerate(reader, 2):
            a, b = r["judge_a"], r["judge_b"]
            if a not in ("ok", "junk") or b not in ("ok", "junk"):
                raise KGError(f"{path}:{n}: judgements must be ok or junk, got {a!r}, {b!r}")
            if a == b:
                rows.append(
                    JudgedMention(
                        r["text"],
                        r["type"],
                        r["extractor"],
                        r["before"],
                        r["after"],
                        a == "ok",
                        r["field"],
                    )
                )
    if len(rows) < 50:
        raise KGError(f"{path}: only {len(rows)} agreed rows; need at least 50")
    return rows


def _matrix(rows: list[JudgedMention]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    stats = corpus_stats()
    x = np.array(
        [
            features(r.text, r.label, r.extractor, r.before, r.after, stats, r.field == "title")
            for r in rows
        ]
    )
    y = np.array([r.ok for r in rows])
    trusted = np.array([r.extractor in TRUSTED for r in rows])
    return x, y, trusted


def cross_validated(x: np.ndarray, y: np.ndarray, c: float, folds: int = 5) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import StandardScaler

    probs = np.zeros(len(y))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(x, y):
        scaler = StandardScaler().fit(x[train])
        model = LogisticRegression(C=c, max_iter=5000).fit(scaler.transform(x[train]), y[train])
        probs[test] = model.predict_proba(scaler.transform(x[test]))[:, 1]
    return probs


def operating_point(probs, y, trusted, threshold: float) -> dict:
    keep = (probs >= threshold) | trusted
    return {
        "threshold": round(threshold, 3),
        "kept": round(float(keep.mean()), 3),
        "precision": round(float(y[keep].mean()), 3) if keep.any() else 0.0,
        "recall": round(float((keep & y).sum() / max(y.sum(), 1)), 3),
    }


def train_termhood(
    path: Path = JUDGED, target_precision: float = 0.8, c_grid=(0.03, 0.1, 0.3, 1.0)
) -> tuple[TermhoodModel, dict]:
    """Fit on every agreed row; returns the model and its cross-validated figures."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.preprocessing import StandardScaler

    rows = read_judged(path)
    x, y, trusted = _matrix(rows)
    scored = {c: cross_validated(x, y, c) for c in c_grid}
    best_c = max(scored, key=lambda c: roc_auc_score(y, scored[c]))
    probs = scored[best_c]
    threshold = 0.5
    for t in np.arange(0.30, 0.901, 0.01):
        if operating_point(probs, y, trusted, t)["precision"] >= target_precision:
            threshold = float(t)
            break
    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    fitted = LogisticRegression(C=best_c, max_iter=5000).fit((x - scaler.mean_) / scale, y)
    report = {
        "rows": len(rows),
        "ok_share": round(float(y.mean()), 3),
        "C": best_c,
        "cv_auc": round(float(roc_auc_score(y, probs)), 3),
        "cv_at_threshold": operating_point(probs, y, trusted, threshold),
        "cv_curve": [operating_point(probs, y, trusted, t) for t in (0.3, 0.4, 0.5, 0.6, 0.7)],
    }
    model = TermhoodModel(
        weights=fitted.coef_[0].copy(),
        mean=scaler.mean_.copy(),
        scale=scale,
        intercept=float(fitted.intercept_[0]),
        threshold=round(threshold, 3),
        meta={"trained_on": str(Path(path).name), **report},
    )
    return model, report
