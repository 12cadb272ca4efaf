"""The shape of the code, read from the source with ``ast``: imports at the top of modules, layers
that only import downward, no import circle, no module too long to read in one sitting, and every
hook connected. Each test lists every offender at once.

The layers, lowest first: ``ubpanel`` core ← ``referrals`` ← ``schedule`` ← ``panel`` ←
``correspondence`` ← ``rights``. A module may import its own layer and the layers below. The project modules
(settings, URLs, the project's views, admin and demo data, the Celery app, WSGI, management
commands) sit on top of them all and may import anything.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from ubpanel.hooks import HOOKS

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("ubpanel", "referrals", "schedule", "panel", "correspondence", "rights", "reports")
PROJECT = len(LAYERS)  # the layer above every app
PROJECT_MODULES = {
    "ubpanel",  # its __init__ loads the Celery app, as Celery's Django set-up asks
    "ubpanel.urls",
    "ubpanel.views",
    "ubpanel.admin",
    "ubpanel.demo",
    "ubpanel.demo_journeys",
    "ubpanel.celery",
    "ubpanel.settings",
    "ubpanel.wsgi",
}
PROJECT_PACKAGES = ("ubpanel.management", "ubpanel.settings")
MAX_LINES = 400


@dataclass
class Import:
    target: str  # the module imported (a module of ours, or a third-party name)
    line: int
    in_function: str | None  # the enclosing function, if any
    at_runtime: bool  # False under ``if TYPE_CHECKING:``


@dataclass
class Module:
    name: str
    path: Path
    is_package: bool
    tree: ast.Module
    lines: int
    imports: list[Import] = field(default_factory=list)

    @property
    def package(self) -> str:
        return self.name if self.is_package else self.name.rpartition(".")[0]

    @property
    def relpath(self) -> str:
        return str(self.path.relative_to(ROOT))


def _module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def _our_modules() -> dict[str, Module]:
    modules = {}
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts or "tests" in parts or path.name.startswith("test_"):
                continue
            source = path.read_text(encoding="utf-8")
            name, is_package = _module_name(path)
            modules[name] = Module(
                name, path, is_package, ast.parse(source, str(path)), len(source.splitlines())
            )
    for module in modules.values():
        module.imports = list(_imports(module, modules))
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: Module, modules: dict[str, Module]):
    """Every import statement of ``module``, each named by the module it loads."""

    def visit(node, function: str | None, at_runtime: bool):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = f"{function}.{node.name}" if function else node.name
        elif isinstance(node, ast.ClassDef) and function is None:
            # Methods are named Class.method; a class inside a function keeps the function's name.
            for child in node.body:
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield from visit(child, node.name, at_runtime)
                    continue
                yield from visit(child, function, at_runtime)
            return
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.body:
                yield from visit(child, function, False)
            for child in node.orelse:
                yield from visit(child, function, at_runtime)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name, node.lineno, function, at_runtime)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node)
            # ``from package import name``: the submodule when there is one, else the package.
            submodules = (f"{base}.{alias.name}" for alias in node.names)
            targets = {name if name in modules else base for name in submodules}
            for target in sorted(targets):
                yield Import(target, node.lineno, function, at_runtime)
        for child in ast.iter_child_nodes(node):
            yield from visit(child, function, at_runtime)

    for node in module.tree.body:
        yield from visit(node, None, True)


def _absolute(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.package.split(".")
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _layer(name: str) -> int | None:
    """The layer of a module of ours; None for anything else (Django, the standard library...)."""
    top = name.split(".")[0]
    if top not in LAYERS:
        return None
    if name in PROJECT_MODULES or name.startswith(tuple(f"{p}." for p in PROJECT_PACKAGES)):
        return PROJECT
    if name in PROJECT_PACKAGES:
        return PROJECT
    return LAYERS.index(top)


def _layer_name(layer: int) -> str:
    return "the project modules" if layer == PROJECT else LAYERS[layer]


MODULES = _our_modules()


def _listing(title: str, offenders: list[str]) -> str:
    """Every offender, one a line: the assertion's whole message."""
    return f"{title} ({len(offenders)}):\n  " + "\n  ".join(offenders)


def test_the_scanner_reads_the_whole_project_so_the_checks_below_cannot_pass_on_nothing():
    assert {"ubpanel.hooks", "referrals.services.triage", "panel.services.voting"} <= set(MODULES)
    assert all(f"{app}.apps" in MODULES for app in LAYERS)
    # It sees the late imports every ready() makes, the layers of what is imported, and length.
    schedule_apps = MODULES["schedule.apps"]
    assert any(i.in_function == "ScheduleConfig.ready" for i in schedule_apps.imports)
    correspondence = MODULES["correspondence.selectors"]
    assert {_layer(i.target) for i in correspondence.imports} >= {LAYERS.index("panel")}
    assert max(module.lines for module in MODULES.values()) > 100


# --- (a) imports at the top ------------------------------------------------------------------


