"""Claims: the rhetorical role of each abstract sentence, and the result sentences as claims.

``kg_claims`` runs after sentence segmentation. For every sentence of the abstract (a title
sentence marked by ``kg_sections`` is skipped) it sets ``Span._.rhetorical_role`` (one of
``background``, ``objective``, ``method``, ``result``, ``other``, the CSAbstruct labels) and
``Span._.role_score`` (the posterior marginal probability of that role), and puts the sentences
whose role is in ``claim_labels`` (default: only ``result``) into ``doc.spans["claims"]``.
CSAbstruct's ``other`` is boilerplate (copyright lines, URLs, affiliations, "code is available
at ..."), not conclusions, so it is not a claim; conclusions ("we find that ...") are ``result``.

Model: a linear-chain CRF over the abstract's sentence sequence. Emission features per sentence
are hashed sparse features: words and bigrams (numbers folded to one token), the first words,
first word x relative position, relative position, distance from start/end, length, number of
sentences, "has a number", "has %". Optionally (``context``) the words of the previous and next
sentence too; the shipped model leaves them out, because the CRF transitions already carry the
sequence and the neighbour words made it worse on dev (docs/experiments.md, "Sentence roles").
Inference is numpy only: a hashed weight lookup, forward-backward for the marginals
(``role_score``) and Viterbi for the labels. The component
(:mod:`kg.extract.components.kg_claims`) serializes the weights with ``to_disk``/``from_disk``
(``model.npz`` + ``cfg.json``), so ``nlp.to_disk``/``spacy.load`` round-trip the
component. Training lives in :mod:`kg.train.claims`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from spacy.attrs import IS_SPACE, LIKE_NUM, LOWER, ORTH
from spacy.strings import hash_string
from spacy.tokens import Doc, Span

LABELS: tuple[str, ...] = ("background", "objective", "method", "result", "other")
SPANS_KEY = "claims"

for _name in ("rhetorical_role", "role_score"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)

_U64 = np.uint64
_M1 = _U64(0x9E3779B97F4A7C15)
_M2 = _U64(0xC2B2AE3D27D4EB4F)
_NUM = _U64(hash_string("<num>"))
_PCT = _U64(hash_string("%"))


def _salt(name: str) -> np.uint64:
    return _U64(hash_string("kg_claims:" + name))


_S = {
    name: _salt(name)
    for name in (
        "w", "b", "s0", "s1", "s2", "s01", "p", "n", "ps0", "ns0", "bias", "pos", "first",
        "last", "fromstart", "fromend", "lenb", "pct", "num", "ppct", "npct", "pnum", "nnum",
        "nsent", "posxs0", "rel", "len",
    )
}  # fmt: skip


def _mix(a: np.ndarray, salt: np.uint64) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = (a ^ salt) * _M1
        x ^= x >> _U64(31)
        x *= _M2
        x ^= x >> _U64(29)
    return x


def _pair(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return a * _M2 + (b ^ (b >> _U64(17)))


def _const(salt: np.uint64, value: int = 0) -> np.ndarray:
    return _mix(np.array([value], dtype=_U64), salt)


class SentenceFeatures:
    """Hashed features for the sentences of one abstract.

    ``rows``: for each sentence, (uint64 feature keys, float32 values); ``token_keys``: for each
    sentence, its normalized word keys (for the optional token table / embeddings).
    """

    __slots__ = ("rows", "token_keys")

    def __init__(self, rows: list[tuple[np.ndarray, np.ndarray]], token_keys: list[np.ndarray]):
        self.rows = rows
        self.token_keys = token_keys


_CONST_CACHE: dict[tuple[str, int], int] = {}


def _c(name: str, value: int = 0) -> int:
    """The (cached) hashed key of an indicator feature."""
    key = (name, value)
    h = _CONST_CACHE.get(key)
    if h is None:
        h = _CONST_CACHE[key] = int(_const(_S[name], value)[0])
    return h


class _Tokens(NamedTuple):
    """The abstract's non-space tokens as hashed word keys, with their sentence of origin."""

    keys: np.ndarray  # uint64 word key per token (numbers folded to one key)
    sid: np.ndarray  # sentence index per token
    lengths: np.ndarray  # tokens per sentence
    offsets: np.ndarray  # index in ``keys`` of each sentence's first token
    has_pct: np.ndarray  # per sentence: a "%" token
    has_num: np.ndarray  # per sentence: a number-like token


