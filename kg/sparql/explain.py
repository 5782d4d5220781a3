"""``kg explain``: why an entity is what it is - its forms, the rule behind each merge, its
relations to other entities (one evidence sentence each), its papers.

Reads only the graph (the resolution's reasons are stored as ``kg:AliasMerge`` nodes), so it works
on any built graph without re-running the pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from kg.errors import KGError
from kg.lexicon.normalize import surface_key
from kg.sparql.query import run_query
from kg.sparql.results import shorten
from kg.vocab import ENTITY


@dataclass
class FormReason:
    form: str
    rule: str
    #: the merge rule's score (1.0 for the exact rules), not a count
    score: float
    detail: str
    #: papers whose mentions are written in this form (0: none found in the evidence)
    papers: int = 0
    #: papers (IRIs) whose acronym definitions of this entity define this form
    defined_in: list[str] = field(default_factory=list)


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
    first (conjunctions last), each with its highest-scored evidence sentence.

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
    # "A and B" peers (conjunction) tell least about an entity: after the other relations
    return sorted(
        best.values(),
        key=lambda r: (r.relation == "conjunction", -r.papers, r.relation, r.subject, r.object),
    )


def find_entities(graph: Graph, name: str) -> list[str]:
    """IRIs of the entities that have ``name`` as label or surface form (case-insensitive),
    those written exactly as ``name`` first: "DARTS" (the NAS method) before "DART" (a dataset
    whose plural "DARTs" matches too); then the one of more papers first."""
    name = name.strip()
    wanted = Literal(name.lower()).n3()
    # one SPARQL filter, which Oxigraph runs over the labels itself: iterating them through
    # rdflib took 1.5 s on a 10,000-abstract store, this 0.1-0.2 s
    rows = run_query(
        graph,
        "SELECT DISTINCT ?e ?l WHERE { ?e rdfs:label|skos:altLabel ?l . "
        f"FILTER(LCASE(STR(?l)) = {wanted}) }}",
    ).rows
    exact: dict[str, bool] = {}
    for e, label in rows:
        if str(e).startswith(str(ENTITY)):
            exact[str(e)] = exact.get(str(e), False) or str(label) == name
    papers: dict[str, int] = {}
    if len(exact) > 1:  # then the better supported first: MS COCO before a 1-paper "COCO"
        values = " ".join(f"<{iri}>" for iri in exact)
        papers = {
            str(e): int(n)
            for e, n in run_query(
                graph,
                f"SELECT ?e (COUNT(DISTINCT ?p) AS ?n) WHERE {{ VALUES ?e {{ {values} }} "
                "?p kg:mentions ?e } GROUP BY ?e",
            ).rows
        }
    return sorted(exact, key=lambda iri: (not exact[iri], -papers.get(iri, 0), iri))


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
        form_papers = _papers_per_form(graph, iri)
        for form, rule, score, detail in run_query(
            graph,
            f"""
            SELECT ?form ?rule ?score ?detail WHERE {{
              <{iri}> kg:hasAlias ?a . ?a kg:form ?form ; kg:rule ?rule ; kg:score ?score .
              OPTIONAL {{ ?a rdfs:comment ?detail }} }} ORDER BY ?rule ?form""",
        ).rows:
            exp.forms.append(
                FormReason(
                    str(form),
                    str(rule),
                    float(score),
                    str(detail or ""),
                    form_papers.get(str(form), 0),
                )
            )
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
            SELECT DISTINCT ?s ?l ?p WHERE {{
              ?d kg:denotes <{iri}> ; kg:shortForm ?s ; kg:longForm ?l .
              ?p kg:definesAcronym ?d }} ORDER BY ?s ?l ?p""",
        ).rows:
            exp.acronym_definitions.append((str(short), str(long_), str(paper)))
        _add_defining_papers(exp)
        exp.relations = relations_of(graph, iri)
        out.append(exp)
    return out


def _papers_per_form(graph: Graph, iri: str) -> dict[str, int]:
    """Form -> the number of papers whose mentions of entity ``iri`` are written so, counted
    from the mention evidence (one index scan on the entity's evidence records)."""
    return {
        str(form): int(n)
        for form, n in run_query(
            graph,
            f"""
            SELECT ?form (COUNT(DISTINCT ?paper) AS ?n) WHERE {{
              ?ev rdf:object <{iri}> ; kg:surfaceForm ?form ; rdf:subject ?paper }}
            GROUP BY ?form""",
        ).rows
    }


#: The reason resolution stores for a paper-scoped acronym form: it names the first paper only.
_SCOPED_DEFINITION = re.compile(r"^defined as '(?P<long>.*)' in paper (?P<paper>\S+)$")


def _add_defining_papers(exp: Explanation) -> None:
    """Give each acronym form the papers whose definitions of this entity define it (same
    surface key: "MoEs" is defined where "MoE" is), and say how many where the stored reason
    names one paper of several."""
    by_key: dict[str, set[str]] = {}
    for short, _, paper in exp.acronym_definitions:
        by_key.setdefault(surface_key(short), set()).add(paper)
    for f in exp.forms:
        f.defined_in = sorted(by_key.get(surface_key(f.form), ()))
        match = _SCOPED_DEFINITION.match(f.detail)
        if f.rule == "acronym" and match and len(f.defined_in) > 1:
            f.detail = (
                f"defined as '{match['long']}' in {len(f.defined_in)} papers, "
                f"e.g. paper {match['paper']}"
            )


