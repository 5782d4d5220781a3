"""The house rule of docs/architecture.md: a stage imports only lower stages and the shared
bottom. Read from the code's own imports (every ``import`` statement, also inside functions),
so a new upward import fails here with the file, the line and the two layers."""

from __future__ import annotations

import ast
from pathlib import Path

import kg

PACKAGE = Path(kg.__file__).resolve().parent

#: Layers, bottom to top (docs/architecture.md). A module may import its own package, the
#: shared bottom and any package of a lower layer; never a package of its own layer or above.
LAYERS: dict[str, int] = {
    # the shared bottom: contracts and small helpers every stage uses
    "vocab": 0, "records": 0, "errors": 0, "progress": 0, "ontology": 0, "lexicon": 0, "data": 0,
    "ingest": 1, "datasets": 1,
    "extract": 2,
    "link": 3,
    "rdf": 4,
    "store": 5,
    "sparql": 6,
    "build": 7, "serve": 7, "viz": 7, "evaluation": 7,
    "train": 8,
    "cli": 9,
}  # fmt: skip
EXEMPT = {"__init__", "__main__"}  # kg/__init__.py, kg/__main__.py: the package's front door


def _top(module: str) -> str | None:
    """``kg.extract.sections`` -> ``extract``; None for modules outside kg."""
    parts = module.split(".")
    return parts[1] if parts[0] == "kg" and len(parts) > 1 else None


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "kg":  # from kg import x: x is the package imported
                found += [(node.lineno, f"kg.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def upward_imports() -> list[str]:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if own in EXEMPT:
            continue
        if own not in LAYERS:
            problems.append(f"{path.relative_to(PACKAGE.parent)}: package {own!r} has no layer")
            continue
        for line, module in _imports(path):
            target = _top(module)
            if target is None or target == own or target in EXEMPT:
                continue
            if target not in LAYERS:
                problems.append(f"{path.relative_to(PACKAGE.parent)}:{line}: imports {module}")
            elif (
                LAYERS[target] >= LAYERS[own]
                and LAYERS[own] > 0
                or (LAYERS[own] == 0 and LAYERS[target] > 0)
            ):
                problems.append(
                    f"{path.relative_to(PACKAGE.parent)}:{line}: {own} (layer {LAYERS[own]}) "
                    f"imports {module} (layer {LAYERS[target]})"
                )
    return problems


def test_every_stage_imports_only_lower_stages():
    assert upward_imports() == []


def test_the_rule_can_fail(tmp_path, monkeypatch):
    """The checker sees an upward import (a lazy one, inside a function) when there is one."""
    fake = tmp_path / "kg"
    (fake / "extract").mkdir(parents=True)
    (fake / "extract" / "x.py").write_text("def f():\n    from kg.store import core\n")
    (fake / "vocab.py").write_text("import kg.ingest\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    problems = upward_imports()
    assert any("extract (layer 2) imports kg.store" in p and ":2:" in p for p in problems)
    assert any("vocab (layer 0) imports kg.ingest" in p for p in problems)


def test_the_layers_are_those_of_the_architecture_page():
    text = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    for name in LAYERS:
        if name != "data":
            assert f"`kg/{name}" in text, f"docs/architecture.md does not describe kg/{name}"
