"""Relations between the entity mentions of one sentence (SciERC's seven types).

``kg_relations`` runs after ``kg_entities``. For every sentence it takes the pairs of entity
spans of ``doc.spans["kg_entities"]`` (not overlapping, at most :data:`MAX_GAP` tokens and
:data:`MAX_BETWEEN` other entities apart, SciERC's own relations are 99.5 % within both) and
classifies each pair into one of the seven SciERC types in either direction, or none. Pairs
whose best type scores at least the shipped ``threshold`` (chosen on SciERC dev for precision,
``kg train relations``) go to ``Doc._.kg_relations`` as plain tuples
``(head start, head end, tail start, tail end, LABEL, score)`` in token offsets, head -> tail
in SciERC's direction ("A USED-FOR B": A is used for B). Plain tuples, not Spans, so the Doc
still serializes (``nlp.pipe(n_process=...)``).

Why a linear model over sparse pair features: the build must keep >= 6,000 words/s per
process, so the step has to cost a few percent of the pipeline. The features are what
SciERC's relations are mostly read from without a parser: the two entity types, their head
and first words, the words between them (whole when short, as words and bigrams otherwise),
the words just outside, the distance and the number of entities in between. Inference is a
dictionary lookup per feature and a sum of weight rows (numpy); weights ship in the pipeline
directory (``model.npz`` + ``features.txt.gz`` + ``cfg.json``, well under 1 MB).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from spacy.tokens import Doc

from kg.errors import KGError
from kg.extract.sections import all_sentence_bounds
from kg.extract.tokens import token_table

SPANS_KEY = "kg_entities"
#: SciERC's relation types.
LABELS: tuple[str, ...] = (
    "USED-FOR",
    "FEATURE-OF",
    "HYPONYM-OF",
    "PART-OF",
    "COMPARE",
    "CONJUNCTION",
    "EVALUATE-FOR",
)
#: Classes of a pair (a, b) with a before b: none, "a LABEL b", or "b LABEL a" (suffix "<").
CLASSES: tuple[str, ...] = ("NONE", *LABELS, *(f"{label}<" for label in LABELS))
#: The graph property (``kg:<name>``) of each type; the two symmetric ones have no direction.
PROPERTY = {
    "USED-FOR": "usedFor",
    "FEATURE-OF": "featureOf",
    "HYPONYM-OF": "hyponymOf",
    "PART-OF": "partOf",
    "COMPARE": "comparedWith",
    "CONJUNCTION": "conjunction",
    "EVALUATE-FOR": "evaluates",
}
#: Candidate pairs: at most this many tokens between the two spans ...
MAX_GAP = 30
#: ... and at most this many other entity spans between them.
MAX_BETWEEN = 5
#: A sentence with more spans than this (a table flattened into one "sentence") keeps the
#: first ones only, so a pathological input costs bounded time.
MAX_SPANS = 40
#: Whole between-strings up to this many tokens are one feature ("such as", "is used for").
SHORT_BETWEEN = 5

#: Entity types of both schemes (SciERC's, the graph's) folded into one, so that a model
#: trained on SciERC's gold types reads the product's ``kg_entities`` types.
COARSE = {
    "Method": "Method",
    "Model": "Method",
    "Task": "Task",
    "Metric": "Metric",
    "Material": "Data",
    "Dataset": "Data",
    "OtherScientificTerm": "Concept",
    "Concept": "Concept",
    "Generic": "Generic",
}

if not Doc.has_extension("kg_relations"):
    Doc.set_extension("kg_relations", default=None)

Entity = tuple[int, int, str]  # token start, token end (exclusive), type


def sentence_groups(
    bounds: Sequence[tuple[int, int]], spans: Iterable[Entity]
) -> list[list[Entity]]:
    """The spans of each sentence (``bounds``: sorted (start, end) token bounds), sorted; a
    span across a sentence boundary belongs to no sentence (it is never paired)."""
    import bisect

    starts = [b[0] for b in bounds]
    groups: list[list[Entity]] = [[] for _ in bounds]
    for span in spans:
        k = bisect.bisect_right(starts, span[0]) - 1
        if k >= 0 and span[1] <= bounds[k][1]:
            groups[k].append(span)
    for group in groups:
        group.sort()
    return [g[:MAX_SPANS] for g in groups if len(g) >= 2]


def candidate_pairs(group: Sequence[Entity]) -> list[tuple[int, int]]:
    """Index pairs (i, j), i before j, of one sentence's sorted spans worth classifying."""
    pairs = []
    for i, a in enumerate(group):
        for j in range(i + 1, len(group)):
            b = group[j]
            if b[0] < a[1]:  # overlapping / nested: never a relation here
                continue
            if b[0] - a[1] > MAX_GAP or j - i - 1 > MAX_BETWEEN:
                break
            pairs.append((i, j))
    return pairs


