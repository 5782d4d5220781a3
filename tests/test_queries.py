"""The query library (queries/*.rq): every query runs, answers what it says, parameters are safe."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kg.errors import KGError
from kg.sparql.library import (
    get_query,
    list_queries,
    parse_params,
    placeholders,
    quote_literal,
    render_library_query,
    sparql_term,
)
from kg.sparql.query import load_graph, run_query

KG_CMD = [sys.executable, "-c", "from kg.cli import main; main()"]
EXPECTED = {
    "acronym",
    "compared-with",
    "contribution",
    "evaluated-on",
    "used-for",
    "bridges",
    "method-claims",
    "papers-using",
    "proposes",
    "shared-entities",
    "top-datasets",
    "topic-trend",
    "topics",
}


@pytest.fixture(scope="module")
def store_graph(sample_build):
    _, out = sample_build
    return load_graph(out)


def _titles(result) -> list[str]:
    column = result.variables.index("title")
    return [str(row[column]) for row in result.rows]


def _run(graph, name: str, **params):
    return run_query(graph, render_library_query(name, {k: str(v) for k, v in params.items()}))


def test_library_has_the_questions_and_each_says_what_it_answers():
    queries = {q.name: q for q in list_queries()}
    assert EXPECTED <= set(queries)
    for q in queries.values():
        assert q.description and q.summary.endswith("?"), q.name  # a question it answers
        for p in q.params:
            assert p.help, f"{q.name}: @param {p.name} has no help"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_library_query_runs_with_its_examples(store_graph, name):
    query = get_query(name)
    for example in query.examples or [""]:
        result = run_query(store_graph, query.render(parse_params(example.split())))
        assert result.kind == "SELECT"
        assert result.rows, f"{name} {example}: no rows on the sample"


def test_bridges_rag_moe_finds_expertrag(store_graph):
    titles = _titles(_run(store_graph, "bridges", a="RAG", b="MoE"))
    assert any(t.startswith("ExpertRAG") for t in titles)


def test_bridges_knowledge_editing_moe_finds_memoe_and_lemoe(store_graph):
    titles = _titles(_run(store_graph, "bridges", a="KnowledgeEditing", b="MoE"))
    assert any(t.startswith("MEMoE") for t in titles)
    assert any(t.startswith("LEMoE") for t in titles)
    # topics by label or cue, in any case, name the same topics
    again = _titles(_run(store_graph, "bridges", a="knowledge editing", b="mixture of experts"))
    assert sorted(again) == sorted(titles)


def test_proposes_gives_evidence(store_graph):
    result = _run(store_graph, "proposes", paper="MEMoE")
    row = dict(zip(result.variables, result.rows[0], strict=True))
    assert str(row["label"]) == "MEMoE" and "MEMoE" in str(row["sentence"])


def test_acronym_lookup(store_graph):
    result = _run(store_graph, "acronym", acronym="coe")
    longs = sorted(str(r[result.variables.index("longForm")]) for r in result.rows)
    assert longs == ["Chain-of-Experts", "Collaboration of Experts", "Composition of Experts"]


def test_topic_trend_counts_undated_papers_in_a_row_of_their_own(store_graph):
    """Most sample papers have no date: a trend of the dated ones alone (12 of
    ParametricKnowledge's 53) must say so. The "undated" row makes a topic's rows add up to
    its papers."""
    assert "undated" in get_query("topic-trend").summary  # what kg queries prints
    result = _run(store_graph, "topic-trend")
    assert result.variables[:3] == ["topic", "year", "papers"]  # a contract: added, not renamed
    per_topic: dict[str, int] = {}
    undated: dict[str, int] = {}
    for topic, year, papers in _rows(result):
        assert year == "undated" or (len(year) == 4 and year.isdigit()), year
        per_topic[topic] = per_topic.get(topic, 0) + int(papers)
        if year == "undated":
            undated[topic] = int(papers)
    counts = run_query(
        store_graph,
        "SELECT ?t (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p dcterms:subject ?t } GROUP BY ?t",
    )
    assert per_topic == {str(t): int(n) for t, n in counts.rows}
    pk = "https://w3id.org/mlkg/topic/ParametricKnowledge"
    assert undated[pk] > per_topic[pk] / 2  # on the sample 41 of 53 (12 dated)


def test_same_answers_from_the_turtle_file_through_rdflib(sample_graph, store_graph):
    sparql = render_library_query("bridges", ["a=KnowledgeEditing", "b=MoE"])
    from_file = run_query(sample_graph, sparql)  # graph.ttl parsed by rdflib: rdflib's engine
    assert sorted(_titles(from_file)) == sorted(_titles(run_query(store_graph, sparql)))


# --- read-time statistics: the library queries answer what plain aggregates over papers answer ---

# The reference: shared entities and bridges computed the plain way, from the papers.
SHARED_FROM_PAPERS = """
SELECT ?entity ?label ?type ?papersA ?papersB WHERE {
  { SELECT ?entity (SUM(?inA) AS ?papersA) (SUM(?inB) AS ?papersB) WHERE {
      VALUES (?topic ?inA ?inB) { (%(a)s 1 0) (%(b)s 0 1) }
      ?paper dcterms:subject ?topic ; kg:mentions ?entity .
    } GROUP BY ?entity HAVING (SUM(?inA) > 0 && SUM(?inB) > 0) }
  ?entity rdfs:label ?label ; a ?type .
  # one row per entity, its most specific class (issue 22)
  FILTER NOT EXISTS { ?entity a ?sub . FILTER(?sub != ?type)
    FILTER(sameTerm(?type, kg:Entity) || (sameTerm(?type, kg:Method) && sameTerm(?sub, kg:Model))) }
}
ORDER BY DESC(IF(?papersA < ?papersB, ?papersA, ?papersB)) DESC(?papersA + ?papersB) ?label
"""
BRIDGES_FROM_PAPERS = """
SELECT ?paper ?title ?scoreA ?scoreB WHERE {
  VALUES (?topicA ?topicB) { (%(a)s %(b)s) }
  ?paper dcterms:subject ?topicA , ?topicB .
  ?assignA kg:topicOf ?paper ; kg:topic ?topicA ; kg:score ?scoreA .
  ?assignB kg:topicOf ?paper ; kg:topic ?topicB ; kg:score ?scoreB .
  ?paper dcterms:title ?title .
  FILTER(?topicA != ?topicB)
}
"""


def _rows(result) -> list[tuple[str, ...]]:
    return sorted(tuple(str(v) for v in row) for row in result.rows)


def _key(row: tuple[str, ...]) -> tuple:
    """shared-entities' sort key of a row (entity, label, type, papersA, papersB)."""
    a, b = int(row[3]), int(row[4])
    return (-min(a, b), -(a + b), row[1])


PAIRS = [("RAG", "MoE"), ("MoE", "RAG"), ("KnowledgeEditing", "MoE"), ("RAG", "RAG"), ("", "MoE")]


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_shared_entities_equal_the_aggregate_over_papers(store_graph, a, b):
    terms = {"a": sparql_term(a, "topic"), "b": sparql_term(b, "topic")}
    reference = _rows(run_query(store_graph, SHARED_FROM_PAPERS % terms))
    assert reference or a == ""
    for limit in (1, 5, 50, 10_000):
        got = _rows(_run(store_graph, "shared-entities", a=a, b=b, limit=limit))
        assert len(got) == min(limit, len(reference))
        if limit >= len(reference):
            assert got == reference
        else:  # the first `limit` rows, up to ties at the cut
            cut = sorted(reference, key=_key)[limit - 1]
            assert all(_key(row) <= _key(cut) for row in got)
            assert [r for r in reference if _key(r) < _key(cut)] == [
                r for r in got if _key(r) < _key(cut)
            ]


@pytest.mark.parametrize(("a", "b"), [*PAIRS, ("", "")])
def test_bridges_equal_the_intersection_of_subjects(store_graph, a, b):
    terms = {"a": sparql_term(a, "topic"), "b": sparql_term(b, "topic")}
    reference = _rows(run_query(store_graph, BRIDGES_FROM_PAPERS % terms))
    assert _rows(_run(store_graph, "bridges", a=a, b=b)) == reference


def test_no_precomputed_statistics_are_left_in_the_graph(store_graph):
    """Vocabulary 2 counts at read time: nothing of the old statistics nodes is written (they
    went stale after SPARQL updates), so the queries above cannot be reading them."""
    old = "https://w3id.org/mlkg/ontology#"
    for term in ("TopicEntityCount", "SharedEntityTier"):
        found = run_query(store_graph, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x a <{old}{term}> }}")
        assert int(found.rows[0][0]) == 0
    for term in ("paperCount", "topicPaperCount", "sharedEntity", "sentence"):
        found = run_query(store_graph, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x <{old}{term}> ?y }}")
        assert int(found.rows[0][0]) == 0
    papers = run_query(store_graph, "SELECT (COUNT(*) AS ?n) WHERE { ?p a kg:Paper }")
    assert int(papers.rows[0][0]) > 0


