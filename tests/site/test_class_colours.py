"""The beat classes' colours reach every page from the class registry: base.html links the
stylesheet of their CSS variables (written once from the registry), and the stylesheets hold
no colour or rule of their own per class."""
import re
from pathlib import Path

import pytest
from django.conf import settings

from ecgsite.context_processors import class_colour_css
from ml.registry import CLASSES, BeatClass

CSS_DIR = Path(settings.BASE_DIR) / "static" / "css"


@pytest.mark.django_db
def test_every_page_gets_each_class_colour_from_the_registry_once(client):
    page = client.get("/").content.decode()

    [href] = re.findall(r'<link rel="stylesheet" href="(/css/classes\.css\?v=\w+)">', page)
    style = client.get(href).content.decode()
    for c in CLASSES:
        assert style.count(f"{c.css_var}:{c.colour};") == 1
        assert f".beat-class-{c.code}{{--class-colour:var({c.css_var})}}" in style


def test_the_stylesheets_define_no_class_colour_and_no_rule_per_class():
    css = {p.name: p.read_text(encoding="utf-8") for p in CSS_DIR.glob("*.css")}
    assert css, CSS_DIR
    codes = "|".join(re.escape(c.code) for c in CLASSES)
    for name, text in css.items():
        assert not re.search(r"--class-[\w-]+\s*:", text), name
        assert not re.search(rf"\.[\w-]*-({codes})\b", text), name


def test_the_badges_swatches_and_bars_colour_themselves_from_the_class_variable():
    css = "".join(p.read_text(encoding="utf-8") for p in CSS_DIR.glob("*.css"))
    for selector in (".badge-class", ".swatch", ".prob-bar", ".class-bar"):
        rule = re.search(rf"{re.escape(selector)} *\{{([^}}]*)\}}", css)
        assert rule and "var(--class-colour" in rule.group(1), selector


def test_a_colour_that_is_not_plain_hex_is_refused_before_it_reaches_a_page():
    bad = BeatClass("X", "X", "X", "red;}body{display:none", "ectopic", 9,
                    CLASSES[0].urgency, "x", ("mitdb", "100"))

    with pytest.raises(ValueError, match="unusable code or colour"):
        class_colour_css((*CLASSES, bad))
