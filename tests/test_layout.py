"""The imports between the project's modules point one way (read from the source, imports inside
functions included, so that a cycle cannot hide in a function body)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("villages", "ledger", "dashboards", "disclosure")


def _modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


MODULES = _modules()


def _imports(module: str) -> set[str]:
    """The project modules `module` imports, anywhere in its source."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def _reaches(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in GRAPH[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_no_module_imports_itself_through_others():
    circles = sorted(module for module in MODULES if module in _reaches(module))
    assert circles == []


@pytest.mark.parametrize(("app", "never"), [("villages", ("ledger", "dashboards", "disclosure")),
                                            ("ledger", ("dashboards", "disclosure")),
                                            ("dashboards", ("disclosure",)),
                                            # 财务公开 stands on the villages and the ledger only.
                                            ("disclosure", ("dashboards",))])
def test_apps_depend_one_way(app, never):
    against = sorted((module, target) for module, targets in GRAPH.items() if module.split(".")[0] == app
                     for target in targets if target.split(".")[0] in never)
    assert against == []


@pytest.mark.parametrize("reading", ["ledger.importing.reader", "ledger.importing.parser",
                                     "ledger.importing.planner", "ledger.importing.places",
                                     "ledger.importing.problems", "ledger.statements"])
def test_reading_a_file_never_reaches_the_writers(reading):
    assert not _reaches(reading) & {"ledger.services", "ledger.importing.services"}


def test_the_reader_knows_nothing_of_parsing():
    assert not _reaches("ledger.importing.reader") & {"ledger.importing.parser", "ledger.importing.planner"}
