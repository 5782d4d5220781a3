"""Topic cue phrases (from the SKOS scheme's labels) found in the title and abstract.

The scoring itself is the linker's job (``kg.link.topics``); this component only records where
each cue occurs, with the sentence it is in and whether it is a passing contrast ("unlike RAG",
"without retrieval"), so the text is tokenized once for everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from kg.extract.sections import is_title

if not Doc.has_extension("topic_hits"):
    Doc.set_extension("topic_hits", default=None)

#: Words that make a following cue a contrast rather than the paper's subject.
OWN_WORDS = {"we", "our", "us"}
CONTRAST = {"unlike", "without", "instead", "rather", "beyond", "except", "not", "no"}


@dataclass(frozen=True)
class TopicHit:
    notation: str
    field: str  # "title" or "abstract"
    sentence: int  # index of the sentence within its field (0 = first)
    contrast: bool
    text: str
    #: the sentence speaks of the paper's own work ("we ...", "our ...", "this paper ...")
    own: bool = False


class TopicCues:
    def __init__(self, nlp: Language, name: str) -> None:
        from kg.link.scheme import load_scheme

        self.name = name
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        for topic in load_scheme().values():
            if topic.exact_cues:
                self.exact.add(topic.notation, [nlp.make_doc(c) for c in topic.exact_cues])
            if topic.folded_cues:
                self.folded.add(topic.notation, [nlp.make_doc(c) for c in topic.folded_cues])

    def __call__(self, doc: Doc) -> Doc:
        vocab = doc.vocab.strings
        sents = list(doc.sents)
        sent_index: dict[int, tuple[str, int]] = {}
        own_sentence: dict[int, bool] = {}
        abstract_i = 0
        for s in sents:
            field = "title" if is_title(s) else "abstract"
            idx = 0 if field == "title" else abstract_i
            if field == "abstract":
                abstract_i += 1
            own = any(t.lower_ in OWN_WORDS for t in s) or "this paper" in s.text.lower()
            for t in range(s.start, s.end):
                sent_index[t] = (field, idx)
                own_sentence[t] = own
        hits = []
        for match_id, start, end in sorted(self.exact(doc) + self.folded(doc), key=lambda m: m[1]):
            field, idx = sent_index.get(start, ("abstract", 0))
            window = {t.lower_ for t in doc[max(0, start - 3) : start]}
            contrast = bool(window & CONTRAST)
            text = doc[start:end].text
            hits.append(TopicHit(vocab[match_id], field, idx, contrast, text, own_sentence[start]))
        doc._.topic_hits = hits
        return doc


@Language.factory("kg_topic_cues")
def make_topic_cues(nlp: Language, name: str) -> TopicCues:
    return TopicCues(nlp, name)
