"""The About page's figures per kind of upload (issue 16, defect 5; issue 15): one table with
a column per mode that fits a 1366 px screen (nothing hidden, outside the narrow reading
column), and each split's description said once in words, not repeated as table titles."""
import pytest
from django.urls import reverse

from ml.registry import CLASS_CODES, MODES
from tests.diagnosis.cards import SPLIT, cv_card, good_rows, row, use_card
from tests.diagnosis.html_tree import parse

from .test_about import make_card, write_card

pytestmark = pytest.mark.django_db


def about_tree(client):
    response = client.get(reverse("about"))
    assert response.status_code == 200
    return response.content.decode(), parse(response.content.decode())


def test_a_card_with_figures_per_mode_gets_one_column_per_mode(client, settings, tmp_path):
    rows = {m: good_rows() for m in MODES}
    rows["picture"]["A"] = row(0.4321, precision=0.5555, recall=0.3333, patients=17, beats=900)
    use_card(settings, tmp_path / "model", cv_card(rows))

    content, tree = about_tree(client)
    table = tree.find("table", cls="mode-table")

    headers = [" ".join(th.all_text()) for th in table.find("thead").find_all("th")]
    assert headers == ["Class", "Recordings, several leads", "Recordings, one lead",
                       "Single-beat pictures", "Beats tested"]
    assert len(table.find("tbody").find_all("tr")) == len(CLASS_CODES) + 1  # and macro-F1
    a_row = " ".join(table.find("tbody").find_all("tr")[CLASS_CODES.index("A")].all_text())
    assert "43.2%" in a_row and "right 55.5%" in a_row and "found 33.3%" in a_row
    assert content.count(SPLIT) == 1


def test_the_figures_sit_outside_the_narrow_reading_column(client, settings, tmp_path):
    use_card(settings, tmp_path / "model", cv_card())
    write_card(tmp_path / "model", {**make_card(), **{"evaluations": {
        **make_card()["evaluations"], **cv_card()["evaluations"]}}})

    _, tree = about_tree(client)

    for prose in tree.find_all("div", cls="prose"):
        assert not prose.find_all("table")
    figures = tree.find("div", cls="about-figures")
    assert len(figures.find_all("table")) == 1 + 2 * 2  # modes; inter and beat splits
    assert not [th for th in figures.find_all("th") if "visually-hidden" in th.classes]


def test_each_split_description_is_said_once(client, settings, tmp_path):
    card = make_card()
    write_card(tmp_path, card)
    settings.ECG_MODEL_DIR = str(tmp_path)
    settings.ECG_LEADS_MODEL_DIR = settings.ECG_MODEL_DIR  # recordings read the same card here

    content, tree = about_tree(client)

    for key, evaluation in card["evaluations"].items():
        assert content.count(evaluation["split_description"]) == 1, key
    # Without cv figures the inter-patient block gives one recordings column.
    headers = [" ".join(th.all_text()) for th in
               tree.find("table", cls="mode-table").find("thead").find_all("th")]
    assert headers == ["Class", "Recordings, one lead", "Single-beat pictures", "Beats tested"]
