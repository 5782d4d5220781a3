"""Which vocabulary version a graph is written in, and what a reader says of an older one.

A graph of another version would answer today's queries wrongly (a property gone, a node
shaped otherwise), so every reader checks the version first and says in one line what to do.
"""

from __future__ import annotations

from kg.vocab import GRAPH_IRI, KG, VOCABULARY_VERSION

#: The SPARQL that reads a graph's version (no row: a graph older than versioning, "1").
VERSION_QUERY = f"SELECT ?v WHERE {{ <{GRAPH_IRI}> <{KG.vocabularyVersion}> ?v }}"


def outdated_message(where: str, found: str | None, *, store: bool) -> str:
    """The one line a reader gives for a graph written in vocabulary version ``found``."""
    found = found or "1"
    fix = (
        f"upgrade it with `kg migrate {where}` (re-links the stored extraction records, no NLP) "
        "or rebuild it with kg build"
        if store
        else "rebuild it with kg build (or kg migrate its build directory)"
    )
    return (
        f"{where}: written in kg vocabulary version {found}, this kg reads version "
        f"{VOCABULARY_VERSION}: {fix}"
    )


def check_version(where: str, found: str | None, *, store: bool = False) -> None:
    """Raise the :func:`outdated_message` unless ``found`` is the current version."""
    from kg.errors import KGError

    if found != VOCABULARY_VERSION:
        raise KGError(outdated_message(where, found, store=store))


#: Terms every graph of vocabulary 1 has (on its entities and evidence) and version 2 has not:
#: a graph without a version triple that holds them is a version-1 graph.
V1_TERMS = ("paperCount", "sentence")


def version_of(graph) -> str | None:
    """The vocabulary version of a kg graph (an rdflib Graph or a pyoxigraph Store): its
    version triple, else "1" when it holds terms only version 1 wrote, else None (a graph that
    is not kg's, or a hand-made one: anyone's to query)."""
    from rdflib import URIRef

    ns = str(KG._NS)
    if hasattr(graph, "triples"):  # rdflib
        found = graph.value(URIRef(GRAPH_IRI), KG.vocabularyVersion)
        if found is not None:
            return str(found)
        old = any(next(graph.triples((None, URIRef(ns + t), None)), None) for t in V1_TERMS)
        return "1" if old else None
    rows = list(graph.query(VERSION_QUERY))
    if rows:
        return rows[0]["v"].value
    old = " UNION ".join(f"{{ ?x <{ns}{t}> ?y }}" for t in V1_TERMS)
    return "1" if graph.query(f"ASK {{ {old} }}") else None


def check_graph(graph, where: str) -> None:
    """Refuse a kg graph of another vocabulary version in one line."""
    found = version_of(graph)
    if found is not None:
        check_version(where, found)
