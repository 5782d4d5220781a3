"""``kg viz`` reads every input through one path (a pyoxigraph Store queried with SPARQL): the
store of a build directory, its Turtle file and an rdflib Graph must give the same index and
the same page, and the index must not need the graph's precomputed statistics nodes.
"""

from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest
from test_viz import tiny_graph

from kg.viz import open_path, read_index, render_html, select
from kg.viz.index import GraphIndex
from kg.vocab import PAPER, TOPIC, sparql_prologue

VIEWS = [
    {},
    {"focus": "MoE", "hops": 2, "max_nodes": 80},
    {"topics": ["RAG", "MoE", "KnowledgeEditing"]},
    {"focus": "LoRA", "hops": 1},
]


def index_data(index: GraphIndex) -> dict:
    return {
        "items": index.items,
        "paper_topics": index.paper_topics,
        "links": index.links,
        "entity_papers": index.entity_papers,
        "topic_links": index.topic_links,
        "entity_relations": index.entity_relations,
        "related_entities": index.related_entities,
    }


def pages(index: GraphIndex) -> list[str]:
    return [render_html(index, select(index, **view)) for view in VIEWS]


def assert_same(a: GraphIndex, b: GraphIndex) -> None:
    da, db = index_data(a), index_data(b)
    for key in da:
        assert da[key] == db[key], key
    assert pages(a) == pages(b)


@pytest.fixture(scope="module")
def store_index(sample_build):
    _result, out = sample_build
    return read_index(open_path(out))


def test_store_and_turtle_give_the_same_index_and_pages(sample_build, store_index, tmp_path):
    result, out = sample_build
    assert (out / "store").is_dir()
    index = store_index
    assert sum(1 for it in index.items.values() if it.kind == "Paper") == result.papers
    assert index.entity_relations and index.topic_links
    assert_same(index, read_index(open_path(out / "graph.ttl")))
    # a build directory without a store is read from its graph.ttl
    bare = tmp_path / "no-store"
    bare.mkdir()
    shutil.copy(result.graph_path, bare / "graph.ttl")
    assert_same(index, read_index(open_path(bare)))


def test_a_lazily_read_index_gives_the_same_pages(sample_build, store_index):
    """For a topic map ``kg viz`` reads the aliases of the nodes it draws only (all of them
    when it looks a name up) and the links of the papers with a subject (plus those of the
    entities it draws; all for a neighbourhood): the pages are those of a full index."""
    _result, out = sample_build
    lazy = read_index(open_path(out), lazy=True)
    assert lazy.aliases_read is not None and len(lazy.aliases_read) == len(lazy.topics)
    assert lazy.labels_read == set()  # entity labels: read for what the map weighs and draws
    entity = next(i for i, it in store_index.items.items() if it.kind == "Method" and it.aliases)
    assert lazy.items[entity].aliases == ()
    assert set(lazy.links) == set(lazy.paper_topics) < set(store_index.links)
    topic_map = select(lazy)
    assert render_html(lazy, topic_map) == render_html(store_index, select(store_index))
    assert len(lazy.aliases_read) < len(lazy.items)  # the topic map did not need them all
    entities = [i for i, it in lazy.items.items() if it.kind not in ("Topic", "Paper")]
    assert 0 < len(lazy.labels_read) < len(entities)
    drawn = [n for n, d in topic_map.graph.nodes(data=True) if d["kind"] == "Method"]
    assert drawn and set(drawn) <= lazy.links_read
    for e in drawn:
        assert lazy.entity_papers[e] == store_index.entity_papers[e]
    assert pages(lazy) == pages(store_index)  # --focus / --topics look names up: all read
    assert lazy.aliases_read is None and lazy.items == store_index.items
    assert lazy.labels_read is None
    assert lazy.links_read is None and index_data(lazy) == index_data(store_index)


def test_rdflib_graph_and_its_turtle_give_the_same_index(tmp_path):
    ttl = tmp_path / "tiny.ttl"
    graph = tiny_graph()
    graph.serialize(ttl, format="turtle")
    index = read_index(graph)
    assert_same(index, read_index(open_path(ttl)))
    store = ox.Store()
    store.bulk_load(path=str(ttl), format=ox.RdfFormat.TURTLE)
    assert_same(index, read_index(store))
    # evidence is read from the store, lazily
    paper = str(PAPER.p2)
    assert index.evidence(paper, str(next(iter(index.links[paper])))) is not None


def test_topic_links_are_counted_from_the_subjects():
    index = read_index(tiny_graph())
    # RAG: p1 p3 p6, MoE: p1 p2 p5, KnowledgeEditing: p2 p4 p6 -> each pair shares one paper
    rag, moe = str(TOPIC.RAG), str(TOPIC.MoE)
    assert index.topic_links[(moe, rag)] == (1, 0.2)  # 1 shared of 5 papers
    assert len(index.topic_links) == 3


def test_index_does_not_read_the_statistics_nodes(sample_build, store_index):
    """The counts the build precomputes (topic links, relation paper counts, topic-entity
    counts, shared-entity tiers) can be removed from the graph: the index counts itself."""
    _result, out = sample_build
    store = ox.Store()
    store.bulk_load(path=str(out / "graph.ttl"), format=ox.RdfFormat.TURTLE)
    before = len(store)
    store.update(
        sparql_prologue()
        + """
        DELETE { ?n ?p ?o } WHERE {
          ?n a ?c ; ?p ?o . VALUES ?c { kg:TopicLink kg:TopicEntityCount kg:SharedEntityTier } };
        DELETE WHERE { ?a kg:relatedTopic ?b };
        DELETE WHERE { ?a kg:paperCount ?n };
        DELETE WHERE { ?a kg:topicPaperCount ?n }"""
    )
    assert len(store) < before
    assert not store.query(sparql_prologue() + "ASK { ?x kg:paperCount ?n }")
    assert_same(store_index, read_index(store))
