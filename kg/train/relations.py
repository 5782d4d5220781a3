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

Distillation (``silver``, issue 18): SciERC train has only ~1,800 relations; the accurate
pipeline's MiniLM classifier labels the candidate pairs of silver corpus abstracts
(``scripts/distil_relations.py``), and its most likely class becomes a hard label of weight
``silver_weight`` next to the gold pairs (weight 1), kept only when the teacher's probability of
that class reaches ``silver_min_confidence``. C and the threshold are still chosen on dev.
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
MIN_PRECISION = 75.0


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
    #: teacher-labelled pairs trained on (``silver``), and how many of them are relations
    silver_pairs: int = 0
    silver_positive: int = 0
    #: paired bootstrap against the shipped model (``_compare``)
    vs_shipped: dict = field(default_factory=dict)

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


def silver_pairs(path: Path, min_confidence: float = 0.0) -> tuple[list[list[str]], list[int]]:
    """Featurized pairs of a ``scripts/distil_relations.py`` file with the teacher's most likely
    class as the label; pairs whose top probability is below ``min_confidence`` are left out
    (the teacher's unsure pairs teach mostly its noise)."""
    import json

    rows, ys = [], []
    with open(path, encoding="utf8") as fh:
        for line in fh:
            rec = json.loads(line)
            words = rec["words"]
            groups = [[tuple(s) for s in g] for g in rec["groups"]]
            for g, i, j, probs in rec["pairs"]:
                y = int(np.argmax(probs))
                if probs[y] < min_confidence:
                    continue
                rows.append(pair_features(words, groups[g], i, j))
                ys.append(y)
    return rows, ys


def gain_interval(new, new_threshold, old, old_threshold, samples=2000, seed=0) -> list[float]:
    """The 95 % percentile interval of the F1 gain of ``new`` over ``old`` under the paired
    bootstrap by abstract of :func:`kg.evaluation.relations.paired_bootstrap` (same resamples:
    same seed and draw order), which reports only p and the mean."""
    import random

    def counts(preds, threshold):
        out = []
        for items, gold in zip(preds.items, preds.gold, strict=True):
            kept = [rel for rel, s, _, _ in items if s >= threshold]
            out.append((sum(1 for rel in kept if rel in gold), len(kept), len(gold)))
        return np.asarray(out, dtype=np.float64)

    def f1(rows):
        tp, n_pred, n_gold = rows.sum(axis=0)
        p, r = (tp / n_pred if n_pred else 0.0), (tp / n_gold if n_gold else 0.0)
        return 100 * 2 * p * r / (p + r) if p + r else 0.0

    a, b = counts(new, new_threshold), counts(old, old_threshold)
    rng = random.Random(seed)
    n = len(a)
    gains = []
    for _ in range(samples):
        picks = [rng.randrange(n) for _ in range(n)]
        gains.append(f1(a[picks]) - f1(b[picks]))
    lo, hi = np.percentile(gains, [2.5, 97.5])
    return [round(float(lo), 2), round(float(hi), 2)]


def storable(name: str) -> bool:
    """Whether a feature name survives ``features.txt.gz`` (one name a line, read back in text
    mode, whose universal newlines also split at "\r"): corpus text has "\r" tokens that
    SciERC has not, and one such name would shift every weight row after it."""
    return name.splitlines() == [name]


def _fit(rows, ys, vocab: dict[str, int], c: float, sample_weight=None):
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
    clf.fit(x, np.asarray(ys), sample_weight=sample_weight)
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
    silver: Path | None = None,
    silver_weight: float = 0.5,
    silver_min_confidence: float = 0.0,
    compare_with: Path | None = None,
) -> tuple[RelationModel, RelationTrainReport]:
    """Train on ``data_dir``/train.json (plus ``silver`` teacher-labelled pairs), select on
    dev.json; ``compare_with``: a ``kg_relations`` directory (default: the shipped one) the
    report compares the result with on dev (paired bootstrap by abstract); -> (model, report)."""
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
    n_gold = len(ys)
    weight = None
    if silver is not None:
        s_rows, s_ys = silver_pairs(Path(silver), silver_min_confidence)
        rows, ys = rows + s_rows, ys + s_ys
        weight = np.concatenate([np.ones(n_gold), np.full(len(s_ys), float(silver_weight))])
    counts = Counter(n for names in rows for n in set(names))
    names = sorted(n for n, k in counts.items() if k >= min_count and storable(n))
    index = {n: i for i, n in enumerate(names)}
    grid: dict[str, dict] = {}
    best = None
    for c in c_grid:
        weights, bias = _fit(rows, ys, index, c, weight)
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
    if silver is not None:
        model.info["trained_on"] += (
            f" + {len(ys) - n_gold} pairs of {Path(silver).name} labelled by the accurate "
            f"relation model (weight {silver_weight}, confidence >= {silver_min_confidence})"
        )
    report = RelationTrainReport(
        c=c,
        threshold=threshold,
        features=len(model.features),
        train_pairs=n_gold,
        train_positive=sum(1 for y in ys[:n_gold] if y),
        silver_pairs=len(ys) - n_gold,
        silver_positive=sum(1 for y in ys[n_gold:] if y),
        seconds=round(time.perf_counter() - started, 1),
        grid=grid,
        best_f1_threshold=best_f1_threshold(given),
        dev_given_gold=score(given, best_f1_threshold(given), per_type=True),
        dev_end_to_end=score(e2e, best_f1_threshold(given), per_type=True),
        dev_end_to_end_at_threshold=score(e2e, threshold),
        dev_given_gold_at_threshold=score(given, threshold),
    )
    report.vs_shipped = _compare(model, given, e2e, dev, predicted, compare_with)
    return model, report


