"""``kg_termhood``: keeps the entity spans that are terms, sets aside the rest.

Features, corpus statistics and the logistic model are :mod:`kg.extract.termhood`; the
weights come from :mod:`kg.train.termhood`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.errors import KGError
from kg.extract.sections import doc_text, is_title, sentence_bounds
from kg.extract.tables import read_cfg, resolve, write_cfg
from kg.extract.termhood import (
    AS_EXTRACTOR,
    DEFINED_STATS,
    MODEL_FILE,
    PAIR_STATS,
    REJECTED_KEY,
    SPANS_KEY,
    WORD_STATS,
    CorpusStats,
    TermhoodModel,
    feature_values,
    is_trusted,
    read_corpus_stats,
    rule_reason,
)
from kg.extract.tokens import token_table


class Termhood:
    """The ``kg_termhood`` component: keeps the spans that are terms, sets aside the rest."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        threshold: float | None,
        word_stats: str = WORD_STATS,
        pair_stats: str = PAIR_STATS,
        defined_stats: str = DEFINED_STATS,
    ) -> None:
        self.name = name
        self.refs = {
            "word_stats": word_stats,
            "pair_stats": pair_stats,
            "defined_stats": defined_stats,
        }
        self.stats: CorpusStats | None = None
        self.model: TermhoodModel | None = None
        self.threshold_override = threshold
        self.load_error: Exception | None = None

    @property
    def threshold(self) -> float:
        """The global threshold (an override, else the model's; types may have their own)."""
        if self.threshold_override is not None:
            return self.threshold_override
        return self.model.threshold if self.model else 0.0

    def threshold_for(self, label: str) -> float:
        """What a span of type ``label`` must reach: an override holds for every type."""
        if self.threshold_override is not None or self.model is None:
            return self.threshold
        return self.model.threshold_for(label)

    def score_span(self, span: Span, text: str | None = None, paper: str | None = None) -> float:
        """The model's probability that ``span`` is a term, from the span, the text around
        it inside its sentence and the whole paper (as the judged rows were scored).
        ``text``/``paper``: the doc's text and its lower-cased form, when the caller has them."""
        if self.model is None:
            return 1.0
        doc = span.doc
        text = doc_text(doc) if text is None else text
        paper = text.lower() if paper is None else paper
        extractor = span._.kg_extractor or "ner"
        extractor = AS_EXTRACTOR.get(extractor, extractor)
        return self._score(doc, span, extractor, is_title(span), text, paper)

    def _score(
        self, doc: Doc, span: Span, extractor: str, in_title: bool, text: str, paper: str
    ) -> float:
        """:meth:`score_span` with what the caller already knows of the span and its doc.

        The sentence's character bounds come from the cached sentence bounds and token columns
        (:func:`~kg.extract.tokens.token_table`), and the span's text is a slice of the doc's
        text: the same strings as ``sentence_of(...).start_char`` and ``span.text``, without
        making the Span and Token objects (a third of this stage's time)."""
        if self.stats is None:
            raise KGError(f"'{self.name}' has no corpus statistics: initialize it or load it")
        table = token_table(doc)
        a, b = sentence_bounds(doc, span.start)
        sent_start, sent_end = table.idx[a], table.idx[b - 1] + len(table.text[b - 1])
        start, end = span.start_char, span.end_char
        before = text[max(sent_start, start - 40) : start]
        after = text[end : min(sent_end, end + 40)]
        v = feature_values(
            text[start:end], span.label_, extractor, before, after, self.stats, in_title, paper
        )
        return self.model.score_values(v)

    def __call__(self, doc: Doc) -> Doc:
        if self.load_error is not None:
            raise self.load_error
        spans = list(doc.spans.get(SPANS_KEY, []))
        if self.model is None or not spans:
            return doc
        kept, rejected = [], []
        text = doc_text(doc)
        paper = text.lower()
        # is_title(span), read once per doc: Doc._ makes an Underscore object on every access
        title_end = doc._.abstract_start if doc._.has_title else -1
        for span in spans:
            extractor = span._.kg_extractor or "ner"
            extractor = AS_EXTRACTOR.get(extractor, extractor)
            in_title = span.start_char < title_end
            # a rule's span is scored 0: kg explain reports it below the threshold
            ruled = rule_reason(text[span.start_char : span.end_char], extractor, in_title)
            if ruled is None:
                score = self._score(doc, span, extractor, in_title, text, paper)
            else:
                score = 0.0
            span._.kg_termhood = score
            passes = score >= self.threshold_for(span.label_)
            if ruled is None and (is_trusted(extractor, span.label_) or passes):
                kept.append(span)
            else:
                rejected.append(span)
        doc.spans[SPANS_KEY] = kept
        doc.spans[REJECTED_KEY] = rejected
        return doc

    def initialize(self, get_examples: Callable[[], Iterable] | None = None, *, nlp=None) -> None:
        """Read the corpus statistics the config names (the weights come from
        :mod:`kg.train.termhood`, assigned to :attr:`model`)."""
        self.stats = read_corpus_stats(
            resolve(self.refs["word_stats"]),
            resolve(self.refs["pair_stats"]),
            resolve(self.refs["defined_stats"]),
        )

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        write_cfg(path, self.refs)
        if self.model is not None:
            (Path(path) / MODEL_FILE).write_text(json.dumps(self.model.to_json(), indent=1))

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> Termhood:
        """Load the weights, and the statistics when there are weights to score with. A model
        of other features is refused when the component runs, not here, so ``kg train termhood
        --ship`` can still load the pipeline to replace it."""
        self.refs = read_cfg(path, self.refs)
        file = Path(path) / MODEL_FILE
        if file.is_file():
            try:
                self.model = TermhoodModel.from_json(json.loads(file.read_text()))
            except KGError as err:
                self.load_error = err
                return self
            self.initialize()
        return self


@Language.factory(
    "kg_termhood",
    default_config={
        "threshold": None,
        "word_stats": WORD_STATS,
        "pair_stats": PAIR_STATS,
        "defined_stats": DEFINED_STATS,
    },
)
def make_termhood(
    nlp: Language,
    name: str,
    threshold: float | None,
    word_stats: str,
    pair_stats: str,
    defined_stats: str,
) -> Termhood:
    return Termhood(nlp, name, threshold, word_stats, pair_stats, defined_stats)
