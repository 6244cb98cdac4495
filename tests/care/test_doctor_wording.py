"""A doctor reading a result is not told to ask a doctor to read the ECG: the patient's
wording ("ask a doctor to read it", "without a doctor reading the ECG") is for patients."""
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ml.card import load_card
from tests.factories import make_diagnosis

pytestmark = pytest.mark.django_db

# Every way the pages tell a reader to have a doctor look at the ECG.
ASK_A_DOCTOR = re.compile(
    r"ask (a|your) doctor|a doctor reading|doctor to (read|look)|to ask for a review",
    re.IGNORECASE)


def card_version():
    return load_card(settings.ECG_MODEL_DIR)["evaluations"]["inter"]["model_version"]


@pytest.fixture
def doubtful(patient):
    """A picture called LBBB with low confidence by the shipped model: the card marks LBBB
    pictures as more often wrong than right (picture-mode precision under one half)."""
    return make_diagnosis(patient, kind="image", label="L", low_confidence=True,
                          model_version=card_version())


@pytest.fixture
def failed(patient):
    return make_diagnosis(patient, status="failed")


def page_for(user, url):
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("which", ["doubtful", "failed"])
def test_the_patient_is_told_to_ask_a_doctor(patient, request, which):
    d = request.getfixturevalue(which)
    assert ASK_A_DOCTOR.search(page_for(patient, d.get_absolute_url()))


@pytest.mark.parametrize("which", ["doubtful", "failed"])
def test_a_doctor_sees_the_same_result_without_being_told_to_ask_a_doctor(
        shared_doctor, request, which):
    d = request.getfixturevalue(which)
    page = page_for(shared_doctor, d.get_absolute_url())

    assert not ASK_A_DOCTOR.search(page), ASK_A_DOCTOR.search(page).group(0)
    if which == "doubtful":
        assert "more often wrong than right" in page and "reading the ECG yourself" in page
        assert "Treat it as a guess" in page


def test_the_review_page_does_not_tell_the_doctor_to_ask_a_doctor(shared_doctor, doubtful):
    page = page_for(shared_doctor, reverse("doctors:review", args=[doubtful.pk]))

    assert "more often wrong than right" in page
    assert not ASK_A_DOCTOR.search(page)


def test_a_doctors_own_upload_does_not_tell_them_to_ask_a_doctor(doctor):
    own = make_diagnosis(doctor, kind="image", label="V", low_confidence=True,
                         model_version=card_version())

    assert not ASK_A_DOCTOR.search(page_for(doctor, own.get_absolute_url()))


def test_a_doctor_awaiting_verification_still_gets_the_patients_wording(unverified_doctor):
    own = make_diagnosis(unverified_doctor, kind="image", label="V", low_confidence=True,
                         model_version=card_version())

    assert ASK_A_DOCTOR.search(page_for(unverified_doctor, own.get_absolute_url()))
