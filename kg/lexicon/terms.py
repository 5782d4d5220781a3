"""The curated term table (``kg/data/terms.tsv``): canonical names, types and aliases.

Shared by the gazetteer component (finding mentions) and the linker (the alias table), so one
file says both what we look for and what it resolves to.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a file of a package or a Path: importlib.resources' protocol
    from importlib.abc import Traversable


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


#: The package's tables (``kg/data``): what the linker reads, and the ``kg_gazetteer`` and
#: ``kg_entities`` components' default config.
TERMS_FILE = "terms.tsv"
MINED_DATASETS_FILE = "datasets_mined.tsv"


@lru_cache(maxsize=1)
def load_terms() -> tuple[Term, ...]:
    """The package's tables, read once per process (the linker's alias table)."""
    data = resources.files("kg.data")
    return read_terms(data.joinpath(TERMS_FILE), data.joinpath(MINED_DATASETS_FILE))


def read_terms(curated: Traversable, mined: Traversable | None = None) -> tuple[Term, ...]:
    """Curated terms, then dataset names mined from the corpus that the curated table lacks.

    Takes the files so that a pipeline component can read the tables its config names."""
    terms = _read_curated(curated)
    known = {form.lower() for term in terms for form in term.forms}
    names = _read_mined_datasets(mined) if mined is not None else ()
    extra = tuple(
        Term(name, "Dataset", (), curated=False) for name in names if name.lower() not in known
    )
    return terms + extra


def _read_mined_datasets(path: Traversable) -> tuple[str, ...]:
    """Names from a ``datasets_mined.tsv`` (written by ``scripts/mine_datasets.py``); none when
    the file is absent."""
    if not path.is_file():
        return ()
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            names.append(line.split("\t")[0].strip())
    return tuple(names)


def _read_curated(path: Traversable) -> tuple[Term, ...]:
    text = path.read_text(encoding="utf-8")
    terms = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        canonical, label = parts[0].strip(), parts[1].strip()
        aliases = tuple(a.strip() for a in (parts[2] if len(parts) > 2 else "").split("|"))
        terms.append(Term(canonical, label, tuple(a for a in aliases if a)))
    return tuple(terms)
