"""Relations between entities: the kg_relations component, its records, the graph, the eval."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS, PROV
from spacy.tokens import Span

from kg.errors import KGError
from kg.extract.components.kg_relations import RelationExtractor
from kg.extract.relations import (
    LABELS,
    MAX_GAP,
    candidate_pairs,
    graph_reading,
    sentence_bounds,
    sentence_groups,
)
from kg.extract.sections import paper_text
from kg.vocab import KG

SHARED = Path(__file__).resolve().parents[2] / "shared"

ABSTRACT = (
    "We propose ExpertRAG, a retrieval-augmented generation method for multi-hop question "
    "answering. We evaluate ExpertRAG on HotpotQA and 2WikiMultiHopQA using exact match and F1."
)
ENTITY_RELATIONS = {
    KG.usedFor,
    KG.evaluates,
    KG.comparedWith,
    KG.partOf,
    KG.hyponymOf,
    KG.featureOf,
    KG.conjunction,
}


def _doc(nlp, title: str, abstract: str):
    return nlp(paper_text(title, abstract))


def _check_relations(doc) -> None:
    """Every relation joins two kg_entities spans of one sentence, with a known label and a
    score at or above the shipped threshold."""
    spans = {(s.start, s.end) for s in doc.spans["kg_entities"]}
    for h0, h1, t0, t1, label, score, *by in doc._.kg_relations:
        # a rule's relation names its extractor (and the span "our model" stands for)
        assert not by or by[0] in ("kg_evaluations", "kg_comparisons", "kg_title_tasks")
        assert (h0, h1) in spans and (t0, t1) in spans
        assert label in LABELS
        assert doc[h0].sent.start == doc[t0].sent.start
        assert 0.0 <= score <= 1.0


def test_pipeline_places_relations_after_the_final_entities(nlp):
    # after kg_entities and kg_termhood (which sets fragments aside): relations are read only
    # between the spans that become entity nodes
    names = nlp.pipe_names
    last = max(names.index(n) for n in ("kg_entities", "kg_termhood") if n in names)
    assert names.index("kg_relations") == last + 1


def test_component_finds_relations_in_a_real_abstract(nlp):
    doc = _doc(nlp, "ExpertRAG: efficient RAG with mixture of experts", ABSTRACT)
    _check_relations(doc)
    threshold = nlp.get_pipe("kg_relations").model.threshold
    learned = [r for r in doc._.kg_relations if len(r) == 6]  # the rules' have 7 items
    assert learned and all(score >= threshold for *_rest, score in learned)
    found = {
        (doc[h0:h1].text, label, doc[t0:t1].text)
        for h0, h1, t0, t1, label, *_ in doc._.kg_relations
    }
    # the coordinated datasets are read as peers, in text order (SciERC's direction)
    assert ("HotpotQA", "CONJUNCTION", "2WikiMultiHopQA") in found, found


def test_a_task_evaluating_a_method_is_written_as_the_method_used_for_it(nlp):
    # SciERC's "TASK EVALUATE-FOR METHOD" (what the model reads here) is, in the graph's
    # reading of kg:evaluates (a dataset or metric evaluates), "METHOD USED-FOR TASK"
    doc = _doc(
        nlp,
        "A title",
        "We propose TopicRNN, a recurrent neural network. Empirical results on word prediction "
        "show that TopicRNN outperforms existing contextual RNN baselines.",
    )
    spans = [(s.start, s.end, s.label_) for s in doc.spans["kg_entities"]]
    model = nlp.get_pipe("kg_relations").model

    def read(relations):
        return {
            (doc[h0:h1].text, label, doc[t0:t1].text) for h0, h1, t0, t1, label, *_ in relations
        }

    raw = read(model.relations(doc, sentence_bounds(doc), spans))
    assert ("word prediction", "EVALUATE-FOR", "TopicRNN") in raw, raw
    written = read(doc._.kg_relations)
    assert ("TopicRNN", "USED-FOR", "word prediction") in written, written
    assert not any(
        label == "EVALUATE-FOR" and head == "word prediction" for head, label, _ in written
    )
    # a dataset evaluating a method keeps SciERC's direction
    kept = graph_reading([(0, 1, 2, 3, "EVALUATE-FOR", 0.9)], [(0, 1, "Dataset"), (2, 3, "Method")])
    assert kept == [(0, 1, 2, 3, "EVALUATE-FOR", 0.9)]


def test_one_entity_and_no_pair_per_sentence_give_no_relations(nlp):
    doc = _doc(nlp, "A note", "We study BERT. Results are reported below. The end.")
    assert doc._.kg_relations == []
    one_per_sentence = _doc(nlp, "Short", "BERT is strong. HotpotQA is hard. SQuAD is old.")
    by_sentence = defaultdict(int)
    for s in one_per_sentence.spans["kg_entities"]:
        by_sentence[s.sent.start] += 1
    assert max(by_sentence.values(), default=0) <= 1
    assert one_per_sentence._.kg_relations == []
    empty = _doc(nlp, "Nothing", "")
    assert empty._.kg_relations == []


def test_overlapping_spans_are_never_related(nlp):
    doc = nlp.make_doc("Dense retrieval models for open-domain question answering work well .")
    doc[0].is_sent_start = True
    for tok in doc[1:]:
        tok.is_sent_start = False
    outer, inner, task = (
        Span(doc, 0, 3, "Method"),
        Span(doc, 1, 3, "Method"),
        Span(doc, 4, 8, "Task"),
    )
    doc.spans["kg_entities"] = [outer, inner, task]
    doc = nlp.get_pipe("kg_relations")(doc)
    for h0, h1, t0, t1, *_ in doc._.kg_relations:
        assert h1 <= t0 or t1 <= h0, "a relation between overlapping spans"
    assert (0, 1) not in candidate_pairs([(0, 3, "Method"), (1, 3, "Method")])


def test_very_long_sentence_is_bounded_and_relations_stay_near(nlp):
    words = " ".join(
        f"BERT{i} and RoBERTa{i} with" for i in range(1500)
    )  # one 6,000-token sentence
    started = time.perf_counter()
    doc = _doc(nlp, "Long", words)
    assert time.perf_counter() - started < 60
    _check_relations(doc)
    for h0, h1, t0, t1, *_ in doc._.kg_relations:
        assert max(t0 - h1, h0 - t1) <= MAX_GAP  # tokens between the two spans


def test_spans_across_a_sentence_boundary_are_not_paired():
    bounds = [(0, 5), (5, 10)]
    groups = sentence_groups(bounds, [(1, 2, "Method"), (4, 6, "Task"), (7, 8, "Dataset")])
    assert groups == []  # the crossing span is dropped, no sentence keeps two spans


def test_weights_round_trip_and_a_broken_model_is_one_error(nlp, tmp_path):
    component = nlp.get_pipe("kg_relations")
    component.to_disk(tmp_path / "rel")
    again = RelationExtractor(nlp, "kg_relations").from_disk(tmp_path / "rel")
    doc = _doc(nlp, "ExpertRAG", ABSTRACT)
    first = list(doc._.kg_relations)
    doc = again(doc)
    assert [r[:5] for r in doc._.kg_relations] == [r[:5] for r in first]
    (tmp_path / "rel" / "cfg.json").write_text("{not json", encoding="utf8")
    with pytest.raises(KGError, match="cannot load the relation model"):
        RelationExtractor(nlp, "kg_relations").from_disk(tmp_path / "rel")


def test_records_reference_mentions_of_one_sentence(nlp):
    from kg.extract import extract
    from kg.records import Paper

    paper = Paper(title="ExpertRAG: efficient RAG with mixture of experts", abstract=ABSTRACT)
    ext = next(extract([paper], nlp))
    assert ext.relations
    for r in ext.relations:
        head, tail = ext.mentions[r.head], ext.mentions[r.tail]
        if r.tail_as is not None:  # "our model": the words are in the head's sentence
            assert head.sent_start <= r.tail_as[1] < r.tail_as[2] <= head.sent_end
            continue
        assert head.field == tail.field and head.sentence == tail.sentence
        assert r.relation in {str(p).rpartition("#")[2] for p in ENTITY_RELATIONS}


# --- the graph ---------------------------------------------------------------------------------


def test_graph_has_relation_edges_with_evidence_and_paper_counts(sample_graph):
    g = sample_graph
    edges = set(g.subjects(RDF.type, KG.EntityRelation))
    assert len(edges) > 50
    for edge in edges:
        s, p, o = (
            g.value(edge, RDF.subject),
            g.value(edge, RDF.predicate),
            g.value(edge, RDF.object),
        )
        assert p in ENTITY_RELATIONS and s != o
        assert (s, p, o) in g
        if p in (KG.comparedWith, KG.conjunction):
            assert (o, p, s) in g  # symmetric: both directions
        evidence = list(g.objects(edge, KG.hasEvidence))
        assert evidence
        papers = {g.value(ev, PROV.wasDerivedFrom) for ev in evidence}
        assert None not in papers
        for ev in evidence:
            assert (ev, RDF.type, KG.RelationEvidence) in g
            paper = g.value(ev, PROV.wasDerivedFrom)
            sentence = g.value(ev, KG.inSentence)
            assert (sentence, DCTERMS.isPartOf, paper) in g
            field = str(g.value(sentence, KG.inField))
            text = str(g.value(paper, DCTERMS.title if field == "title" else DCTERMS.abstract))
            for form, start, end in (
                (KG.headForm, KG.headStart, KG.headEnd),
                (KG.tailForm, KG.tailStart, KG.tailEnd),
            ):
                assert text[int(g.value(ev, start)) : int(g.value(ev, end))] == str(
                    g.value(ev, form)
                )
            assert str(g.value(sentence, KG.text)) in text
            extractor = str(g.value(ev, KG.extractor))
            rules = {
                "kg_evaluations": KG.evaluates,
                "kg_comparisons": KG.comparedWith,
                "kg_title_tasks": KG.usedFor,
            }
            assert extractor == "kg_relations" or p == rules[extractor]  # one relation a rule


def test_an_edge_stated_in_several_papers_is_one_node(sample_graph):
    g = sample_graph
    counts = [
        len({g.value(ev, PROV.wasDerivedFrom) for ev in g.objects(e, KG.hasEvidence)})
        for e in g.subjects(RDF.type, KG.EntityRelation)
    ]
    assert max(counts) >= 2  # the sample states some relations in more than one paper
    keys = [
        (g.value(e, RDF.subject), g.value(e, RDF.predicate), g.value(e, RDF.object))
        for e in g.subjects(RDF.type, KG.EntityRelation)
    ]
    assert len(keys) == len(set(keys))


def test_graph_with_relations_conforms_to_the_shapes(sample_build):
    from kg.rdf.validate import validate_file

    result, _ = sample_build
    report = validate_file(result.graph_path)
    assert report.conforms, str(report)[:2000]


def test_explain_lists_relations_with_a_sentence(sample_graph):
    from kg.sparql.explain import explain, render

    [exp] = [e for e in explain(sample_graph, "MoE") if e.relations]
    assert any(r.relation == "usedFor" for r in exp.relations)
    text = render([exp])
    assert "relations (" in text and "--usedFor-->" in text
    first = exp.relations[0]
    assert first.papers >= exp.relations[-1].papers
    assert first.sentence and URIRef(first.paper) in set(sample_graph.subjects(RDF.type, KG.Paper))


def test_viz_focus_draws_labelled_relation_edges(sample_graph):
    from kg.viz.index import read_index
    from kg.viz.render import build_network
    from kg.viz.select import select

    index = read_index(sample_graph)
    sel = select(index, focus="MoE", hops=1)
    kinds = [d for _, _, d in sel.graph.edges(data=True) if d["kind"] == "entity-relation"]
    assert kinds
    net = build_network(index, sel)
    labelled = [e for e in net.edges if e.get("label")]
    assert labelled and all(e["label"] for e in labelled)


# --- evaluation --------------------------------------------------------------------------------


def test_eval_scierc_reports_relations(tmp_path):
    from kg.evaluation.scierc import evaluate_scierc

    dev = SHARED / "data" / "scierc" / "dev.json"
    if not dev.is_file():
        pytest.skip("SciERC dev not available")
    small = tmp_path / "dev5.json"
    small.write_text("".join(dev.read_text(encoding="utf8").splitlines(True)[:5]), encoding="utf8")
    report = evaluate_scierc(small)
    rel = report["relations"]
    for key in ("precision", "recall", "f1", "per_type", "strict_f1", "given_gold_entities_f1"):
        assert key in rel
    assert set(rel["per_type"]) == set(LABELS)
    assert rel["gold"] > 0
    assert 0 <= rel["strict_f1"] <= rel["f1"] <= 100
    # with the gold spans the classifier does better than after the recognizer's errors
    assert rel["given_gold_entities_f1"] > rel["f1"]
    json.dumps(report)


def test_relations_query_from_readme_ranks_by_support(sample_graph):
    from kg.sparql.query import run_query

    readme = Path(__file__).resolve().parents[1] / "README.md"
    text = readme.read_text(encoding="utf-8")
    query = text.split("<!-- relations-query -->")[1].split("```sparql")[1].split("```")[0]
    rows = run_query(sample_graph, query).rows
    assert rows
    papers = [int(r[2]) for r in rows]
    assert papers == sorted(papers, reverse=True) and papers[0] >= 2


def test_eval_with_no_entities_or_a_bad_relation_is_no_traceback(tmp_path):
    import subprocess
    import sys

    empty = tmp_path / "empty.json"
    empty.write_text('{"sentences": [["a"]], "ner": [[]]}\n', encoding="utf8")
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"sentences": [["a", "b"]], "ner": [[[0, 0, "Method"]]], '
        '"relations": [[[0, 0, 5, 5, "USED-FOR"]]]}\n',
        encoding="utf8",
    )
    cmd = [sys.executable, "-c", "from kg.cli import main; main()", "eval", "scierc"]
    ok = subprocess.run([*cmd, str(empty)], capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["relations"]["f1"] == 0.0
    failed = subprocess.run([*cmd, str(bad)], capture_output=True, text=True, timeout=300)
    assert failed.returncode != 0
    assert "Traceback" not in failed.stderr and "relation [0, 0, 5, 5" in failed.stderr


def test_training_on_a_slice_of_scierc_gives_a_loadable_model(tmp_path, nlp):
    from kg.train.relations import save_model, train_relations

    data = SHARED / "data" / "scierc"
    if not (data / "train.json").is_file():
        pytest.skip("SciERC not available")
    for name, n in (("train.json", 40), ("dev.json", 8)):
        lines = (data / name).read_text(encoding="utf8").splitlines(True)[:n]
        (tmp_path / name).write_text("".join(lines), encoding="utf8")
    model, report = train_relations(tmp_path, c_grid=(0.3,))
    assert report.train_positive > 0 and report.features == len(model.features)
    assert 0.0 <= report.threshold <= 0.95
    assert report.dev_given_gold["f1"] > 0  # it learned something that transfers
    saved = save_model(model, tmp_path / "out")
    again = RelationExtractor(nlp, "kg_relations").from_disk(saved)
    assert again.model.features == model.features
    assert again.model.threshold == model.threshold


def test_silver_pairs_of_the_teacher_join_training_with_their_weight(tmp_path):
    """``kg train relations --silver``: the teacher's most likely class is the label, its unsure
    pairs are left out, and the report compares the result with the shipped model."""
    from kg.extract.relations import CLASSES
    from kg.train.relations import silver_pairs, train_relations

    data = SHARED / "data" / "scierc"
    if not (data / "train.json").is_file():
        pytest.skip("SciERC not available")
    sure, unsure = [0.0] * len(CLASSES), [0.0] * len(CLASSES)
    sure[CLASSES.index("USED-FOR")], sure[0] = 0.9, 0.1
    unsure[CLASSES.index("COMPARE<")], unsure[0] = 0.55, 0.45
    row = {
        "words": "we use a neural parser for machine translation and a tagger .".split(),
        "groups": [[[2, 5, "Method"], [6, 8, "Task"], [10, 11, "Method"]]],
        "pairs": [[0, 0, 1, sure], [0, 1, 2, unsure]],
    }
    silver = tmp_path / "silver.jsonl"
    silver.write_text(json.dumps(row) + "\n", encoding="utf8")
    rows, ys = silver_pairs(silver, min_confidence=0.6)
    assert ys == [CLASSES.index("USED-FOR")] and "ha=parser" in rows[0]
    assert len(silver_pairs(silver)[1]) == 2
    for name, n in (("train.json", 40), ("dev.json", 8)):
        lines = (data / name).read_text(encoding="utf8").splitlines(True)[:n]
        (tmp_path / name).write_text("".join(lines), encoding="utf8")
    model, report = train_relations(tmp_path, c_grid=(0.3,), silver=silver, silver_weight=0.5)
    assert report.silver_pairs == 2 and report.silver_positive == 2
    assert "silver.jsonl" in model.info["trained_on"]
    lo, hi = report.vs_shipped["given_gold"]["ci95"]
    assert lo <= report.vs_shipped["given_gold"]["mean_gain"] <= hi


def test_feature_names_with_line_breaks_are_never_stored():
    from kg.train.relations import storable

    assert storable("bw=used") and not storable("bw=\r") and not storable("bs=a \r\n b")
