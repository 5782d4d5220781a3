"""Throughput (one thread), size and dev scores of the fine-tuned model (ft.py output),
fp32 and int8 dynamic quantisation (torch.quantization.quantize_dynamic, nn.Linear only).

    python speed.py [--mode abstract] [--out /tmp/claims_minilm_ft] [--bench 2000]

Throughput: the first dev abstracts up to --bench sentences, words = whitespace tokens,
tokenisation + input building + encoder + head included, batch = --bs units.
"""

import argparse
import json
import os
import time
from pathlib import Path

os.environ["OMP_NUM_THREADS"] = "1"
import torch  # noqa: E402
from ft import DATA, PATH, Model, make_units, predict  # noqa: E402
from transformers import AutoTokenizer  # noqa: E402

from kg.datasets.csabstruct import read_csabstruct  # noqa: E402
from kg.evaluation.csabstruct import scores  # noqa: E402

torch.set_num_threads(1)


def size_mb(model, path):
    torch.save(model.state_dict(), path)
    mb = path.stat().st_size / 1e6
    path.unlink()
    return round(mb, 1)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="abstract")
    ap.add_argument("--max-len", type=int, default=384)
    ap.add_argument("--out", default="/tmp/claims_minilm_ft")
    ap.add_argument("--tag", default="")
    ap.add_argument("--bench", type=int, default=2000)
    ap.add_argument("--bs", default="1,4,8")
    args = ap.parse_args()
    tok = AutoTokenizer.from_pretrained(PATH)
    dev = read_csabstruct(DATA / "dev.jsonl")
    sample, n = [], 0
    for sents, labs in dev:
        if n >= args.bench:
            break
        sample.append((sents, labs))
        n += len(sents)
    words = sum(len(s.split()) for sents, _ in sample for s in sents)
    fp32 = Model()
    fp32.load_state_dict(torch.load(Path(args.out) / f"{args.mode}{args.tag}.pt"))
    fp32.eval()
    int8 = torch.quantization.quantize_dynamic(fp32, {torch.nn.Linear}, dtype=torch.qint8)
    gold = [x for _, lab in dev for x in lab]
    res = {}
    for name, m in (("fp32", fp32), ("int8", int8)):
        r = {"size_mb": size_mb(m, Path(args.out) / f"tmp_{name}.pt")}
        u_dev, _ = make_units(tok, dev, args.mode, args.max_len)
        sc = scores(gold, predict(m, u_dev, 16))
        r |= {"accuracy": sc["accuracy"], "macro_f1": sc["macro_f1"], "per_class": sc["per_class"]}
        predict(m, make_units(tok, sample[:8], args.mode, args.max_len)[0], 4)  # warm-up
        for bs in map(int, args.bs.split(",")):
            bs_units = bs if args.mode == "abstract" else bs * 8
            t0 = time.perf_counter()
            predict(m, make_units(tok, sample, args.mode, args.max_len)[0], bs_units)
            dt = time.perf_counter() - t0
            r[f"words_per_s_bs{bs_units}"] = round(words / dt)
        res[name] = r
        print(name, json.dumps({k: v for k, v in r.items() if k != "per_class"}), flush=True)
        print("  ", json.dumps(r["per_class"]), flush=True)
    print(f"bench: {len(sample)} abstracts, {n} sentences, {words} words")
    Path(args.out, f"{args.mode}{args.tag}_speed.json").write_text(json.dumps(res, indent=1))
