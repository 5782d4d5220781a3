"""The query library: ``queries/*.rq``, the questions users of the graph ask, with parameters.

A library query is a SPARQL file whose leading ``#`` comment says what it answers, followed by
its parameters, one per line::

    # Which papers bridge two topics? ...
    # @param a         a topic: notation, preferred or alternative label (e.g. RAG)
    # @param limit:int=100  at most this many rows
    # @example a=RAG b=MoE
    # @precompute a= b=

``@param NAME[:TYPE][=DEFAULT] HELP``. ``@precompute PARAMS`` (same form as ``@example``) marks
a parameter set too slow to compute per call on a large store: its answer is computed once when
a store generation is published and kept with it (:mod:`kg.sparql.answers`).

In the query body a parameter is written ``$NAME`` (``$x`` is also plain SPARQL variable syntax,
so an unrendered query still parses). Rendering replaces each ``$NAME`` token - never one inside
a string, IRI or comment - by terms built from the user's value, by TYPE:

* ``text`` (default): a quoted literal, every quote, backslash and line break escaped;
* ``names``: the literals of the value as typed, in lower case, in upper case and capitalized,
  for ``VALUES ?x { $NAME }`` - a case-tolerant lookup that still uses the store's indexes,
  where ``FILTER(LCASE(?x) = ...)`` would read every label in the graph;
* ``acronym``: ``names`` plus, for up to six letters, every upper/lower-case spelling, each
  also with a plural "s" ("coe" finds "CoE", "LLM" finds "LLMs");
* ``topic``: the IRI of the topic of the scheme (``ontology/topics.ttl``) named by its
  notation, preferred label or a cue, in any case; ``UNDEF`` when empty (any topic, in VALUES);
* ``int``: an integer; ``iri``: an absolute IRI or a prefixed name (``entity:lora``) without
  the characters IRIs forbid.

User text is never pasted into SPARQL as syntax.

In a source checkout the files are in ``queries/`` at the repository root; a wheel
force-includes them as ``kg/_queries`` (see ``pyproject.toml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.errors import KGError
from kg.vocab import PREFIXES

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
PARAM_TYPES = ("text", "names", "acronym", "topic", "int", "iri")
MAX_VALUE_CHARS = 2000
#: LIMIT or OFFSET right before a parameter: its value is a row count
_ROW_COUNT_KEYWORD = re.compile(r"\b(?:LIMIT|OFFSET)\s+$", re.IGNORECASE)

_PARAM_LINE = re.compile(r"^@param\s+([A-Za-z_]\w*)(?::(\w+))?(?:=(\"[^\"]*\"|\S*))?\s*(.*)$")
_EXAMPLE_LINE = re.compile(r"^@example\s+(.*)$")
_PRECOMPUTE_LINE = re.compile(r"^@precompute(?:\s+(.*))?$")
# Tokens that may contain "$" without being a parameter, then parameters themselves.
_TOKENS = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
             | '''(?:[^'\\]|\\.|'(?!''))*'''
             | "(?:[^"\\\n]|\\.)*"
             | '(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<param>\$[A-Za-z_][A-Za-z0-9_]*)
    """,
    re.X | re.S,
)
_IRI_FORBIDDEN = re.compile(r'[<>"{}|^`\\\x00-\x20]')
_PREFIXED = re.compile(r"^([A-Za-z][\w.-]*)?:([\w.%-]*)$")


@dataclass
class Param:
    name: str
    type: str = "text"
    default: str | None = None
    help: str = ""

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass
class LibraryQuery:
    name: str
    path: Path
    #: The leading comment without the @-lines: what the query answers.
    description: str
    params: list[Param] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    sparql: str = ""
    #: Parameter sets (``@precompute`` lines) whose answers each store generation keeps.
    precompute: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """The first sentence of the description."""
        first = self.description.split("\n\n")[0].replace("\n", " ")
        match = re.match(r"(.+?[?.])(\s|$)", first)
        return match.group(1) if match else first

    def render(self, values: dict[str, str] | None = None) -> str:
        """The SPARQL with every ``$param`` replaced by a safe term for its value."""
        values = dict(values or {})
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise KGError(
                f"query {self.name!r} has no parameter {', '.join(unknown)} "
                f"(parameters: {', '.join(known) or 'none'})"
            )
        terms: dict[str, str] = {}
        row_counts = self._row_counts()
        for param in self.params:
            value = values.get(param.name, param.default)
            if value is None:
                raise KGError(
                    f"query {self.name!r} needs --param {param.name}=VALUE "
                    f"({param.help or param.type})"
                )
            terms[param.name] = sparql_term(value, param.type, param.name)
            if param.name in row_counts and terms[param.name].startswith("-"):
                raise KGError(
                    f"parameter {param.name}: must be a non-negative integer, got {value!r}"
                )
        return substitute(self.sparql, terms)

    def _row_counts(self) -> set[str]:
        """The parameters that stand after LIMIT or OFFSET, where SPARQL takes only a
        non-negative integer (a negative one would be a syntax error in the query's text,
        which the user never wrote)."""
        return {
            name
            for start, _end, name in placeholders(self.sparql)
            if _ROW_COUNT_KEYWORD.search(self.sparql, 0, start)
        }