# --- parameters ------------------------------------------------------------------------------


def test_values_are_escaped_never_spliced(store_graph):
    hostile = 'x" } ; DROP ALL ; SELECT * WHERE { ?s ?p "'
    assert quote_literal(hostile) == r'"x\" } ; DROP ALL ; SELECT * WHERE { ?s ?p \""'
    result = _run(store_graph, "papers-using", method=hostile)  # a literal that matches nothing
    assert result.rows == []
    assert quote_literal("a\\b\nc") == r'"a\\b\nc"'
    with pytest.raises(KGError, match="control characters"):
        quote_literal("bell\x07")
    with pytest.raises(KGError, match="expected an integer"):
        sparql_term("10 } LIMIT 1", "int", "limit")
    with pytest.raises(KGError, match="not allowed in an IRI"):
        sparql_term("entity:x> } <y", "iri", "e")
    assert sparql_term("entity:lora", "iri") == "<https://w3id.org/mlkg/entity/lora>"
    assert sparql_term("LoRA", "names") == '"LoRA" "lora" "LORA" "Lora"'
    acronym = sparql_term("coe", "acronym").split()
    assert '"CoE"' in acronym and '"CoEs"' in acronym and len(acronym) == 16


def test_topic_parameters_resolve_against_the_scheme():
    assert sparql_term("moe", "topic") == "<https://w3id.org/mlkg/topic/MoE>"
    assert (
        sparql_term("Retrieval-augmented generation", "topic")
        == "<https://w3id.org/mlkg/topic/RAG>"
    )
    assert sparql_term("", "topic") == "UNDEF"
    with pytest.raises(KGError, match="no topic named 'Quantum'"):
        sparql_term("Quantum", "topic")


