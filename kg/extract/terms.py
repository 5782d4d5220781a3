"""The curated term table (``kg/data/terms.tsv``): canonical names, types and aliases.

Shared by the gazetteer component (finding mentions) and the linker (the alias table), so one
file says both what we look for and what it resolves to.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Term:
    canonical: str
    label: str
    aliases: tuple[str, ...]

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.canonical, *self.aliases)


def is_case_sensitive(form: str) -> bool:
    """All-caps and mixed-case forms (MoE, LoRA, GPT-4) must match exactly; plain words fold."""
    letters = [c for c in form if c.isalpha()]
    return any(c.isupper() for c in letters[1:]) or (len(letters) <= 4 and form.isupper())


@lru_cache(maxsize=1)
def load_terms() -> tuple[Term, ...]:
    text = resources.files("kg.data").joinpath("terms.tsv").read_text(encoding="utf-8")
    terms = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        canonical, label = parts[0].strip(), parts[1].strip()
        aliases = tuple(a.strip() for a in (parts[2] if len(parts) > 2 else "").split("|"))
        terms.append(Term(canonical, label, tuple(a for a in aliases if a)))
    return tuple(terms)
