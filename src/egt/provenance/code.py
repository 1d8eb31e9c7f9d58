"""What code a rule runs: its script and every egt module the script imports, transitively.

Snakemake decides a script rule's "code changed" by the script's modification time alone, which a
fresh clone resets and which misses a change in the ``egt`` package the script calls. egt decides it
on content: a rule's code digest is the sha256 of its script and of every egt module in the script's
import closure (imports inside functions included). Two checkouts agree on a rule exactly when that
content agrees.
"""

from __future__ import annotations

import ast
import hashlib
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def imported_modules(path: Path) -> set[str]:
    """Every module name an ``import``/``from … import`` in the file names (``from a import b`` gives a and a.b)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def egt_module_file(name: str, src: Path) -> Path | None:
    """The source file of an egt module name (a module or a package's __init__), or None."""
    module = src / Path(*name.split("."))
    for candidate in (module.with_suffix(".py"), module / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def import_closure(script: Path, src: Path = REPO / "src") -> tuple[list[Path], set[str]]:
    """(files: the script and the egt modules it reaches, sorted; top-level third-party modules it needs)."""
    seen: set[Path] = set()
    todo, third_party = [script], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in imported_modules(path):
            top = name.split(".")[0]
            if top == "egt":
                parts = name.split(".")
                todo += [
                    f for depth in range(2, len(parts) + 1) if (f := egt_module_file(".".join(parts[:depth]), src))
                ]
            elif top not in sys.stdlib_module_names:
                third_party.add(top)
    return sorted(seen), third_party


def script_digest(script: Path, repo: Path = REPO) -> str:
    """sha256 over the relative paths and contents of a script's import closure."""
    files, _ = import_closure(script, repo / "src")
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.resolve().relative_to(repo.resolve())).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
