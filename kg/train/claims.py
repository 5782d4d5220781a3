"""Train ``kg_claims`` (sentence roles, CRF over the abstract) on CSAbstruct.

``train_claims(output_dir, seed=0)`` reads ``shared/data/csabstruct/train.jsonl`` only, fits the
linear-chain CRF of :mod:`kg.extract.claims` by L-BFGS (numpy forward-backward + scipy's
optimizer; scipy ships with scikit-learn and is needed only here, not at run time) and writes a
spaCy pipeline directory (``sentencizer`` + ``kg_claims``) that ``spacy.load`` reads offline.
Training is deterministic; ``seed`` is recorded and seeds numpy for reproducibility of any
randomized step.

Wall time: about 2 minutes on one thread (131 s measured on the shared 2-core machine under a
load of 3-6), 0.6 GB peak memory. Dev accuracy 0.675, result P/R/F1 0.653/0.702/0.677
(BENCHMARKS.md; what was tried: docs/experiments.md, "Sentence roles").
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import spacy
from spacy.language import Language

from kg.datasets import CSABSTRUCT
from kg.datasets.csabstruct import read_csabstruct, sentences_doc
from kg.errors import KGError
from kg.extract.claims import LABELS, ClaimsModel, SentenceFeatures, featurize, logsumexp

DEFAULTS = dict(n_buckets=2**18, c2=20.0, max_iter=300, context=False)


def abstract_features(
    nlp: Language, sentences: Sequence[str], context: bool = True
) -> SentenceFeatures:
    doc = sentences_doc(nlp, sentences)
    return featurize(doc, list(doc.sents), context=context)


class _Data:
    """Stacked training data: sparse hashed features + optional dense features, padded labels."""

    def __init__(
        self,
        feats: list[SentenceFeatures],
        labels: list[list[int]],
        n_buckets: int,
        dense: list[np.ndarray] | None = None,
    ):
        from scipy import sparse

        rows, cols, vals = [], [], []
        r = 0
        self.lengths = np.array([len(f.rows) for f in feats])
        for f in feats:
            for keys, v in f.rows:
                rows.append(np.full(len(keys), r))
                cols.append((keys % np.uint64(n_buckets)).astype(np.int64))
                vals.append(v)
                r += 1
        self.X = sparse.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(r, n_buckets),
            dtype=np.float64,
        )
        self.XT = self.X.T.tocsr()
        self.dense = np.concatenate(dense).astype(np.float64) if dense is not None else None
        self.y = np.concatenate([np.asarray(y) for y in labels])
        b, t_max = len(feats), int(self.lengths.max())
        self.t_max = t_max
        self.offsets = np.concatenate([[0], np.cumsum(self.lengths)[:-1]])
        # index of each (sequence, step) into the stacked rows (-1 = padding)
        self.index = np.full((b, t_max), -1, dtype=np.int64)
        for i, (o, n) in enumerate(zip(self.offsets, self.lengths, strict=False)):
            self.index[i, :n] = np.arange(o, o + n)
        self.mask = self.index >= 0


def _nll_and_grad(
    params: np.ndarray, data: _Data, n_buckets: int, n_dense: int, n_labels: int, c2: float
):
    L = n_labels
    o = 0
    W = params[o : o + n_buckets * L].reshape(n_buckets, L)
    o += n_buckets * L
    Wd = params[o : o + n_dense * L].reshape(n_dense, L)
    o += n_dense * L
    trans = params[o : o + L * L].reshape(L, L)
    o += L * L
    start = params[o : o + L]
    end = params[o + L : o + 2 * L]

    em_flat = data.X @ W
    if n_dense:
        em_flat = em_flat + data.dense @ Wd
    B, T = data.index.shape
    idx = np.where(data.mask, data.index, 0)
    em = em_flat[idx]  # [B, T, L]
    em[~data.mask] = 0.0
    lengths = data.lengths

    alpha = np.zeros((B, T, L))
    alpha[:, 0] = start + em[:, 0]
    for t in range(1, T):
        cand = logsumexp(alpha[:, t - 1, :, None] + trans[None], axis=1) + em[:, t]
        alpha[:, t] = np.where(data.mask[:, t, None], cand, alpha[:, t - 1])
    last = lengths - 1
    alpha_last = alpha[np.arange(B), last]
    log_z = logsumexp(alpha_last + end, axis=1)
    beta = np.zeros((B, T, L))
    beta[np.arange(B), last] = end
    for t in range(T - 2, -1, -1):
        cand = logsumexp(trans[None] + (em[:, t + 1] + beta[:, t + 1])[:, None, :], axis=2)
        inner = (t + 1) < lengths
        beta[:, t] = np.where(inner[:, None], cand, beta[:, t])
    marg = np.exp(alpha + beta - log_z[:, None, None])
    marg[~data.mask] = 0.0

    # gold score
    y_pad = np.where(data.mask, data.y[idx], 0)
    gold_em = np.take_along_axis(em, y_pad[..., None], axis=2)[..., 0]
    gold = (gold_em * data.mask).sum(1)
    gold += start[y_pad[:, 0]]
    gold += end[y_pad[np.arange(B), last]]
    pair_mask = data.mask[:, 1:]
    gold += (trans[y_pad[:, :-1], y_pad[:, 1:]] * pair_mask).sum(1)

    # pairwise marginals
    xi = np.exp(
        alpha[:, :-1, :, None]
        + trans[None, None]
        + (em[:, 1:] + beta[:, 1:])[:, :, None, :]
        - log_z[:, None, None, None]
    )
    xi[~pair_mask] = 0.0
    g_trans = xi.sum((0, 1))
    np.add.at(g_trans, (y_pad[:, :-1][pair_mask], y_pad[:, 1:][pair_mask]), -1.0)
    g_start = marg[:, 0].sum(0)
    np.add.at(g_start, y_pad[:, 0], -1.0)
    g_end = marg[np.arange(B), last].sum(0)
    np.add.at(g_end, y_pad[np.arange(B), last], -1.0)

    d_em = marg[data.mask]  # rows in stacked order (mask is row-major like index)
    order = data.index[data.mask]
    d_flat = np.zeros_like(em_flat)
    d_flat[order] = d_em
    d_flat[np.arange(len(data.y)), data.y] -= 1.0
    g_W = data.XT @ d_flat + c2 * W
    g_Wd = (data.dense.T @ d_flat + c2 * Wd) if n_dense else np.zeros((0, L))

    loss = float((log_z - gold).sum()) + 0.5 * c2 * float((W * W).sum() + (Wd * Wd).sum())
    grad = np.concatenate([g_W.ravel(), g_Wd.ravel(), g_trans.ravel(), g_start, g_end])
    return loss, grad


def fit_crf(
    feats: list[SentenceFeatures],
    labels: list[list[str]],
    *,
    n_buckets: int = DEFAULTS["n_buckets"],
    c2: float = DEFAULTS["c2"],
    max_iter: int = DEFAULTS["max_iter"],
    context: bool = True,
    dense: list[np.ndarray] | None = None,
    verbose: bool = False,
) -> tuple[ClaimsModel, np.ndarray | None]:
    """Fit the CRF. Returns the model and, when ``dense`` features were given, their weights
    ``[n_dense, L]`` (the caller folds them into a token table)."""
    from scipy.optimize import minimize

    lab_index = {lab: i for i, lab in enumerate(LABELS)}
    y = [[lab_index[x] for x in seq] for seq in labels]
    data = _Data(feats, y, n_buckets, dense)
    L = len(LABELS)
    n_dense = data.dense.shape[1] if data.dense is not None else 0
    n_params = n_buckets * L + n_dense * L + L * L + 2 * L
    x0 = np.zeros(n_params)
    it = [0]

    def cb(_x):
        it[0] += 1
        if verbose and it[0] % 25 == 0:
            print(f"  iter {it[0]}", flush=True)

    res = minimize(
        _nll_and_grad,
        x0,
        args=(data, n_buckets, n_dense, L, c2),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter},
        callback=cb,
    )
    p = res.x
    o = 0
    W = p[o : o + n_buckets * L].reshape(n_buckets, L)
    o += n_buckets * L
    Wd = p[o : o + n_dense * L].reshape(n_dense, L) if n_dense else None
    o += n_dense * L
    trans = p[o : o + L * L].reshape(L, L)
    o += L * L
    start, end = p[o : o + L], p[o + L : o + 2 * L]
    model = ClaimsModel(W, trans, start, end, labels=LABELS, context=context)
    return model, Wd


def build_pipeline(model: ClaimsModel) -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    comp = nlp.add_pipe("kg_claims")
    comp.set_model(model)
    return nlp


def train_claims(output_dir: Path, *, seed: int = 0, data_dir: Path = CSABSTRUCT, **params) -> Path:
    """Train on CSAbstruct train and save a pipeline dir (``sentencizer`` + ``kg_claims``)."""
    cfg = DEFAULTS | params
    np.random.seed(seed)
    train_path = Path(data_dir) / "train.jsonl"
    if not train_path.is_file():
        raise KGError(f"{train_path}: CSAbstruct training file not found")
    t0 = time.time()
    records = read_csabstruct(train_path)
    nlp = spacy.blank("en")
    feats = [abstract_features(nlp, sents, context=cfg["context"]) for sents, _ in records]
    model, _ = fit_crf(
        feats,
        [labs for _, labs in records],
        n_buckets=cfg["n_buckets"],
        c2=cfg["c2"],
        max_iter=cfg["max_iter"],
        context=cfg["context"],
    )
    out = build_pipeline(model)
    output_dir = Path(output_dir)
    out.to_disk(output_dir)
    meta = {
        "seed": seed,
        "params": cfg,
        "train_seconds": round(time.time() - t0, 1),
        "train_abstracts": len(records),
    }
    (output_dir / "kg_claims" / "train_meta.json").write_text(json.dumps(meta, indent=2))
    return output_dir
