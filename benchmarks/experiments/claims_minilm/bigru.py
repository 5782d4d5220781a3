"""Variant 4: a small BiGRU over the frozen MiniLM sentence embeddings of each abstract
(+ the 14 position features), softmax per sentence. Early stopping on a 10% split held out
from *train* (dev is only scored). One thread.

    python bigru.py [--cache /tmp/claims_minilm_cache] [--hidden 128] [--seeds 0,1,2]
"""

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402
import torch  # noqa: E402
from classify import LABELS, load, position, report  # noqa: E402

torch.set_num_threads(1)
LAB = {lab: i for i, lab in enumerate(LABELS)}


def tensors(recs):
    xs = [torch.tensor(np.hstack([e, position(len(e))]), dtype=torch.float32) for _, _, e in recs]
    ys = [torch.tensor([LAB[x] for x in labs]) for _, labs, _ in recs]
    return xs, ys


class Net(torch.nn.Module):
    def __init__(self, d_in, hidden, dropout=0.3):
        super().__init__()
        self.drop = torch.nn.Dropout(dropout)
        self.gru = torch.nn.GRU(d_in, hidden, batch_first=True, bidirectional=True)
        self.out = torch.nn.Linear(2 * hidden + d_in, len(LABELS))

    def forward(self, x, lengths):
        x = self.drop(x)
        packed = torch.nn.utils.rnn.pack_padded_sequence(
            x, lengths, batch_first=True, enforce_sorted=False
        )
        h, _ = self.gru(packed)
        h, _ = torch.nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=x.shape[1])
        return self.out(self.drop(torch.cat([h, x], -1)))


def batches(xs, ys, idx, bs=32):
    for i in range(0, len(idx), bs):
        b = idx[i : i + bs]
        lengths = torch.tensor([len(xs[j]) for j in b])
        x = torch.nn.utils.rnn.pad_sequence([xs[j] for j in b], batch_first=True)
        y = torch.nn.utils.rnn.pad_sequence(
            [ys[j] for j in b], batch_first=True, padding_value=-100
        )
        yield x, y, lengths


def predict(net, xs):
    net.eval()
    with torch.no_grad():
        idx = list(range(len(xs)))
        out = []
        for x, _, lengths in batches(
            xs, [torch.zeros(len(a), dtype=torch.long) for a in xs], idx, 64
        ):
            logits = net(x, lengths)
            out += [logits[k, : lengths[k]].argmax(-1).tolist() for k in range(len(lengths))]
    return out


def train(xs, ys, seed, hidden, epochs=40, patience=6):
    g = np.random.default_rng(seed)
    torch.manual_seed(seed)
    perm = g.permutation(len(xs))
    n_hold = len(xs) // 10
    hold, fit = perm[:n_hold], perm[n_hold:]
    net = Net(xs[0].shape[1], hidden)
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-2)
    loss_f = torch.nn.CrossEntropyLoss(ignore_index=-100)
    best, best_state, bad = -1.0, None, 0
    for ep in range(epochs):  # noqa: B007  (ep is reported after the loop)
        net.train()
        g.shuffle(fit)
        for x, y, lengths in batches(xs, ys, fit):
            opt.zero_grad()
            loss = loss_f(net(x, lengths).reshape(-1, len(LABELS)), y.reshape(-1))
            loss.backward()
            opt.step()
        pred = predict(net, [xs[j] for j in hold])
        acc = np.mean(
            np.concatenate([np.array(p) == ys[j].numpy() for p, j in zip(pred, hold, strict=True)])
        )
        if acc > best:
            best, bad = acc, 0
            best_state = {k: v.clone() for k, v in net.state_dict().items()}
        else:
            bad += 1
            if bad >= patience:
                break
    net.load_state_dict(best_state)
    return net, best, ep + 1


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default="/tmp/claims_minilm_cache")
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--seeds", default="0,1,2")
    args = ap.parse_args()
    tr, dv = load("train", args.cache), load("dev", args.cache)
    xs, ys = tensors(tr)
    xd, _ = tensors(dv)
    gold = [lab for _, labs, _ in dv for lab in labs]
    for seed in (int(s) for s in args.seeds.split(",")):
        t0 = time.time()
        net, hold_acc, n_ep = train(xs, ys, seed, args.hidden)
        pred = [LABELS[k] for seq in predict(net, xd) for k in seq]
        report(
            f"bigru h={args.hidden} seed={seed}",
            gold,
            pred,
            time.time() - t0,
            f"(held-out-train acc {hold_acc:.3f}, {n_ep} epochs)",
        )
