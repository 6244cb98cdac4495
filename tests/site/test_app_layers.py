"""The site's apps form layers: each uses only apps below it, never one above.

    accounts  <  articles  <  sharing  <  diagnosis  <  care  <  metrics

The Python imports are checked by import-linter (the "apps-in-layers" contract in
pyproject.toml, run by ``make test``). What it cannot see is checked here: that
INSTALLED_APPS lists the apps in the contract's order, and that an app's templates include,
extend or load nothing of an app above it.
"""
import re
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)


def contract_layers():
    """The apps of the "apps-in-layers" contract, bottom up (ecgsite, on top, left out)."""
    config = tomllib.loads((BASE / "pyproject.toml").read_text(encoding="utf-8"))
    contract, = (c for c in config["tool"]["importlinter"]["contracts"]
                 if c["id"] == "apps-in-layers")
    return [layer for layer in reversed(contract["layers"]) if layer != "ecgsite"]


LAYERS = contract_layers()
# Template tag libraries by the app that defines them.
TAG_LIBRARIES = {
    p.stem: p.parent.parent.name for app in LAYERS
    for p in (BASE / app / "templatetags").glob("*.py") if p.stem != "__init__"
}


def test_the_layers_are_the_order_of_the_apps_in_the_settings():
    local = [a for a in settings.INSTALLED_APPS if (BASE / a / "apps.py").exists()]
    assert local == LAYERS


TEMPLATE_REFERENCE = re.compile(
    r"{%\s*(?:include|extends)\s+[\"']([\w-]+)/[^\"']+[\"']|{%\s*load\s+([^%]+)%}")


def templates_using_an_app_above(app, folder):
    below = set(LAYERS[: LAYERS.index(app) + 1])
    found = []
    for path in sorted(folder.rglob("*.html")):
        for owner_folder, libraries in TEMPLATE_REFERENCE.findall(
                path.read_text(encoding="utf-8")):
            owners = ({owner_folder} if owner_folder
                      else {TAG_LIBRARIES.get(lib) for lib in libraries.split()})
            found += [f"{path.name} uses {owner}" for owner in owners
                      if owner in LAYERS and owner not in below]
    return found


@pytest.mark.parametrize("app", LAYERS)
def test_an_apps_templates_use_no_template_or_tag_library_of_an_app_above_it(app):
    assert templates_using_an_app_above(app, BASE / "templates" / app) == []


def test_the_template_scan_sees_an_include_and_a_tag_library_of_an_app_above(tmp_path):
    assert TAG_LIBRARIES, "no template tag library found"
    library, owner = next((lib, a) for lib, a in TAG_LIBRARIES.items() if a != LAYERS[0])
    (tmp_path / "page.html").write_text(
        f'{{% load static {library} %}}{{% include "metrics/part.html" %}}', encoding="utf-8")

    assert templates_using_an_app_above(LAYERS[0], tmp_path) == [
        f"page.html uses {owner}", "page.html uses metrics"]
