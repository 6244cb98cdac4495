"""The site's apps form layers: each imports only apps below it, never one above, so there
is no import loop between apps and an app can be understood from those below it.

    accounts, articles  <  sharing  <  diagnosis  <  care  <  metrics  <  api

sharing (shares, invitations, the access log) sits below diagnosis because the access rule
needs it; care (the doctors' workspace and reviews) and metrics read diagnosis. Apps above
diagnosis add to its pages and admin through ``diagnosis.hooks``, not by diagnosis importing
them. Imports are read from the source (every module, also imports inside functions), and
templates from their include/extends/load tags.
"""
import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
LAYERS = ["accounts", "articles", "sharing", "diagnosis", "care", "metrics", "api"]
# Site helpers any app may use (the rest of ecgsite, its URLs above all, sits on top).
SHARED = {"ecgsite.paging"}
# Template tag libraries by the app that defines them.
TAG_LIBRARIES = {
    p.stem: p.parent.parent.name for app in LAYERS
    for p in (BASE / app / "templatetags").glob("*.py") if p.stem != "__init__"
}


def imports_of(path):
    """(line, imported module) for every import in the Python file ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def upward_imports(app):
    below = set(LAYERS[: LAYERS.index(app) + 1])
    found = []
    for path in sorted((BASE / app).rglob("*.py")):
        for line, module in imports_of(path):
            top = module.split(".")[0]
            if module in SHARED or top not in LAYERS + ["ecgsite"]:
                continue
            if top not in below:
                found.append(f"{path.relative_to(BASE)}:{line} imports {module}")
    return found


def test_the_layers_are_the_order_of_the_apps_in_the_settings():
    local = [a for a in settings.INSTALLED_APPS if (BASE / a / "apps.py").exists()]
    assert local == LAYERS


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_no_app_above_it(app):
    assert upward_imports(app) == []


def test_sharing_imports_nothing_from_diagnosis_care_or_metrics():
    modules = {m for p in (BASE / "sharing").rglob("*.py") for _, m in imports_of(p)}
    assert modules, "the scan found no imports at all"
    assert not {m for m in modules if m.split(".")[0] in ("diagnosis", "care", "metrics")}


TEMPLATE_REFERENCE = re.compile(
    r"{%\s*(?:include|extends)\s+[\"']([\w-]+)/[^\"']+[\"']|{%\s*load\s+([^%]+)%}")


@pytest.mark.parametrize("app", LAYERS)
def test_an_apps_templates_use_no_template_or_tag_library_of_an_app_above_it(app):
    below = set(LAYERS[: LAYERS.index(app) + 1])
    found = []
    for path in sorted((BASE / "templates" / app).rglob("*.html")):
        for folder, libraries in TEMPLATE_REFERENCE.findall(path.read_text(encoding="utf-8")):
            owners = {folder} if folder else {TAG_LIBRARIES.get(lib) for lib in libraries.split()}
            found += [f"{path.relative_to(BASE)} uses {owner}" for owner in owners
                      if owner in LAYERS and owner not in below]
    assert found == []


def test_the_scan_would_see_an_upward_import(tmp_path):
    module = tmp_path / "views.py"
    module.write_text("def f():\n    from care.models import Review\n", encoding="utf-8")

    assert [m for _, m in imports_of(module)] == ["care.models"]


def module_name(path):
    parts = list(path.relative_to(BASE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def local_imports(path, modules):
    """The site's own modules that ``path`` imports (absolute or relative, at any depth)."""
    name = module_name(path)
    package = name if path.stem == "__init__" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # "from package import module" imports the module; "from module import name" the
            # module itself.
            targets = [f"{base}.{alias.name}" for alias in node.names
                       if f"{base}.{alias.name}" in modules] or [base]
        else:
            continue
        found |= {t for t in targets if t in modules and t != name}
    return found


def test_no_module_of_an_app_imports_itself_back_through_a_loop():
    paths = [p for app in LAYERS for p in (BASE / app).rglob("*.py")
             if "migrations" not in p.parts]
    modules = {module_name(p) for p in paths}
    graph = {module_name(p): local_imports(p, modules) for p in paths}
    assert graph["diagnosis.tasks"] >= {"diagnosis.services"}, "the scan sees imports"

    loops, state = [], {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                loops.append(" -> ".join([*trail[trail.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not loops, loops
