"""ml in layers: the run-time core (ml/, ml/formats/) never imports ml.training or ml.reports,
ml.training never imports ml.reports, no module imports Django, and no import loop exists
(imports inside functions count too). The web and worker processes load the run-time core
only."""
import ast
import os
import subprocess
import sys
from pathlib import Path

ML = Path(__file__).resolve().parents[2] / "ml"


def _module_name(path):
    parts = path.relative_to(ML.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path):
    """The ml modules ``path`` imports, anywhere in it."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {m for m in found if m == "ml" or m.startswith(("ml.", "django"))}


def _graph():
    modules = {_module_name(p): p for p in ML.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        targets = set()
        for imported in _imports(path):
            # "from . import render" names a module; "from .x import y" names x.
            while imported and imported not in modules:
                imported = imported.rsplit(".", 1)[0] if "." in imported else ""
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph, {name: _imports(path) for name, path in modules.items()}


def _layer(name):
    if name.startswith("ml.reports"):
        return 2
    if name.startswith("ml.training"):
        return 1
    return 0


def test_no_module_imports_a_higher_layer_or_django():
    graph, raw = _graph()
    upward = sorted(f"{a} -> {b}" for a, targets in graph.items() for b in targets
                    if _layer(b) > _layer(a))
    django = sorted(a for a, imported in raw.items() if any(m.startswith("django")
                                                            for m in imported))
    assert upward == [] and django == []
    assert len(graph) > 30 and any(_layer(a) == 0 for a in graph)


def test_there_is_no_import_loop_in_ml():
    graph, _ = _graph()
    # Packages import their own modules (ml.formats re-exports its readers): an edge from a
    # package to its own modules is not a loop back.
    def edges(a):
        return {b for b in graph[a] if not b.startswith(a + ".")}

    state, loops = {}, []

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(edges(node)):
            if state.get(nxt) == "open":
                loops.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert loops == []


def test_the_web_and_worker_processes_load_the_run_time_core_only():
    script = (
        "import sys, django; django.setup(); "
        "import ecgsite.urls, diagnosis.tasks, diagnosis.inference; "
        "from django.test import Client; from ml.registry import CLASS_CODES; "
        "client = Client(); "
        "assert all(client.get(f'/learn/beats/{c}.png').status_code == 200 "
        "for c in CLASS_CODES); "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('ml'))))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ecgsite.settings.test"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=ML.parent)
    assert done.returncode == 0, done.stderr
    loaded = done.stdout.split()
    assert "ml.registry" in loaded and "ml.formats" in loaded
    assert [m for m in loaded if m.startswith(("ml.training", "ml.reports"))] == []
