"""``kg train relations``: the relation classifier of ``kg_relations``, from SciERC.

Training pairs are the candidate pairs (:func:`kg.extract.relations.candidate_pairs`) of the
GOLD entity spans of SciERC train, labelled with the gold relation and its direction or NONE.
A multinomial logistic regression (scikit-learn, L2) is fitted on their sparse features;
features seen fewer than ``min_count`` times in train are dropped (they cannot generalize and
would only grow the shipped file). The regularization ``C`` is chosen on dev relation F1 with
gold entities, and the shipped score threshold on dev end to end with the default pipeline's
recognizer: the lowest threshold whose dev precision on gold entities reaches
``min_precision`` (70), so a relation between two correctly found entities is mostly right
(precision over recall); the end-to-end precision at it is reported next to it (boundary errors
of the recognizer count there, SciERC's exact-boundary rule). Dev is never trained on.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kg.datasets import SCIERC
from kg.errors import KGError
from kg.extract.relations import (
    CLASSES,
    RelationModel,
    candidate_pairs,
    pair_features,
    sentence_groups,
)

C_GRID = (0.1, 0.3, 1.0, 3.0)
MIN_PRECISION = 70.0


@dataclass
class RelationTrainReport:
    c: float
    threshold: float
    features: int
    train_pairs: int
    train_positive: int
    seconds: float
    #: the threshold of the best dev F1 on gold entities (where the F1 figures are reported)
    best_f1_threshold: float = 0.0
    #: dev figures per C (gold entities, at the best threshold for that C)
    grid: dict[str, dict] = field(default_factory=dict)
    dev_given_gold: dict = field(default_factory=dict)
    dev_end_to_end: dict = field(default_factory=dict)
    dev_end_to_end_at_threshold: dict = field(default_factory=dict)
    dev_given_gold_at_threshold: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def labelled_pairs(gold) -> tuple[list[list[str]], list[int]]:
    """Featurized candidate pairs of the gold spans of ``gold`` abstracts, with their classes."""
    rows, ys = [], []
    for g in gold:
        doc = g.doc
        words = [t.lower_ for t in doc]
        bounds = [(s.start, s.end) for s in doc.sents]
        by_chars = {rel[:4]: rel[4] for rel in g.relations}
        char = {(s, e): (doc[s].idx, doc[e - 1].idx + len(doc[e - 1])) for s, e, _ in g.spans}
        for group in sentence_groups(bounds, list(dict.fromkeys(g.spans))):
            for i, j in candidate_pairs(group):
                a, b = char[group[i][:2]], char[group[j][:2]]
                y = 0
                if (*a, *b) in by_chars:
                    y = CLASSES.index(by_chars[(*a, *b)])
                elif (*b, *a) in by_chars:
                    y = CLASSES.index(by_chars[(*b, *a)] + "<")
                rows.append(pair_features(words, group, i, j))
                ys.append(y)
    return rows, ys


def _fit(rows, ys, vocab: dict[str, int], c: float):
    try:
        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise KGError(
            "kg train relations needs scikit-learn and scipy: pip install -e '.[train]'"
        ) from None

    indptr, indices = [0], []
    for names in rows:
        ids = sorted({vocab[n] for n in names if n in vocab})
        indices.extend(ids)
        indptr.append(len(indices))
    x = csr_matrix(
        (np.ones(len(indices), dtype=np.float32), indices, indptr), shape=(len(rows), len(vocab))
    )
    clf = LogisticRegression(C=c, max_iter=2000, tol=1e-4)
    clf.fit(x, np.asarray(ys))
    weights = np.zeros((len(vocab), len(CLASSES)), dtype=np.float32)
    bias = np.full(len(CLASSES), -30.0, dtype=np.float32)  # a class never seen is never chosen
    for col, k in enumerate(clf.classes_):
        weights[:, k] = clf.coef_[col]
        bias[k] = clf.intercept_[col]
    return weights, bias


def train_relations(
    data_dir: Path = SCIERC,
    c_grid: tuple[float, ...] = C_GRID,
    min_count: int = 2,
    min_precision: float = MIN_PRECISION,
    recognizer: Path | None = None,
) -> tuple[RelationModel, RelationTrainReport]:
    """Train on ``data_dir``/train.json, select on dev.json; -> (model, report)."""
    import spacy

    from kg.datasets.scierc import read_scierc
    from kg.evaluation.relations import (
        best_f1_threshold,
        gold_abstracts,
        precision_threshold,
        predict_end_to_end,
        predict_given_gold,
        score,
    )
    from kg.evaluation.scierc import load_ner_model, predict_examples

    started = time.perf_counter()
    data_dir = Path(data_dir)
    for name in ("train.json", "dev.json"):
        if not (data_dir / name).is_file():
            raise KGError(f"{data_dir / name}: no such file (SciERC train/dev in DyGIE JSON lines)")
    vocab = spacy.blank("en").vocab  # lexeme attributes (LOWER) need the language's getters
    train = gold_abstracts(list(read_scierc(data_dir / "train.json")), vocab)
    dev_records = list(read_scierc(data_dir / "dev.json"))
    dev = gold_abstracts(dev_records, vocab)
    rows, ys = labelled_pairs(train)
    counts = Counter(n for names in rows for n in set(names))
    names = sorted(n for n, k in counts.items() if k >= min_count and "\n" not in n)
    index = {n: i for i, n in enumerate(names)}
    grid: dict[str, dict] = {}
    best = None
    for c in c_grid:
        weights, bias = _fit(rows, ys, index, c)
        model = RelationModel(names, weights, bias, threshold=0.0, info={"C": c})
        preds = predict_given_gold(model, dev)
        s = score(preds, best_f1_threshold(preds)) | {"at": best_f1_threshold(preds)}
        grid[str(c)] = s
        if best is None or s["f1"] > best[0]:
            best = (s["f1"], c, model)
    assert best is not None
    _, c, model = best
    # drop rows that carry no weight (features of classes the fit zeroed): smaller file
    keep = np.abs(model.weights).max(axis=1) > 1e-4
    model = RelationModel(
        [n for n, k in zip(model.features, keep, strict=True) if k],
        model.weights[keep],
        model.bias,
        threshold=0.0,
    )
    nlp = load_ner_model(recognizer)
    gold_docs = [g.doc for g in gold_abstracts(dev_records, nlp.vocab)]
    predicted = [eg.predicted for eg in predict_examples(nlp, gold_docs)]
    e2e = predict_end_to_end(model, dev, predicted)
    given = predict_given_gold(model, dev)
    threshold = precision_threshold(given, min_precision)
    model.threshold = threshold
    model.info = {
        "C": c,
        "best_f1_threshold": best_f1_threshold(given),
        "min_count": min_count,
        "trained_on": "SciERC train (gold entity spans)",
        "threshold_rule": f"lowest with dev precision on gold entities >= {min_precision}",
    }
    report = RelationTrainReport(
        c=c,
        threshold=threshold,
        features=len(model.features),
        train_pairs=len(ys),
        train_positive=sum(1 for y in ys if y),
        seconds=round(time.perf_counter() - started, 1),
        grid=grid,
        best_f1_threshold=best_f1_threshold(given),
        dev_given_gold=score(given, best_f1_threshold(given), per_type=True),
        dev_end_to_end=score(e2e, best_f1_threshold(given), per_type=True),
        dev_end_to_end_at_threshold=score(e2e, threshold),
        dev_given_gold_at_threshold=score(given, threshold),
    )
    return model, report


def save_model(model: RelationModel, out_dir: Path) -> Path:
    """Write the trained component alone (``out_dir``/kg_relations), as the pipeline stores it."""
    from spacy.lang.en import English

    from kg.extract.components.kg_relations import RelationExtractor

    component = RelationExtractor(English(), "kg_relations")
    component.set_model(model)
    target = Path(out_dir) / "kg_relations"
    component.to_disk(target)
    return target