#: Hashed features before mixing: raw values, their family's salt, the sentence they belong to.
_Keyed = tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]


def featurize(doc: Doc, sents: Sequence[Span], context: bool = True) -> SentenceFeatures:
    """Features of ``sents`` (consecutive sentences of ``doc``, one abstract).

    All hashing for the abstract is done in one vectorized pass per feature family (speed
    matters: this runs on every sentence of every paper): the words and word pairs of each
    sentence, the neighbouring sentences' words (``context``), then per-sentence indicators.
    """
    n = len(sents)
    if n == 0:
        return SentenceFeatures([], [])
    tok = _tokens(doc, sents)
    raw, salts, owner = _word_features(tok, n)
    if context and n > 1:
        _add_context_features(tok, n, raw, salts, owner)
    hashed = _mix(np.concatenate(raw), np.concatenate(salts).astype(_U64))
    own = np.concatenate(owner)
    consts, const_owner = _indicator_features(tok, n, context)
    hashed = np.concatenate([hashed, np.array(consts, dtype=_U64)])
    own = np.concatenate([own, np.array(const_owner, dtype=own.dtype)])
    token_keys = [tok.keys[o : o + ln] for o, ln in zip(tok.offsets, tok.lengths, strict=True)]
    return SentenceFeatures(_rows(hashed, own, tok.lengths, n), token_keys)


def _tokens(doc: Doc, sents: Sequence[Span]) -> _Tokens:
    arr = doc.to_array([LOWER, LIKE_NUM, IS_SPACE, ORTH])
    n = len(sents)
    sel = np.concatenate([np.arange(s.start, s.end) for s in sents])
    sid = np.concatenate([np.full(s.end - s.start, i) for i, s in enumerate(sents)])
    a = arr[sel]
    keep = a[:, 2] == 0
    a, sid = a[keep], sid[keep]
    keys = np.where(a[:, 1] == 1, _NUM, a[:, 0]).astype(_U64)
    lengths = np.bincount(sid, minlength=n)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    has_pct = np.bincount(sid, weights=(a[:, 3] == _PCT), minlength=n) > 0
    has_num = np.bincount(sid, weights=a[:, 1], minlength=n) > 0
    return _Tokens(keys, sid, lengths, offsets, has_pct, has_num)


