"""Doctors' reviews: agree or correct (one of the six classes, or not interpretable) with
notes; the patient sees the review on the result page and its state in the history."""
import pytest
from django.test import Client
from django.urls import reverse

from care.models import Review
from tests.factories import make_diagnosis, make_user

pytestmark = pytest.mark.django_db


def review(client, d, **data):
    return client.post(reverse("doctors:review", args=[d.pk]), data)


@pytest.fixture
def doctor_client(shared_doctor):
    client = Client()
    client.force_login(shared_doctor)
    return client


def test_a_doctor_agrees_and_the_patient_sees_it(doctor_client, patient_client, shared_doctor,
                                                 signal_diagnosis):
    response = review(doctor_client, signal_diagnosis, verdict="agree", notes="Looks right.")

    assert response.status_code == 302
    assert response["Location"] == signal_diagnosis.get_absolute_url()
    r = Review.objects.get()
    assert (r.doctor, r.original_label, r.reviewed_label, r.agrees, r.notes) == (
        shared_doctor, "V", "V", True, "Looks right.")
    assert r.model_version == signal_diagnosis.model_version and r.created_at

    page = patient_client.get(signal_diagnosis.get_absolute_url()).content.decode()
    assert "Doctor&#x27;s review" in page or "Doctor's review" in page
    assert "agrees with the finding" in page and "Looks right." in page
    history = patient_client.get(reverse("diagnosis:history")).content.decode()
    assert "reviewed</span>" in history and "corrected by doctor" not in history


def test_a_doctor_corrects_the_label_and_the_history_says_corrected(
        doctor_client, patient_client, signal_diagnosis):
    review(doctor_client, signal_diagnosis, verdict="correct", label="A",
           notes="These are atrial premature beats.")

    r = Review.objects.get()
    assert (r.original_label, r.reviewed_label, r.agrees) == ("V", "A", False)
    page = patient_client.get(signal_diagnosis.get_absolute_url()).content.decode()
    assert "Premature Atrial Contraction" in page and "These are atrial premature beats." in page
    assert "the model said Premature Ventricular Contraction" in page
    assert "The finding and advice below follow your doctor" in page
    history = patient_client.get(reverse("diagnosis:history")).content.decode()
    assert "corrected by doctor" in history


def test_not_interpretable_is_a_correction(doctor_client, signal_diagnosis):
    review(doctor_client, signal_diagnosis, verdict="correct", label="uninterpretable")
    r = Review.objects.get()
    assert (r.reviewed_label, r.agrees, r.reviewed_label_name) == (
        "uninterpretable", False, "Not interpretable")


@pytest.mark.parametrize("data, message", [
    ({"verdict": "correct"}, "Choose the correct finding."),
    ({"verdict": "correct", "label": "V"}, "model&#x27;s own finding"),
    ({"verdict": "correct", "label": "X"}, "Select a valid choice"),
    ({}, "This field is required"),
])
def test_an_incomplete_or_contradictory_review_is_explained(doctor_client, signal_diagnosis,
                                                            data, message):
    response = review(doctor_client, signal_diagnosis, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Review.objects.exists()


def test_a_failed_analysis_can_be_corrected_but_not_agreed_with(doctor_client, patient):
    failed = make_diagnosis(patient, status="failed")
    response = review(doctor_client, failed, verdict="agree")
    assert response.status_code == 400 and "no finding to agree" in response.content.decode()

    review(doctor_client, failed, verdict="correct", label="N")
    r = Review.objects.get()
    assert (r.original_label, r.reviewed_label, r.agrees) == ("", "N", False)


def test_an_unfinished_result_has_no_review_form(doctor_client, patient):
    waiting = make_diagnosis(patient, status="queued")
    page = doctor_client.get(reverse("doctors:review", args=[waiting.pk]))
    assert page.status_code == 200 and page.context["form"] is None
    review(doctor_client, waiting, verdict="correct", label="N")
    assert not Review.objects.exists()


def test_reviewing_again_replaces_the_doctors_review(doctor_client, signal_diagnosis):
    review(doctor_client, signal_diagnosis, verdict="agree")
    first = Review.objects.get()
    review(doctor_client, signal_diagnosis, verdict="correct", label="L", notes="On reflection")

    r = Review.objects.get()
    assert r.pk == first.pk and (r.reviewed_label, r.agrees) == ("L", False)
    assert r.created_at == first.created_at and r.updated_at > first.updated_at


def test_the_review_form_is_on_the_result_page_for_the_shared_doctor_only(
        doctor_client, patient_client, staff, signal_diagnosis):
    form_action = f'action="/doctors/results/{signal_diagnosis.pk}/review/"'
    assert form_action in doctor_client.get(signal_diagnosis.get_absolute_url()).content.decode()
    assert form_action not in patient_client.get(
        signal_diagnosis.get_absolute_url()).content.decode()
    support = Client()
    support.force_login(staff)
    assert form_action not in support.get(signal_diagnosis.get_absolute_url()).content.decode()


def test_two_doctors_reviews_are_both_shown(doctor_client, patient_client, patient,
                                            signal_diagnosis):
    from tests.factories import share_between

    second = make_user("second@example.com", role="doctor", verified_doctor=True,
                       first_name="Sec", last_name="Ond")
    share_between(patient, second)
    other = Client()
    other.force_login(second)
    review(doctor_client, signal_diagnosis, verdict="agree")
    review(other, signal_diagnosis, verdict="correct", label="R")

    page = patient_client.get(signal_diagnosis.get_absolute_url()).content.decode()
    assert "Doctors&#x27; reviews" in page or "Doctors' reviews" in page
    assert "Sec Ond" in page and "doctor@example.com" in page
    history = patient_client.get(reverse("diagnosis:history")).content.decode()
    assert "corrected by doctor" in history


def test_an_unreviewed_result_invites_the_owner_to_share(patient_client, signal_diagnosis):
    page = patient_client.get(signal_diagnosis.get_absolute_url()).content.decode()
    assert "No doctor has reviewed this result" in page
    assert reverse("sharing:index") in page


def test_the_history_page_checks_reviews_in_one_query(patient_client, patient,
                                                      django_assert_max_num_queries, doctor):
    for _ in range(5):
        d = make_diagnosis(patient)
        Review.objects.create(diagnosis=d, doctor=doctor, original_label="N",
                              reviewed_label="N", agrees=True)
    with django_assert_max_num_queries(12):
        page = patient_client.get(reverse("diagnosis:history"))
    assert page.content.decode().count("reviewed</span>") == 5
