"""Rough edges of the read commands (issue 22), on the sample build, through both engines (the
Oxigraph store of a build directory and rdflib over its graph.ttl): ``kg explain NAME
[GRAPH_OR_STORE]``, what ``kg query --name`` says when it finds nothing, dates without a year in
tables, one row per entity in ``proposes``/``shared-entities``, ``SELECT *`` column order."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.sparql.library import render_library_query
from kg.sparql.query import load_graph, run_query
from kg.sparql.results import format_result


def _kg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def targets(sample_build) -> dict[str, object]:
    """The sample as the store (a build directory) and as its graph.ttl."""
    result, out = sample_build
    return {"store": load_graph(out), "file": load_graph(result.graph_path)}


# --- kg explain --------------------------------------------------------------------------------


def _head(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()[0]


def test_explain_takes_the_graph_or_store_positionally(sample_build, tmp_path):
    result, out = sample_build
    by_store = _head(_kg("explain", "RAG", str(out)))
    assert by_store.startswith("retrieval-augmented generation  [kg:Method, kg:Entity]")
    assert _head(_kg("explain", "RAG", str(result.graph_path))) == by_store
    assert _head(_kg("explain", "RAG", "-g", str(out))) == by_store  # -g still works
    (tmp_path / "kg-out").symlink_to(out)
    assert _head(_kg("explain", "RAG", cwd=tmp_path)) == by_store  # default: ./kg-out

    proc = _kg("explain", "RAG", str(out), "-g", str(result.graph_path))
    assert proc.returncode == 2 and "two graphs given" in proc.stderr
    proc = _kg("explain", "RAG", cwd=tmp_path / "kg-out" / "store")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (
        "kg: error: kg-out: no such graph file or store (build it with kg build, or name a "
        "graph or store)"
    )


def test_explain_takes_the_graph_first_too(sample_build):
    # every other read command takes the graph first: "kg explain kg-out RAG" is understood
    result, out = sample_build
    assert _head(_kg("explain", str(out), "RAG")) == _head(_kg("explain", "RAG", str(out)))


def test_explain_of_a_name_that_is_no_entity_offers_the_nearest_labels(sample_build):
    # a typo should not read as "the graph has nothing on it", as for kg query --name
    result, out = sample_build
    for target in (out, result.graph_path):
        proc = _kg("explain", "Mixtrue of Experts", str(target))
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        line = proc.stderr.strip()
        assert line.startswith("kg: error: no entity named 'Mixtrue of Experts'"), line
        assert "nearest labels: " in line and "mixture" in line.split("nearest labels: ")[1].lower()


def test_explain_finds_any_case_of_a_surface_form(targets):
    from kg.sparql.explain import find_entities

    for graph in targets.values():
        assert find_entities(graph, "rag") == find_entities(graph, "RAG") != []


def test_explain_lists_the_entity_written_exactly_so_first():
    # "DARTS" (a NAS method) and "DART" (a dataset, written "DARTs" in its plural) both match
    # "darts"; the one a user typed exactly comes first, whatever the IRIs' order
    from rdflib import Graph, Literal
    from rdflib.namespace import RDFS, SKOS

    from kg.sparql.explain import find_entities
    from kg.vocab import ENTITY

    g = Graph()
    dart, darts = ENTITY["a-dart"], ENTITY["b-darts"]
    g.add((dart, RDFS.label, Literal("DART")))
    g.add((dart, SKOS.altLabel, Literal("DARTs")))
    g.add((darts, RDFS.label, Literal("DARTS")))
    assert find_entities(g, "DARTS") == [str(darts), str(dart)]
    assert find_entities(g, "DARTs") == [str(dart), str(darts)]


def test_contribution_reads_a_symmetric_relation_from_the_contribution(targets):
    # "BESA comparedWith BAE", not "BAE comparedWith BESA": the edge node orders its ends by IRI
    from kg.sparql.library import render_library_query
    from kg.sparql.query import run_query

    graph = targets["store"]
    turned = run_query(
        graph,
        "SELECT DISTINCT ?title ?label WHERE { ?paper kg:proposes ?e ; dcterms:title ?title . "
        "?e rdfs:label ?label . ?edge rdf:object ?e ; rdf:predicate kg:comparedWith ; "
        "kg:hasEvidence/prov:wasDerivedFrom ?paper } ORDER BY ?title LIMIT 3",
    ).rows
    assert turned  # the sample has papers whose contribution is an edge's second end
    for title, label in turned:
        rows = run_query(graph, render_library_query("contribution", [f"paper={title}"])).rows
        compared = [
            r for r in rows if str(r[2]) == "comparedWith" and str(label) in (str(r[1]), str(r[3]))
        ]
        assert compared and all(str(r[1]) == str(label) for r in compared), compared


def test_explain_lists_conjunctions_after_the_other_relations(targets):
    from kg.sparql.explain import explain

    for target in targets.values():
        for exp in explain(target, "RAG"):
            kinds = [r.relation == "conjunction" for r in exp.relations]
            assert kinds == sorted(kinds), [r.relation for r in exp.relations]


def test_explain_lists_types_in_a_stable_order(targets):
    from kg.sparql.explain import explain

    for target in targets.values():
        (gpt4,) = explain(target, "GPT-4")
        assert gpt4.types == ["kg:Method", "kg:Model", "kg:Entity"]


# --- kg query --name: when nothing is found ---------------------------------------------------


@pytest.mark.parametrize("engine", ["store", "file"])
def test_a_name_that_names_no_entity_is_said_with_the_nearest_labels(sample_build, engine):
    result, out = sample_build
    target = str(out if engine == "store" else result.graph_path)
    proc = _kg("query", target, "--name", "method-claims", "--param", "method=LoRx")
    assert proc.returncode == 0 and "(0 rows)" in proc.stdout
    (line,) = proc.stderr.splitlines()
    assert line.startswith("kg: --param method='LoRx' names no entity in the graph; nearest ")
    assert "LoRA" in line.split("nearest labels: ")[1].split(", ")

    proc = _kg("query", target, "--name", "method-claims", "--param", "method=LoRA")
    assert proc.stderr.strip() == (
        "kg: --param method='LoRA' names 1 entity (low-rank adaptation), but query "
        "'method-claims' found nothing for it"
    )
    proc = _kg("query", target, "--name", "method-claims", "--param", "method=RAG")
    assert proc.returncode == 0 and proc.stderr == "" and "(0 rows)" not in proc.stdout


@pytest.mark.parametrize("engine", ["store", "file"])
def test_a_paper_that_proposes_nothing_is_said_to_be_in_the_graph(sample_build, targets, engine):
    # "names no entity in the graph" for a paper's exact title read as "no such paper"
    result, out = sample_build
    rows = run_query(
        targets[engine],
        "SELECT ?t WHERE { ?p a kg:Paper ; dcterms:title ?t "
        'FILTER NOT EXISTS { ?p kg:proposes ?e } FILTER(!CONTAINS(?t, "\'")) } '
        "ORDER BY ?t LIMIT 1",
    ).rows
    (title,) = rows[0]
    target = str(out if engine == "store" else result.graph_path)
    proc = _kg("query", target, "--name", "contribution", "--param", f"paper={title}")
    assert proc.returncode == 0 and "(0 rows)" in proc.stdout
    assert proc.stderr.strip() == (
        f"kg: --param paper={str(title)!r} is the paper {str(title)!r}, in the graph, but it "
        "proposes nothing the graph names (no kg:proposes: its abstract names no method, "
        "model or dataset of its own in a way kg recognizes)"
    )


def test_a_paper_is_found_by_its_identifier_in_the_graph(tmp_path):
    # the graph's own dcterms:identifier ("icml2019:4272") names the paper, as its title does
    from kg.build import build

    papers = tmp_path / "papers.jsonl"
    papers.write_text(
        json.dumps(
            {
                "id": "icml2019:4272",
                "title": "A title without a name",
                "abstract": "We propose FooNet, a novel network for image classification. "
                "FooNet outperforms ResNet on ImageNet.",
            }
        )
        + "\n"
    )
    build([papers], tmp_path / "out")
    proc = _kg("query", str(tmp_path / "out"), "--name", "proposes", "--param",
               "paper=icml2019:4272", "--format", "tsv")  # fmt: skip
    assert proc.returncode == 0 and "FooNet" in proc.stdout, proc.stderr
    proc = _kg("query", str(tmp_path / "out"), "--name", "proposes", "--param", "paper=nosuch")
    assert "names no paper (by title, arXiv id or identifier) and no entity" in proc.stderr


def test_name_lookups_give_the_same_rows_from_a_graph_file_and_the_store(targets):
    """A graph file's plain literals are plain (oxrdflib typed them xsd:string, and rdflib
    then matched no label a query names: 0 rows for proposes, every claim for method-claims)."""
    for name, params in [("proposes", ["paper=ExpertRAG"]), ("method-claims", ["method=RAG"])]:
        sparql = render_library_query(name, params)
        rows = {  # (GROUP_CONCAT's order is the engine's: the numbers compared as sets)
            engine: sorted(
                tuple(" | ".join(sorted(str(t).split(" | "))) for t in row)
                for row in run_query(target, sparql).rows
            )
            for engine, target in targets.items()
        }
        assert rows["store"] and rows["store"] == rows["file"], name
    assert (
        len(run_query(targets["file"], render_library_query("method-claims", ["method=RAG"])).rows)
        < 20
    )


# --- output -----------------------------------------------------------------------------------


def test_dates_without_a_year_read_as_such_in_tables_only(targets):
    sparql = (
        "SELECT ?date WHERE { ?p dcterms:date ?date ; dcterms:title ?t "
        'FILTER(STRSTARTS(STR(?date), "--")) } ORDER BY ?t LIMIT 1'
    )
    for target in targets.values():
        result = run_query(target, sparql)
        (date,) = result.rows[0]
        month, day = int(str(date)[2:4]), int(str(date)[5:7])
        months = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"]  # fmt: skip
        table = format_result(result, "table").splitlines()
        assert table[2] == f"{day} {months[month - 1]}, year unknown"
        assert format_result(result, "csv").splitlines()[1] == str(date)
        binding = json.loads(format_result(result, "json"))["results"]["bindings"][0]["date"]
        assert binding["value"] == str(date) and binding["datatype"].endswith("#gMonthDay")


@pytest.mark.parametrize("engine", ["store", "file"])
def test_select_star_columns_come_in_the_query_order(targets, engine):
    target = targets[engine]
    result = run_query(target, "SELECT * WHERE { ?s ?p ?o } LIMIT 2")
    assert result.variables == ["s", "p", "o"]
    sparql = """
        # ?zz in a comment, "?aa" in a string: neither counts
        SELECT * WHERE { ?zz a kg:Paper ; dcterms:title ?title .
                         OPTIONAL { ?zz kg:venue ?venue } FILTER(?title != "?aa") } LIMIT 1"""
    result = run_query(target, sparql)
    assert result.variables == ["zz", "title", "venue"]
    assert str(result.rows[0][1]) == str(run_query(
        target, f'SELECT ?t WHERE {{ <{result.rows[0][0]}> dcterms:title ?t }}'
    ).rows[0][0])  # fmt: skip
    assert run_query(target, "SELECT ?o ?s WHERE { ?s ?p ?o } LIMIT 1").variables == ["o", "s"]


@pytest.mark.parametrize("engine", ["store", "file"])
@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("proposes", ["paper=ExpertRAG"]),
        ("proposes", ["paper=MEMoE"]),
        ("shared-entities", ["a=RAG", "b=MoE"]),
        ("shared-entities", ["a=RAG", "b=RAG"]),
    ],
)
def test_entities_are_listed_once_with_their_most_specific_class(targets, engine, name, params):
    result = run_query(targets[engine], render_library_query(name, params))
    assert result.rows
    col = {v: i for i, v in enumerate(result.variables)}
    types = [str(row[col["type"]]).rpartition("#")[2] for row in result.rows]
    assert "Entity" not in types
    if name == "shared-entities":
        entities = [row[col["entity"]] for row in result.rows]
        assert len(entities) == len(set(entities))
    else:  # one row per evidence of a proposal, not one per class as well
        keys = [(row[col["entity"]], row[col["surfaceForm"]], row[col["sentence"]])
                for row in result.rows]  # fmt: skip
        assert len(keys) == len(set(keys))


def test_a_model_is_listed_as_a_model(targets):
    sparql = render_library_query("shared-entities", ["a=RAG", "b=RAG", "limit=200"])
    for target in targets.values():
        result = run_query(target, sparql)
        col = {v: i for i, v in enumerate(result.variables)}
        by_label = {str(r[col["label"]]): str(r[col["type"]]) for r in result.rows}
        models = [label for label in ("ChatGPT", "BERT", "LLaMA", "T5") if label in by_label]
        assert models and all(by_label[m].endswith("#Model") for m in models)
