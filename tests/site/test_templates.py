"""Every template of the site shell and account pages compiles."""
from pathlib import Path

import pytest
from django.template.loader import get_template

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
OWN = ["base.html", "home.html", "403.html", "404.html", "429.html", "500.html",
       "forms", "allauth", "account", "accounts", "socialaccount", "mfa"]


def own_templates():
    for entry in OWN:
        target = TEMPLATES / entry
        files = [target] if target.is_file() else sorted(target.rglob("*.*"))
        for file in files:
            if file.suffix in {".html", ".txt"}:
                yield str(file.relative_to(TEMPLATES))


@pytest.mark.parametrize("name", list(own_templates()))
def test_the_template_compiles(name):
    get_template(name)


def test_there_are_templates_to_check():
    assert len(list(own_templates())) > 30
