"""Named models by their parameter count: "Qwen2.5-3B", "Llama-2-13B-chat", "SOLAR 10.7B".

Why a rule: the recognizer is trained on SciERC, whose scheme has no Model type, so a named
model comes out as a Method (or, read as a material, a Dataset: "LLaMA2-7B/13B", "GPT-Neo-2.7B"
in the corpus build). Only the curated term table typed kg:Model (25 nodes of 83,000 in the
corpus). A parameter count in billions joined to a name is what the field writes after a
trained model's name and after nothing else; datasets counted in billions ("LAION-5B") are
rare and belong in the curated table, whose type always wins (:mod:`kg.link.resolve`).
"""

from __future__ import annotations

import re

#: A parameter count: "7B", "10.7B", "8x7B", "1b".
_SIZE = re.compile(r"^\d+(?:\.\d+)?[Bb]$|^\d+x\d+[Bb]$")
_PARTS = re.compile(r"[-\s/()_]+")
#: Types a sized name is taken from: what the recognizer calls a named model.
RETYPED = frozenset({"Method", "Dataset"})
#: A Dataset is retyped only when its name starts with a model family's: datasets are counted
#: in billions too ("JFT-3B", "LAION-2B", "DataComp-1B"), a Method hardly ever is.
MODEL_FAMILIES = (
    "llama", "gpt", "qwen", "mistral", "mixtral", "gemma", "phi", "opt", "pythia", "t5",
    "flan", "bert", "roberta", "vicuna", "falcon", "bloom", "llava", "deepseek", "yi",
    "starling", "palm", "pali", "chinchilla", "gopher", "olmo", "internlm", "baichuan",
    "chatglm", "glm", "mpt", "zephyr", "solar", "galactica", "codellama", "starcoder", "sherkala",
)  # fmt: skip


def is_sized_model_name(label: str) -> bool:
    """A name, then a parameter count among its later parts: at most two words ("SOLAR 10.7B";
    "trained 8B reward model" is a phrase), a first part of two letters or more that is no size
    ("7B-13B" is a range)."""
    if len(label.split()) > 2:
        return False
    parts = [p for p in _PARTS.split(label) if p]
    if len(parts) < 2 or _SIZE.match(parts[0]) or sum(c.isalpha() for c in parts[0]) < 2:
        return False
    return any(_SIZE.match(p) for p in parts[1:])


def sized_model_type(label: str, etype: str) -> str:
    """``Model`` for a Method named with a parameter count, or such a Dataset whose name starts
    with a model family's ("LLaMA2-7B/13B"), else ``etype``."""
    if etype not in RETYPED or not is_sized_model_name(label):
        return etype
    if etype == "Dataset" and not label.lower().startswith(MODEL_FAMILIES):
        return etype
    return "Model"
