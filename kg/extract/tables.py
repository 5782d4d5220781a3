"""Where the rule components find their tables: a reference in the component's config.

Why references and not copies in the model directory: the tables (``kg/data/``) are shared with
the linker (the term table is its alias table) and with training (the termhood statistics), and
the biggest is most of a megabyte; a copy in each shipped pipeline would double the bytes and
could drift from the file everyone else reads. So a component's config names its tables
(``"kg.data:terms.tsv"``: a file of an installed package; anything else: a filesystem path),
``initialize()`` and ``from_disk()`` read them, and ``to_disk()`` records the references in the
component's ``cfg`` file, as spaCy's ``EntityRuler`` records its settings.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.abc import Traversable

CFG_FILE = "cfg"


def resolve(ref: str) -> Traversable:
    """The file a table reference names: ``"package:file"`` inside an installed package (found
    wherever the package is installed), otherwise a path (``"C:..."`` is a drive, not a
    package)."""
    package, sep, name = ref.partition(":")
    if sep and name and len(package) > 1 and all(p.isidentifier() for p in package.split(".")):
        return resources.files(package).joinpath(name)
    return Path(ref)


def write_cfg(path: str | Path, refs: dict[str, str]) -> None:
    """Write a component's table references into its directory of a saved pipeline."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    (path / CFG_FILE).write_text(json.dumps(refs, indent=2, sort_keys=True) + "\n")


def read_cfg(path: str | Path, refs: dict[str, str]) -> dict[str, str]:
    """``refs`` updated from a saved component's ``cfg`` file, when it has one (as spaCy's
    rulers do: what was saved wins over the factory's defaults)."""
    file = Path(path) / CFG_FILE
    if not file.is_file():
        return dict(refs)
    saved = json.loads(file.read_text())
    return {key: str(saved.get(key, value)) for key, value in refs.items()}
