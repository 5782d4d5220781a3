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


def version_of(graph) -> tuple[bool, str | None]:
    """(whether ``graph`` is a kg graph: it has a kg:Paper, its vocabulary version or None) of
    an rdflib Graph or a pyoxigraph Store."""
    from rdflib import RDF, URIRef

    if hasattr(graph, "triples"):  # rdflib
        is_kg = next(graph.triples((None, RDF.type, KG.Paper)), None) is not None
        found = graph.value(URIRef(GRAPH_IRI), KG.vocabularyVersion)
        return is_kg, None if found is None else str(found)
    is_kg = bool(graph.query(f"ASK {{ ?p a <{KG.Paper}> }}"))
    rows = list(graph.query(VERSION_QUERY))
    return is_kg, rows[0]["v"].value if rows else None


def check_graph(graph, where: str) -> None:
    """Refuse a kg graph of another vocabulary version in one line (an RDF file that is not a
    kg graph, with no kg:Paper, is anyone's to query and passes)."""
    is_kg, found = version_of(graph)
    if is_kg:
        check_version(where, found)
