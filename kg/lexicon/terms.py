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
    #: from the hand-written table (authoritative for its names), not mined from the corpus
    curated: bool = True

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.canonical, *self.aliases)


def is_case_sensitive(form: str) -> bool:
    """All-caps and mixed-case forms (MoE, LoRA, GPT-4) must match exactly; plain words fold."""
    letters = [c for c in form if c.isalpha()]
    return any(c.isupper() for c in letters[1:]) or (len(letters) <= 4 and form.isupper())


@lru_cache(maxsize=1)
def load_terms() -> tuple[Term, ...]:
    """Curated terms, then dataset names mined from the corpus that the curated table lacks."""
    curated = _curated_terms()
    known = {form.lower() for term in curated for form in term.forms}
    mined = tuple(
        Term(name, "Dataset", (), curated=False)
        for name in load_mined_datasets()
        if name.lower() not in known
    )
    return curated + mined


def load_mined_datasets() -> tuple[str, ...]:
    """Names from ``kg/data/datasets_mined.tsv`` (written by ``scripts/mine_datasets.py``)."""
    path = resources.files("kg.data").joinpath("datasets_mined.tsv")
    if not path.is_file():
        return ()
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            names.append(line.split("\t")[0].strip())
    return tuple(names)


def _curated_terms() -> tuple[Term, ...]:
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