def _compare(model, given, e2e, dev, predicted, old_dir: Path | None) -> dict:
    """Paired bootstrap (p, mean gain, 95 % interval) of ``model`` against the relation model
    in ``old_dir`` (default: the shipped default pipeline's) on the same dev spans, at both
    models' best-F1 thresholds and at their shipped thresholds."""
    from spacy.lang.en import English

    from kg.evaluation.relations import paired_bootstrap, predict_end_to_end, predict_given_gold
    from kg.extract import PIPELINE_DIR
    from kg.extract.components.kg_relations import RelationExtractor

    old_dir = Path(old_dir) if old_dir else Path(PIPELINE_DIR) / "kg_relations"
    old = RelationExtractor(English(), "kg_relations").from_disk(old_dir).model
    old_given, old_e2e = predict_given_gold(old, dev), predict_end_to_end(old, dev, predicted)
    new_at, old_at = model.info["best_f1_threshold"], float(old.info.get("best_f1_threshold", 0.3))
    out = {"old": str(old_dir), "old_threshold": old.threshold, "old_best_f1_threshold": old_at}
    for name, a, b, ta, tb in (
        ("given_gold", given, old_given, new_at, old_at),
        ("end_to_end", e2e, old_e2e, new_at, old_at),
        ("given_gold_at_thresholds", given, old_given, model.threshold, old.threshold),
        ("end_to_end_at_thresholds", e2e, old_e2e, model.threshold, old.threshold),
    ):
        out[name] = paired_bootstrap(a, ta, b, tb) | {"ci95": gain_interval(a, ta, b, tb)}
    return out


def save_model(model: RelationModel, out_dir: Path) -> Path:
    """Write the trained component alone (``out_dir``/kg_relations), as the pipeline stores it."""
    from spacy.lang.en import English

    from kg.extract.components.kg_relations import RelationExtractor

    component = RelationExtractor(English(), "kg_relations")
    component.set_model(model)
    target = Path(out_dir) / "kg_relations"
    component.to_disk(target)
    return target


# --- the accurate pipeline's relation classifier (MiniLM + LoRA) ----------------------------


def _pair_classes(g, items: list[dict]) -> list[list[int]]:
    """The gold class of every candidate pair of ``items``, per item, as
    :func:`labelled_pairs` labels them."""
    doc = g.doc
    by_chars = {rel[:4]: rel[4] for rel in g.relations}
    out = []
    for x in items:
        group, ys = x["group"], []
        for i, j in x["pairs"]:
            (a0, a1, _), (b0, b1, _) = group[i], group[j]
            a = (doc[a0].idx, doc[a1 - 1].idx + len(doc[a1 - 1]))
            b = (doc[b0].idx, doc[b1 - 1].idx + len(doc[b1 - 1]))
            y = 0
            if (*a, *b) in by_chars:
                y = CLASSES.index(by_chars[(*a, *b)])
            elif (*b, *a) in by_chars:
                y = CLASSES.index(by_chars[(*b, *a)] + "<")
            ys.append(y)
        out.append(ys)
    return out


