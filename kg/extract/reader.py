"""Turn processed Docs into :class:`PaperExtraction` records (offsets per field)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract.entities import SPANS_KEY as ENTITIES_KEY
from kg.extract.records import (
    AcronymDef,
    ClaimRecord,
    Mention,
    PaperExtraction,
    QuantityRecord,
    RelationRecord,
)
from kg.extract.relations import PROPERTY
from kg.extract.sections import field_of, paper_text, sentence_of
from kg.records import Paper

#: Which specific relation a mention of each type implies (besides ``mentions``).
RELATION_OF_TYPE = {"Dataset": "usesDataset", "Task": "addressesTask", "Metric": "usesMetric"}


def _strip_period(text: str) -> str:
    return text[:-1] if text.endswith(".") and len(text) > 1 else text


_TEXT_KEY = "kg_text"


def _doc_text(doc: Doc) -> str:
    """``doc.text``, made once per Doc: Doc.text (and Span.text) join their tokens' texts one
    Token object at a time on every access, and every mention needs its whole sentence's text."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


def _text(doc: Doc, span: Span) -> str:
    """``span.text``, sliced from :func:`_doc_text` (the same string)."""
    return _doc_text(doc)[span.start_char : span.end_char]


def _sentence(doc: Doc, sent: Span, base: int) -> tuple[str, int, int]:
    """A sentence's text (trailing space dropped) and its offsets within its field."""
    text = _text(doc, sent).rstrip()
    start = sent.start_char - base
    return text, start, start + len(text)


def _locate(doc: Doc, span: Span) -> tuple[str, str, int, int, str, int, int]:
    """(field, text, start, end, sentence, sentence start, sentence end) of a mention."""
    field, base = field_of(doc, span.start_char)
    text = _strip_period(_text(doc, span))
    start = span.start_char - base
    sent_text, s0, s1 = _sentence(doc, sentence_of(doc, span.start), base)
    return field, text, start, start + len(text), sent_text, s0, s1


def _quantities(sent: Span, base: int) -> list[QuantityRecord]:
    try:
        from kg.extract.quantities import extract_quantities
    except ImportError:  # pragma: no cover - before the quantities module exists
        return []
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


def doc_to_extraction(doc: Doc, paper: Paper) -> PaperExtraction:
    result = PaperExtraction(paper=paper)
    mention_of: dict[tuple[int, int], int] = {}  # token span -> index of its Mention
    for span in doc.spans.get(ENTITIES_KEY, []):
        if (
            sentence_of(doc, span.start).end < span.end
        ):  # never report a mention across a sentence boundary
            continue
        mention_of[(span.start, span.end)] = len(result.mentions)
        field, text, start, end, sentence, s0, s1 = _locate(doc, span)
        extractor = span._.kg_extractor or "kg_entities"
        relation = (
            "proposes"
            if extractor == "kg_proposed"
            else RELATION_OF_TYPE.get(span.label_, "mentions")
        )
        result.mentions.append(
            Mention(
                text=text,
                label=span.label_,
                field=field,
                start=start,
                end=end,
                sentence=sentence,
                sent_start=s0,
                sent_end=s1,
                extractor=extractor,
                relation=relation,
            )
        )
    for long_span, short_span in doc._.acronyms or []:
        first, last = sorted((long_span, short_span), key=lambda s: s.start_char)
        field, base = field_of(doc, first.start_char)
        sentence, s0, s1 = _sentence(doc, sentence_of(doc, first.start), base)
        end = last.end_char + (_doc_text(doc)[last.end_char : last.end_char + 1] == ")")
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
    for h0, h1, t0, t1, label, score in doc._.kg_relations or []:
        head, tail = mention_of.get((h0, h1)), mention_of.get((t0, t1))
        if head is None or tail is None or label not in PROPERTY:
            continue
        result.relations.append(
            RelationRecord(head=head, tail=tail, relation=PROPERTY[label], score=round(score, 4))
        )
    return result


def extract(
    papers: Iterable[Paper], nlp: Language, batch_size: int = 32, n_process: int = 1
) -> Iterator[PaperExtraction]:
    """Run the pipeline over papers (streaming), one Doc per paper (title + abstract)."""
    claims_component = "kg_claims" if "kg_claims" in nlp.pipe_names else "kg_claim_cues"
    stream = ((paper_text(p.title, p.abstract), p) for p in papers)
    for doc, paper in nlp.pipe(stream, as_tuples=True, batch_size=batch_size, n_process=n_process):
        doc.user_data["kg_claims_component"] = claims_component
        yield doc_to_extraction(doc, paper)