def _bucket(n: int) -> str:
    return str(n) if n < 5 else ("5-9" if n < 10 else ("10-19" if n < 20 else "20+"))


def pair_features(words: Sequence[str], group: Sequence[Entity], i: int, j: int) -> list[str]:
    """Features of the pair (group[i], group[j]); ``words``: the doc's lower-cased tokens."""
    a0, a1, ta = group[i]
    b0, b1, tb = group[j]
    ta, tb = COARSE.get(ta, "Concept"), COARSE.get(tb, "Concept")
    tt = f"{ta}|{tb}"
    ha, hb = words[a1 - 1], words[b1 - 1]
    between = words[a1:b0]
    n = len(between)
    k = j - i - 1
    f = [
        "bias",
        "tt=" + tt,
        "ta=" + ta,
        "tb=" + tb,
        "ha=" + ha,
        "hb=" + hb,
        "hh=" + ha + "|" + hb,
        "tahb=" + ta + "|" + hb,
        "hatb=" + ha + "|" + tb,
        "fa=" + words[a0],
        "fb=" + words[b0],
        "d=" + _bucket(n),
        "k=" + str(min(k, 3)),
        "tdk=" + tt + "|" + _bucket(n) + "|" + str(min(k, 3)),
        "la=" + str(min(a1 - a0, 4)),
        "lb=" + str(min(b1 - b0, 4)),
        "pa=" + (words[a0 - 1] if a0 > 0 else "<s>"),
        "nb=" + (words[b1] if b1 < len(words) else "</s>"),
    ]
    if a1 - a0 <= 4:
        f.append("wa=" + " ".join(words[a0:a1]))
    if b1 - b0 <= 4:
        f.append("wb=" + " ".join(words[b0:b1]))
    for w in words[a0 : a1 - 1]:
        f.append("ia=" + w)
    for w in words[b0 : b1 - 1]:
        f.append("ib=" + w)
    f.append("pa2=" + (" ".join(words[a0 - 2 : a0]) if a0 > 1 else "<s>"))
    f.append("nb2=" + " ".join(words[b1 : b1 + 2]))
    f.append("same_head" if ha == hb else "other_head")
    f.append("tsame=" + str(ta == tb))
    if n == 0:
        f.append("adjacent")
        f.append("tadj=" + tt)
        return f
    if n <= SHORT_BETWEEN:
        s = " ".join(between)
        f.append("bs=" + s)
        f.append("tbs=" + tt + "|" + s)
        if k == 0:
            f.append("bs0=" + s)
    f.append("b2f=" + " ".join(between[:2]))
    f.append("b2l=" + " ".join(between[-2:]))
    f.append("hbf=" + ha + "|" + between[0])
    f.append("blh=" + between[-1] + "|" + hb)
    f.append("tb2f=" + tt + "|" + " ".join(between[:2]))
    f.append("tb2l=" + tt + "|" + " ".join(between[-2:]))
    f.append("bf=" + between[0])
    f.append("bl=" + between[-1])
    f.append("tbf=" + tt + "|" + between[0])
    f.append("tbl=" + tt + "|" + between[-1])
    f.append("bfl=" + between[0] + "|" + between[-1])
    for w in set(between):
        f.append("bw=" + w)
    for x, y in set(zip(between, between[1:], strict=False)):
        f.append("bb=" + x + " " + y)
    return f


