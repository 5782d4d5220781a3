"""``kg_claim_cues``: the rule fallback for claims: result sentences by cue phrases.

Used only when the pipeline ships no trained ``kg_claims`` classifier (see ``kg train claims``):
the graph still gets Claim nodes, just from a less accurate rule.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from kg.extract.sections import is_title

SPANS_KEY = "claims"

for _name in ("rhetorical_role", "role_score"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)

CUE_PATTERNS = [
    [{"LOWER": {"IN": ["outperform", "outperforms", "outperformed", "surpasses", "surpass"]}}],
    [
        {"LOWER": {"IN": ["results", "experiments", "evaluations", "analysis"]}},
        {"LOWER": {"IN": ["show", "demonstrate", "indicate", "reveal", "confirm", "suggest"]}},
    ],
    [{"LOWER": {"IN": ["achieves", "achieve", "achieving", "improves", "reduces", "yields"]}}],
    [{"LIKE_NUM": True}, {"TEXT": {"IN": ["%", "x", "×"]}}],
    [
        {"LOWER": {"IN": ["we", "our"]}},
        {"LOWER": {"IN": ["show", "find", "demonstrate", "observe"]}},
    ],
    [
        {"LOWER": "state"},
        {"TEXT": "-", "OP": "?"},
        {"LOWER": "of"},
        {"TEXT": "-", "OP": "?"},
        {"LOWER": "the"},
        {"TEXT": "-", "OP": "?"},
        {"LOWER": "art"},
    ],
]


class ClaimCues:
    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.matcher = Matcher(nlp.vocab)
        self.matcher.add("RESULT", CUE_PATTERNS)

    def __call__(self, doc: Doc) -> Doc:
        claims = []
        for sent in doc.sents:
            if is_title(sent):
                continue
            hit = bool(self.matcher(sent))
            sent._.rhetorical_role = "result" if hit else "other"
            sent._.role_score = 1.0 if hit else 0.0
            if hit:
                claims.append(sent)
        doc.spans[SPANS_KEY] = claims
        return doc


@Language.factory("kg_claim_cues")
def make_claim_cues(nlp: Language, name: str) -> ClaimCues:
    return ClaimCues(nlp, name)
