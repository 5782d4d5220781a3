"""Which statements a SPARQL update can leave out of date, and the note that says so.

Counts, topic links and per-topic statistics are computed once, when ``kg build``/``kg add``
links the extraction records, and stored as plain triples so that the query library answers in
milliseconds. A SPARQL update through ``kg serve --allow-update`` changes the graph without
recomputing them (doing so would mean re-linking every paper on each update), so a query that
reads them from an updated store gets a note saying that they describe the graph as built.
"""

from __future__ import annotations

from pathlib import Path

from kg.vocab import KG

#: Terms whose values are derived from the whole graph at build time.
DERIVED_TERMS = (
    KG.paperCount,
    KG.relatedTopic,
    KG.linkedTopic,
    KG.weight,
    KG.sharedPapers,
    KG.sharedPaper,
    KG.countedTopic,
    KG.countedEntity,
    KG.topicPaperCount,
    KG.betweenTopic,
    KG.sharedEntity,
    KG.firstRank,
    KG.lastRank,
)


def derived_terms_in(sparql: str) -> list[str]:
    """The derived terms a query names (as ``kg:name`` or as a full IRI)."""
    found = []
    for term in DERIVED_TERMS:
        name = str(term).rsplit("#", 1)[-1]
        if f"kg:{name}" in sparql or f"<{term}>" in sparql:
            found.append(f"kg:{name}")
    return found


def stale_statistics_note(directory: str | Path, sparql: str) -> str | None:
    """A one-line note when ``sparql`` reads derived terms from a store changed by SPARQL
    updates; None otherwise (a graph file, a store never updated, or no derived term)."""
    from kg.store.core import is_store, read_manifest

    if not is_store(directory):  # a graph file, or a build without a store
        return None
    terms = derived_terms_in(sparql)
    if not terms or not read_manifest(directory).sparql_updated:
        return None
    return (
        f"note: {directory} was changed by SPARQL updates since it was built; "
        f"the values of {', '.join(terms)} describe the graph as built (kg build recomputes them)"
    )
