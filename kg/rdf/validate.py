"""Check a graph against the kg shapes (``ontology/shapes.ttl``) and a few whole-graph checks.

The data graph is merged with the ontology (``kg.ttl``) and the topic scheme (``topics.ttl``), so
that ``sh:class``/``sh:targetClass`` see the class hierarchy (a ``kg:Model`` is a ``kg:Method`` is
a ``kg:Entity``) and ``dcterms:subject`` may point at topics the data does not repeat. pySHACL
runs with inference "none": RDFS inference would type untyped objects from ``rdfs:range`` and
hide exactly the errors we look for, and costs seconds on a sample-sized graph.

Checks that relate many nodes (is every reified statement asserted? does each surface form sit at
its offsets?) are SPARQL queries over the whole graph (:data:`GRAPH_CHECKS`), not SHACL-SPARQL
constraints: pySHACL runs those once per focus node, minutes instead of a second. Every ``kg:``
term the data uses must also be declared in ``kg.ttl``: SHACL only checks what it targets, so a
misspelt property would otherwise pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, XSD, BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SH, SKOS
from rdflib.term import Node

from kg.errors import KGError
from kg.ontology import load_ontology_graph, load_shapes_graph, load_topics_graph
from kg.rdf.terms import to_rdflib
from kg.vocab import KG, PREFIXES, RELATION_PROPERTY, TOPIC

#: RDF formats accepted by :func:`validate_file`, by file suffix (rdflib format names).
FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".n3": "n3",
}
#: Formats parsed with oxrdflib's much faster parsers (a declared dependency) when available.
_OX_FORMATS = {"turtle": "ox-turtle", "nt": "ox-ntriples", "nquads": "ox-nquads", "trig": "ox-trig"}
_QUAD_FORMATS = {"nquads", "trig"}
_MAX_VALUE_CHARS = 60


@dataclass
class ValidationReport:
    """Outcome of a validation: ``violations`` are sorted one-line "focus path: message" strings."""

    conforms: bool
    violations: list[str] = field(default_factory=list)
    #: Number of triples in the data graph that was validated (without the ontology).
    triples: int = 0

    def __str__(self) -> str:
        if self.conforms:
            return f"OK: {self.triples} triples conform"
        return "\n".join(self.violations)


# --- whole-graph checks ----------------------------------------------------------------------
# Plain Python over the graph's indexes: the same checks as SPARQL queries took 20 s with rdflib.

_PAPER_TO_ENTITY = tuple(RELATION_PROPERTY.values())


def _int(node: Node | None) -> int | None:
    if isinstance(node, Literal) and type(node.value) is int:
        return node.value
    return None


def _check_evidence(graph: Graph, line: Callable[..., None]) -> None:
    """Reified statements are asserted and every link has its evidence; a surface form sits in
    its sentence at its offsets; a sentence is as long as its offsets say (vocabulary 2)."""
    reified: set[tuple[Node, Node, Node]] = set()
    pairs: set[tuple[Node, Node]] = set()
    for ev in graph.subjects(RDF.type, KG.Evidence):
        s, p, o = (graph.value(ev, prop) for prop in (RDF.subject, RDF.predicate, RDF.object))
        if s is not None and p is not None and o is not None:
            reified.add((s, p, o))
            pairs.add((s, o))
            if (s, p, o) not in graph:
                line(ev, None, "reified statement {s} {p} {o} is not asserted", s=s, p=p, o=o)
        sentence = graph.value(ev, KG.inSentence)
        form = graph.value(ev, KG.surfaceForm)
        cs, ce = _int(graph.value(ev, KG.charStart)), _int(graph.value(ev, KG.charEnd))
        text = ss = se = None
        if sentence is not None:
            text = graph.value(sentence, KG.text)
            ss = _int(graph.value(sentence, KG.sentenceStart))
            se = _int(graph.value(sentence, KG.sentenceEnd))
        if None in (text, form, cs, ce, ss, se):
            continue  # missing values are the shapes' business
        if not ss <= cs <= ce <= se:
            line(ev, KG.charStart, f"{cs}..{ce} is not inside its kg:inSentence ({ss}..{se})")
        elif len(text) == se - ss and str(text)[cs - ss : ce - ss] != str(form):
            found = str(text)[cs - ss : ce - ss]
            message = "{form} is not what its sentence holds at kg:charStart..kg:charEnd ({found})"
            line(ev, KG.surfaceForm, message, form=form, found=Literal(found))
    for sentence in graph.subjects(RDF.type, KG.Sentence):
        text = graph.value(sentence, KG.text)
        ss = _int(graph.value(sentence, KG.sentenceStart))
        se = _int(graph.value(sentence, KG.sentenceEnd))
        if text is not None and ss is not None and se is not None and len(text) != se - ss:
            line(
                sentence,
                KG.text,
                f"is {len(text)} characters long, but kg:sentenceEnd - kg:sentenceStart is "
                f"{se - ss}",
            )
    for p in _PAPER_TO_ENTITY:
        for s, o in graph.subject_objects(p):
            if (s, p, o) not in reified and not (p == KG.mentions and (s, o) in pairs):
                line(s, None, "statement {p} {o} has no kg:Evidence", p=p, o=o)


def _check_claims(graph: Graph, line: Callable[..., None]) -> None:
    for claim in graph.subjects(RDF.type, KG.Claim):
        text = graph.value(claim, KG.text)
        cs, ce = _int(graph.value(claim, KG.charStart)), _int(graph.value(claim, KG.charEnd))
        if text is not None and cs is not None and ce is not None and len(text) != ce - cs:
            line(
                claim,
                KG.text,
                f"is {len(text)} characters long, but kg:charEnd - kg:charStart is {ce - cs}",
            )


def _check_topic_subjects(graph: Graph, line: Callable[..., None]) -> None:
    """dcterms:subject is asserted only for (thresholded) topic assignments."""
    assigned = {
        (paper, topic)
        for assignment, paper in graph.subject_objects(KG.topicOf)
        for topic in graph.objects(assignment, KG.topic)
    }
    for paper in graph.subjects(RDF.type, KG.Paper):
        for topic in graph.objects(paper, DCTERMS.subject):
            if (paper, topic) not in assigned:
                line(
                    paper,
                    DCTERMS.subject,
                    "{topic} has no kg:TopicAssignment for this paper",
                    topic=topic,
                )


#: Checks relating many nodes, which SHACL-SPARQL would run once per focus node (minutes).
GRAPH_CHECKS = (_check_evidence, _check_claims, _check_topic_subjects)


def _run_graph_checks(graph: Graph) -> list[str]:
    lines: list[str] = []

    def line(focus: Node, path: Node | None, message: str, **nodes: Node) -> None:
        where = f"{_fmt(focus, graph)} {_fmt(path, graph)}".strip()
        shown = {key: _fmt(node, graph) for key, node in nodes.items()}
        lines.append(f"{where}: {message.format(**shown)}")

    for check in GRAPH_CHECKS:
        check(graph, line)
    return lines


def _undeclared_terms(data: Graph, declared: set[URIRef]) -> list[str]:
    """One violation per ``kg:`` predicate or class used in ``data`` but absent from kg.ttl."""
    ns = str(KG._NS)
    used: dict[URIRef, str] = {}
    for pred in set(data.predicates()):
        if str(pred).startswith(ns) and pred not in declared:
            used.setdefault(pred, "property")
    for cls in set(data.objects(None, RDF.type)):
        if isinstance(cls, URIRef) and str(cls).startswith(ns) and cls not in declared:
            used.setdefault(cls, "class")
    return [
        f"kg:{str(term)[len(ns) :]}: {kind} not declared in the ontology (ontology/kg.ttl)"
        for term, kind in used.items()
    ]


def _ontology_terms(ontology: Graph) -> set[URIRef]:
    ns = str(KG._NS)
    return {s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(ns)}


# --- formatting results ----------------------------------------------------------------------


def _fmt(node: Node | None, graph: Graph) -> str:
    """A node as short Turtle-ish text, with the project's prefixes."""
    if node is None:
        return ""
    if isinstance(node, Literal):
        lexical = " ".join(str(node).split())
        if len(lexical) > _MAX_VALUE_CHARS:
            lexical = lexical[: _MAX_VALUE_CHARS - 3] + "..."
        text = json.dumps(lexical, ensure_ascii=False)
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None and node.datatype != XSD.string:
            if node.datatype in (XSD.integer, XSD.decimal) and not node.ill_typed:
                return lexical
            return f"{text}^^{graph.namespace_manager.normalizeUri(node.datatype)}"
        return text
    if isinstance(node, BNode):  # name a blank node by the triple that points at it
        for subject, predicate in graph.subject_predicates(node):
            if not isinstance(subject, BNode):
                return f"[] (object of {_fmt(subject, graph)} {_fmt(predicate, graph)})"
        return "[]"
    return node.n3(graph.namespace_manager)


