"""Compact JSON-LD export (kg.rdf.jsonld): short keys under a @context, the same quads back."""

from __future__ import annotations

import io
import json

import pyoxigraph as ox
import rdflib

from kg.rdf.jsonld import write_jsonld
from kg.vocab import PREFIXES

KG = PREFIXES["kg"]
PAPER = PREFIXES["paper"]
DECIMAL = ox.NamedNode(PREFIXES["xsd"] + "decimal")


def _quads() -> list[ox.Quad]:
    p = ox.NamedNode(PAPER + "x")
    g = ox.NamedNode(PAPER + "x")
    return [
        ox.Quad(p, ox.NamedNode(PREFIXES["rdf"] + "type"), ox.NamedNode(KG + "Paper")),
        ox.Quad(p, ox.NamedNode(PREFIXES["dcterms"] + "title"), ox.Literal('Ünïcode "q"')),
        ox.Quad(p, ox.NamedNode(PREFIXES["rdfs"] + "label"), ox.Literal("x", language="en")),
        ox.Quad(p, ox.NamedNode(KG + "score"), ox.Literal("1", datatype=DECIMAL)),
        ox.Quad(p, ox.NamedNode(KG + "see"), ox.NamedNode("https://example.org/no-prefix")),
        ox.Quad(p, ox.NamedNode(KG + "odd"), ox.NamedNode(PAPER + "//looks-absolute")),
        ox.Quad(p, ox.NamedNode(KG + "blank"), ox.BlankNode("b1")),
        ox.Quad(ox.NamedNode(KG + "y"), ox.NamedNode(KG + "in"), ox.Literal("named"), g),
        ox.Quad(p, ox.NamedNode(KG + "again"), ox.Literal("after the named graph")),
    ]


def test_written_quads_read_back_the_same_with_pyoxigraph_and_rdflib():
    out = io.BytesIO()
    assert write_jsonld(_quads(), out, PREFIXES) == len(_quads())
    data = out.getvalue()
    doc = json.loads(data)
    assert doc["@context"]["kg"] == KG
    node = doc["@graph"][0]
    assert node["@id"] == "paper:x" and node["@type"] == ["kg:Paper"] and "dcterms:title" in node
    back = {str(q) for q in ox.parse(data, format=ox.RdfFormat.JSON_LD)}
    expected = {str(q) for q in _quads()}
    # blank node labels may be renamed by the parser: compare the rest exactly
    assert {q for q in back if "_:" not in q} == {q for q in expected if "_:" not in q}
    assert sum("_:" in q for q in back) == 1
    dataset = rdflib.Dataset()
    dataset.parse(data=data.decode("utf-8"), format="json-ld")
    assert len(list(dataset.quads())) == len(_quads())


def test_the_sample_export_is_compact_and_holds_the_stores_quads(sample_build, tmp_path):
    from kg.store import open_store
    from kg.store.export import export

    result, out = sample_build
    for per_paper in (False, True):
        target = tmp_path / f"graph-{per_paper}.jsonld"
        export(out, target, "jsonld", per_paper=per_paper)
        text = target.read_text(encoding="utf-8")
        assert text.startswith('{"@context":') and '"@id":"paper:' in text
        assert "https://w3id.org/mlkg/ontology#" not in text.split('"@graph"', 1)[1]
        back = list(ox.parse(path=str(target), format=ox.RdfFormat.JSON_LD))
        assert len(back) == result.triples
        if not per_paper:
            with open_store(out) as handle:
                assert {str(q) for q in back} == {str(q) for q in handle.store}
        else:
            assert len({q.graph_name for q in back}) > 100
