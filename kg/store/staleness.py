"""Which statements a SPARQL update can leave out of date, and the note that says so.

A few values are still computed once, when ``kg build``/``kg add`` links the extraction
records, and stored as plain triples: the topic links (``kg:TopicLink``, ``kg:relatedTopic``,
their weights and shared papers). A SPARQL update
through ``kg serve --allow-update`` changes the graph without recomputing them (doing so would
mean re-linking every paper on each update), so a query that reads them from an updated store
gets a note saying that they describe the graph as built, and so does ``kg viz`` on such a store
(its topic map draws the build-time topic links).

The library queries read none of them: they count papers, shared papers and per-topic entities
at query time from the papers' own triples, so their answers follow updates and need no note.
"""

from __future__ import annotations

from pathlib import Path

from kg.vocab import KG

#: Terms whose values are derived from the whole graph at build time (drop a term here when the
#: writer stops storing it).
DERIVED_TERMS = (
    KG.relatedTopic,
    KG.linkedTopic,
    KG.weight,
    KG.sharedPapers,
    KG.sharedPaper,
)


def derived_terms_in(sparql: str) -> list[str]:
    """The derived terms a query names (as ``kg:name`` or as a full IRI)."""
    found = []
    for term in DERIVED_TERMS:
        name = str(term).rsplit("#", 1)[-1]
        if f"kg:{name}" in sparql or f"<{term}>" in sparql:
            found.append(f"kg:{name}")
    return found


def _updated_store(directory: str | Path) -> bool:
    """True for a store that SPARQL updates have changed since it was built (False for a graph
    file, or a build without a store)."""
    from kg.store.core import is_store, read_manifest

    return is_store(directory) and read_manifest(directory).sparql_updated


def _note(directory: str | Path, what: str) -> str:
    return (
        f"note: {directory} was changed by SPARQL updates since it was built; "
        f"{what} describe the graph as built (kg build recomputes them)"
    )


def stale_statistics_note(directory: str | Path, sparql: str) -> str | None:
    """A one-line note when ``sparql`` reads derived terms from a store changed by SPARQL
    updates; None otherwise (a graph file, a store never updated, or no derived term)."""
    terms = derived_terms_in(sparql)
    if not terms or not _updated_store(directory):
        return None
    return _note(directory, f"the values of {', '.join(terms)}")