def train_transformer_relations(
    data_dir: Path = SCIERC,
    epochs: int = 8,
    lr: float = 5e-4,
    head_lr: float = 1e-3,
    batch_size: int = 8,
    seed: int = 0,
    min_precision: float = MIN_PRECISION,
    recognizer: Path | None = None,
    log=print,
):
    """Fine-tune :class:`kg.extract.transformer_relations.TransformerRelationModel` on the
    gold spans of SciERC train (LoRA rank 16 / alpha 32, AdamW, linear warm-up over 10 % then
    decay, batches of ``batch_size`` sentences with all their pairs); the epoch with the best
    dev F1 given gold entities is kept and the threshold is chosen like the linear model's.
    One thread: ~2.5 min per epoch on a shared CPU. ``recognizer`` (default: the shipped
    accurate pipeline) gives the end-to-end dev figures; -> (model, report dict)."""
    import random

    import spacy

    from kg.datasets.scierc import read_scierc
    from kg.evaluation.relations import (
        _bounds,
        best_f1_threshold,
        gold_abstracts,
        paired_bootstrap,
        precision_threshold,
        predict_end_to_end,
        predict_given_gold,
        score,
    )
    from kg.evaluation.scierc import load_ner_model, predict_examples
    from kg.extract import ACCURATE_PIPELINE_DIR
    from kg.extract.transformer_ner import import_torch
    from kg.extract.transformer_relations import TransformerRelationModel, collate

    torch, _ = import_torch()
    torch.manual_seed(seed)
    rng = random.Random(seed)
    started = time.perf_counter()
    data_dir = Path(data_dir)
    vocab = spacy.blank("en").vocab
    train = gold_abstracts(list(read_scierc(data_dir / "train.json")), vocab)
    dev_records = list(read_scierc(data_dir / "dev.json"))
    dev = gold_abstracts(dev_records, vocab)
    model = TransformerRelationModel(threshold=0.0)
    cache: dict = {}
    examples = []
    for g in train:
        items = model.items(g.doc, _bounds(g.doc), list(dict.fromkeys(g.spans)), cache)
        examples.extend(zip(items, _pair_classes(g, items), strict=True))
    log(f"{len(examples)} training sentences, {sum(len(y) for _, y in examples)} pairs")
    net = model.net
    adapters = [p for p in net.enc.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(
        [{"params": adapters, "lr": lr}, {"params": net.head.parameters(), "lr": head_lr}],
        weight_decay=0.01,
    )
    steps = epochs * ((len(examples) + batch_size - 1) // batch_size)
    warm = max(1, int(0.1 * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: s / warm if s < warm else max(0.0, (steps - s) / (steps - warm))
    )
    history, best = [], None
    for epoch in range(1, epochs + 1):
        net.train()
        rng.shuffle(examples)
        total = 0.0
        for k in range(0, len(examples), batch_size):
            batch = examples[k : k + batch_size]
            y = torch.tensor([c for _, ys in batch for c in ys])
            loss = torch.nn.functional.cross_entropy(net(*collate([x for x, _ in batch])), y)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(adapters, 1.0)
            opt.step()
            schedule.step()
            total += loss.item()
        given = predict_given_gold(model, dev)
        at = best_f1_threshold(given)
        s = score(given, at)
        minutes = (time.perf_counter() - started) / 60
        history.append({"epoch": epoch, "loss": round(total, 2), "f1": s["f1"], "at": at})
        log(f"epoch {epoch}: loss {total:.1f}, dev F1 {s['f1']} at {at}, {minutes:.1f} min")
        if best is None or s["f1"] > best[0]:
            best = (s["f1"], epoch, net.trained_state())
    assert best is not None
    net.load_state_dict(best[2], strict=False)
    net.eval()
    given = predict_given_gold(model, dev)
    at = best_f1_threshold(given)
    model.threshold = precision_threshold(given, min_precision)
    nlp = load_ner_model(recognizer or ACCURATE_PIPELINE_DIR)
    gold_docs = [g.doc for g in gold_abstracts(dev_records, nlp.vocab)]
    predicted = [eg.predicted for eg in predict_examples(nlp, gold_docs)]
    e2e = predict_end_to_end(model, dev, predicted)
    report = {
        "epochs": epochs,
        "best_epoch": best[1],
        "history": history,
        "threshold": model.threshold,
        "best_f1_threshold": at,
        "dev_given_gold": score(given, at, per_type=True),
        "dev_given_gold_at_threshold": score(given, model.threshold),
        "dev_end_to_end": score(e2e, at, per_type=True),
        "dev_end_to_end_at_threshold": score(e2e, model.threshold),
    }
    if "kg_relations" in nlp.pipe_names:  # the model it would replace, on the same spans
        old = nlp.get_pipe("kg_relations").model
        if old.kind == "linear":
            old_at = float(old.info.get("best_f1_threshold", 0.3))
            old_given = predict_given_gold(old, dev)
            old_e2e = predict_end_to_end(old, dev, predicted)
            report["vs_shipped_linear"] = {
                "given_gold": paired_bootstrap(given, at, old_given, old_at),
                "end_to_end": paired_bootstrap(e2e, at, old_e2e, old_at),
                "end_to_end_at_thresholds": paired_bootstrap(
                    e2e, model.threshold, old_e2e, old.threshold
                ),
            }
    model.info = {
        "best_f1_threshold": at,
        "best_epoch": best[1],
        "epochs": epochs,
        "trained_on": "SciERC train (gold entity spans)",
        "threshold_rule": f"lowest with dev precision on gold entities >= {min_precision}",
    }
    report["seconds"] = round(time.perf_counter() - started, 1)
    return model, report
