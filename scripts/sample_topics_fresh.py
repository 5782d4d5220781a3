"""Draw a fresh topic test set from the corpus: abstracts nobody has tuned the topic assigner on.

    python scripts/sample_topics_fresh.py OUT.jsonl [--per-topic 12] [--random 40]

Why keywords of our own and not the assigner's output or the scheme's labels: a draw made from
what the assigner finds would only measure its precision, and the scheme's labels *are* its cues.
These words are broader than the cues (and include the usual traps: "experts" who are people,
"editing" of images, "distillation" of data), so the draw holds papers the assigner misses and
papers it should not tag. A random slice of language-model papers adds what no keyword names.

Only the ``eval`` split of ``scripts/corpus_splits.py`` is drawn from, minus every abstract of
``benchmarks/data/topics_corpus_dev.jsonl``; the draw is seeded (sha1 of topic + id), abstracts of
200 to 2,200 characters. The output has ``id, title, abstract`` only: labels come from blind
annotators (``benchmarks/data/topics_dev.README.md`` holds the guidelines they follow).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from corpus_splits import split  # noqa: E402

KEYWORDS: dict[str, tuple[str, ...]] = {
    "RAG": ("retriev", "retrieved passages", "external knowledge", "open-domain"),
    "MoE": ("expert", "routing", "router", "sparse activation", "gating"),
    "KnowledgeEditing": ("edit", "factual knowledge", "update knowledge", "outdated"),
    "ModelEditing": ("edit", "locate", "rank-one", "model surgery"),
    "KnowledgeInjection": ("inject", "knowledge infusion", "incorporat", "enhanced with knowledge"),
    "PEFT": ("adapter", "low-rank", "prompt tuning", "prefix", "fine-tun", "lora"),
    "KnowledgeDistillation": ("distil", "teacher", "student", "compress"),
    "ContinualLearning": ("continual", "catastrophic", "forgetting", "lifelong", "incremental"),
    "Interpretability": ("interpret", "explain", "probing", "neurons", "attribution", "saliency"),
    "Hallucination": ("hallucinat", "faithful", "factual", "fabricat", "truthful"),
    "Reasoning": ("reasoning", "chain-of-thought", "multi-hop", "math", "logical"),
    "KnowledgeGraphs": ("knowledge graph", "knowledge base", "triple", "entity link", "ontology"),
    "Multimodal": ("image", "visual", "vision", "multimodal", "speech", "video"),
    "Agents": ("agent", "tool use", "planning", "environment", "web navigation"),
}
LM_WORDS = re.compile(r"\b(language models?|LLMs?|transformers?|BERT|GPT)\b", re.IGNORECASE)


def _rank(key: str, paper_id: str) -> str:
    return hashlib.sha1(f"{key}:{paper_id}".encode()).hexdigest()


def draw(per_topic: int, random_lm: int) -> list[dict]:
    dev = ROOT / "benchmarks" / "data" / "topics_corpus_dev.jsonl"
    taken = {json.loads(line)["id"] for line in dev.open(encoding="utf-8") if line.strip()}
    pool = [
        r
        for r in split("eval")
        if r["id"] not in taken and 200 <= len((r.get("abstract") or "").strip()) <= 2200
    ]
    chosen: dict[str, dict] = {}
    for topic, words in KEYWORDS.items():
        hits = [
            r
            for r in pool
            if r["id"] not in chosen
            and any(w in (r["title"] + " " + r["abstract"]).lower() for w in words)
        ]
        for r in sorted(hits, key=lambda r: _rank(topic, r["id"]))[:per_topic]:
            chosen[r["id"]] = r
    rest = [r for r in pool if r["id"] not in chosen and LM_WORDS.search(r["abstract"])]
    for r in sorted(rest, key=lambda r: _rank("random", r["id"]))[:random_lm]:
        chosen[r["id"]] = r
    rows = sorted(chosen.values(), key=lambda r: _rank("order", r["id"]))
    return [{"id": r["id"], "title": r["title"], "abstract": r["abstract"]} for r in rows]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--per-topic", type=int, default=12)
    ap.add_argument("--random", type=int, default=40, help="random language-model papers")
    args = ap.parse_args()
    rows = draw(args.per_topic, args.random)
    with args.out.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} abstracts -> {args.out}")


if __name__ == "__main__":
    main()
