"""kg_evaluations: "DATASET evaluates CONTRIBUTION" read from a paper's own result sentences."""

from __future__ import annotations

import json

import pytest

from kg.extract import extract
from kg.extract.evaluations import EXTRACTOR, RULE_SCORE
from kg.records import Paper


def _extraction(nlp, title: str, abstract: str):
    """The extraction record of one paper, as the build makes it."""
    return next(extract([Paper(title=title, abstract=abstract, id="p")], nlp))


def _relations(nlp, title: str, abstract: str) -> set[tuple[str, str, str, str]]:
    ext = _extraction(nlp, title, abstract)
    return {
        (ext.mentions[r.head].text, r.relation, ext.mentions[r.tail].text, r.extractor)
        for r in ext.relations
    }


def test_pipeline_runs_the_rule_right_after_the_learned_relations(nlp):
    names = nlp.pipe_names
    assert names.index("kg_evaluations") == names.index("kg_relations") + 1


def test_benchmarks_of_a_result_sentence_evaluate_the_proposed_method(nlp):
    found = _relations(
        nlp,
        "FormNet: Structural Encoding beyond Sequential Modeling",
        "We propose FormNet, a structure-aware sequence model for form documents. In "
        "experiments, FormNet outperforms existing methods, establishing new state-of-the-art "
        "performance on CORD and FUNSD benchmarks.",
    )
    evaluated = {(h, t) for h, rel, t, _ in found if rel == "evaluates"}
    assert {("CORD", "FormNet"), ("FUNSD", "FormNet")} <= evaluated, found
    # the learned model reads one of them; the rule adds the other and repeats none
    assert any(by == EXTRACTOR for *_, by in found), found
    assert len([r for r in found if r[:3] == ("CORD", "evaluates", "FormNet")]) == 1


def test_rule_relations_carry_the_rule_score_and_their_sentence(nlp):
    abstract = (
        "We introduce AdaCQR, a framework for conversational query reformulation. Experimental "
        "results on the TopiOCQA and QReCC datasets demonstrate that AdaCQR outperforms the "
        "existing methods."
    )
    ext = _extraction(nlp, "X", abstract)
    ruled = [r for r in ext.relations if r.extractor == EXTRACTOR]
    assert ruled, [(ext.mentions[r.head].text, r.relation) for r in ext.relations]
    for r in ruled:
        head, tail = ext.mentions[r.head], ext.mentions[r.tail]
        assert (r.relation, r.score, head.label, tail.text) == (
            "evaluates",
            RULE_SCORE,
            "Dataset",
            "AdaCQR",
        )
        assert head.sentence == tail.sentence and head.sentence.startswith("Experimental")


@pytest.mark.parametrize(
    "sentence",
    [
        # trained on a dataset: it is used for the method, it does not evaluate it
        "GA3C is pre-trained on ImageNet and fine-tuned on CIFAR-10 with better accuracy.",
        # no result cue: a description, not an evaluation
        "GA3C reads the ImageNet images in a new order.",
        # what the method is built on
        "Our GA3C, based on TensorFlow, achieves a large speed-up.",
        # hardware the recognizer may type as a dataset
        "GA3C achieves 125 FPS on NVIDIA TX2.",
        # examples of methods, not of benchmarks ("classical planners, such as LAMA")
        "GA3C can be used along with state-of-the-art classical models, such as ImageNet.",
    ],
)
def test_training_data_descriptions_and_hardware_are_not_evaluations(nlp, sentence):
    found = _relations(nlp, "GA3C", f"We present GA3C, a hybrid CPU/GPU method. {sentence}")
    assert not {r for r in found if r[3] == EXTRACTOR}, found


def test_without_a_proposed_contribution_nothing_is_ruled(nlp):
    found = _relations(
        nlp,
        "A study of benchmarks",
        "Experiments on CIFAR-10 and ImageNet show that BERT outperforms ResNet.",
    )
    assert not {r for r in found if r[3] == EXTRACTOR}, found


def test_one_reading_per_contribution_and_dataset_in_a_sentence(nlp):
    ext = _extraction(
        nlp,
        "X",
        "We propose PERC for code generation. We validate PERC through experiments on the "
        "HumanEval benchmark: PERC outperforms RAG methods.",
    )
    pairs = [
        (ext.mentions[r.head].text, ext.mentions[r.tail].text)
        for r in ext.relations
        if r.relation == "evaluates"
    ]
    assert pairs.count(("HumanEval", "PERC")) == 1, pairs


