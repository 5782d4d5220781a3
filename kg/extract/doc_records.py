"""Doc -> records: turn processed Docs into :class:`PaperExtraction` records (offsets per field).

Named for its job (ingest has the readers of input files); the build calls :func:`extract`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.errors import Truncated
from kg.extract.entities import SPANS_KEY as ENTITIES_KEY
from kg.extract.quantities import extract_quantities
from kg.extract.relations import PROPERTY
from kg.extract.sections import doc_text, field_of, paper_text, sentence_bounds, sentence_of
from kg.extract.termhood import REJECTED_KEY
from kg.extract.tokens import token_table
from kg.records import (
    AcronymDef,
    ClaimRecord,
    Mention,
    Paper,
    PaperExtraction,
    QuantityRecord,
    RelationRecord,
)
from kg.vocab import RELATION_OF_TYPE

#: Most distinct entities (lower-cased surface forms) kept for one paper; the mentions of the
#: rest are dropped and the paper reported (:class:`kg.errors.Truncated`).
#:
#: Why truncate here and not skip: the paper itself is real (its record passed the length limit,
#: :data:`kg.ingest.inputs.MAX_RECORD_CHARS`), only the recognizer went wild on it (a list of
#: names, a table flattened into text). The most distinct entities in any of the 34,791 corpus
#: abstracts is 96 (in its one 16,000-character abstract; the next is 64), so 150 is never reached
#: by an abstract; a record past it would flood the graph with one paper's "entities" (a 950 KB
#: record gave 2,884). The first 150 in reading order are kept: the title and opening sentences,
#: where what a paper is about is said.
MAX_ENTITIES_PER_PAPER = 150


def _strip_period(text: str) -> str:
    return text[:-1] if text.endswith(".") and len(text) > 1 else text


def _text(doc: Doc, span: Span) -> str:
    """``span.text``, sliced from :func:`kg.extract.sections.doc_text` (the same string)."""
    return doc_text(doc)[span.start_char : span.end_char]


def _sentence(doc: Doc, sent: Span, base: int) -> tuple[str, int, int]:
    """A sentence's text (trailing space dropped) and its offsets within its field."""
    text = _text(doc, sent).rstrip()
    start = sent.start_char - base
    return text, start, start + len(text)


def _quantities(sent: Span, base: int) -> list[QuantityRecord]:
    out = []
    for q in extract_quantities(sent):
        out.append(
            QuantityRecord(
                value=float(q.value),
                unit=q.unit,
                direction=q.direction,
                text=q.text,
                start=sent.start_char - base + q.start,
                end=sent.start_char - base + q.end,
            )
        )
    return out


