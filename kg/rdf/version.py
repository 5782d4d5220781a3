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
