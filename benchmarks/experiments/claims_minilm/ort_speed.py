"""ONNX Runtime variant of the encoder: export MiniLM once (torch legacy exporter), optionally
int8 dynamic quantization, then measure one-thread throughput on the first 2,000 dev sentences
and agreement with the torch embeddings (cosine vs /tmp/claims_minilm_cache/dev.npy).

    python ort_speed.py [--out /tmp/claims_minilm_cache]
Writes dev_ort_fp32.npy / dev_ort_int8.npy (dev embeddings from each ONNX model) to --out.
"""

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
from encode import get_model_path, sentences  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402


def export(out: Path) -> tuple[Path, Path]:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    fp32, int8 = out / "minilm.onnx", out / "minilm.int8.onnx"
    if not fp32.exists():
        bert = AutoModel.from_pretrained(str(get_model_path())).eval()

        class Wrap(torch.nn.Module):  # keyword call (transformers 5 reordered forward args)
            def __init__(self):
                super().__init__()
                self.bert = bert

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.bert(
                    input_ids=input_ids,
                    attention_mask=attention_mask,
                    token_type_ids=token_type_ids,
                ).last_hidden_state

        ids = torch.ones((2, 16), dtype=torch.long)
        torch.onnx.export(
            Wrap(),
            (ids, ids, torch.zeros_like(ids)),
            str(fp32),
            dynamo=False,
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            opset_version=17,
            dynamic_axes={
                k: {0: "b", 1: "t"}
                for k in ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")
            },
        )
    if not int8.exists():
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    return fp32, int8


def encoder(path: Path):
    so = ort.SessionOptions()
    so.intra_op_num_threads = so.inter_op_num_threads = 1
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    tok = Tokenizer.from_file(str(get_model_path() / "tokenizer.json"))
    tok.enable_truncation(256)

    def encode(sents, batch=16):
        order = np.argsort([len(s) for s in sents])
        out = np.zeros((len(sents), 384), np.float32)
        for i in range(0, len(sents), batch):
            idx = order[i : i + batch]
            tok.enable_padding()
            enc = tok.encode_batch([sents[j] for j in idx])
            ids = np.array([e.ids for e in enc], np.int64)
            m = np.array([e.attention_mask for e in enc], np.int64)
            h = sess.run(
                None, {"input_ids": ids, "attention_mask": m, "token_type_ids": np.zeros_like(ids)}
            )[0]
            e = (h * m[..., None]).sum(1) / m.sum(1, keepdims=True)
            out[idx] = e / np.linalg.norm(e, axis=1, keepdims=True)
        return out

    return encode


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/claims_minilm_cache")
    args = ap.parse_args()
    out = Path(args.out)
    ref = np.load(out / "dev.npy")
    dev = sentences("dev")
    sample = dev[:2000]
    words = sum(len(s.split()) for s in sample)
    for path in export(out):
        enc = encoder(path)
        enc(sample[:64])
        for bs in (1, 16):
            t0 = time.perf_counter()
            e = enc(sample, batch=bs)
            dt = time.perf_counter() - t0
            print(
                f"{path.name} ({path.stat().st_size / 1e6:.1f} MB) batch={bs}: "
                f"{words / dt:.0f} words/s, {len(sample) / dt:.1f} sents/s",
                flush=True,
            )
        full = enc(dev)
        cos = (full * ref).sum(1)
        print(f"  cosine to torch embeddings: mean {cos.mean():.4f} min {cos.min():.4f}")
        np.save(out / f"dev_ort_{'int8' if 'int8' in path.name else 'fp32'}.npy", full)
