"""One honest number (issue 16, defect 4): the result page, the PDF and the history lead with
how often the finding was right on patients the model never saw, for the mode the model ran in
(from the model card), and show the model's own confidence second."""
import numpy as np
import pytest

from diagnosis import storage
from diagnosis.models import DiagnosisFile
from diagnosis.reliability import finding_reliability
from ml.formats import Recording
from ml.registry import MODES, ONE_LEAD, PICTURE, SEVERAL_LEADS
from tests.factories import make_diagnosis

from .cards import VERSION, cv_card, good_rows, row, use_card
from .html_tree import parse
from .test_result_page import pdf_text

pytestmark = pytest.mark.django_db
# Premature ventricular contraction, right in 30 % (one lead), 55 % (several), 70 % (picture).
PRECISION = {ONE_LEAD: 0.30, SEVERAL_LEADS: 0.55, PICTURE: 0.70}


@pytest.fixture(autouse=True)
def card(settings, tmp_path):
    rows = {m: {**good_rows(), "V": row(0.5, precision=PRECISION[m], patients=12, beats=345)}
            for m in MODES}
    return use_card(settings, tmp_path / "model", cv_card(rows))


def pvc(patient, mode):
    if mode == PICTURE:
        return make_diagnosis(patient, kind="image", label="V", model_version=VERSION)
    d = make_diagnosis(patient, kind="signal", label="V", model_version=VERSION)
    names = ("MLII", "V1") if mode == SEVERAL_LEADS else ("MLII",)
    data = Recording(np.zeros((10, len(names)), np.float32), 360.0, names, "wfdb").to_npz()
    name = storage.save_exact(storage.path_for(d.owner_id, storage.new_stem(), "npz"), data)
    DiagnosisFile.objects.create(diagnosis=d, role=DiagnosisFile.Role.LEADS, file=name,
                                 content_type="application/octet-stream", size=len(data))
    return d


@pytest.mark.parametrize("mode", MODES)
def test_the_figure_is_the_one_of_the_mode_that_ran(patient, mode):
    rel = finding_reliability(pvc(patient, mode))

    assert (rel.mode, rel.precision, rel.patients, rel.support) == (
        mode, PRECISION[mode], 12, 345)


def test_the_result_page_leads_with_the_measured_figure_not_the_confidence(patient_client,
                                                                         patient):
    d = pvc(patient, ONE_LEAD)

    page = patient_client.get(d.get_absolute_url()).content.decode()
    tree = parse(page)

    honest = " ".join(tree.find(id="honest-number").all_text())
    assert "Right on patients the model never saw: 30% of the time" in honest
    assert "recordings read with one lead" in honest
    assert "The model's own confidence: 90%" in " ".join(
        tree.find(cls="model-confidence").all_text())
    assert "Confidence: <strong>" not in page
    assert "more often wrong than right" in page  # and the warning sits beside the 30 %


def test_the_pdf_leads_with_the_measured_figure(patient_client, patient):
    d = pvc(patient, PICTURE)

    text = pdf_text(patient_client.get(f"/diagnosis/{d.pk}/report.pdf").content)

    assert "Right on patients the model never saw: 70% of the time" in text
    assert text.index("70% of the time") < text.index("The model's own confidence: 90%")


def test_history_shows_the_measured_figure_with_the_confidence_second(patient_client,
                                                                      patient):
    pvc(patient, SEVERAL_LEADS)

    response = patient_client.get("/diagnosis/history/")
    cell = parse(response.content.decode()).find("td", **{"data-label":
                                                          "Right on unseen patients"})

    assert response.context["rows"][0]["right_percent"] == 55
    assert " ".join(cell.all_text()) == "55% model's own confidence 90%"