def test_placeholders_skip_strings_iris_and_comments():
    text = '# $a in a comment\nSELECT * { ?s <http://x/$a> "$a" ; ?p $a }'
    assert [name for _s, _e, name in placeholders(text)] == ["a"]


def test_parameter_errors_are_clear():
    with pytest.raises(KGError, match=r"needs --param b=VALUE"):
        render_library_query("bridges", ["a=RAG"])
    with pytest.raises(KGError, match=r"has no parameter c"):
        render_library_query("bridges", ["a=RAG", "b=MoE", "c=1"])
    with pytest.raises(KGError, match=r"expected NAME=VALUE"):
        parse_params(["a"])
    with pytest.raises(KGError, match=r"no library query named 'nope'"):
        get_query("nope")
    with pytest.raises(KGError, match=r"no library query named"):
        get_query("../pyproject")


# --- CLI -------------------------------------------------------------------------------------


def test_cli_runs_a_library_query_on_a_store(sample_build):
    _, out = sample_build
    cli = subprocess.run(
        [
            *KG_CMD,
            "query",
            str(out),
            "--name",
            "bridges",
            "--param",
            "a=RAG",
            "--param",
            "b=MoE",
            "--format",
            "csv",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    assert "ExpertRAG" in cli.stdout
    listing = subprocess.run([*KG_CMD, "queries"], capture_output=True, text=True, timeout=120)
    assert listing.returncode == 0
    for name in EXPECTED:
        assert f"{name}: " in listing.stdout
    bad = subprocess.run(
        [*KG_CMD, "query", str(out), "--name", "bridges", "--param", "a=RAG"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2
    assert (
        bad.stderr.strip()
        == "kg: error: query 'bridges' needs --param b=VALUE (the other topic, e.g. MoE)"
    )


def test_cli_refuses_service_and_explains_parse_errors(sample_build):
    _, out = sample_build
    service = subprocess.run(
        [
            *KG_CMD,
            "query",
            str(out),
            "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert service.returncode == 2 and "--allow-service" in service.stderr
    assert len(service.stderr.strip().splitlines()) == 1
    typo = subprocess.run(
        [*KG_CMD, "query", str(out), "SELECT ?p WHERE { ?p a kg:Paper } LIMT 3"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert typo.returncode == 2 and "did you mean LIMIT?" in typo.stderr