def sparql_term(value: str, type_: str, name: str = "value") -> str:
    """``value`` as a SPARQL term of the parameter type; KGError if it does not fit."""
    if len(value) > MAX_VALUE_CHARS:
        raise KGError(f"parameter {name}: value longer than {MAX_VALUE_CHARS} characters")
    if type_ == "int":
        if not re.fullmatch(r"[+-]?\d{1,18}", value.strip()):
            raise KGError(f"parameter {name}: expected an integer, got {value!r}")
        return str(int(value))
    if type_ == "iri":
        return "<" + _expand_iri(value.strip(), name) + ">"
    if type_ == "topic":
        return topic_term(value, name)
    if type_ in ("names", "acronym"):
        variants = name_variants(value)
        if type_ == "acronym":
            variants += case_variants(value)
            # and the plurals: "LLM" also finds "LLMs"
            variants += [v + "s" for v in variants if not v.endswith("s")]
        return " ".join(quote_literal(v, name) for v in dict.fromkeys(variants))
    return quote_literal(value, name)


def topic_term(value: str, name: str = "topic") -> str:
    """The IRI of the topic named ``value`` (notation, label or cue, any case); UNDEF if empty."""
    from kg.lexicon.scheme import load_scheme

    key = " ".join(value.split()).lower()
    if not key:
        return "UNDEF"
    found: dict[str, str] = {}
    for topic in load_scheme().values():
        names = {topic.notation, topic.label, *topic.exact_cues, *topic.folded_cues}
        if key in {n.lower() for n in names}:
            found[topic.notation] = topic.iri
    if len(found) == 1:
        return "<" + next(iter(found.values())) + ">"
    if found:
        raise KGError(
            f"parameter {name}: {value!r} names several topics ({', '.join(sorted(found))})"
        )
    notations = ", ".join(sorted(load_scheme()))
    raise KGError(f"parameter {name}: no topic named {value!r} (topics: {notations})")


def case_variants(value: str, max_letters: int = 6) -> list[str]:
    """Every upper/lower-case spelling of a short ``value`` ("coe": ..., "CoE", ..., "COE")."""
    value = value.strip()
    letters = [i for i, c in enumerate(value) if c.lower() != c.upper()]
    if not letters or len(letters) > max_letters:
        return []
    out = []
    for mask in range(2 ** len(letters)):
        chars = list(value.lower())
        for bit, i in enumerate(letters):
            if mask >> bit & 1:
                chars[i] = chars[i].upper()
        out.append("".join(chars))
    return out


def name_variants(value: str) -> list[str]:
    """``value`` as typed, lower-cased, upper-cased and capitalized (distinct, in that order)."""
    value = value.strip()
    variants = [value, value.lower(), value.upper(), value[:1].upper() + value[1:].lower()]
    return list(dict.fromkeys(v for v in variants if v))