class RelationModel:
    """Multinomial logistic regression over the named features of :func:`pair_features`."""

    #: ``cfg.json``'s "kind" (the accurate pipeline's is
    #: :class:`kg.extract.transformer_relations.TransformerRelationModel`)
    kind = "linear"

    def __init__(
        self,
        features: Sequence[str],
        weights: np.ndarray,
        bias: np.ndarray,
        threshold: float = 0.5,
        info: dict | None = None,
    ) -> None:
        self.features = list(features)
        self.index = {name: row for row, name in enumerate(self.features)}
        self.weights = np.asarray(weights, dtype=np.float32)
        self.bias = np.asarray(bias, dtype=np.float32)
        self.threshold = float(threshold)
        self.info = dict(info or {})
        if self.weights.shape != (len(self.features), len(CLASSES)):
            raise KGError(
                f"relation weights have shape {self.weights.shape}, expected "
                f"({len(self.features)}, {len(CLASSES)})"
            )

    def probabilities(self, rows: Sequence[Sequence[str]]) -> np.ndarray:
        """Class probabilities (len(rows), len(CLASSES)) of featurized pairs."""
        if not rows:
            return np.zeros((0, len(CLASSES)), dtype=np.float32)
        get = self.index.get
        ids: list[int] = []
        owner: list[int] = []
        for r, names in enumerate(rows):
            for name in names:
                row = get(name)
                if row is not None:
                    ids.append(row)
                    owner.append(r)
        scores = np.tile(self.bias, (len(rows), 1))
        if ids:
            np.add.at(scores, np.asarray(owner), self.weights[np.asarray(ids)])
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

    def relations(
        self,
        doc: Doc,
        bounds: Sequence[tuple[int, int]],
        spans: Iterable[Entity],
        threshold: float | None = None,
    ) -> list[tuple[int, int, int, int, str, float]]:
        """:func:`predict_relations` on a Doc (the interface both relation models offer)."""
        # Token.lower_ is the token's text lower-cased: read from the token columns
        words = [w.lower() for w in token_table(doc).text]
        return predict_relations(self, words, bounds, spans, threshold)


def predict_relations(
    model: RelationModel,
    words: Sequence[str],
    bounds: Sequence[tuple[int, int]],
    spans: Iterable[Entity],
    threshold: float | None = None,
) -> list[tuple[int, int, int, int, str, float]]:
    """Relations among ``spans`` whose most likely type has a probability of at least
    ``threshold`` (the model's by default; at 0.5 and above that is also more likely than no
    relation): (head start, head end, tail start, tail end, LABEL, score), SciERC direction."""
    threshold = model.threshold if threshold is None else threshold
    pairs: list[tuple[Entity, Entity]] = []
    rows: list[list[str]] = []
    for group in sentence_groups(bounds, spans):
        for i, j in candidate_pairs(group):
            pairs.append((group[i], group[j]))
            rows.append(pair_features(words, group, i, j))
    probs = model.probabilities(rows)
    out = []
    for (a, b), p in zip(pairs, probs, strict=True):
        c = 1 + int(p[1:].argmax())  # the most likely relation; its probability is the score
        score = float(p[c])
        if score < threshold:
            continue
        label = CLASSES[c]
        if label.endswith("<"):
            out.append((b[0], b[1], a[0], a[1], label[:-1], score))
        else:
            out.append((a[0], a[1], b[0], b[1], label, score))
    return out


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) of each sentence (``doc.sents`` rebuilds its Spans on every call)."""
    return all_sentence_bounds(doc)


#: Coarse types of the end a task is evaluated with, in the graph's reading (below).
_USED_FOR_A_TASK = frozenset({"Method"})


def graph_reading(
    relations: Sequence[tuple[int, int, int, int, str, float]], spans: Iterable[Entity]
) -> list[tuple[int, int, int, int, str, float]]:
    """The relations as the graph states them: "TASK EVALUATE-FOR METHOD" becomes "METHOD
    USED-FOR TASK" (same ends, same score).

    SciERC annotates "Results on word prediction show that TopicRNN outperforms ..." as the task
    evaluating the method; the graph's ``kg:evaluates`` is a dataset or a metric evaluating a
    method or a task (the ontology, the README), and a user who asks what TopicRNN is used for
    should find word prediction. Judged blind on 40 such relations of an `eval`-split build, each
    shown both ways among the other's rows: as "task evaluates method" 3 and 5 of 40 right, as
    "method usedFor task" 31 and 31 (BENCHMARKS.md). The SciERC figures score the model's own
    output (:meth:`RelationModel.relations`), which keeps SciERC's direction."""
    coarse = {(s[0], s[1]): COARSE.get(s[2], s[2]) for s in spans}
    out = []
    for h0, h1, t0, t1, label, score in relations:
        if (
            label == "EVALUATE-FOR"
            and coarse.get((h0, h1)) == "Task"
            and coarse.get((t0, t1)) in _USED_FOR_A_TASK
        ):
            out.append((t0, t1, h0, h1, "USED-FOR", score))
        else:
            out.append((h0, h1, t0, t1, label, score))
    return out
