"""Sentence roles on CSAbstruct dev from frozen MiniLM embeddings (cached by encode.py).

    python classify.py [--cache /tmp/claims_minilm_cache] [--variants lr,crfsuite,crf_lex_emb]

Train on train only, score on dev with the project's own reader and scorer
(kg.datasets.csabstruct.read_csabstruct / scores), so numbers compare with BENCHMARKS.md.
"""

import argparse
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from kg.datasets.csabstruct import LABELS, read_csabstruct  # noqa: E402
from kg.evaluation.csabstruct import scores  # noqa: E402

DATA = Path("/work/shared/data/csabstruct")


def load(split, cache, npy=None):
    recs = read_csabstruct(DATA / f"{split}.jsonl")
    emb = np.load(Path(cache) / (npy or f"{split}.npy"))
    assert sum(len(s) for s, _ in recs) == len(emb)
    out, o = [], 0
    for sents, labs in recs:
        out.append((sents, labs, emb[o : o + len(sents)]))
        o += len(sents)
    return out


def position(n):
    """[n, 14]: relative position, first, last, 10 position bins, 1/n."""
    i = np.arange(n)
    p = np.zeros((n, 14), np.float32)
    p[:, 0] = i / max(n - 1, 1)
    p[0, 1] = 1
    p[-1, 2] = 1
    p[i, 3 + (10 * i // n)] = 1
    p[:, 13] = 1.0 / n
    return p


def context(e):
    """[n, 3d]: sentence, previous (zeros at start), next (zeros at end)."""
    z = np.zeros_like(e[:1])
    return np.hstack([e, np.vstack([z, e[:-1]]), np.vstack([e[1:], z])])


def dense(recs, proj=None):
    """Per abstract [n, 3d + 14] with emb projected by ``proj`` (e.g. fitted PCA) if given."""
    out = []
    for _, _, e in recs:
        e = proj(e) if proj is not None else e
        out.append(np.hstack([context(e), position(len(e))]).astype(np.float32))
    return out


def report(name, gold, pred, secs, extra=""):
    sc = scores(gold, pred)
    r = sc["per_class"]["result"]
    f1s = " ".join(f"{k[:4]}={v['f1']:.3f}" for k, v in sc["per_class"].items())
    print(
        f"{name:<34} acc {sc['accuracy']:.3f} macroF1 {sc['macro_f1']:.3f} | result P/R/F1 "
        f"{r['p']:.3f}/{r['r']:.3f}/{r['f1']:.3f} | {f1s} | {secs:.0f} s {extra}",
        flush=True,
    )
    return sc


def run_lr(train, dev, Cs=(0.1, 0.3, 1.0)):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    Xtr, Xdv = np.vstack(dense(train)), np.vstack(dense(dev))
    ytr = [lab for _, labs, _ in train for lab in labs]
    gold = [lab for _, labs, _ in dev for lab in labs]
    sc = StandardScaler().fit(Xtr)
    res = {}
    for C in Cs:
        t0 = time.time()
        m = LogisticRegression(C=C, max_iter=2000).fit(sc.transform(Xtr), ytr)
        res[f"lr C={C}"] = report(
            f"lr [e,prev,next,pos] C={C}",
            gold,
            list(m.predict(sc.transform(Xdv))),
            time.time() - t0,
        )
    return res


def pca_proj(train, k):
    from sklearn.decomposition import PCA

    pca = PCA(k, whiten=True, random_state=0).fit(np.vstack([e for _, _, e in train]))
    return lambda e: pca.transform(e)


def run_crfsuite(train, dev, k=128, c2s=(0.3, 1.0, 3.0), with_ctx=True):
    import sklearn_crfsuite

    proj = pca_proj(train, k)

    def feats(rec_dense):
        return [{f"d{j}": float(v) for j, v in enumerate(row)} for row in rec_dense]

    cols = slice(None) if with_ctx else np.r_[0:k, 3 * k : 3 * k + 14]
    Xtr = [feats(d[:, cols]) for d in dense(train, proj)]
    Xdv = [feats(d[:, cols]) for d in dense(dev, proj)]
    ytr = [list(labs) for _, labs, _ in train]
    gold = [lab for _, labs, _ in dev for lab in labs]
    res = {}
    for c2 in c2s:
        t0 = time.time()
        crf = sklearn_crfsuite.CRF(algorithm="lbfgs", c1=0.0, c2=c2, max_iterations=300)
        crf.fit(Xtr, ytr)
        pred = [lab for seq in crf.predict(Xdv) for lab in seq]
        name = f"crfsuite [e,{'prev,next,' if with_ctx else ''}pos] pca{k} c2={c2}"
        res[name] = report(name, gold, pred, time.time() - t0)
    return res


def run_crf_lex_emb(train, dev, k=128, c2s=(20.0,), with_ctx=True):
    """The shipped numpy CRF (kg.train.claims.fit_crf, shipped lexical features, context=False,
    2^18 buckets) plus the dense MiniLM features (PCA-whitened, so ~unit scale like the
    binary features)."""
    import spacy

    from kg.extract.claims import viterbi
    from kg.train.claims import abstract_features, fit_crf

    proj = pca_proj(train, k)
    nlp = spacy.blank("en")
    ftr = [abstract_features(nlp, s, context=False) for s, _, _ in train]
    fdv = [abstract_features(nlp, s, context=False) for s, _, _ in dev]
    dtr, ddv = dense(train, proj), dense(dev, proj)
    if not with_ctx:
        dtr = [np.hstack([d[:, :k], d[:, 3 * k :]]) for d in dtr]
        ddv = [np.hstack([d[:, :k], d[:, 3 * k :]]) for d in ddv]
    gold = [lab for _, labs, _ in dev for lab in labs]
    res = {}
    for c2 in c2s:
        t0 = time.time()
        model, wd = fit_crf(ftr, [labs for _, labs, _ in train], c2=c2, context=False, dense=dtr)
        pred = []
        for f, d in zip(fdv, ddv, strict=True):
            em = model.emissions(f) + d @ wd
            pred += [LABELS[j] for j in viterbi(em, model.trans, model.start, model.end)]
        name = f"crf lex+emb{'+ctx' if with_ctx else ''} pca{k} c2={c2}"
        res[name] = report(name, gold, pred, time.time() - t0)
    return res


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default="/tmp/claims_minilm_cache")
    ap.add_argument("--variants", default="lr,crfsuite,crf_lex_emb")
    ap.add_argument("--k", type=int, default=128)
    ap.add_argument("--c2", default="")
    ap.add_argument("--no-ctx", action="store_true")
    ap.add_argument("--json", default="")
    ap.add_argument("--dev-npy", default=None, help="e.g. dev_ort_int8.npy (from ort_speed.py)")
    args = ap.parse_args()
    train, dev = load("train", args.cache), load("dev", args.cache, args.dev_npy)
    res = {}
    for v in args.variants.split(","):
        kw = {"c2s": tuple(float(x) for x in args.c2.split(","))} if args.c2 else {}
        if v == "lr":
            res |= run_lr(train, dev)
        elif v == "crfsuite":
            res |= run_crfsuite(train, dev, k=args.k, with_ctx=not args.no_ctx, **kw)
        elif v == "crf_lex_emb":
            res |= run_crf_lex_emb(train, dev, k=args.k, with_ctx=not args.no_ctx, **kw)
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1))


def run_crf_lex_only(train, dev, c2=20.0):
    """Harness check: the shipped recipe (train_claims defaults) without embeddings."""
    import spacy

    from kg.train.claims import abstract_features, fit_crf

    nlp = spacy.blank("en")
    t0 = time.time()
    model, _ = fit_crf(
        [abstract_features(nlp, s, context=False) for s, _, _ in train],
        [labs for _, labs, _ in train],
        c2=c2,
        context=False,
    )
    pred = [
        lab for s, _, _ in dev for lab in model.predict(abstract_features(nlp, s, context=False))[0]
    ]
    gold = [lab for _, labs, _ in dev for lab in labs]
    return {
        f"crf lex only c2={c2}": report(
            f"crf lex only (shipped) c2={c2}", gold, pred, time.time() - t0
        )
    }