class _DocView:
    """What locating a mention reads of one Doc, read once: the text, where the abstract starts,
    the sentence bounds and the token columns. Why: ``doc._`` makes an Underscore object on
    every access, and ``sentence_of`` a Span, for each of the ~50 mentions of a paper."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text = doc_text(doc)
        self.title_end = doc._.abstract_start if doc._.has_title else -1
        self.abstract_start = doc._.abstract_start
        self.table = token_table(doc)

    def field_of(self, char: int) -> tuple[str, int]:
        """:func:`kg.extract.sections.field_of`."""
        return ("title", 0) if char < self.title_end else ("abstract", self.abstract_start)

    def sentence_chars(self, token_i: int) -> tuple[int, int]:
        """``(sent.start_char, sent.end_char)`` of ``sentence_of(doc, token_i)``."""
        a, b = sentence_bounds(self.doc, token_i)
        idx, texts = self.table.idx, self.table.text
        return idx[a], idx[b - 1] + len(texts[b - 1])

    def locate(self, span: Span) -> tuple[str, str, int, int, str, int, int]:
        """(field, text, start, end, sentence, sentence start, sentence end) of a mention:
        offsets within its field, the text without a final period."""
        start_char = span.start_char
        field, base = self.field_of(start_char)
        text = _strip_period(self.text[start_char : span.end_char])
        start = start_char - base
        s0, s1 = self.sentence_chars(span.start)
        sent_text = self.text[s0:s1].rstrip()
        s0 -= base
        return field, text, start, start + len(text), sent_text, s0, s0 + len(sent_text)


def _mention(
    doc: Doc, span: Span, extractor: str, view: _DocView | None = None, **extra
) -> Mention:
    """A span as a Mention with its evidence (kept mentions and set-aside ones alike)."""
    field, text, start, end, sentence, s0, s1 = (view or _DocView(doc)).locate(span)
    return Mention(
        text=text,
        label=span.label_,
        field=field,
        start=start,
        end=end,
        sentence=sentence,
        sent_start=s0,
        sent_end=s1,
        extractor=extractor,
        **extra,
    )


def doc_to_extraction(doc: Doc, paper: Paper) -> PaperExtraction:
    result = PaperExtraction(paper=paper)
    view = _DocView(doc)
    mention_of: dict[tuple[int, int], int] = {}  # token span -> index of its Mention
    for span in doc.spans.get(ENTITIES_KEY, []):
        if (
            sentence_bounds(doc, span.start)[1] < span.end
        ):  # never report a mention across a sentence boundary
            continue
        mention_of[(span.start, span.end)] = len(result.mentions)
        extractor = span._.kg_extractor or "kg_entities"
        relation = (
            "proposes"
            if extractor == "kg_proposed"
            else RELATION_OF_TYPE.get(span.label_, "mentions")
        )
        result.mentions.append(_mention(doc, span, extractor, view, relation=relation))
    for span in doc.spans.get(REJECTED_KEY, []):
        score = round(float(span._.kg_termhood or 0.0), 3)
        extractor = span._.kg_extractor or "kg_entities"
        result.rejected.append(_mention(doc, span, extractor, view, confidence=score))
    for long_span, short_span in doc._.acronyms or []:
        first, last = sorted((long_span, short_span), key=lambda s: s.start_char)
        field, base = field_of(doc, first.start_char)
        sentence, s0, s1 = _sentence(doc, sentence_of(doc, first.start), base)
        end = last.end_char + (doc_text(doc)[last.end_char : last.end_char + 1] == ")")
        result.acronyms.append(
            AcronymDef(
                short=_text(doc, short_span),
                long=_text(doc, long_span),
                field=field,
                start=first.start_char - base,
                end=end - base,
                sentence=sentence,
                sent_start=s0,
                sent_end=s1,
            )
        )
    claim_extractor = doc.user_data.get("kg_claims_component", "kg_claims")
    for sent in doc.spans.get("claims", []):
        field, base = field_of(doc, sent.start_char)
        if field != "abstract":
            continue
        text, start, end = _sentence(doc, sent, base)
        ids = [
            i
            for i, m in enumerate(result.mentions)
            if m.field == field and start <= m.start and m.end <= end
        ]
        result.claims.append(
            ClaimRecord(
                text=text,
                field=field,
                start=start,
                end=end,
                role=sent._.rhetorical_role or "result",
                score=float(sent._.role_score or 1.0),
                extractor=claim_extractor,
                quantities=_quantities(sent, base),
                mention_ids=ids,
            )
        )
    result.topic_hits = list(doc._.topic_hits or [])
    for h0, h1, t0, t1, label, score, *by in doc._.kg_relations or []:
        # a rule names itself (7th item) and, when the tail words refer to a mention elsewhere
        # ("our model"), gives that mention's span (8th item)
        referent = by[1] if len(by) > 1 else None
        head = mention_of.get((h0, h1))
        tail = mention_of.get(tuple(referent) if referent else (t0, t1))
        if head is None or tail is None or label not in PROPERTY:
            continue
        tail_as = None
        if referent:  # the words' text and offsets in their field, as a mention's
            _field, words, start, end, *_ = view.locate(doc[t0:t1])
            tail_as = [words, start, end]
        result.relations.append(
            RelationRecord(
                head=head,
                tail=tail,
                relation=PROPERTY[label],
                score=round(score, 4),
                extractor=by[0] if by else "kg_relations",
                tail_as=tail_as,
            )
        )
    return result


def cap_entities(ext: PaperExtraction, limit: int = MAX_ENTITIES_PER_PAPER) -> int:
    """Keep only the mentions of the first ``limit`` distinct entities (lower-cased surface
    forms, in reading order); claims' mention indices follow. Returns how many distinct forms
    the paper had (0 if it was within the limit)."""
    forms: dict[str, None] = {}
    for m in ext.mentions:
        forms.setdefault(m.text.lower())
    if len(forms) <= limit:
        return 0
    kept = set(list(forms)[:limit])
    new_index: dict[int, int] = {}
    mentions = []
    for i, m in enumerate(ext.mentions):
        if m.text.lower() in kept:
            new_index[i] = len(mentions)
            mentions.append(m)
    ext.mentions = mentions
    for claim in ext.claims:
        claim.mention_ids = [new_index[i] for i in claim.mention_ids if i in new_index]
    ext.relations = [r for r in ext.relations if r.head in new_index and r.tail in new_index]
    for r in ext.relations:
        r.head, r.tail = new_index[r.head], new_index[r.tail]
    return len(forms)


def capped_problem(paper: Paper, forms: int) -> Truncated:
    """The report of a paper :func:`cap_entities` cut short, naming its file and line."""
    source = paper.sources[0] if paper.sources else (paper.id or paper.title[:60])
    path, _, line = source.rpartition(":")
    return Truncated(
        path if line.isdigit() else source,
        int(line) if line.isdigit() else None,
        f"{forms} distinct entities, more than an abstract has: kept the first "
        f"{MAX_ENTITIES_PER_PAPER} ('{paper.title[:60]}')",
    )


def extract(
    papers: Iterable[Paper],
    nlp: Language,
    batch_size: int = 32,
    n_process: int = 1,
    on_capped: Callable[[Truncated], None] | None = None,
) -> Iterator[PaperExtraction]:
    """Run the pipeline over papers (streaming), one Doc per paper (title + abstract).

    A paper with more than :data:`MAX_ENTITIES_PER_PAPER` distinct entities is cut to that many
    and reported to ``on_capped`` (never silently: without a callback it is a warning on stderr).
    """
    claims_component = "kg_claims" if "kg_claims" in nlp.pipe_names else "kg_claim_cues"
    stream = ((paper_text(p.title, p.abstract), p) for p in papers)
    for doc, paper in nlp.pipe(stream, as_tuples=True, batch_size=batch_size, n_process=n_process):
        doc.user_data["kg_claims_component"] = claims_component
        ext = doc_to_extraction(doc, paper)
        forms = cap_entities(ext)
        if forms:
            problem = capped_problem(paper, forms)
            if on_capped is not None:
                on_capped(problem)
            else:
                print(f"kg: truncated {problem}", file=sys.stderr)
        yield ext