def quote_literal(value: str, name: str = "value") -> str:
    """A SPARQL string literal for ``value`` (``"..."``, all specials escaped)."""
    bad = [c for c in value if ord(c) < 0x20 and c not in "\t\n\r"]
    if bad:
        raise KGError(f"parameter {name}: control characters are not allowed")
    escaped = (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _expand_iri(value: str, name: str) -> str:
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    match = _PREFIXED.match(value)
    if match and (match.group(1) or "") in PREFIXES and "//" not in value:
        value = PREFIXES[match.group(1) or ""] + match.group(2)
    elif not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
        known = ", ".join(sorted(PREFIXES))
        raise KGError(
            f"parameter {name}: {value!r} is neither an absolute IRI nor a prefixed name ({known})"
        )
    if _IRI_FORBIDDEN.search(value):
        raise KGError(f"parameter {name}: {value!r} contains characters not allowed in an IRI")
    return value


def placeholders(sparql: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of every ``$name`` outside strings, IRIs and comments."""
    return [
        (m.start(), m.end(), m.group("param")[1:])
        for m in _TOKENS.finditer(sparql)
        if m.lastgroup == "param"
    ]


def substitute(sparql: str, terms: dict[str, str]) -> str:
    out, last = [], 0
    for start, end, name in placeholders(sparql):
        if name in terms:
            out.append(sparql[last:start])
            out.append(terms[name])
            last = end
    out.append(sparql[last:])
    return "".join(out)


def parse_query_file(path: Path) -> LibraryQuery:
    text = path.read_text(encoding="utf-8")
    comment: list[str] = []
    params: list[Param] = []
    examples: list[str] = []
    precompute: list[str] = []
    body_start = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if not stripped.startswith("#") and stripped:
            break
        body_start += len(line)
        content = stripped[1:].strip() if stripped.startswith("#") else ""
        if content.startswith("@param"):
            match = _PARAM_LINE.match(content)
            if not match:
                raise KGError(f"{path}: malformed @param line: {content}")
            name, type_, default, help_ = match.groups()
            type_ = type_ or "text"
            if type_ not in PARAM_TYPES:
                raise KGError(
                    f"{path}: @param {name}: unknown type {type_!r} "
                    f"(expected {', '.join(PARAM_TYPES)})"
                )
            if default is not None and default.startswith('"'):
                default = default[1:-1]
            params.append(Param(name, type_, default, help_.strip()))
        elif (match := _EXAMPLE_LINE.match(content)) is not None:
            examples.append(match.group(1).strip())
        elif (match := _PRECOMPUTE_LINE.match(content)) is not None:
            precompute.append((match.group(1) or "").strip())
        else:
            comment.append(content)
    description = "\n".join(comment).strip()
    description = re.sub(r"\n(?!\n)", "\n", description)
    query = LibraryQuery(path.stem, path, description, params, examples, text, precompute)
    used = {name for _s, _e, name in placeholders(text[body_start:])}
    declared = {p.name for p in params}
    if used - declared:
        raise KGError(f"{path}: uses ${', $'.join(sorted(used - declared))} without an @param line")
    if declared - used:
        raise KGError(
            f"{path}: declares @param {', '.join(sorted(declared - used))} but never uses it"
        )
    if not description:
        raise KGError(f"{path}: starts with no comment saying what it answers")
    return query


def _candidates() -> list[Path]:
    return [_PACKAGE_DIR / "_queries", _PACKAGE_DIR.parent / "queries"]


@lru_cache(maxsize=1)
def queries_dir() -> Path:
    for candidate in _candidates():
        if candidate.is_dir() and any(candidate.glob("*.rq")):
            return candidate
    tried = ", ".join(str(c) for c in _candidates())
    raise KGError(f"query library not found (looked in {tried}); is the package installed fully?")


def list_queries() -> list[LibraryQuery]:
    return [parse_query_file(p) for p in sorted(queries_dir().glob("*.rq"))]


def get_query(name: str) -> LibraryQuery:
    path = queries_dir() / f"{name}.rq"
    if not re.fullmatch(r"[\w-]+", name) or not path.is_file():
        names = ", ".join(q.stem for q in sorted(queries_dir().glob("*.rq")))
        raise KGError(f"no library query named {name!r} (available: {names}; see kg queries)")
    return parse_query_file(path)


def parse_params(items: list[str] | None) -> dict[str, str]:
    """``["a=RAG", "b=MoE"]`` -> ``{"a": "RAG", "b": "MoE"}``."""
    values: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise KGError(f"--param {item!r}: expected NAME=VALUE")
        if name in values:
            raise KGError(f"--param {name} given twice")
        values[name] = value
    return values


def render_library_query(name: str, params: list[str] | dict[str, str] | None = None) -> str:
    query = get_query(name)
    values = params if isinstance(params, dict) else parse_params(params)
    return query.render(values)


#: Suggestions offered when a name parameter names no entity.
SUGGESTIONS = 5


def entity_labels(target) -> list[str]:
    """Every label and surface form of an entity (what a name parameter is matched against)."""
    from kg.sparql.query import run_query

    rows = run_query(
        target,
        "SELECT DISTINCT ?l WHERE { ?e a kg:Entity ; rdfs:label|skos:altLabel ?l }",
    ).rows
    return [str(row[0]) for row in rows]


def nearest_labels(value: str, labels: list[str], limit: int = SUGGESTIONS) -> list[str]:
    """The ``limit`` labels closest to ``value`` (edit-distance ratio, case-insensitive, at
    least half alike), best first, one spelling per label up to case. (WRatio's partial matches
    would offer one-letter labels such as "R" for "LoRx".)"""
    from rapidfuzz import fuzz, process, utils

    best: dict[str, str] = {}
    for label, _score, _i in process.extract(
        value,
        labels,
        scorer=fuzz.ratio,
        processor=utils.default_process,
        limit=limit * 4,
        score_cutoff=50,
    ):
        best.setdefault(label.lower(), label)
        if len(best) == limit:
            break
    return list(best.values())


def explain_empty(target, name: str, params: list[str] | dict[str, str] | None) -> list[str]:
    """Why library query ``name`` found no rows, one line per entity-name parameter (types
    ``names`` and ``acronym``): the entities its value names, or that it names none and the
    nearest labels. A query that silently returns nothing for a typo ("LoRa", "Mixtral 8x7")
    reads as "the graph has nothing on it" - which may be wrong."""
    from kg.sparql.query import run_query

    query = get_query(name)
    values = params if isinstance(params, dict) else parse_params(params)
    lines: list[str] = []
    labels: list[str] | None = None
    for param in query.params:
        value = values.get(param.name, param.default)
        if param.type not in ("names", "acronym") or not value or not value.strip():
            continue
        terms = sparql_term(value, param.type, param.name)
        found = run_query(
            target,
            f"SELECT DISTINCT ?e ?label WHERE {{ VALUES ?name {{ {terms} }} "
            "?e rdfs:label|skos:altLabel ?name ; a kg:Entity ; rdfs:label ?label } "
            "ORDER BY ?label ?e",
        ).rows
        given = f"--param {param.name}={value!r}"
        if param.name == "paper" and not found:
            paper_line = _paper_named(target, terms, given, name)
            if paper_line is not None:
                lines.append(paper_line)
                continue
        if found:
            named = sorted({str(row[1]) for row in found})
            shown = _first_few(named)
            lines.append(
                f"kg: {given} names {len(found)} "
                f"{'entity' if len(found) == 1 else 'entities'} ({shown}), but query "
                f"{name!r} found nothing for {'it' if len(found) == 1 else 'them'}"
            )
            continue
        if labels is None:
            labels = entity_labels(target)
        near = nearest_labels(value.strip(), labels)
        what = (
            "no paper (by title, arXiv id or identifier) and no entity"
            if param.name == "paper"
            else "no entity"
        )
        lines.append(
            f"kg: {given} names {what} in the graph"
            + (f"; nearest labels: {', '.join(near)}" if near else "")
        )
    return lines


def _paper_named(target, terms: str, given: str, query: str) -> str | None:
    """Why a query about the paper titled (or with the arXiv id) ``terms`` found nothing: the
    paper is in the graph but proposes nothing with a name, or what it proposes has no rows
    (None when no paper has that title or id). "Names no entity" would read as "no such
    paper"."""
    from kg.sparql.query import run_query

    rows = run_query(
        target,
        f"SELECT ?p ?title ?label WHERE {{ VALUES ?name {{ {terms} }} "
        "?p a kg:Paper ; kg:arxivId|dcterms:identifier|dcterms:title ?name ; "
        "dcterms:title ?title . "
        "OPTIONAL { ?p kg:proposes/rdfs:label ?label } } ORDER BY ?p ?label",
    ).rows
    if not rows:
        return None
    title = str(rows[0][1])
    proposed = sorted({str(row[2]) for row in rows if row[2] is not None})
    if not proposed:
        return (
            f"kg: {given} is the paper {title!r}, in the graph, but it proposes nothing the "
            "graph names (no kg:proposes: its abstract names no method, model or dataset of "
            "its own in a way kg recognizes)"
        )
    return (
        f"kg: {given} is the paper {title!r}, which proposes {_first_few(proposed)}, but query "
        f"{query!r} found nothing for it"
    )


def _first_few(names: list[str]) -> str:
    """The first :data:`SUGGESTIONS` names, comma-separated, "..." when there are more."""
    return ", ".join(names[:SUGGESTIONS]) + (" ..." if len(names) > SUGGESTIONS else "")
