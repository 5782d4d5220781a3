"""kg_claims (sentence roles) and extract_quantities."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from kg.errors import KGError
from kg.extract.quantities import extract_quantities

ROOT = Path(__file__).resolve().parents[1]
TRAINED = ROOT / "training" / "claims" / "model-best"


def q1(text: str):
    qs = extract_quantities(text)
    assert len(qs) == 1, qs
    return qs[0]


# --- quantities ---------------------------------------------------------------------------------


def test_percent_decrease():
    q = q1("Our method reduces memory by 41% on long inputs.")
    assert (q.value, q.unit, q.direction, q.text) == (41.0, "%", "decrease", "41%")


def test_points_increase():
    q = q1("It improves accuracy by 3.2 points over the baseline.")
    assert (q.value, q.unit, q.direction) == (3.2, "points", "increase")


def test_times_faster():
    q = q1("Inference is 2.5x faster than dense attention.")
    assert (q.value, q.unit, q.direction) == (2.5, "x", "increase")
    q = q1("a 3-fold speedup")
    assert (q.value, q.unit) == (3.0, "x")


def test_parameters_keep_magnitude_as_unit():
    q = q1("a model with 146 billion parameters")
    assert (q.value, q.unit, q.direction) == (146.0, "B", "none")
    assert q.scaled() == 146e9
    q = q1("We release a 7B model.")
    assert (q.value, q.unit) == (7.0, "B")


def test_several_and_offsets():
    text = "It cuts latency to 12ms and reaches 85.3% accuracy, while memory drops 20 percent."
    qs = extract_quantities(text)
    assert [(q.value, q.unit) for q in qs] == [(12.0, "ms"), (85.3, "%"), (20.0, "%")]
    assert [q.direction for q in qs] == ["decrease", "none", "decrease"]
    for q in qs:
        assert text[q.start : q.end] == q.text


def test_percentage_points_and_signs():
    qs = extract_quantities("a gain of +1.5 percentage points and 41% fewer FLOPs")
    assert [(q.value, q.unit, q.direction) for q in qs] == [
        (1.5, "points", "increase"),
        (41.0, "%", "decrease"),
    ]


def test_not_quantities():
    for text in (
        "In 2023, Smith et al. [12] introduced the task.",
        "As shown in Section 3 and Table 2, see also Figure 4 and Eq. 5.",
        "One of the two approaches uses GPT-4 and ResNet-50 [3, 4].",
    ):
        assert extract_quantities(text) == [], text


def test_names_versions_list_markers_and_powers_are_not_quantities():
    for text in (
        "Experiments on CUB-200-2011 and MultiWOZ 2.1 show gains.",
        "We evaluate on ACE 2005 and OntoNotes 5.0.",
        "We find that: 1) the loss is convex; 2) the bound is tight.",
        "a dataset with 10^6 observations",
    ):
        assert extract_quantities(text) == [], text
    # a metric name before its score is not a version
    q = q1("It reaches RMSE 0.86 on the test set.")
    assert q.value == 0.86


def test_ranges_share_the_unit_and_more_units():
    qs = extract_quantities("memory drops by 20-60% and it is 2 to 5 times faster")
    assert [(q.value, q.unit) for q in qs] == [(20.0, "%"), (60.0, "%"), (2.0, "x"), (5.0, "x")]
    assert (q1("running at 116.9 FPS").unit, q1("running at 116.9 FPS").value) == ("FPS", 116.9)
    q = q1("it makes inference 7 $\\times$ faster")
    assert (q.value, q.unit, q.direction) == (7.0, "x", "increase")


def test_span_offsets_are_relative_to_the_span():
    nlp = spacy.blank("en")
    doc = nlp("We propose X. It is 2x faster.")
    span = doc[4:]
    (q,) = extract_quantities(span)
    assert span.text[q.start : q.end] == "2x"


# --- classifier ---------------------------------------------------------------------------------

TINY = [
    (
        [
            "Neural networks are widely used in vision.",
            "We aim to make them faster.",
            "We propose a pruning method based on saliency.",
            "Experiments show that our method outperforms the baseline by 3%.",
        ],
        ["background", "objective", "method", "result"],
    ),
    (
        [
            "Parsing is a core NLP task.",
            "This paper studies low-resource parsing.",
            "We train a graph-based parser with transfer.",
            "Results show a 5 point gain in accuracy.",
            "2015 Elsevier Ltd. All rights reserved.",
        ],
        ["background", "objective", "method", "result", "other"],
    ),
]


def test_tiny_training_round_trips(tmp_path):
    from kg.train.claims import abstract_features, build_pipeline, fit_crf

    nlp0 = spacy.blank("en")
    feats = [abstract_features(nlp0, s) for s, _ in TINY * 3]
    model, _ = fit_crf(feats, [lab for _, lab in TINY * 3], n_buckets=2**12, max_iter=50)
    nlp = build_pipeline(model)
    text = " ".join(TINY[0][0])
    before = [(s.text, s._.rhetorical_role, s._.role_score) for s in nlp(text).sents]
    nlp.to_disk(tmp_path / "p")
    nlp2 = spacy.load(tmp_path / "p")
    assert nlp2.pipe_names == ["sentencizer", "kg_claims"]
    doc = nlp2(text)
    after = [(s.text, s._.rhetorical_role, s._.role_score) for s in doc.sents]
    assert [a[:2] for a in after] == [b[:2] for b in before]
    assert all(abs(a[2] - b[2]) < 1e-3 for a, b in zip(after, before, strict=True))
    assert all(
        s._.rhetorical_role in {"background", "objective", "method", "result", "other"}
        for s in doc.sents
    )
    assert all(s._.rhetorical_role == "result" for s in doc.spans["claims"])
    # bytes round trip too
    comp = nlp2.get_pipe("kg_claims")
    again = type(comp)(nlp2, "kg_claims").from_bytes(comp.to_bytes())
    assert again.model.labels == comp.model.labels


def test_untrained_component_fails_clearly():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("kg_claims")
    with pytest.raises(KGError):
        nlp("One sentence. Two sentences.")


def test_bad_csabstruct_file(tmp_path):
    from kg.evaluation.csabstruct import evaluate_csabstruct

    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"sentences": ["a", "b"], "labels": ["result"]}) + "\n")
    with pytest.raises(KGError, match="2 sentences but 1 labels"):
        evaluate_csabstruct(bad, model=tmp_path)
    bad.write_text("{not json\n")
    with pytest.raises(KGError, match="not JSON"):
        evaluate_csabstruct(bad, model=tmp_path)


def test_trained_model_finds_results():
    """The shipped pipeline's kg_claims (trained on CSAbstruct) on a clear abstract."""
    from kg.extract import load_pipeline

    nlp = load_pipeline()
    assert "kg_claims" in nlp.pipe_names
    text = (
        "Large language models are expensive to serve. "
        "In this paper, we study how to reduce their memory footprint. "
        "We propose a quantization scheme that keeps outlier channels in higher precision. "
        "The results show that our approach reduces memory by 41% without loss of accuracy. "
        "We also find that accuracy improves by 3.2 points over prior work."
    )
    doc = nlp(text)
    roles = [s._.rhetorical_role for s in doc.sents]
    assert roles[-1] == "result" and roles[-2] == "result", roles
    assert roles[0] == "background", roles
    assert len(doc.spans["claims"]) >= 2
    assert all(0.0 <= s._.role_score <= 1.0 for s in doc.sents)
