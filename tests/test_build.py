"""`kg build` on the bundled sample, end to end: the issue's acceptance criteria."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from kg.build import build
from kg.rdf.validate import validate
from kg.sparql.query import run_query

README = Path(__file__).resolve().parents[1] / "README.md"


def test_sample_has_exactly_the_249_distinct_papers(sample_build, sample_graph):
    result, _ = sample_build
    assert result.papers == 249
    rows = run_query(
        sample_graph,
        "SELECT (COUNT(DISTINCT ?p) AS ?n) (COUNT(DISTINCT ?t) AS ?nt) "
        "WHERE { ?p a kg:Paper ; dcterms:title ?t }",
    ).rows
    assert [int(x) for x in rows[0]] == [249, 249]


def test_every_paper_has_title_abstract_and_source(sample_graph):
    rows = run_query(
        sample_graph,
        """SELECT ?p WHERE { ?p a kg:Paper .
        FILTER NOT EXISTS { ?p dcterms:title ?t ; dcterms:abstract ?a ; dcterms:source ?s } }""",
    ).rows
    assert rows == []


def test_summary_counts(sample_build):
    result, _ = sample_build
    assert result.triples > 10_000
    assert result.claims > 100
    assert result.topics >= 10
    assert {"Method", "Dataset", "Task"} <= set(result.entities_by_type)


def test_sample_graph_conforms_to_shapes(sample_graph):
    report = validate(sample_graph)
    assert report.conforms, "\n".join(report.violations[:10])


def test_build_is_byte_identical(sample_build, tmp_path):
    result, _ = sample_build
    again = build(out_dir=tmp_path)
    assert again.graph_path.read_bytes() == result.graph_path.read_bytes()


def test_evidence_query_from_readme_shows_sentence_and_offsets(sample_graph):
    text = README.read_text(encoding="utf-8")
    query = text.split("<!-- evidence-query -->")[1].split("```sparql")[1].split("```")[0]
    rows = run_query(sample_graph, query).rows
    assert rows
    for row in rows:
        names = ["paper", "entity", "form", "sentence", "start", "end", "extractor"]
        values = dict(zip(names, row, strict=False))
        assert str(values["form"]) in str(values["sentence"])
        assert int(values["start"]) < int(values["end"])


def test_evidence_offsets_cut_the_surface_form_out_of_the_field(sample_graph):
    rows = run_query(
        sample_graph,
        """SELECT ?form ?start ?end ?field ?title ?abstract WHERE {
        ?ev a kg:Evidence ; rdf:subject ?p ; kg:surfaceForm ?form ; kg:charStart ?start ;
            kg:charEnd ?end ; kg:inSentence/kg:inField ?field .
        ?p dcterms:title ?title ; dcterms:abstract ?abstract
        } LIMIT 500""",
    ).rows
    assert len(rows) == 500
    for form, start, end, field, title, abstract in rows:
        text = str(title) if str(field) == "title" else str(abstract)
        assert text[int(start) : int(end)] == str(form)


@pytest.mark.parametrize(
    "a, b, expected",
    [("RAG", "MoE", {"ExpertRAG"}), ("KnowledgeEditing", "MoE", {"MEMoE", "LEMoE"})],
)
def test_topic_bridges(sample_graph, a, b, expected):
    rows = run_query(
        sample_graph,
        f"""SELECT ?title WHERE {{
        ?p dcterms:subject topic:{a}, topic:{b} ; dcterms:title ?title }}""",
    ).rows
    titles = " ".join(str(r[0]) for r in rows)
    assert all(name in titles for name in expected), titles


def test_proposals_on_sample(sample_graph):
    rows = run_query(
        sample_graph,
        """SELECT ?title ?label WHERE {
        ?p kg:proposes ?e ; dcterms:title ?title . ?e rdfs:label ?label }""",
    ).rows
    proposed = {}
    for title, label in rows:
        proposed.setdefault(str(title), set()).add(str(label))
    assert "Embodied-RAG" in proposed[next(t for t in proposed if t.startswith("Embodied-RAG:"))]
    surveys = [t for t in proposed if "survey" in t.lower()]
    assert surveys == []


def _kg(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def _one_clean_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_cli_missing_empty_and_unknown_inputs(tmp_path):
    (tmp_path / "empty.jsonl").write_text("")
    (tmp_path / "data.bin").write_bytes(b"\x00\x01\x02 not a format")
    line = _one_clean_error(_kg("build", "nope.jsonl", "-o", "out", cwd=tmp_path))
    assert "nope.jsonl" in line
    line = _one_clean_error(_kg("build", "empty.jsonl", "-o", "out", cwd=tmp_path))
    assert "empty.jsonl" in line and "empty" in line
    line = _one_clean_error(_kg("build", "data.bin", "-o", "out", cwd=tmp_path))
    assert "data.bin" in line
    assert not (tmp_path / "out" / "graph.ttl").exists()


def test_cli_reports_and_skips_bad_records(tmp_path):
    good = {
        "title": "Retrieval-Augmented Generation for Everything",
        "abstract": "We propose EverRAG, a retrieval-augmented generation method. It works.",
    }
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({"title": "No abstract here"}),
        json.dumps({"abstract": "An abstract without a title."}),
    ]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n")
    proc = _kg("build", "in.jsonl", "-o", "out", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert (
        "in.jsonl:2:" in proc.stderr
        and "in.jsonl:3:" in proc.stderr
        and "in.jsonl:4:" in proc.stderr
    )
    assert "skipped:  3" in proc.stdout
    g = Graph().parse(tmp_path / "out" / "graph.ttl")
    assert len(run_query(g, "SELECT ?p WHERE { ?p a kg:Paper }").rows) == 1


def test_cli_all_records_bad_exits_nonzero(tmp_path):
    (tmp_path / "bad.jsonl").write_text("{oops\n")
    proc = _kg("build", "bad.jsonl", "-o", "out", "-q", cwd=tmp_path)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "no usable papers" in proc.stderr


def test_cli_query_formats_and_bad_query(sample_build, tmp_path):
    result, _ = sample_build
    q = "SELECT ?n WHERE { ?t skos:notation ?n } ORDER BY ?n LIMIT 3"
    proc = _kg("query", str(result.graph_path), q, "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["head"]["vars"] == ["n"] and len(data["results"]["bindings"]) == 3
    proc = _kg("query", str(result.graph_path), q, "--format", "csv", cwd=tmp_path)
    assert proc.stdout.splitlines()[0] == "n" and len(proc.stdout.splitlines()) == 4
    line = _one_clean_error(_kg("query", str(result.graph_path), "SELEC ?x", cwd=tmp_path))
    assert "malformed SPARQL" in line