def _fmt_path(node: Node, results: Graph, nsm_graph: Graph) -> str:
    """A SHACL result path as SPARQL-ish text (``^kg:hasClaim`` for an inverse path)."""
    if isinstance(node, BNode):  # complex paths are blank nodes of the results graph
        inverse = results.value(node, SH.inversePath)
        return "^" + _fmt_path(inverse, results, nsm_graph) if inverse is not None else "[]"
    return _fmt(node, nsm_graph)


def _result_lines(results: Graph, nsm_graph: Graph) -> list[str]:
    lines = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = _fmt(results.value(result, SH.focusNode), nsm_graph)
        path_node = results.value(result, SH.resultPath)
        path = _fmt_path(path_node, results, nsm_graph) if path_node is not None else ""
        message = results.value(result, SH.resultMessage)
        text = " ".join(str(message).split()) if message is not None else "constraint violated"
        where = f"{focus} {path}".strip()
        line = f"{where}: {text}"
        value = results.value(result, SH.value)
        if value is not None and _fmt(value, nsm_graph) not in text:
            line += f" (value {_fmt(value, nsm_graph)})"
        severity = results.value(result, SH.resultSeverity)
        if severity is not None and severity != SH.Violation:
            line = f"[{str(severity).rsplit('#', 1)[-1].lower()}] {line}"
        lines.append(line)
    return lines