def _word_features(tok: _Tokens, n: int) -> _Keyed:
    """Each sentence's words, adjacent word pairs, first three words, first pair, and first word
    by position in the abstract."""
    keys, sid, lengths, offsets = tok.keys, tok.sid, tok.lengths, tok.offsets
    raw, salts, owner = [keys], [np.full(len(keys), _S["w"])], [sid]
    same = sid[:-1] == sid[1:]
    raw.append(_pair(keys[:-1], keys[1:])[same])
    salts.append(np.full(int(same.sum()), _S["b"]))
    owner.append(sid[:-1][same])
    for j, name in enumerate(("s0", "s1", "s2")):
        ok = lengths > j
        raw.append(keys[offsets[ok] + j])
        salts.append(np.full(int(ok.sum()), _S[name]))
        owner.append(np.nonzero(ok)[0])
    ok = lengths > 1
    raw.append(_pair(keys[offsets[ok]], keys[offsets[ok] + 1]))
    salts.append(np.full(int(ok.sum()), _S["s01"]))
    owner.append(np.nonzero(ok)[0])
    ok = lengths > 0
    pos = (10 * np.arange(n) // n).astype(_U64)
    raw.append(_pair(keys[offsets[ok]], pos[ok]))
    salts.append(np.full(int(ok.sum()), _S["posxs0"]))
    owner.append(np.nonzero(ok)[0])
    return raw, salts, owner


def _add_context_features(
    tok: _Tokens, n: int, raw: list[np.ndarray], salts: list[np.ndarray], owner: list[np.ndarray]
) -> None:
    """The previous and next sentence's words and first words, as features of each sentence."""
    keys, sid, lengths, offsets = tok.keys, tok.sid, tok.lengths, tok.offsets
    prev_tok = sid < n - 1  # tokens of sentence i seen as "previous" by sentence i+1
    raw.append(keys[prev_tok])
    salts.append(np.full(int(prev_tok.sum()), _S["p"]))
    owner.append(sid[prev_tok] + 1)
    next_tok = sid > 0
    raw.append(keys[next_tok])
    salts.append(np.full(int(next_tok.sum()), _S["n"]))
    owner.append(sid[next_tok] - 1)
    ok = lengths[:-1] > 0
    raw.append(keys[offsets[:-1][ok]])
    salts.append(np.full(int(ok.sum()), _S["ps0"]))
    owner.append(np.nonzero(ok)[0] + 1)
    ok = lengths[1:] > 0
    raw.append(keys[offsets[1:][ok]])
    salts.append(np.full(int(ok.sum()), _S["ns0"]))
    owner.append(np.nonzero(ok)[0])


def _indicator_features(tok: _Tokens, n: int, context: bool) -> tuple[list[int], list[int]]:
    """Per-sentence indicators (position, length, numbers and percentages here and, with
    ``context``, in the neighbours): (hashed keys, their sentence)."""
    has_pct, has_num = tok.has_pct, tok.has_num
    consts: list[int] = []
    const_owner: list[int] = []
    for i in range(n):
        ln = int(tok.lengths[i])
        ind = [
            _c("bias"),
            _c("pos", int(10 * i / n)),
            _c("fromstart", min(i, 4)),
            _c("fromend", min(n - 1 - i, 4)),
            _c("lenb", min(ln // 8, 6)),
            _c("nsent", min(n, 12)),
        ]
        if i == 0:
            ind.append(_c("first"))
        if i == n - 1:
            ind.append(_c("last"))
        if has_pct[i]:
            ind.append(_c("pct"))
        if has_num[i]:
            ind.append(_c("num"))
        if context:
            if i > 0:
                if has_pct[i - 1]:
                    ind.append(_c("ppct"))
                if has_num[i - 1]:
                    ind.append(_c("pnum"))
            if i < n - 1:
                if has_pct[i + 1]:
                    ind.append(_c("npct"))
                if has_num[i + 1]:
                    ind.append(_c("nnum"))
        consts.extend(ind)
        const_owner.extend([i] * len(ind))
    return consts, const_owner


def _rows(
    hashed: np.ndarray, own: np.ndarray, lengths: np.ndarray, n: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each sentence's distinct binary keys (sorted), then its two real-valued features
    (relative position, length)."""
    order = np.lexsort((hashed, own))
    hashed, own = hashed[order], own[order]
    first = np.ones(len(hashed), bool)
    first[1:] = (hashed[1:] != hashed[:-1]) | (own[1:] != own[:-1])
    hashed, own = hashed[first], own[first]
    bounds = np.searchsorted(own, np.arange(n + 1))
    real_keys = np.array([_c("rel"), _c("len")], dtype=_U64)
    rows = []
    for i in range(n):
        binary = hashed[bounds[i] : bounds[i + 1]]
        real_vals = np.array([i / max(n - 1, 1), min(int(lengths[i]), 60) / 60.0], np.float32)
        fkeys = np.concatenate([binary, real_keys])
        fvals = np.concatenate([np.ones(len(binary), np.float32), real_vals])
        rows.append((fkeys, fvals))
    return rows


# --- CRF inference -----------------------------------------------------------------------------


def logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    """log(sum(exp(x))) along ``axis``, shifted by the maximum so it cannot overflow (the CRF's
    forward-backward here and its training in :mod:`kg.train.claims` share it)."""
    m = x.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def crf_marginals(em: np.ndarray, trans: np.ndarray, start: np.ndarray, end: np.ndarray):
    """(marginals [T, L], log Z) of a linear-chain CRF for one sequence."""
    t_len, n_labels = em.shape
    alpha = np.empty_like(em)
    beta = np.empty_like(em)
    alpha[0] = start + em[0]
    for t in range(1, t_len):
        alpha[t] = logsumexp(alpha[t - 1][:, None] + trans, axis=0) + em[t]
    beta[-1] = end
    for t in range(t_len - 2, -1, -1):
        beta[t] = logsumexp(trans + (em[t + 1] + beta[t + 1])[None, :], axis=1)
    log_z = logsumexp(alpha[-1] + end, axis=0)
    return np.exp(alpha + beta - log_z), float(log_z)


def viterbi(em: np.ndarray, trans: np.ndarray, start: np.ndarray, end: np.ndarray) -> list[int]:
    t_len = em.shape[0]
    score = start + em[0]
    back = np.zeros(em.shape, dtype=np.int64)
    for t in range(1, t_len):
        cand = score[:, None] + trans
        back[t] = cand.argmax(axis=0)
        score = cand.max(axis=0) + em[t]
    best = [int((score + end).argmax())]
    for t in range(t_len - 1, 0, -1):
        best.append(int(back[t, best[-1]]))
    return best[::-1]


class ClaimsModel:
    """Weights of the sentence-role CRF (numpy only)."""

    def __init__(
        self,
        weights: np.ndarray,
        trans: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
        labels: Sequence[str] = LABELS,
        context: bool = True,
    ):
        self.weights = np.asarray(weights, dtype=np.float32)
        self.n_buckets = self.weights.shape[0]
        self.trans = np.asarray(trans, dtype=np.float64)
        self.start = np.asarray(start, dtype=np.float64)
        self.end = np.asarray(end, dtype=np.float64)
        self.labels = list(labels)
        self.context = context

    # emissions ---------------------------------------------------------------------------
    def emissions(self, feats: SentenceFeatures) -> np.ndarray:
        n = len(feats.rows)
        em = np.empty((n, len(self.labels)), np.float64)
        nb = _U64(self.n_buckets)
        for i, (keys, vals) in enumerate(feats.rows):
            em[i] = vals @ self.weights[(keys % nb).astype(np.int64)]
        return em

    def predict(self, feats: SentenceFeatures) -> tuple[list[str], list[float], np.ndarray]:
        """(labels, score of each label, marginals [n, L]) for one abstract."""
        if not feats.rows:
            return [], [], np.zeros((0, len(self.labels)))
        em = self.emissions(feats)
        marg, _ = crf_marginals(em, self.trans, self.start, self.end)
        path = viterbi(em, self.trans, self.start, self.end)
        return (
            [self.labels[k] for k in path],
            [float(marg[t, k]) for t, k in enumerate(path)],
            marg,
        )

    # serialization -----------------------------------------------------------------------
    def to_arrays(self) -> dict[str, np.ndarray]:
        arrays = {
            "weights": self.weights.astype(np.float16),
            "trans": self.trans,
            "start": self.start,
            "end": self.end,
        }
        return arrays

    def cfg(self) -> dict:
        return {"labels": self.labels, "context": self.context, "n_buckets": self.n_buckets}

    @classmethod
    def from_arrays(cls, arrays, cfg: dict) -> ClaimsModel:
        return cls(
            weights=arrays["weights"],
            trans=arrays["trans"],
            start=arrays["start"],
            end=arrays["end"],
            labels=cfg["labels"],
            context=cfg.get("context", True),
        )
