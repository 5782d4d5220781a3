"""Train the termhood classifier (``kg_termhood``) on hand-judged corpus mentions.

The judged rows are mentions the shipped pipeline found in corpus abstracts, each judged
``ok``/``junk`` by two annotators blind to the extractor (guidelines:
``benchmarks/data/termhood_guidelines.md``): ``termhood_judged.tsv`` (1,040 agreed rows of the
``judge`` split, ``scripts/corpus_splits.py``) and ``termhood_judged_fresh.tsv`` (the blind
samples of issue 19 that are dev data now: 370 mentions and 166 entity nodes, each node as its
first mention, of ``eval`` abstracts no later sample uses). Rows the two disagree on are left
out of training. Why the node rows: the graph's readers see nodes, and a node sample weighs the
one-off spans of one paper far more than a mention sample does (most junk nodes are such).
The model is an ensemble of small gradient-boosted trees over
:data:`kg.extract.termhood.FEATURES` (scikit-learn's ``HistGradientBoostingClassifier``, fixed
and few parameters: 150 trees of at most 8 leaves, at least 20 rows a leaf, so 1,000 rows can
carry it); the threshold is the lowest at which the cross-validated precision of the kept
mentions reaches ``target_precision``. Folds are drawn by paper: the mentions of one abstract
share its wording, and a fold that sees some of them flatters the score. A fifth of the papers
(by a hash of the id) is also held out once, to report figures of a model that never saw them.
The features read the whole paper (how often a span recurs in it), so training reads the judged
papers' titles and abstracts from the corpus.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg.datasets import SHARED_DATA
from kg.errors import KGError
from kg.extract.sections import paper_text
from kg.extract.termhood import TermhoodModel, corpus_stats, features, is_trusted

ROOT = Path(__file__).resolve().parents[2]
JUDGED_BASE = ROOT / "benchmarks" / "data" / "termhood_judged.tsv"
JUDGED_FRESH = ROOT / "benchmarks" / "data" / "termhood_judged_fresh.tsv"
#: what ``kg train termhood`` trains on by default
JUDGED = (JUDGED_BASE, JUDGED_FRESH)
#: The corpus the judged mentions come from (their papers' text is a feature).
CORPUS = SHARED_DATA / "corpus" / "ml_abstracts.jsonl.gz"
#: The trees' parameters (not searched: 1,000 rows would overfit a search).
TREE_PARAMS = {"max_iter": 150, "learning_rate": 0.05, "max_leaf_nodes": 8,
               "min_samples_leaf": 20, "random_state": 0}  # fmt: skip
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
    paper: str = ""


def read_judged(path: Path | tuple[Path, ...] = JUDGED) -> list[JudgedMention]:
    """The rows both annotators agree on (of several files: all of them, in order)."""
    if isinstance(path, tuple | list):
        return [row for p in path for row in read_judged(Path(p))]
    path = Path(path)
    if not path.is_file():
        raise KGError(f"{path}: judged mentions not found")
    with path.open(encoding="utf-8", newline="") as f:
        lines = f.readlines()
        skipped = sum(line.startswith("#") for line in lines)  # provenance lines, at the top
        lines = [line for line in lines if not line.startswith("#")]
        reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise KGError(f"{path}: missing columns {', '.join(sorted(missing))}")
        rows = []
        for n, r in enumerate(reader, 2 + skipped):
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
                        r["paper"],
                    )
                )
    if len(rows) < 50:
        raise KGError(f"{path}: only {len(rows)} agreed rows; need at least 50")
    return rows


def paper_texts(ids: set[str], corpus: Path = CORPUS) -> dict[str, str]:
    """Lower-cased title + abstract of the given corpus papers, as the component reads them."""
    if not Path(corpus).is_file():
        raise KGError(f"{corpus}: the corpus (the judged papers' text) not found")
    out = {}
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row.get("id") in ids:
                text = paper_text(row.get("title") or "", row.get("abstract") or "")
                out[row["id"]] = text.lower()
    return out


def _matrix(rows: list[JudgedMention]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    stats = corpus_stats()
    texts = paper_texts({r.paper for r in rows})
    x = np.array(
        [
            features(
                r.text,
                r.label,
                r.extractor,
                r.before,
                r.after,
                stats,
                r.field == "title",
                texts.get(r.paper),
            )  # fmt: skip
            for r in rows
        ]
    )
    y = np.array([r.ok for r in rows])
    trusted = np.array([is_trusted(r.extractor, r.label) for r in rows])
    return x, y, trusted


def _bucket(paper: str, n: int) -> int:
    return int(hashlib.sha1(paper.encode()).hexdigest(), 16) % n


def _fit(x: np.ndarray, y: np.ndarray):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(**TREE_PARAMS).fit(x, y)


def cross_validated(x: np.ndarray, y: np.ndarray, papers: list[str], folds: int = 5) -> np.ndarray:
    """Out-of-fold probabilities, the folds drawn by paper."""
    fold = np.array([_bucket("fold:" + p, folds) for p in papers])
    probs = np.zeros(len(y))
    for k in range(folds):
        test = fold == k
        probs[test] = _fit(x[~test], y[~test]).predict_proba(x[test])[:, 1]
    return probs


def operating_point(probs, y, trusted, threshold: float) -> dict:
    keep = (probs >= threshold) | trusted
    return {
        "threshold": round(threshold, 3),
        "kept": round(float(keep.mean()), 3),
        "precision": round(float(y[keep].mean()), 3) if keep.any() else 0.0,
        "recall": round(float((keep & y).sum() / max(y.sum(), 1)), 3),
    }


def pick_threshold(probs, y, trusted, target_precision: float) -> float:
    """The lowest threshold (0.30-0.90) whose kept mentions reach ``target_precision``."""
    for t in np.arange(0.30, 0.901, 0.01):
        if operating_point(probs, y, trusted, t)["precision"] >= target_precision:
            return round(float(t), 3)
    return 0.9


#: A type needs this many judged rows for a threshold of its own (Dataset has 22, Model 5).
MIN_TYPE_ROWS = 50


def pick_type_thresholds(probs, y, trusted, labels, target_precision: float) -> dict[str, float]:
    """Each type's own threshold (:func:`pick_threshold` on its rows), for the types with at
    least :data:`MIN_TYPE_ROWS` judged rows."""
    labels = np.asarray(labels)
    out = {}
    for label in sorted(set(labels)):
        mine = labels == label
        if mine.sum() >= MIN_TYPE_ROWS:
            out[str(label)] = pick_threshold(probs[mine], y[mine], trusted[mine], target_precision)
    return out


def typed_point(probs, y, trusted, labels, thresholds: dict[str, float], default: float) -> dict:
    """:func:`operating_point` with a threshold per type."""
    cut = np.array([thresholds.get(label, default) for label in labels])
    keep = (probs >= cut) | trusted
    return {
        "thresholds": thresholds,
        "kept": round(float(keep.mean()), 3),
        "precision": round(float(y[keep].mean()), 3) if keep.any() else 0.0,
        "recall": round(float((keep & y).sum() / max(y.sum(), 1)), 3),
    }


def to_model(fitted, threshold: float, meta: dict) -> TermhoodModel:
    """The fitted scikit-learn trees as a :class:`TermhoodModel` (plain numbers)."""
    trees = []
    for (predictor,) in fitted._predictors:
        nodes = predictor.nodes
        trees.append(
            {
                "feature": [-1 if n["is_leaf"] else int(n["feature_idx"]) for n in nodes],
                "threshold": [float(n["num_threshold"]) for n in nodes],
                "left": [int(n["left"]) for n in nodes],
                "right": [int(n["right"]) for n in nodes],
                "value": [float(n["value"]) if n["is_leaf"] else 0.0 for n in nodes],
            }
        )
    baseline = float(np.ravel(fitted._baseline_prediction)[0])
    return TermhoodModel(trees, baseline, threshold, meta)


def held_out(x, y, trusted, papers: list[str], target_precision: float, labels=None) -> dict:
    """Figures on a fifth of the papers (by a hash of the id) of a model fitted, and its
    thresholds picked, on the other four fifths only."""
    from sklearn.metrics import roc_auc_score

    labels = np.asarray(labels if labels is not None else ["Concept"] * len(y))
    out = np.array([_bucket("held-out:" + p, 5) == 0 for p in papers])
    inner = [p for p, o in zip(papers, out, strict=True) if not o]
    inner_probs = cross_validated(x[~out], y[~out], inner)
    threshold = pick_threshold(inner_probs, y[~out], trusted[~out], target_precision)
    typed = pick_type_thresholds(
        inner_probs, y[~out], trusted[~out], labels[~out], target_precision
    )
    probs = _fit(x[~out], y[~out]).predict_proba(x[out])[:, 1]
    return {
        "rows": int(out.sum()),
        "auc": round(float(roc_auc_score(y[out], probs)), 3),
        "at_threshold": operating_point(probs, y[out], trusted[out], threshold),
        "at_type_thresholds": typed_point(
            probs, y[out], trusted[out], labels[out], typed, threshold
        ),
    }


def train_termhood(
    path: Path | tuple[Path, ...] = JUDGED, target_precision: float = 0.82
) -> tuple[TermhoodModel, dict]:
    """Fit on every agreed row; returns the model and its cross-validated and held-out figures."""
    from sklearn.metrics import roc_auc_score

    rows = read_judged(path)
    papers = [r.paper for r in rows]
    x, y, trusted = _matrix(rows)
    labels = [r.label for r in rows]
    probs = cross_validated(x, y, papers)
    threshold = pick_threshold(probs, y, trusted, target_precision)
    typed = pick_type_thresholds(probs, y, trusted, labels, target_precision)
    report = {
        "rows": len(rows),
        "ok_share": round(float(y.mean()), 3),
        "model": TREE_PARAMS,
        "target_precision": target_precision,
        "cv_auc": round(float(roc_auc_score(y, probs)), 3),
        "cv_at_threshold": operating_point(probs, y, trusted, threshold),
        "cv_at_type_thresholds": typed_point(probs, y, trusted, labels, typed, threshold),
        "cv_curve": [operating_point(probs, y, trusted, t) for t in (0.3, 0.4, 0.5, 0.6, 0.7)],
        "held_out": held_out(x, y, trusted, papers, target_precision, labels),
    }
    names = [Path(p).name for p in (path if isinstance(path, tuple | list) else (path,))]
    model = to_model(_fit(x, y), threshold, {"trained_on": ", ".join(names), **report})
    model.type_thresholds = typed
    return model, report
