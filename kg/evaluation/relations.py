"""Relation scores on SciERC, counted the standard way (Luan et al. 2018; DyGIE).

A predicted relation is right when both spans' boundaries and the relation type (with its
direction) match a gold relation of the abstract. ``strict`` also requires both entities'
predicted types to be the gold ones. Two settings:

- end to end: the relation model runs on the recognizer's own spans (``doc.ents`` of the
  pipeline's ``ner`` or ``kg_transformer_ner``, SciERC labels, predicted sentences), so entity
  errors cost relations;
- given gold entities: the model classifies the pairs of the gold spans (SciERC tokens and
  sentences): relation classification alone.

Gold relations are compared in character offsets of the detokenized text, which both the gold
Doc (SciERC tokens) and the pipeline's Doc (spaCy tokens) share.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spacy.tokens import Doc
from spacy.vocab import Vocab

from kg.datasets.scierc import record_to_doc
from kg.errors import KGError
from kg.extract.relations import LABELS, RelationModel

if TYPE_CHECKING:
    from kg.extract.transformer_relations import TransformerRelationModel

    AnyRelationModel = RelationModel | TransformerRelationModel

CharRelation = tuple[int, int, int, int, str]


@dataclass
class GoldAbstract:
    """One SciERC abstract: its gold Doc, gold spans (tokens) and gold relations (chars)."""

    doc: Doc
    spans: list[tuple[int, int, str]]
    relations: set[CharRelation]
    #: char span -> gold entity type
    types: dict[tuple[int, int], str]


def gold_abstracts(records: list[dict], vocab: Vocab) -> list[GoldAbstract]:
    out = []
    for n, rec in enumerate(records, 1):
        doc = record_to_doc(rec, vocab)

        def chars(s: int, e: int, doc: Doc = doc) -> tuple[int, int]:  # end-inclusive tokens
            return doc[s].idx, doc[e].idx + len(doc[e])

        spans, types = [], {}
        for sent in rec["ner"]:
            for s, e, label in sent:
                spans.append((s, e + 1, label))
                types[chars(s, e)] = label
        rels = set()
        for sent in rec.get("relations") or []:
            for rel in sent:
                if (
                    not isinstance(rel, list)
                    or len(rel) != 5
                    or not all(isinstance(i, int) and 0 <= i < len(doc) for i in rel[:4])
                    or rel[0] > rel[1]
                    or rel[2] > rel[3]
                ):
                    raise KGError(
                        f"record {n} ({rec.get('doc_key', 'no doc_key')}): relation {rel!r} is not "
                        "[head start, head end, tail start, tail end, LABEL] within the text"
                    )
                h0, h1, t0, t1, label = rel
                rels.add((*chars(h0, h1), *chars(t0, t1), label))
        out.append(GoldAbstract(doc, spans, rels, types))
    return out


def _bounds(doc: Doc) -> list[tuple[int, int]]:
    """Sentence bounds; a recognizer-only model (``kg train ner``'s model-best) sets none, so
    spaCy's rule sentencizer (the product pipeline's own) splits the doc first."""
    if not doc.has_annotation("SENT_START"):
        from spacy.pipeline import Sentencizer

        Sentencizer()(doc)
    return [(s.start, s.end) for s in doc.sents]


def _to_chars(doc: Doc, rel: tuple) -> CharRelation:
    h0, h1, t0, t1, label = rel[:5]
    return (
        doc[h0].idx,
        doc[h1 - 1].idx + len(doc[h1 - 1]),
        doc[t0].idx,
        doc[t1 - 1].idx + len(doc[t1 - 1]),
        label,
    )


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(100 * p, 2), "recall": round(100 * r, 2), "f1": round(100 * f, 2)}


@dataclass
class Predictions:
    """Scored relations per abstract (threshold 0), cut at any threshold by :func:`score`."""

    #: per abstract: (char relation, score, head type, tail type)
    items: list[list[tuple[CharRelation, float, str, str]]]
    gold: list[set[CharRelation]]
    gold_types: list[dict[tuple[int, int], str]]


def predict_given_gold(model: AnyRelationModel, gold: list[GoldAbstract]) -> Predictions:
    items = []
    for g in gold:
        types = {(s, e): label for s, e, label in g.spans}
        rels = model.relations(g.doc, _bounds(g.doc), g.spans, threshold=0.0)
        items.append(
            [(_to_chars(g.doc, r), r[5], types[(r[0], r[1])], types[(r[2], r[3])]) for r in rels]
        )
    return Predictions(items, [g.relations for g in gold], [g.types for g in gold])


def predict_end_to_end(
    model: AnyRelationModel, gold: list[GoldAbstract], predicted: list[Doc]
) -> Predictions:
    """``predicted``: the recognizer's Docs of the gold abstracts' texts (``doc.ents`` set)."""
    items = []
    for doc in predicted:
        spans = [(e.start, e.end, e.label_) for e in doc.ents]
        types = {(s, e): label for s, e, label in spans}
        rels = model.relations(doc, _bounds(doc), spans, threshold=0.0)
        items.append(
            [(_to_chars(doc, r), r[5], types[(r[0], r[1])], types[(r[2], r[3])]) for r in rels]
        )
    return Predictions(items, [g.relations for g in gold], [g.types for g in gold])


def score(preds: Predictions, threshold: float, per_type: bool = False) -> dict:
    """P/R/F1 (0-100) of the relations scoring >= ``threshold``; strict and per type too."""
    tp = strict_tp = n_pred = n_gold = 0
    by_type: Counter = Counter()
    for items, gold, gtypes in zip(preds.items, preds.gold, preds.gold_types, strict=True):
        n_gold += len(gold)
        for label in LABELS:
            by_type[("gold", label)] += sum(1 for g in gold if g[4] == label)
        for rel, s, ht, tt in items:
            if s < threshold:
                continue
            n_pred += 1
            by_type[("pred", rel[4])] += 1
            if rel in gold:
                tp += 1
                by_type[("tp", rel[4])] += 1
                if gtypes.get(rel[0:2]) == ht and gtypes.get(rel[2:4]) == tt:
                    strict_tp += 1
    out = _prf(tp, n_pred, n_gold) | {"predicted": n_pred, "gold": n_gold}
    out["strict_f1"] = _prf(strict_tp, n_pred, n_gold)["f1"]
    if per_type:
        out["per_type"] = {
            label: _prf(by_type[("tp", label)], by_type[("pred", label)], by_type[("gold", label)])
            for label in LABELS
        }
    return out


def best_f1_threshold(preds: Predictions) -> float:
    """The threshold that maximizes F1 on ``preds`` (for reports; the product's is stricter)."""
    grid = [round(0.05 * k, 2) for k in range(0, 20)]
    return max(grid, key=lambda t: (score(preds, t)["f1"], -t))


def precision_threshold(preds: Predictions, min_precision: float) -> float:
    """The lowest threshold whose precision reaches ``min_precision`` (0-100), so the graph
    gets as many relations as a "mostly right" precision allows; 0.95 if none does."""
    for k in range(0, 20):
        t = round(0.05 * k, 2)
        s = score(preds, t)
        if s["predicted"] and s["precision"] >= min_precision:
            return t
    return 0.95


def paired_bootstrap(
    new: Predictions,
    new_threshold: float,
    old: Predictions,
    old_threshold: float,
    samples: int = 2000,
    seed: int = 0,
) -> dict:
    """Paired bootstrap over abstracts (Berg-Kirkpatrick et al. 2012): how often a resample of
    the same abstracts gives ``new`` an F1 no higher than ``old``'s (``p``), and the mean gain.
    Why abstracts and not relations: relations of one abstract share its entities and errors."""
    import random

    def counts(preds: Predictions, threshold: float) -> list[tuple[int, int, int]]:
        out = []
        for items, gold in zip(preds.items, preds.gold, strict=True):
            kept = [rel for rel, s, _, _ in items if s >= threshold]
            out.append((sum(1 for rel in kept if rel in gold), len(kept), len(gold)))
        return out

    def f1(rows, picks) -> float:
        tp = sum(rows[i][0] for i in picks)
        n_pred = sum(rows[i][1] for i in picks)
        n_gold = sum(rows[i][2] for i in picks)
        return _prf(tp, n_pred, n_gold)["f1"]

    a, b = counts(new, new_threshold), counts(old, old_threshold)
    rng = random.Random(seed)
    n = len(a)
    gains, not_better = [], 0
    for _ in range(samples):
        picks = [rng.randrange(n) for _ in range(n)]
        gain = f1(a, picks) - f1(b, picks)
        gains.append(gain)
        not_better += gain <= 0
    everything = range(n)
    return {
        "new_f1": f1(a, everything),
        "old_f1": f1(b, everything),
        "mean_gain": round(sum(gains) / samples, 2),
        "p": round(not_better / samples, 4),
        "samples": samples,
    }
