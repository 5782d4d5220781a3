"""``kg explain``: why an entity is what it is - its forms, the rule behind each merge, its
relations to other entities (one evidence sentence each), its papers.

Reads only the graph (the resolution's reasons are stored as ``kg:AliasMerge`` nodes), so it works
on any built graph without re-running the pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from kg.errors import KGError
from kg.sparql.query import run_query
from kg.sparql.results import shorten
from kg.vocab import ENTITY


@dataclass
class FormReason:
    form: str
    rule: str
    score: float
    detail: str


@dataclass
class Explanation:
    iri: str
    label: str
    types: list[str]
    forms: list[FormReason] = field(default_factory=list)
    papers: list[tuple[str, str, list[str]]] = field(default_factory=list)  # iri, title, relations
    acronym_definitions: list[tuple[str, str, str]] = field(default_factory=list)
    relations: list[RelationLine] = field(default_factory=list)


@dataclass
class RelationLine:
    """One entity relation as it reads ("subject relation object"), its support and the
    best-scored sentence that states it."""

    subject: str
    relation: str  # the property's local name: usedFor, evaluates, ...
    object: str
    papers: int
    sentence: str
    paper: str
    score: float


def relations_of(graph: Graph, iri: str) -> list[RelationLine]:
    """The kg:EntityRelation edges of entity ``iri`` in both directions, best supported
    first, each with its highest-scored evidence sentence.

    An edge's support is the number of papers among its evidence records, counted here from
    the rows the query returns anyway (every evidence record of every edge), not read from a
    stored count that a SPARQL update could leave behind. The edge's class is tested in a FILTER
    so that Oxigraph checks this entity's edges, not every kg:EntityRelation (as in
    ``queries/used-for.rq``)."""
    best: dict[str, RelationLine] = {}
    papers: dict[str, set[str]] = {}
    for edge, subj, rel, obj, sentence, paper, score in run_query(
        graph,
        f"""
        SELECT ?edge ?sl ?p ?ol ?sentence ?paper ?score WHERE {{
          {{ ?edge rdf:subject <{iri}> }} UNION {{ ?edge rdf:object <{iri}> }}
          ?edge a ?class ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                kg:hasEvidence ?ev .
          FILTER(sameTerm(?class, kg:EntityRelation))
          ?ev kg:inSentence/kg:text ?sentence ; prov:wasDerivedFrom ?paper ; kg:score ?score .
          ?s rdfs:label ?sl . ?o rdfs:label ?ol }}""",
    ).rows:
        key = str(edge)
        papers.setdefault(key, set()).add(str(paper))
        line = RelationLine(
            str(subj),
            str(rel).rpartition("#")[2],
            str(obj),
            0,
            str(sentence),
            str(paper),
            float(score),
        )
        old = best.get(key)
        if old is None or (-line.score, line.sentence) < (-old.score, old.sentence):
            best[key] = line
    for key, line in best.items():
        line.papers = len(papers[key])
    return sorted(best.values(), key=lambda r: (-r.papers, r.relation, r.subject, r.object))


def find_entities(graph: Graph, name: str) -> list[str]:
    """IRIs of the entities that have ``name`` as label or surface form (case-insensitive)."""
    wanted = name.strip().lower()
    found: set[str] = set()
    for prop in (RDFS.label, SKOS.altLabel):
        for entity, label in graph.subject_objects(prop):
            if str(label).lower() == wanted and str(entity).startswith(str(ENTITY)):
                found.add(str(entity))
    return sorted(found)


def explain(graph: Graph, name: str) -> list[Explanation]:
    iris = find_entities(graph, name)
    if not iris:
        raise KGError(f"no entity named {name!r} in the graph (try a label or any surface form)")
    out = []
    for iri in iris:
        head = run_query(
            graph,
            f"""
            SELECT ?label (GROUP_CONCAT(DISTINCT STR(?t); separator=" ") AS ?types) WHERE {{
              <{iri}> rdfs:label ?label ; a ?t }} GROUP BY ?label""",
        ).rows[0]
        # GROUP_CONCAT's order is the store's (it changes between runs and stores): the most
        # specific classes first, alphabetically, the umbrella kg:Entity last
        types = sorted(
            (shorten(URIRef(t)) for t in str(head[1]).split()), key=lambda t: (t == "kg:Entity", t)
        )
        exp = Explanation(iri, str(head[0]), types)
        for form, rule, score, detail in run_query(
            graph,
            f"""
            SELECT ?form ?rule ?score ?detail WHERE {{
              <{iri}> kg:hasAlias ?a . ?a kg:form ?form ; kg:rule ?rule ; kg:score ?score .
              OPTIONAL {{ ?a rdfs:comment ?detail }} }} ORDER BY ?rule ?form""",
        ).rows:
            exp.forms.append(FormReason(str(form), str(rule), float(score), str(detail or "")))
        for paper, title, rels in run_query(
            graph,
            f"""
            SELECT ?p ?title
                   (GROUP_CONCAT(DISTINCT STRAFTER(STR(?rel), "#"); separator=",") AS ?rels)
            WHERE {{ ?p ?rel <{iri}> ; a kg:Paper ; dcterms:title ?title }}
            GROUP BY ?p ?title ORDER BY ?title""",
        ).rows:
            exp.papers.append((str(paper), str(title), sorted(str(rels).split(","))))
        for short, long_, paper in run_query(
            graph,
            f"""
            SELECT ?s ?l ?p WHERE {{ ?d kg:denotes <{iri}> ; kg:shortForm ?s ; kg:longForm ?l ;
              prov:wasDerivedFrom ?p }} ORDER BY ?s ?l ?p""",
        ).rows:
            exp.acronym_definitions.append((str(short), str(long_), str(paper)))
        exp.relations = relations_of(graph, iri)
        out.append(exp)
    return out


def render(explanations: list[Explanation], max_papers: int = 20) -> str:
    lines: list[str] = []
    if len(explanations) > 1:
        lines.append(
            f"{len(explanations)} entities have this name (acronyms are scoped to the "
            "paper that defines them):\n"
        )
    for exp in explanations:
        lines.append(f"{exp.label}  [{', '.join(exp.types)}]  {shorten(URIRef(exp.iri))}")
        lines.append(f"  forms ({len(exp.forms)}):")
        for f in exp.forms:
            detail = f" - {f.detail}" if f.detail else ""
            lines.append(f"    {f.form!r:40} {f.rule} ({f.score:g}){detail}")
        if exp.acronym_definitions:
            lines.append(f"  acronym definitions ({len(exp.acronym_definitions)}):")
            for short, long_, paper in exp.acronym_definitions[:max_papers]:
                lines.append(f"    {short} = {long_}  in {shorten(URIRef(paper))}")
        if exp.relations:
            lines.append(f"  relations ({len(exp.relations)}):")
            for r in exp.relations[:max_papers]:
                support = f"{r.papers} paper{'s' if r.papers != 1 else ''}"
                lines.append(f"    {r.subject} --{r.relation}--> {r.object}  ({support})")
                lines.append(f'      "{r.sentence}"  ({shorten(URIRef(r.paper))})')
            if len(exp.relations) > max_papers:
                lines.append(f"    ... and {len(exp.relations) - max_papers} more")
        lines.append(f"  papers ({len(exp.papers)}):")
        for _, title, rels in exp.papers[:max_papers]:
            lines.append(f"    - {title}  ({', '.join(rels)})")
        if len(exp.papers) > max_papers:
            lines.append(f"    ... and {len(exp.papers) - max_papers} more")
        lines.append("")
    return "\n".join(lines).rstrip()


@dataclass
class SetAside:
    """A surface form the termhood stage kept out of the graph's entities."""

    text: str
    types: list[str]
    papers: int
    low: float
    high: float
    sentence: str
    #: the rules that set it aside whatever its score (``kg.extract.termhood.rule_reason``)
    rules: list[str] = field(default_factory=list)