# --- validation ------------------------------------------------------------------------------


def _validate_owned(graph: Graph, triples: int) -> ValidationReport:
    """Validate a graph we may modify: the ontology and topics are added to it in place."""
    from pyshacl import validate as shacl_validate  # slow import; only when validating

    ontology = load_ontology_graph()
    violations = _undeclared_terms(graph, _ontology_terms(ontology))
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, replace=True)
    graph += ontology
    if (TOPIC.scheme, RDF.type, SKOS.ConceptScheme) not in graph:
        # A graph that carries its own copy of the scheme is checked against that copy: adding
        # ours could double every label (rdflib keeps "x" and "x"^^xsd:string apart).
        graph += load_topics_graph()

    conforms, results, _text = shacl_validate(
        graph,
        shacl_graph=load_shapes_graph(),
        inference="none",
        inplace=True,
        allow_warnings=True,
    )
    if not isinstance(results, Graph):  # pySHACL reports a broken shapes graph this way
        raise RuntimeError(f"cannot validate with ontology/shapes.ttl: {results}")
    violations += _result_lines(results, graph)
    violations += _run_graph_checks(graph)
    violations = sorted(set(violations))
    errors = [v for v in violations if not v.startswith("[")]
    return ValidationReport(
        conforms=bool(conforms) and not errors, violations=violations, triples=triples
    )


def validate(data: Graph, *, copy: bool = True) -> ValidationReport:
    """Validate ``data`` against the kg shapes. ``data`` is copied first (the ontology is merged
    into the graph validated) unless the caller hands it over with ``copy=False``, as ``kg
    validate`` does with the graph it has just read: a copy of the corpus costs seconds."""
    if not copy:
        return _validate_owned(data, len(data))
    graph = Graph()
    graph += data
    return _validate_owned(graph, len(data))