def _definition_pairs(
    definitions: list[tuple[str, str, str]],
) -> list[tuple[tuple[str, str], list[str]]]:
    """(short, long) -> the papers that define it, most papers first: one line per spelling
    of the definition, not one per paper (MoE has 38 on the sample)."""
    papers: dict[tuple[str, str], list[str]] = {}
    for short, long_, paper in definitions:
        papers.setdefault((short, long_), []).append(paper)
    return sorted(papers.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def form_line(f: FormReason) -> str:
    """How a form reads after its text: its rule, in how many papers it is written so, the
    merge score (labelled: a bare "(1)" reads as a count) and the rule's reason."""
    parts = [f.rule]
    if f.papers:
        parts.append(f"{f.papers} paper{'s' if f.papers != 1 else ''}")
    if f.rule != "canonical":
        parts.append(f"merge score {f.score:.2f}")
    detail = f" - {f.detail}" if f.detail else ""
    return ", ".join(parts) + detail


def render(explanations: list[Explanation], max_papers: int = 20) -> str:
    lines: list[str] = []
    if len(explanations) > 1:
        lines.append(
            f"{len(explanations)} entities have this name (an acronym means what the paper "
            "that defines it says; where a paper does not define it, its most common "
            "definition, unless the curated term table fixes it):\n"
        )
    for exp in explanations:
        lines.append(f"{exp.label}  [{', '.join(exp.types)}]  {shorten(URIRef(exp.iri))}")
        lines.append(f"  forms ({len(exp.forms)}):")
        for f in exp.forms:
            lines.append(f"    {f.form!r:40} {form_line(f)}")
        if exp.acronym_definitions:
            lines.append(f"  acronym definitions ({len(exp.acronym_definitions)}):")
            pairs = _definition_pairs(exp.acronym_definitions)
            for (short, long_), papers in pairs[:max_papers]:
                where = shorten(URIRef(papers[0]))
                if len(papers) > 1:
                    where = f"{len(papers)} papers, e.g. {where}"
                lines.append(f"    {short} = {long_}  in {where}")
            if len(pairs) > max_papers:
                lines.append(f"    ... and {len(pairs) - max_papers} more")
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
    #: type -> (lowest score, highest score, papers) of the mentions found as that type: each
    #: type has its own threshold, so a range is only compared with its own type's
    by_type: dict[str, tuple[float, float, int]] = field(default_factory=dict)


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
    # the longest word of letters and digits: in every record line that can hold the name
    words = re.findall(r"[a-z0-9]+", wanted)
    needle = max(words, key=len) if words else None
    papers: set[str] = set()
    rules: set[str] = set()
    scores: dict[str, list[float]] = {}
    type_papers: dict[str, set[str]] = {}
    text, sentence = name, ""
    for ext in read_extractions(records, containing=needle):
        for m in ext.rejected:
            if " ".join(m.text.lower().split()) == wanted:
                papers.add(ext.paper.title)
                scores.setdefault(m.label, []).append(m.confidence)
                type_papers.setdefault(m.label, set()).add(ext.paper.title)
                rule = rule_reason(m.text, m.extractor, m.field == "title")
                rules.update([rule] if rule else [])
                text, sentence = m.text, sentence or m.sentence
    if not papers:
        return None
    every = [x for xs in scores.values() for x in xs]
    by_type = {t: (min(xs), max(xs), len(type_papers[t])) for t, xs in sorted(scores.items())}
    return SetAside(
        text, sorted(scores), len(papers), min(every), max(every), sentence, sorted(rules), by_type
    )


RULE_TEXT = {
    "markup": "it carries markup left in the input (TeX, a URL, HTML)",
    "formula": "it is a formula, not a name",
    "title word": "it is a lone word of a title, which the recognizer cannot tell from a term",
    "generic": "it is a generic phrase: a head such as 'method' or 'framework' with only "
    "generic modifiers",
}


def render_set_aside(found: SetAside, thresholds: Callable[[str], float] | None) -> str:
    """Why ``found`` is no entity: the rule that set it aside, or, per type it was found as,
    the scores of its mentions of that type against that type's threshold (each type has its
    own: a Concept must score higher than a Method). Scores carry as many decimals as it takes
    for "below" to read true: 0.7499 is "0.7499 < 0.75", never "0.75"."""
    if found.rules:
        why = "; ".join(RULE_TEXT.get(r, r) for r in found.rules)
        reason = f"by rule: {why}"
        found_as = f"; found as {', '.join(found.types)}"
    else:
        by_type = found.by_type or {t: (found.low, found.high, found.papers) for t in found.types}
        parts, below = [], True
        for etype, (low, high, papers) in by_type.items():
            limit = thresholds(etype) if thresholds else None
            in_papers = f" in {papers} paper{'s' if papers != 1 else ''}"
            if limit is None:
                parts.append(f"as {etype} {_score_range(low, high, None)}{in_papers}")
                continue
            below = below and high < limit
            sign = "<" if high < limit else ">="
            parts.append(f"as {etype} {_score_range(low, high, limit)} {sign} {limit:g}{in_papers}")
        if thresholds is None:
            head = "termhood"
        elif below:
            head = "termhood below its type's threshold"
        else:  # the shipped model is not the one the store was built with
            head = "termhood against today's threshold of each type"
        reason = f"as a likely fragment or generic phrase ({head}: {'; '.join(parts)})"
        found_as = ""
    return (
        f"'{found.text}' is no entity of the graph: the termhood stage set it aside in "
        f"{found.papers} paper(s) {reason}{found_as}. It stays in those abstracts as text, "
        f"e.g.:\n  {found.sentence}"
    )


def _score_range(low: float, high: float, limit: float | None) -> str:
    """``low-high`` with two decimals, or more where two would round ``high`` up to ``limit``
    (at most six)."""
    digits = 2
    while limit is not None and digits < 6 and float(f"{high:.{digits}f}") >= limit > high:
        digits += 1
    lo, hi = f"{low:.{digits}f}", f"{high:.{digits}f}"
    return lo if lo == hi else f"{lo}-{hi}"
