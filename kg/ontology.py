"""Where the ontology files live, and cached rdflib Graphs of them.

``ontology/`` holds three Turtle files: ``kg.ttl`` (the OWL/RDFS vocabulary of
:class:`kg.vocab.KG`), ``shapes.ttl`` (SHACL shapes for the graphs kg writes) and ``topics.ttl``
(the SKOS topic scheme).
In a source checkout they are at the repository root; a wheel force-includes them as the package
directory ``kg/_ontology`` (see ``pyproject.toml``).

The loaders cache their Graph: treat it as read-only (``Graph() + graph`` gives a copy to change).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import Graph

from kg.errors import KGError
from kg.vocab import PREFIXES

ONTOLOGY_FILE = "kg.ttl"
SHAPES_FILE = "shapes.ttl"
TOPICS_FILE = "topics.ttl"

_PACKAGE_DIR = Path(__file__).resolve().parent


def _candidates() -> list[Path]:
    # The installed copy first: in a wheel, ``parents[1]`` is site-packages, where an unrelated
    # ``ontology/`` directory could exist.
    return [_PACKAGE_DIR / "_ontology", _PACKAGE_DIR.parent / "ontology"]


@lru_cache(maxsize=1)
def ontology_dir() -> Path:
    """The directory holding kg.ttl, shapes.ttl and topics.ttl."""
    for candidate in _candidates():
        if (candidate / ONTOLOGY_FILE).is_file():
            return candidate
    tried = ", ".join(str(c) for c in _candidates())
    raise KGError(f"ontology files not found (looked in {tried}); is the package installed fully?")


def ontology_path(name: str) -> Path:
    """Path of one file of the ontology directory (``"kg.ttl"``, ``"shapes.ttl"``, ...)."""
    return ontology_dir() / name


def _load(name: str) -> Graph:
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    path = ontology_path(name)
    try:
        graph.parse(path, format="turtle")
    except Exception as err:  # a broken bundled file is a packaging bug, but say which file
        raise KGError(f"{path}: cannot parse: {' '.join(str(err).split())}") from err
    return graph


@lru_cache(maxsize=1)
def load_ontology_graph() -> Graph:
    """``kg.ttl``: classes and properties of the kg vocabulary (read-only, cached)."""
    return _load(ONTOLOGY_FILE)


@lru_cache(maxsize=1)
def load_topics_graph() -> Graph:
    """``topics.ttl``: the SKOS topic scheme (read-only, cached)."""
    return _load(TOPICS_FILE)


@lru_cache(maxsize=1)
def load_shapes_graph() -> Graph:
    """``shapes.ttl``: the SHACL shapes graphs are validated against (read-only, cached)."""
    return _load(SHAPES_FILE)