def set_aside_forms(store_dir: Path, name: str) -> SetAside | None:
    """What the store's extraction records say of ``name`` when it is no entity: the papers in
    which ``kg_termhood`` set it aside and its scores. Why from the records: the graph holds
    only the terms; the records keep every span with its evidence, for ``kg add`` and for this
    answer."""
    from kg.store.core import EXTRACTIONS, generation_dir, is_store, read_manifest
    from kg.store.extractions import read_extractions

    if not is_store(store_dir):
        return None
    manifest = read_manifest(store_dir)
    records = generation_dir(store_dir, manifest.generation) / EXTRACTIONS
    if not records.is_file():
        return None
    from kg.extract.termhood import rule_reason

    wanted = " ".join(name.lower().split())
    papers: set[str] = set()
    types: set[str] = set()
    rules: set[str] = set()
    scores: list[float] = []
    text, sentence = name, ""
    for ext in read_extractions(records):
        for m in ext.rejected:
            if " ".join(m.text.lower().split()) == wanted:
                papers.add(ext.paper.title)
                types.add(m.label)
                scores.append(m.confidence)
                rule = rule_reason(m.text, m.extractor, m.field == "title")
                rules.update([rule] if rule else [])
                text, sentence = m.text, sentence or m.sentence
    if not papers:
        return None
    return SetAside(
        text, sorted(types), len(papers), min(scores), max(scores), sentence, sorted(rules)
    )


RULE_TEXT = {
    "markup": "it carries markup left in the input (TeX, a URL, HTML)",
    "formula": "it is a formula, not a name",
    "title word": "it is a lone word of a title, which the recognizer cannot tell from a term",
}


def render_set_aside(found: SetAside, thresholds: Callable[[str], float] | None) -> str:
    """Why ``found`` is no entity: the rule that set it aside, or its termhood score against
    the threshold of each type it was found as (each type has its own: a Concept must score
    higher than a Method)."""
    scores = f"{found.low:.2f}" if found.low == found.high else f"{found.low:.2f}-{found.high:.2f}"
    if found.rules:
        why = "; ".join(RULE_TEXT.get(r, r) for r in found.rules)
        reason = f"by rule: {why}"
    else:
        limits = ", ".join(f"{t} {thresholds(t):g}" for t in found.types) if thresholds else ""
        limit = f" below the threshold ({limits})" if limits else ""
        reason = f"as a likely fragment or generic phrase (termhood {scores}{limit})"
    return (
        f"'{found.text}' is no entity of the graph: the termhood stage set it aside in "
        f"{found.papers} paper(s) {reason}; found as {', '.join(found.types)}. It stays in "
        f"those abstracts as text, e.g.:\n  {found.sentence}"
    )
