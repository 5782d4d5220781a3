"""``kg explain``: why an entity is what it is - its forms, the rule behind each merge, its
relations to other entities (one evidence sentence each), its papers.

Reads only the graph (the resolution's reasons are stored as ``kg:AliasMerge`` nodes), so it works
on any built graph without re-running the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from kg.errors import KGError
from kg.query import run_query, shorten
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
    first, each with its highest-scored evidence sentence."""
    best: dict[str, RelationLine] = {}
    for edge, subj, rel, obj, papers, sentence, paper, score in run_query(
        graph,
        f"""
        SELECT ?edge ?sl ?p ?ol ?n ?sentence ?paper ?score WHERE {{
          {{ ?edge rdf:subject <{iri}> }} UNION {{ ?edge rdf:object <{iri}> }}
          ?edge a kg:EntityRelation ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                kg:paperCount ?n ; kg:hasEvidence ?ev .
          ?ev kg:sentence ?sentence ; prov:wasDerivedFrom ?paper ; kg:score ?score .
          ?s rdfs:label ?sl . ?o rdfs:label ?ol }}""",
    ).rows:
        line = RelationLine(
            str(subj),
            str(rel).rpartition("#")[2],
            str(obj),
            int(papers),
            str(sentence),
            str(paper),
            float(score),
        )
        key = str(edge)
        old = best.get(key)
        if old is None or (-line.score, line.sentence) < (-old.score, old.sentence):
            best[key] = line
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
