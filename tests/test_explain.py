"""``kg explain``'s forms: how many papers write each form, the merge score labelled as one (a
review read "'MoE' acronym (1)" as one paper), and how many papers define an acronym."""

from __future__ import annotations

import re

import pytest

from kg.sparql.explain import Explanation, FormReason, _add_defining_papers, explain, form_line
from kg.sparql.query import load_graph, run_query


@pytest.fixture(scope="module")
def targets(sample_build) -> dict[str, object]:
    result, out = sample_build
    return {"store": load_graph(out), "file": load_graph(result.graph_path)}


def test_form_line_labels_the_score_and_counts_papers():
    acronym = FormReason("MoE", "acronym", 1.0, "defined as 'mixture of experts' in paper p1", 12)
    assert form_line(acronym) == (
        "acronym, 12 papers, merge score 1.00 - defined as 'mixture of experts' in paper p1"
    )
    fuzzy = FormReason("Marlcov chain", "fuzzy", 0.957, "spelling variant of 'markov chain'", 1)
    assert form_line(fuzzy).startswith("fuzzy, 1 paper, merge score 0.96 - ")
    assert form_line(FormReason("moe", "canonical", 1.0, "canonical label", 3)) == (
        "canonical, 3 papers - canonical label"  # no merge to score
    )
    assert form_line(FormReason("x", "normalized", 1.0, "")) == "normalized, merge score 1.00"


def test_a_form_defined_in_several_papers_says_how_many():
    exp = Explanation("e", "mixture of experts", [])
    exp.forms = [
        FormReason("MoE", "acronym", 1.0, "defined as 'mixture of experts' in paper p1", 3),
        FormReason("MoEs", "acronym", 1.0, "defined as 'mixture of experts' in paper p1", 1),
        FormReason("CoE", "acronym", 1.0, "defined as 'mixture of experts' in paper p9", 1),
    ]
    exp.acronym_definitions = [
        ("MoE", "Mixture-of-Experts", "urn:p1"),
        ("MoE", "mixture of experts", "urn:p2"),
        ("MoEs", "mixture of experts", "urn:p3"),
        ("CoE", "mixture of experts", "urn:p9"),
    ]
    _add_defining_papers(exp)
    moe, moes, coe = exp.forms
    assert moe.defined_in == moes.defined_in == ["urn:p1", "urn:p2", "urn:p3"]  # one key
    assert moe.detail == "defined as 'mixture of experts' in 3 papers, e.g. paper p1"
    assert coe.detail == "defined as 'mixture of experts' in paper p9"  # one paper: as stored


@pytest.mark.parametrize("engine", ["store", "file"])
def test_moe_forms_count_their_papers_and_definitions(targets, engine):
    graph = targets[engine]
    (exp,) = [e for e in explain(graph, "MoE") if e.label == "mixture of experts"]
    forms = {f.form: f for f in exp.forms}
    written = run_query(
        graph,
        """SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {
             ?ev rdf:object entity:mixture-of-experts ; kg:surfaceForm "MoE" ; rdf:subject ?p }""",
    ).rows[0][0]
    assert forms["MoE"].papers == int(written) > 1
    defining = run_query(
        graph,
        """SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {
             ?d kg:denotes entity:mixture-of-experts ; kg:shortForm "MoE" .
             ?p kg:definesAcronym ?d }""",
    ).rows[0][0]
    assert int(defining) > 1 and len(forms["MoE"].defined_in) >= int(defining)
    assert exp.acronym_definitions, "the definitions of MoE are read (they were not: issue)"

    from kg.sparql.explain import render

    text = render([exp])
    (line,) = [x for x in text.splitlines() if x.strip().startswith("'MoE' ")]
    assert f"acronym, {forms['MoE'].papers} papers, merge score 1.00" in line
    assert f"in {len(forms['MoE'].defined_in)} papers, e.g. paper " in line
    form_lines = [x for x in text.splitlines() if x.startswith("    '")]
    assert len(form_lines) == len(exp.forms)
    assert not any(re.search(r"\(\d+(\.\d+)?\)", x) for x in form_lines), "a bare (1) again"
    assert re.search(r"MoE = Mixture-of-Experts  in \d+ papers, e.g. paper:", text)
