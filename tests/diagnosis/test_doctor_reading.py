"""A result a doctor reviewed shows the doctor's reading first everywhere: result page (with
the advice and "Learn more" of that reading), PDF report, history list and CSV export
(issue 16, defect 2). diagnosis.readings decides it."""
import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from care.models import Review
from diagnosis import readings, urgency
from ml.registry import CLASS_CODES
from tests.factories import make_diagnosis, make_user, share_between

from .test_result_page import pdf_text

pytestmark = pytest.mark.django_db


def frequent_pvc(patient):
    """A recording the model calls PVC, 10 of 60 beats: "see a doctor soon, bring this
    report" on the model's own finding."""
    counts = {c: 0 for c in CLASS_CODES}
    counts.update(N=50, V=10)
    return make_diagnosis(patient, kind="signal", label="V", counts=counts, beat_count=60)


def review(d, doctor, label, agrees=False, when=None):
    when = when or timezone.now()
    return Review.objects.create(diagnosis=d, doctor=doctor, original_label=d.label,
                                 reviewed_label=label, agrees=agrees, created_at=when,
                                 updated_at=when)


@pytest.fixture
def corrected(patient, doctor):
    share_between(patient, doctor)
    d = frequent_pvc(patient)
    review(d, doctor, "R")
    return d


def test_without_a_review_the_models_finding_is_shown(patient):
    d = frequent_pvc(patient)

    reading = readings.reading_of(d)

    assert (reading.code, reading.by_doctor, reading.source) == ("V", False, "model")
    assert urgency.assess(d).level == urgency.SOON


def test_the_latest_review_is_the_reading_shown(patient, doctor):
    d = frequent_pvc(patient)
    other = make_user("second@example.com", role="doctor", verified_doctor=True)
    review(d, doctor, "R", when=timezone.now() - timedelta(hours=2))
    review(d, other, "A")

    reading = readings.reading_of(d)

    assert (reading.code, reading.model_code, reading.differs) == ("A", "V", True)
    assert reading.doctor.doctor == other.display_name


def test_the_result_page_leads_with_the_doctors_reading_and_its_advice(patient_client,
                                                                      corrected):
    response = patient_client.get(corrected.get_absolute_url())
    page = response.content.decode()

    assert 'id="doctor-reading"' in page
    assert page.index("Right Bundle Branch Block") < page.index("The model's finding")
    advice = response.context["advice"]
    assert advice.level == urgency.ROUTINE and "Right bundle branch block" in advice.headline
    assert "Frequent premature ventricular beats" not in page
    assert response.context["learn"]["article"].slug == "right-bundle-branch-block"


def test_the_pdf_leads_with_the_doctors_reading_and_drops_the_models_advice(patient_client,
                                                                           corrected):
    text = pdf_text(patient_client.get(f"/diagnosis/{corrected.pk}/report.pdf").content)

    assert "Doctor's reading: Right Bundle Branch Block" in text
    assert "bring this report" not in text
    assert "Frequent premature ventricular beats" not in text
    assert text.index("Doctor's reading") < text.index("Premature Ventricular Contraction")


def test_history_and_csv_show_the_doctors_reading_and_the_models_beside_it(patient_client,
                                                                          corrected):
    history = patient_client.get("/diagnosis/history/")
    rows = list(csv.DictReader(io.StringIO(
        patient_client.get("/diagnosis/history/export.csv").content.decode())))

    row = history.context["rows"][0]
    assert row["finding"] == "Right Bundle Branch Block"
    assert "(model: Premature Ventricular Contraction)" in history.content.decode()
    assert (rows[0]["finding_code"], rows[0]["finding"], rows[0]["read_by"]) == (
        "R", "Right Bundle Branch Block", "doctor")
    assert (rows[0]["model_finding_code"], rows[0]["model_finding"]) == (
        "V", "Premature Ventricular Contraction")


def test_a_doctor_who_could_not_read_the_ecg_gives_an_unclear_result(patient, doctor):
    d = frequent_pvc(patient)
    review(d, doctor, "uninterpretable")

    advice = urgency.assess(d)

    assert advice.level == urgency.UNCLEAR and "could not interpret" in advice.headline
    assert readings.reading_of(d).name == "Not interpretable"


def test_the_pdf_gives_the_doctors_notes_under_their_reading(patient_client, corrected):
    corrected.reviews.update(notes="Wide QRS with rSR' in V1: <b>RBBB</b>.")

    text = pdf_text(patient_client.get(f"/diagnosis/{corrected.pk}/report.pdf").content)

    assert "Doctor's notes: Wide QRS with rSR' in V1: <b>RBBB</b>." in text.replace("\\", "")
