"""Entity recognition scores on SciERC: exact span + label, via spaCy's scorer (``get_ner_prf``),
and relation scores (``relations``, :mod:`kg.evaluation.relations`).

Only the recognizer runs (``tok2vec`` + ``ner``, or ``sentencizer`` + ``kg_transformer_ner`` in
the accurate pipeline), so rule components of the product pipeline do not change the scores.
Gold ``doc.ents`` cannot hold the few nested/overlapping SciERC spans
(see :mod:`kg.datasets.scierc`); the main figures are against the kept gold spans, and ``all_gold``
repeats them against every gold span in the file (dropped ones count as misses).
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.scorer import get_ner_prf
from spacy.training import Example

from kg.datasets.scierc import load_scierc, read_scierc, record_to_doc
from kg.errors import KGError

NER_PIPES = ("tok2vec", "ner", "sentencizer", "kg_transformer_ner")
RECOGNIZERS = ("ner", "kg_transformer_ner")


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(100 * p, 2), "recall": round(100 * r, 2), "f1": round(100 * f, 2)}


def load_ner_model(model: Path | None = None) -> Language:
    """The given model dir, or the shipped pipeline (``kg.extract.load_pipeline``)."""
    if model is None:
        from kg.extract import load_pipeline

        nlp = load_pipeline()
    else:
        model = Path(model)
        if not (model / "config.cfg").is_file():
            raise KGError(f"{model}: not a spaCy pipeline directory (no config.cfg)")
        from kg.extract import load_pipeline

        nlp = load_pipeline(model)  # registers our factories (kg_transformer_ner ...) first
    if not any(name in nlp.pipe_names for name in RECOGNIZERS):
        raise KGError(f"{model or 'shipped pipeline'}: has no 'ner' component")
    return nlp


def predict_examples(nlp: Language, gold_docs: list) -> list[Example]:
    enable = [p for p in NER_PIPES if p in nlp.pipe_names]
    with nlp.select_pipes(enable=enable):
        preds = list(nlp.pipe((d.text for d in gold_docs), batch_size=64))
    return [Example(p, g) for p, g in zip(preds, gold_docs, strict=True)]


def evaluate_scierc(path: Path, model: Path | None = None) -> dict:
    """Precision/recall/F1 (0-100) overall and per label on a SciERC JSON lines file."""
    path = Path(path)
    records = list(read_scierc(path))  # validates the file before loading a model
    nlp = load_ner_model(model)
    gold_docs, stats = load_scierc(path, vocab=nlp.vocab)
    examples = predict_examples(nlp, gold_docs)
    s = get_ner_prf(examples)
    result = {
        "file": str(path),
        "model": str(model) if model is not None else "shipped",
        "docs": stats.docs,
        "tokens": stats.tokens,
        "gold_entities": stats.entities,
        "gold_dropped_overlapping": stats.dropped_overlapping,
        "precision": round(100 * (s["ents_p"] or 0.0), 2),
        "recall": round(100 * (s["ents_r"] or 0.0), 2),
        "f1": round(100 * (s["ents_f"] or 0.0), 2),
        "per_label": {
            label: {
                "precision": round(100 * v["p"], 2),
                "recall": round(100 * v["r"], 2),
                "f1": round(100 * v["f"], 2),
            }
            for label, v in sorted((s["ents_per_type"] or {}).items())
        },
    }
    # Against every gold span in the file, nested/overlapping ones included (char offsets).
    tp = n_pred = n_gold = 0
    for rec, eg in zip(records, examples, strict=True):
        doc = record_to_doc(rec, nlp.vocab)  # same text / token offsets as the gold doc
        gold = set()
        for sent in rec["ner"]:
            for start, end, label in sent:
                gold.add((doc[start].idx, doc[end].idx + len(doc[end]), label))
        pred = {(e.start_char, e.end_char, e.label_) for e in eg.predicted.ents}
        tp += len(gold & pred)
        n_pred += len(pred)
        n_gold += len(gold)
    result["all_gold"] = _prf(tp, n_pred, n_gold)
    result["relations"] = relation_scores(nlp, records, examples)
    return result


def relation_scores(nlp: Language, records: list[dict], examples: list[Example]) -> dict:
    """``relations`` of the report (:mod:`kg.evaluation.relations`): end to end on the
    recognizer's spans and given the gold spans, at the shipped threshold (what the graph gets)
    and at the threshold of the best dev F1 on gold entities (the model's F1 figure)."""
    from kg.evaluation.relations import (
        gold_abstracts,
        predict_end_to_end,
        predict_given_gold,
        score,
    )

    component = _relation_component(nlp)
    if component is None or component.model is None:
        return {"error": "no kg_relations component in this pipeline or the shipped one"}
    model = component.model
    gold = gold_abstracts(records, nlp.vocab)
    e2e = predict_end_to_end(model, gold, [eg.predicted for eg in examples])
    given = predict_given_gold(model, gold)
    best = float(model.info.get("best_f1_threshold", 0.3))
    at_best = score(e2e, best, per_type=True)
    shipped = score(e2e, model.threshold)
    given_best = score(given, best, per_type=True)
    given_shipped = score(given, model.threshold)
    return {
        "precision": at_best["precision"],
        "recall": at_best["recall"],
        "f1": at_best["f1"],
        "strict_f1": at_best["strict_f1"],
        "per_type": at_best["per_type"],
        "predicted": at_best["predicted"],
        "gold": at_best["gold"],
        "given_gold_entities_f1": given_best["f1"],
        "given_gold_entities": given_best,
        "threshold": best,
        "shipped_threshold": model.threshold,
        "at_shipped_threshold": {
            "end_to_end": shipped,
            "given_gold_entities": given_shipped,
        },
    }


def _relation_component(nlp: Language):
    if "kg_relations" in nlp.pipe_names:
        return nlp.get_pipe("kg_relations")
    from kg.extract import load_pipeline

    shipped = load_pipeline()
    return shipped.get_pipe("kg_relations") if "kg_relations" in shipped.pipe_names else None