def _allowed_in_function(module: Module, function: str) -> bool:
    """``AppConfig.ready()`` imports the app's models and connects its receivers and hooks: it runs
    once every app is loaded, which is the point of it."""
    return module.path.name == "apps.py" and function.split(".")[1:] == ["ready"]


def test_every_import_sits_at_the_top_of_its_module():
    offenders = [
        f"{module.relpath}:{imported.line} imports {imported.target} inside {imported.in_function}()"
        for module in MODULES.values()
        for imported in module.imports
        if imported.in_function and not _allowed_in_function(module, imported.in_function)
    ]

    assert not offenders, _listing(
        "Imports inside a function (move them to the top; only AppConfig.ready() may import late)",
        offenders,
    )


# --- (b) layers point down -------------------------------------------------------------------


def test_every_import_points_down_the_layers():
    offenders = []
    for module in MODULES.values():
        source_layer = _layer(module.name)
        for imported in module.imports:
            target_layer = _layer(imported.target)
            if target_layer is not None and target_layer > source_layer:
                offenders.append(
                    f"{module.relpath}:{imported.line} ({_layer_name(source_layer)}) imports "
                    f"{imported.target} ({_layer_name(target_layer)})"
                )

    assert not offenders, _listing(
        "Imports up the layers (" + " ← ".join(LAYERS) + " ← the project modules)", offenders
    )


# --- (c) no import circle --------------------------------------------------------------------


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def import_graph(modules: dict[str, Module]) -> dict[str, set[str]]:
    """Which of our modules each module loads while it is itself being imported.

    Importing ``a.b.c`` runs ``a`` and ``a.b`` first, so those count too, except the packages the
    importer is itself inside: they are already being imported when it runs (``from . import x``
    in a package loads ``x``, not the package again). A package's ``__init__`` that re-exports its
    submodules is so no circle by itself; a submodule that imports a name back from its own
    package's ``__init__`` is one, as it depends on the ``__init__`` having got that far.
    Imports inside functions (including ``ready()``) and under ``TYPE_CHECKING`` run later.
    """
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for module in modules.values():
        own = set(_ancestors(module.name)) | ({module.name} if module.is_package else set())
        for imported in module.imports:
            if imported.in_function or not imported.at_runtime:
                continue
            loaded = [a for a in _ancestors(imported.target) if a not in own]
            loaded.append(imported.target)
            graph[module.name].update(m for m in loaded if m in modules and m != module.name)
    return graph


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the groups of modules that import each other in a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return groups


def _a_circle(graph: dict[str, set[str]], group: list[str]) -> list[str]:
    """One shortest circle through the group's first module, to show in the message."""
    start = group[0]
    members = set(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & members):
                if child == start:
                    return paths[node] + [start]
                if child not in paths:
                    paths[child] = paths[node] + [child]
                    following.append(child)
        frontier = following
    return group


def test_no_modules_import_each_other_in_a_circle():
    graph = import_graph(MODULES)
    offenders = [
        " → ".join(_a_circle(graph, group)) + f"   (all in this circle: {', '.join(group)})"
        for group in _strongly_connected(graph)
    ]

    assert not offenders, _listing("Import circles", offenders)


def test_the_circle_finder_sees_a_circle_and_lets_a_package_re_export_its_submodules():
    def module(name, source, is_package=False):
        tree = ast.parse(source)
        return Module(name, ROOT / (name.replace(".", "/") + ".py"), is_package, tree, 1)

    modules = {
        m.name: m
        for m in (
            module("app.services", "from .entries import a\nfrom .appeals import b\n", True),
            module("app.services.entries", "from app.models import M\n"),
            module("app.services.appeals", "from . import entries\nfrom .entries import a\n"),
            module("app.models", "from app.tasks import t\n"),
            module("app.tasks", "from app.models import M\n"),
            module("app.selectors", "from app.services import a\n"),
            module("app.late", "def f():\n    from app.selectors import x\n"),
        )
    }
    for m in modules.values():
        m.imports = list(_imports(m, modules))

    graph = import_graph(modules)

    assert _strongly_connected(graph) == [["app.models", "app.tasks"]]
    assert graph["app.services.appeals"] == {"app.services.entries"}
    assert graph["app.selectors"] == {"app.services"}
    assert graph["app.late"] == set()


# --- (d) short modules -----------------------------------------------------------------------


def test_no_module_is_longer_than_400_lines():
    offenders = [
        f"{module.relpath}: {module.lines} lines"
        for module in sorted(MODULES.values(), key=lambda m: -m.lines)
        if module.lines > MAX_LINES
    ]

    assert not offenders, _listing(f"Modules over {MAX_LINES} lines (split them)", offenders)


# --- (e) hooks -------------------------------------------------------------------------------


def test_every_hook_has_its_receiver_once_django_is_set_up():
    # pytest-django has run django.setup(), so every AppConfig.ready() has connected its hooks.
    offenders = [f"{hook.name}: nothing connected" for hook in HOOKS if hook.receiver is None]

    assert not offenders, _listing("Hooks with no receiver (connect them in a ready())", offenders)
