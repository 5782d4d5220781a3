"""Mine a dataset/benchmark gazetteer from the ML abstracts corpus.

    python scripts/mine_datasets.py [--corpus PATH] [--min-count 3] [--out FILE]

Finds named datasets by the way abstracts introduce them - "on the X dataset", "X benchmark(s)",
"the X corpus", "datasets such as X, Y and Z" - where X is name-shaped (mixed case, digits or
all caps: GSM8K, HotpotQA, MS MARCO), counts them across the corpus, and keeps names seen at
least ``--min-count`` times in at least two abstracts. The output is committed so the product
needs no corpus at run time; rerun this script to refresh it.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter, defaultdict
from pathlib import Path

import spacy

from kg.extract.names import is_name_like

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "ml_abstracts.jsonl.gz"
HEADS = ["dataset", "datasets", "benchmark", "benchmarks", "corpus", "corpora", "suite"]
#: Name-shaped words that precede "dataset"/"benchmark" without naming one: task, field and
#: method acronyms ("MRC datasets", "NAS benchmarks", "EHR data").
STOP = {
    "NLP",
    "QA",
    "ML",
    "AI",
    "LLM",
    "LLMs",
    "RL",
    "CV",
    "KG",
    "ASR",
    "NLI",
    "MT",
    "NER",
    "OCR",
    "VQA",
    "SOTA",
    "GPU",
    "API",
    "URL",
    "IR",
    "GNN",
    "CNN",
    "RNN",
    "LSTM",
    "BERT",
    "GPT",
    "MRC",
    "GEC",
    "KGQA",
    "KBQA",
    "NLU",
    "RE",
    "SLU",
    "ED",
    "ERC",
    "MWP",
    "NAS",
    "ABSA",
    "AMR",
    "ODQA",
    "CQA",
    "MIL",
    "EHR",
    "fMRI",
    "SQL",
    "ID",
    "AD",
    "EM",
    "EQA",
    "HAR",
    "RGB-D",
    "STS",
    "TOD",
    "TTS",
    "VLN",
    "WSD",
    "BCI",
    "CWS",
    "DG",
    "DocRE",
    "EE",
    "FSL",
    "ILP",
    "MAPF",
    "MARL",
    "MDS",
    "MOT",
    "OOD",
    "POMDP",
    "ST",
    "VideoQA",
    "ZSL",
    "UCR",
    "PIE",
}


def candidates(doc) -> list[str]:
    out = []
    for i, tok in enumerate(doc):
        if tok.lower_ not in HEADS or i == 0:
            continue
        # the name run right before the head word ("MS MARCO dataset", "GSM8K benchmark")
        j = i - 1
        words = []
        while j >= 0 and len(words) < 3:
            t = doc[j]
            if t.is_punct and t.text not in {"-"} or t.is_space:
                break
            words.insert(0, t)
            j -= 1
            if not (is_name_like(t.text) or t.text == "-" or t.text[:1].isupper()):
                words.pop(0)
                break
        # keep the longest suffix of the run that starts with a name-shaped token
        while words and not is_name_like(words[0].text):
            words.pop(0)
        if words:
            text = doc[words[0].i : words[-1].i + 1].text
            if text not in STOP and len(text) >= 2:
                out.append(text)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--min-count", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "kg" / "data" / "datasets_mined.tsv")
    args = parser.parse_args()
    nlp = spacy.blank("en")
    counts: Counter[str] = Counter()
    docs_with: dict[str, set[int]] = defaultdict(set)
    with gzip.open(args.corpus, "rt", encoding="utf-8") as fh:
        texts = (json.loads(line)["abstract"] for line in fh)
        for n, doc in enumerate(nlp.pipe(texts, batch_size=256)):
            for name in candidates(doc):
                counts[name] += 1
                docs_with[name].add(n)
    kept = sorted(
        (name for name, c in counts.items() if c >= args.min_count and len(docs_with[name]) >= 2),
        key=lambda s: (-counts[s], s),
    )
    lines = [
        "# Dataset/benchmark names mined from the ML corpus by scripts/mine_datasets.py",
        "# name\tcount\tabstracts",
    ]
    lines += [f"{name}\t{counts[name]}\t{len(docs_with[name])}" for name in kept]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(kept)} names (of {len(counts)} candidates) -> {args.out}")


if __name__ == "__main__":
    main()