def test_our_model_stands_for_the_one_proposed_name_with_the_words_as_evidence(nlp):
    abstract = (
        "We propose TransCQR, a transformer for conversational query reformulation. "
        "Experiments on TopiOCQA and QReCC show that our model outperforms strong baselines."
    )
    ext = _extraction(nlp, "TransCQR", abstract)
    ruled = [r for r in ext.relations if r.tail_as is not None]
    assert {ext.mentions[r.head].text for r in ruled} == {"TopiOCQA", "QReCC"}, ext.relations
    for r in ruled:
        head, tail = ext.mentions[r.head], ext.mentions[r.tail]
        assert tail.text == "TransCQR" and r.extractor == EXTRACTOR
        words, start, end = r.tail_as
        assert words == "our model" and abstract[start:end] == words
        assert head.sent_start <= start < end <= head.sent_end  # in the dataset's sentence


@pytest.mark.parametrize(
    "abstract",
    [
        # two proposed methods: "our model" is one of them, which one the rule cannot tell
        "We propose AlphaNet and BetaNet. Experiments on TopiOCQA show that our model "
        "outperforms strong baselines.",
        # plural: "our models" may be several
        "We propose AlphaNet. Experiments on TopiOCQA show that our models outperform "
        "strong baselines.",
    ],
)
def test_our_model_is_not_read_where_it_may_be_another(nlp, abstract):
    ext = _extraction(nlp, "Two", abstract)
    assert not [r for r in ext.relations if r.tail_as is not None], ext.relations


def test_our_model_evidence_in_the_graph_points_at_the_words(tmp_path):
    from rdflib import RDF, RDFS, Graph
    from rdflib.namespace import DCTERMS, PROV

    from kg.build import build
    from kg.vocab import KG

    abstract = (
        "We propose TransCQR, a transformer for conversational query reformulation. "
        "Experiments on TopiOCQA and QReCC show that our model outperforms strong baselines."
    )
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": "2401.00001", "title": "TransCQR", "abstract": abstract}) + "\n",
        encoding="utf-8",
    )
    g = Graph().parse(build([src], tmp_path / "out", store=False).graph_path)
    evidence = [
        ev for ev in g.subjects(KG.tailForm, None) if str(g.value(ev, KG.tailForm)) == "our model"
    ]
    assert len(evidence) == 2
    for ev in evidence:
        edge = next(g.subjects(KG.hasEvidence, ev))
        assert g.value(edge, RDF.predicate) == KG.evaluates
        assert str(g.value(g.value(edge, RDF.object), RDFS.label)) == "TransCQR"
        text = str(g.value(g.value(ev, PROV.wasDerivedFrom), DCTERMS.abstract))
        start, end = int(g.value(ev, KG.tailStart)), int(g.value(ev, KG.tailEnd))
        assert text[start:end] == "our model"
        assert "our model" in str(g.value(g.value(ev, KG.inSentence), KG.text))


def test_a_lower_case_name_is_proposed_and_evaluated_where_it_is_written(nlp):
    # "we propose mixup, a ...": a lower-case name with an apposition is what the paper
    # proposes; later the recognizer misses the word in running text, so the rule finds the
    # name in the sentence and points at its proposing mention
    abstract = (
        "In this work, we propose mixup, a simple learning principle to alleviate these "
        "issues. Experiments on the CIFAR-10 and CIFAR-100 datasets show that mixup improves "
        "the generalization of neural network architectures."
    )
    ext = _extraction(nlp, "Beyond risk minimization", abstract)
    assert ("mixup", "proposes") in {(m.text, m.relation) for m in ext.mentions}
    ruled = [r for r in ext.relations if r.extractor == EXTRACTOR]
    assert {ext.mentions[r.head].text for r in ruled} == {"CIFAR-10", "CIFAR-100"}, ruled
    for r in ruled:
        words, start, end = r.tail_as
        assert words == "mixup" and abstract[start:end] == "mixup"
        assert start > abstract.index("Experiments")  # the evaluating sentence's own word


def test_a_lower_case_word_without_an_apposition_is_not_a_name(nlp):
    abstract = "We propose efficient training for transformers. We propose ours, a method."
    ext = _extraction(nlp, "X", abstract)
    assert not [m for m in ext.mentions if m.relation == "proposes" and m.text.islower()]
