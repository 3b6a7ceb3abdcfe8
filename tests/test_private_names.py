"""No test reaches into benchctl's private names: a test that imports `_x` (or a `_private` module)
breaks on every refactor that keeps behaviour, and what it needs deserves a public, documented
name. This reads every file under tests/ (AST, well under a second) and names each offence."""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).parent
# `benchctl.x._y` written in a string: a monkeypatch target or the code of a child process
_DOTTED = re.compile(r"\bbenchctl(?:\.\w+)*\._(?!_)\w*")
_FROM = re.compile(r"\bfrom\s+(benchctl[\w.]*)\s+import\s+([^\n;]+)")


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _offences(source: str, name: str) -> list[str]:
    """Each use of a private benchctl name in `source`, as "name:line: what", in line order."""
    tree = ast.parse(source, name)
    found: list[tuple[int, str]] = []
    bound: set[str] = set()  # local names bound to something imported from benchctl

    def say(node: ast.AST, what: str) -> None:
        found.append((getattr(node, "lineno", 0), what))

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "benchctl":
            module = node.module or ""
            for alias in node.names:
                if any(map(_private, module.split("."))) or _private(alias.name):
                    say(node, f"from {module} import {alias.name}")
                bound.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != "benchctl":
                    continue
                if any(map(_private, alias.name.split("."))):
                    say(node, f"import {alias.name}")
                bound.add(alias.asname or "benchctl")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in bound:
                say(node, f"{ast.unparse(node)}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("setattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in bound
            and isinstance(node.args[1], ast.Constant)
            and _private(str(node.args[1].value))
        ):
            say(node, f"{node.func.attr}({node.args[0].id}, {node.args[1].value!r})")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            for m in _DOTTED.finditer(node.value):
                say(node, f"string {m.group(0)!r}")
            for m in _FROM.finditer(node.value):
                names = [n.strip().split(" as ")[0] for n in m.group(2).strip("()").split(",")]
                if any(map(_private, m.group(1).split("."))) or any(map(_private, names)):
                    say(node, f"string {m.group(0)!r}")
    return [f"{name}:{line}: {what}" for line, what in sorted(found)]


# Left to do, and only ever shorter (now none): a use listed here is tolerated; one that no longer
# occurs fails the test too, so an entry is removed when it is fixed.
KNOWN: set[tuple[str, str]] = set()


def test_no_test_imports_a_private_benchctl_name():
    offences = [
        o
        for p in sorted(TESTS.rglob("*.py"))
        if p != Path(__file__)  # its own samples below
        for o in _offences(p.read_text(encoding="utf-8"), str(p.relative_to(TESTS.parent)))
    ]
    found = {(o.split(":", 1)[0], o.split(": ", 1)[1]) for o in offences}
    new = [o for o in offences if (o.split(":", 1)[0], o.split(": ", 1)[1]) not in KNOWN]
    why = "tests use private benchctl names (give what they need a public name):"
    assert new == [], "\n".join([why, *new])
    assert KNOWN <= found, f"fixed, so remove from KNOWN: {sorted(KNOWN - found)}"


def test_the_check_sees_each_kind_of_offence():
    sample = (
        "import benchctl.models._facts as f\n"
        "from benchctl.harness import doctor\n"
        "from benchctl.results.export import _ms\n"
        "doctor._app_checks(1)\n"
        "def t(monkeypatch):\n"
        "    monkeypatch.setattr(doctor, '_split', None)\n"
        "    monkeypatch.setattr('benchctl.harness.run._spec', None)\n"
        "CODE = 'from benchctl.harness.leftovers import claim, _held'\n"
        "from benchctl.models import ModelSpec\n"
        "ModelSpec.published\n"
    )
    got = [o.split(": ", 1)[1] for o in _offences(sample, "sample.py")]
    assert got == [
        "import benchctl.models._facts",
        "from benchctl.results.export import _ms",
        "doctor._app_checks",
        "setattr(doctor, '_split')",
        "string 'benchctl.harness.run._spec'",
        "string 'from benchctl.harness.leftovers import claim, _held'",
    ]


def test_test_file_names_are_unique():
    """tests/ has no packages, so pytest names each test module by its basename: two files
    with one name make the whole run stop at collection (it happened: analysis/ vs results/)."""
    seen: dict[str, Path] = {}
    clashes = []
    for path in sorted(Path(__file__).parent.rglob("test_*.py")):
        if path.name in seen:
            clashes.append(f"{seen[path.name]} and {path}")
        seen.setdefault(path.name, path)
    assert not clashes, clashes
