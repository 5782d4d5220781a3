"""Draw more *tuning* papers for the topic assigner (issue 19, task H3): half A only.

    python scripts/draw_topics_tuning.py OUT.jsonl [--per-topic 8] [--random 12]
    python scripts/draw_topics_tuning.py OUT.jsonl --draw h3-draw9 --per-topic 9 --random 0 \
        --max-chars 1200                         # the recall draw of round 2
    python scripts/draw_topics_tuning.py OUT.jsonl --draw h3-draw10 --per-topic 10 --random 0 \
        --max-chars 1200                         # the same, language-model papers only

Why a separate draw: the tuning half of ``benchmarks/data/topics_corpus_dev.jsonl`` had been
tuned until it held almost no errors, so it no longer says which rules generalise. New papers
labelled by reading, before the assigner is changed on them, give both a first estimate on unseen
text and more varied errors to generalise from.

Only the ``judge`` split of ``scripts/corpus_splits.py`` is drawn from (the fresh blind test set,
``scripts/sample_topics_fresh.py``, draws from ``eval``), minus every paper of the dev files, and
only papers whose title falls in half A (first byte of sha1(title) even, as in
``benchmarks/bench_link.py``), so half B of the dev file stays what it was. Candidates are chosen
by broad keywords per weak topic (not the assigner's cues or output), seeded by sha1 of a draw
prefix + topic + id; abstracts of 200 to 2,200 characters. Output: id, corpus_split, title,
abstract (labels are added by a reader); rows of the dev file marked ``"draw": "h3-draw6"`` are
this draw's, so it can be repeated after they were added.

``--draw h3-draw9`` (round 2, a recall draw): the fresh blind set misses RAG, ContinualLearning
and KnowledgeDistillation on short abstracts, and half A had few of them; this draw takes
:data:`RECALL_KEYWORDS` (words of each topic's meaning, again not the assigner's cues) and, with
``--max-chars``, short abstracts only. Its seed is its own prefix, so it draws other papers.
``--draw h3-draw10``: the same words for RAG, ContinualLearning and KnowledgeDistillation, among
language-model papers only (draw 9 found few of them in older abstracts). ``--draw h3-draw11``: a
check draw after round 2's changes, every core topic's words among language-model papers, labelled
blind and scored once (not tuned on).
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

PREFIX = "h3-draw6"
KEYWORDS: dict[str, tuple[str, ...]] = {
    "Reasoning": ("reasoning", "reason about", "multi-hop", "logical", "commonsense", "planning"),
    "KnowledgeGraphs": ("knowledge graph", "knowledge base", "triple", "entity", "ontolog"),
    "Hallucination": ("hallucinat", "faithful", "factual", "fabricat", "truthful", "fact-check"),
    "Interpretability": ("interpret", "explain", "explanation", "probing", "attribution"),
    "Multimodal": ("image", "visual", "vision", "multimodal", "speech", "video"),
    "RAG": ("retriev", "external knowledge", "open-domain", "knowledge-grounded"),
    "Agents": ("agent", "tool", "environment", "planning", "simulat"),
}
#: round 2's recall draw: broad words of each topic's meaning, for the topics the fresh set misses
RECALL_KEYWORDS: dict[str, tuple[str, ...]] = {
    "RAG": ("retriev", "external knowledge", "open-domain", "knowledge-grounded", "grounded"),
    "ContinualLearning": ("continual", "lifelong", "incremental", "forgetting", "new tasks"),
    "KnowledgeDistillation": ("distill", "teacher", "student model", "compress"),
    "Interpretability": ("interpret", "explain", "probing", "attribution", "neuron"),
    "Hallucination": ("hallucinat", "faithful", "factual", "truthful", "fabricat"),
}
#: draw -> (keywords per topic, only papers naming a language model or transformer)
DRAWS: dict[str, tuple[dict[str, tuple[str, ...]], bool]] = {
    PREFIX: (KEYWORDS, False),
    "h3-draw9": (RECALL_KEYWORDS, False),
    # draw 9 found few RAG / distillation papers among old short abstracts: the same words,
    # language-model papers only (the fresh set's misses are such papers)
    "h3-draw10": ({t: RECALL_KEYWORDS[t] for t in ("RAG", "ContinualLearning",
                   "KnowledgeDistillation")}, True),
    # round 2's check draw, scored once and not tuned on: every core topic's words, language-model
    # papers, a few per topic (the fresh set's design, drawn from judge/half A)
    "h3-draw11": ({**KEYWORDS, **RECALL_KEYWORDS,
                   "MoE": ("mixture of experts", "mixture-of-experts", "experts", "routing"),
                   "PEFT": ("lora", "adapter", "parameter-efficient", "prompt tuning"),
                   "KnowledgeEditing": ("editing", "unlearning", "update knowledge")}, True),
}  # fmt: skip
LM_WORDS = re.compile(r"\b(language models?|LLMs?|transformers?|BERT|GPT|T5)\b", re.IGNORECASE)


def half_of(title: str) -> str:
    return "A" if hashlib.sha1(title.encode()).digest()[0] % 2 == 0 else "B"


def _rank(key: str, paper_id: str, prefix: str = PREFIX) -> str:
    return hashlib.sha1(f"{prefix}:{key}:{paper_id}".encode()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--per-topic", type=int, default=8)
    parser.add_argument("--random", type=int, default=12, help="language-model papers, any topic")
    parser.add_argument("--draw", choices=sorted(DRAWS), default=PREFIX, help="which draw")
    parser.add_argument("--max-chars", type=int, default=2200, help="longest abstract drawn")
    args = parser.parse_args()
    data = ROOT / "benchmarks" / "data"
    seen_titles, seen_ids = set(), set()
    for name in ("topics_dev.jsonl", "topics_corpus_dev.jsonl"):
        for line in (data / name).read_text().splitlines():
            item = json.loads(line)
            if item.get("draw") == args.draw:
                continue  # this draw's own papers, once labelled and added
            seen_titles.add(item["title"])
            seen_ids.add(item.get("id"))
    pool = [
        r
        for r in split("judge")
        if r["id"] not in seen_ids
        and r.get("title") not in seen_titles
        and half_of(r.get("title") or "") == "A"
        and 200 <= len(r.get("abstract") or "") <= args.max_chars
    ]
    chosen: dict[str, dict] = {}
    keywords, lm_only = DRAWS[args.draw]
    if lm_only:
        pool = [r for r in pool if LM_WORDS.search(r["title"] + " " + r["abstract"])]
    for topic, words in keywords.items():
        hits = [r for r in pool if any(w in f"{r['title']} {r['abstract']}".lower() for w in words)]
        hits.sort(key=lambda r: _rank(topic, r["id"], args.draw))
        for r in [r for r in hits if r["id"] not in chosen][: args.per_topic]:
            chosen[r["id"]] = r
    lm = [r for r in pool if r["id"] not in chosen and LM_WORDS.search(r["title"] + r["abstract"])]
    lm.sort(key=lambda r: _rank("random", r["id"], args.draw))
    for r in lm[: args.random]:
        chosen[r["id"]] = r
    rows = sorted(chosen.values(), key=lambda r: hashlib.sha1(r["title"].encode()).hexdigest())
    with args.out.open("w") as f:
        for r in rows:
            keep = {"id": r["id"], "corpus_split": "judge", "title": r["title"]}
            f.write(json.dumps({**keep, "abstract": r["abstract"]}, ensure_ascii=False) + "\n")
    print(f"{len(rows)} papers -> {args.out}")


if __name__ == "__main__":
    main()
