"""The SKOS topic scheme (``ontology/topics.ttl``) as plain Python data.

Read once from the Turtle file so that the scheme is the single source of truth for topic
names, cue phrases and hierarchy: adding a topic means editing topics.ttl, not code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rdflib.namespace import SKOS


@dataclass(frozen=True)
class Topic:
    iri: str
    notation: str
    label: str
    #: acronyms and names matched exactly as written ("RAG", "MoE")
    exact_cues: tuple[str, ...]
    #: phrases matched ignoring case
    folded_cues: tuple[str, ...]
    broader: tuple[str, ...]  # notations


@lru_cache(maxsize=1)
def load_scheme() -> dict[str, Topic]:
    from kg.ontology import load_topics_graph

    g = load_topics_graph()
    notation_of = {str(s): str(o) for s, o in g.subject_objects(SKOS.notation)}
    topics: dict[str, Topic] = {}
    for iri, notation in sorted(notation_of.items(), key=lambda kv: kv[1]):
        exact, folded = [], []
        # the prefLabel is a display name ("Reasoning", "Agents and tool use"), not a cue: a bare
        # "reasoning" says nothing about what a paper is about
        labels = [str(o) for o in g.objects(_ref(iri), SKOS.altLabel)]
        for label in labels:
            letters = [c for c in label if c.isalpha()]
            if any(c.isupper() for c in letters[1:]):
                exact.append(label)
            else:
                folded.append(label.lower())
        folded += [str(o).lower() for o in g.objects(_ref(iri), SKOS.hiddenLabel)]
        broader = tuple(
            sorted(
                notation_of[str(b)]
                for b in g.objects(_ref(iri), SKOS.broader)
                if str(b) in notation_of
            )
        )
        label = str(next(iter(g.objects(_ref(iri), SKOS.prefLabel)), notation))
        topics[notation] = Topic(
            iri, notation, label, tuple(sorted(set(exact))), tuple(sorted(set(folded))), broader
        )
    return topics


def _ref(iri: str):
    from rdflib import URIRef

    return URIRef(iri)


def ancestors(notation: str, scheme: dict[str, Topic]) -> list[str]:
    """All broader topics of a topic, nearest first (cycles are ignored)."""
    out: list[str] = []
    frontier = list(scheme[notation].broader) if notation in scheme else []
    while frontier:
        n = frontier.pop(0)
        if n in out or n == notation or n not in scheme:
            continue
        out.append(n)
        frontier.extend(scheme[n].broader)
    return out