# --- reading files ---------------------------------------------------------------------------


def _parse_error(path: Path, fmt: str, err: Exception) -> str:
    """The parser's complaint as one line, with the input line number when there is one."""
    message = " ".join(str(getattr(err, "_why", "") or err).split())
    line: int | None = None
    if isinstance(err, json.JSONDecodeError):
        line, message = err.lineno, err.msg
    else:
        match = re.search(r"\bline (\d+)", str(err))
        if match:
            line = int(match.group(1))
        message = re.sub(r"\s*\([^()]*, line \d+\)$", "", message)  # oxrdflib's "(file, line n)"
        message = re.sub(r"^Parser error\s*", "", message)
    where = f"{path}:{line}" if line is not None else str(path)
    return f"{where}: cannot parse as {fmt}: {message}"


def _parser_format(fmt: str) -> str:
    ox = _OX_FORMATS.get(fmt)
    if ox is None:
        return fmt
    try:
        from rdflib.parser import Parser
        from rdflib.plugin import get

        get(ox, Parser)
    except Exception:  # oxrdflib not installed: rdflib's own parser
        return fmt
    return ox


def _read_with_oxigraph(path: Path, fmt: str) -> Graph | None:
    """The triples of a Turtle/N-Triples/N-Quads/TriG file parsed by pyoxigraph, with terms as
    the store gives them (:func:`kg.rdf.terms.to_rdflib`: plain literals without
    ``^^xsd:string``); None if pyoxigraph cannot read it (the caller's parser then reports why).

    Why not oxrdflib's rdflib parser: it types every plain literal ``xsd:string``, which rdflib
    keeps apart from the plain literal a query writes, so ``?e rdfs:label "ExpertRAG"`` (every
    library query's name lookup) found nothing in a graph file; it was also slower.
    """
    try:
        import pyoxigraph as ox
    except ImportError:  # pragma: no cover - pyoxigraph is a dependency
        return None
    formats = {
        "turtle": ox.RdfFormat.TURTLE,
        "nt": ox.RdfFormat.N_TRIPLES,
        "nquads": ox.RdfFormat.N_QUADS,
        "trig": ox.RdfFormat.TRIG,
    }
    if fmt not in formats:
        return None
    graph = Graph()
    add = graph.add
    try:
        for quad in ox.parse(path=str(path), format=formats[fmt]):
            add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    except (SyntaxError, ValueError, OSError, UnicodeDecodeError):
        return None
    return graph


def load_graph_file(path: str | Path) -> Graph:
    """Read an RDF file (format from its suffix) into a new Graph, or raise a one-line KGError.

    Files only: a build directory is the store layer's to read (:func:`kg.store.read_graph`),
    which then hands the graph to :func:`validate`."""
    path = Path(path)
    if path.is_dir():
        raise KGError(
            f"{path}: is a directory, not an RDF file (kg validate reads a build directory "
            "through its store)"
        )
    if not path.exists():
        raise KGError(f"{path}: no such file")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise KGError(f"{path}: unknown RDF file type {path.suffix!r} (expected one of {known})")
    graph = _read_with_oxigraph(path, fmt)
    if graph is not None:
        return graph
    graph = Graph()
    try:
        if fmt in _QUAD_FORMATS:
            dataset = Dataset()
            dataset.parse(path, format=_parser_format(fmt))
            for s, p, o, _g in dataset.quads():
                graph.add((s, p, o))
        else:
            graph.parse(path, format=_parser_format(fmt))
    except UnicodeDecodeError as err:
        raise KGError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from err
    except OSError as err:
        raise KGError(f"{path}: cannot read: {err.strerror or err}") from err
    except Exception as err:  # each parser raises its own types
        raise KGError(_parse_error(path, fmt, err)) from err
    return graph


def validate_file(path: str | Path) -> ValidationReport:
    """Validate an RDF file (.ttl, .nt, .jsonld, ...); KGError if it is missing or unparseable."""
    graph = load_graph_file(path)
    return _validate_owned(graph, len(graph))  # the parsed graph is ours: no copy
