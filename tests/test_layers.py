"""The apps' layers (.importlinter, STYLE.md): import-linter's contract holds, no two apps import
each other, every package and every `ioms` module is placed in a layer, and an import inside a
function that reaches another app says why."""

import ast
import configparser
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

# Nothing here reads the database, but the suite's autouse fixtures (tests/conftest.py) do.
pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / ".importlinter"
# Packages at the top of the repository that are not apps.
NOT_APPS = {"tests", "scripts"}


def _config() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(CONTRACT)
    return config


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip() and not line.strip().startswith("#")]


def _root_packages() -> list[str]:
    """The contract's root packages that exist on this branch: `events` and `workflow` are written
    on branches of their own, and their layers are optional until they are merged."""
    return [name for name in _lines(_config()["importlinter"]["root_packages"]) if (ROOT / name).is_dir()]


def _layer_modules() -> set[str]:
    layers = _lines(_config()["importlinter:contract:layers"]["layers"])
    names = set()
    for layer in layers:
        for name in layer.replace("|", ":").split(":"):
            names.add(name.strip().strip("()"))
    return names


def _ignored_imports() -> set[tuple[str, str]]:
    section = _config()["importlinter:contract:layers"]
    pairs = set()
    for line in _lines(section.get("ignore_imports", "")):
        importer, imported = (part.strip() for part in line.split("->"))
        pairs.add((importer, imported))
    return pairs


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    sys.path.insert(0, str(ROOT))
    try:
        return grimp.build_graph(*_root_packages(), include_external_packages=False, cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))


def test_the_import_contract_holds(tmp_path):
    config = _config()
    config["importlinter"]["root_packages"] = "\n" + "\n".join(_root_packages())
    effective = tmp_path / "importlinter.ini"
    with effective.open("w") as handle:
        config.write(handle)
    result = subprocess.run(
        [Path(sys.executable).parent / "lint-imports", "--config", str(effective), "--no-cache"],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_package_of_the_project_is_in_the_contract():
    on_disk = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in NOT_APPS and not path.parent.name.startswith(".")
    }
    assert on_disk - set(_root_packages()) == set()
    layered = {name.split(".")[0] for name in _layer_modules()}
    assert on_disk - layered == set()


def test_every_ioms_module_is_core_or_the_composition_root(graph):
    # `ioms` holds both the lowest layer and the highest, so its modules are placed one by one.
    modules = set(graph.find_children("ioms"))
    assert modules - _layer_modules() == set()


def _app_of(module: str) -> str:
    # Each module of `ioms` is its own node: the composition root imports every app, and every app
    # imports the core.
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "ioms" and len(parts) > 1 else parts[0]


def _strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            found.append(component)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_two_apps_import_each_other(graph):
    """Siblings of a `:` layer may import each other one way only; the contract's ignored imports
    (temporary, listed there) are left out, as import-linter leaves them out."""
    ignored = _ignored_imports()
    edges: dict[str, set[str]] = {}
    examples: dict[tuple[str, str], str] = {}
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            if (importer, imported) in ignored:
                continue
            source, target = _app_of(importer), _app_of(imported)
            if source != target:
                edges.setdefault(source, set()).add(target)
                examples.setdefault((source, target), f"{importer} -> {imported}")
    cycles = [component for component in _strongly_connected(edges) if len(component) > 1]
    described = [
        sorted(examples[(a, b)] for a in component for b in edges.get(a, ()) if b in component)
        for component in cycles
    ]
    assert cycles == [], described


# --- Imports inside functions ---------------------------------------------------------------------


def _function_level_imports(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and inner.module and inner.level == 0:
                    yield inner.lineno, inner.module
                elif isinstance(inner, ast.Import):
                    for alias in inner.names:
                        yield inner.lineno, alias.name


def _says_why(lines: list[str], lineno: int) -> bool:
    """A `#` comment on the import's line, or on the line just above it (or above the run of
    imports it is part of)."""
    here = lines[lineno - 1].partition("#")[2].strip()
    if here and not here.startswith("noqa"):
        return True
    above = lineno - 2
    while above >= 0 and lines[above].strip().startswith(("from ", "import ")):
        above -= 1
    return above >= 0 and lines[above].strip().startswith("#")


def test_an_import_inside_a_function_that_reaches_another_app_says_why():
    # `ioms` is the core and the composition root rather than an app.
    apps = set(_root_packages()) - {"ioms"}
    unexplained = []
    for app in sorted(apps):
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            lines = path.read_text().splitlines()
            relative = str(path.relative_to(ROOT))
            for lineno, module in _function_level_imports(path):
                target = module.split(".")[0]
                if target not in apps or target == app:
                    continue
                if not _says_why(lines, lineno):
                    unexplained.append(f"{relative}:{lineno} imports {module}")
    assert unexplained == []
