"""History on a 390 px phone (issue 16, defect 3): under the phone breakpoint each result is
a card whose cells carry their own labels, so the finding, the measured figure and the actions
show without sideways scrolling; no hidden table header can widen the page. Checked here on
the HTML and CSS the server sends (a browser check of the same page is in the browser suite)."""
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import make_diagnosis

from .html_tree import parse

pytestmark = pytest.mark.django_db
CSS = Path(settings.BASE_DIR) / "static" / "css"


def media_block(css, query):
    """The body of the first ``@media <query> { ... }`` block in ``css``."""
    start = css.index("@media " + query)
    depth, i = 0, css.index("{", start)
    for j in range(i, len(css)):
        depth += {"{": 1, "}": -1}.get(css[j], 0)
        if depth == 0:
            return css[i + 1:j]
    raise AssertionError("unclosed @media block")


def rule(css, selector):
    """The declarations of the rule whose whole selector is ``selector``."""
    match = re.search(r"(?m)^\s*" + re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert match, selector
    return match.group(1)


def test_every_cell_of_a_row_carries_its_label_for_the_card_layout(patient_client, patient):
    make_diagnosis(patient, kind="signal", label="V")
    make_diagnosis(patient, label="N")

    tree = parse(patient_client.get("/diagnosis/history/").content.decode())

    rows = tree.find("table", cls="history-table").find_all("tr", cls="history-row")
    assert len(rows) == 2
    for row in rows:
        labels = [td.attrs.get("data-label") for td in row.find_all("td")]
        assert labels == ["Uploaded", "File", "Status", "Finding",
                          "Right on unseen patients", "Actions"]
    assert not tree.find("table", cls="history-table").find_all(cls="visually-hidden")


def test_under_the_phone_breakpoint_rows_become_labelled_cards():
    phone = media_block((CSS / "diagnosis.css").read_text(), "(max-width: 48rem)")

    assert "display: none" in rule(phone, ".history-table thead")
    assert "display: block" in rule(phone, ".history-table, .history-table tbody, "
                                           ".history-table tr, .history-table td")
    assert "attr(data-label)" in rule(phone, ".history-table td[data-label]::before")
    assert "white-space: normal" in rule(phone, ".history-table td")
    assert "overflow-x: visible" in rule(phone, ".history-wrap")


def test_a_scrolling_table_keeps_hidden_headers_inside_it():
    assert "position: relative" in rule((CSS / "site.css").read_text(), ".table-wrap")
