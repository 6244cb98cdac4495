"""E-mail notices of the doctors' workspace: to the doctors a patient shares with when an
upload of theirs has been analysed, to the patient when a doctor posts a review. Sent after
the commit, only while the person wants them, never breaking the worker or the request, with
a link and no finding or patient name, and with single-line headers."""
import logging

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse

from care.models import Review
from diagnosis.models import Diagnosis
from sharing import invitations
from tests.factories import make_diagnosis, make_user, share_between

pytestmark = pytest.mark.django_db

# Nothing listens on port 9 here: a real SMTP connection to it is refused at once.
CLOSED_PORT = 9


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", CLOSED_PORT
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


def finish(diagnosis, failed=False):
    """What the worker does at the end of a run: claim, then write the outcome."""
    token = Diagnosis.objects.claim(diagnosis.pk)
    assert token is not None
    if failed:
        return diagnosis.mark_failed(token, "This file is not an ECG.")
    return diagnosis.mark_done(token, label="V", confidence=0.9, model_version="m1")


@pytest.fixture
def upload(patient):
    return make_diagnosis(patient, kind="image", status="queued")


# --- To the doctor: a patient's upload has been analysed ----------------------------------


@pytest.mark.parametrize("failed", [False, True])
def test_the_doctor_hears_of_a_finished_upload_after_the_commit(
        shared_doctor, upload, django_capture_on_commit_callbacks, settings, failed):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert finish(upload, failed)
        assert mail.outbox == []  # nothing before the commit
    assert callbacks

    [message] = mail.outbox
    assert message.to == [shared_doctor.email]
    link = f"http://{settings.SITE_DOMAIN}" + reverse("doctors:review", args=[upload.pk])
    assert link in message.body
    assert "new ECG result" in message.subject
    assert reverse("accounts:notifications") in message.body


def test_the_doctors_mail_names_neither_the_patient_nor_the_finding(
        shared_doctor, patient, upload, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        finish(upload)

    [message] = mail.outbox
    text = message.subject + message.body
    for private in (patient.first_name, patient.last_name, patient.email, "Ventricular",
                    "PVC", "beat.png"):
        assert private not in text


def test_a_rolled_back_finish_sends_nothing(shared_doctor, upload,
                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            finish(upload)
            raise RuntimeError("the result could not be stored")

    assert mail.outbox == []
    assert Diagnosis.objects.get(pk=upload.pk).status == "queued"


def test_only_the_doctors_the_patient_shares_with_now_and_who_want_it_hear_of_it(
        patient, upload, django_capture_on_commit_callbacks):
    wanting = make_user("wants@example.com", role="doctor", verified_doctor=True)
    share_between(patient, wanting)
    quiet = make_user("quiet@example.com", role="doctor", verified_doctor=True,
                      email_patient_results=False)
    share_between(patient, quiet)
    former = make_user("former@example.com", role="doctor", verified_doctor=True)
    invitations.revoke(patient, share_between(patient, former).pk)
    unverified = make_user("unverified@example.com", role="doctor")
    share_between(patient, unverified)
    elsewhere = make_user("elsewhere@example.com", role="doctor", verified_doctor=True)
    share_between(make_user("someone@example.com"), elsewhere)

    with django_capture_on_commit_callbacks(execute=True):
        finish(upload)

    assert [m.to for m in mail.outbox] == [["wants@example.com"]]


def test_a_mail_server_that_is_down_does_not_break_the_worker(
        shared_doctor, upload, mail_server_down, django_capture_on_commit_callbacks, caplog):
    with caplog.at_level(logging.ERROR, logger="accounts.notifications"), \
            django_capture_on_commit_callbacks(execute=True):
        assert finish(upload) is True

    assert Diagnosis.objects.get(pk=upload.pk).status == "done"
    assert "care/email/new_result notice to user" in caplog.text


# --- To the patient: a doctor reviewed a result -------------------------------------------


def post_review(doctor, diagnosis, callbacks, **data):
    client = Client()
    client.force_login(doctor)
    with callbacks(execute=True):
        return client.post(reverse("doctors:review", args=[diagnosis.pk]), data)


@pytest.fixture
def result(patient):
    return make_diagnosis(patient, kind="signal", label="V")


def test_the_patient_hears_of_a_review_with_a_link_and_no_finding(
        patient, result, django_capture_on_commit_callbacks, settings):
    doctor = make_user("ann@example.com", role="doctor", verified_doctor=True,
                       first_name="Ann", last_name="Smith")
    share_between(patient, doctor)

    response = post_review(doctor, result, django_capture_on_commit_callbacks,
                           verdict="correct", label="A", notes="Atrial beats, nothing to fear.")

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [patient.email]
    assert message.subject.endswith("Ann Smith reviewed your ECG result")
    assert f"http://{settings.SITE_DOMAIN}{result.get_absolute_url()}" in message.body
    for private in ("Atrial", "nothing to fear", "Ventricular", "PVC"):
        assert private not in message.subject + message.body


def test_saving_the_same_review_again_sends_nothing_new(
        patient, result, shared_doctor, django_capture_on_commit_callbacks):
    post_review(shared_doctor, result, django_capture_on_commit_callbacks, verdict="agree")
    post_review(shared_doctor, result, django_capture_on_commit_callbacks, verdict="agree")
    assert len(mail.outbox) == 1

    post_review(shared_doctor, result, django_capture_on_commit_callbacks, verdict="agree",
                notes="Please book a Holter.")
    assert len(mail.outbox) == 2


def test_a_patient_who_turned_it_off_gets_no_review_mail(
        patient, result, shared_doctor, django_capture_on_commit_callbacks):
    patient.email_reviews = False
    patient.save()

    post_review(shared_doctor, result, django_capture_on_commit_callbacks, verdict="agree")

    assert Review.objects.exists() and mail.outbox == []


def test_a_line_break_in_the_doctors_name_adds_no_header(
        patient, result, django_capture_on_commit_callbacks):
    doctor = make_user("evil@example.com", role="doctor", verified_doctor=True,
                       first_name="Eve\r\nBcc: victim@example.com", last_name="\nX")
    share_between(patient, doctor)

    response = post_review(doctor, result, django_capture_on_commit_callbacks, verdict="agree")

    assert response.status_code == 302
    [message] = mail.outbox
    assert "\r" not in message.subject and "\n" not in message.subject
    assert "Eve Bcc: victim@example.com X reviewed" in message.subject
    assert message.recipients() == [patient.email]
    headers = message.message()
    assert headers["Bcc"] is None and headers.get_all("To") == [patient.email]


def test_a_mail_server_that_is_down_does_not_break_the_review(
        patient, result, shared_doctor, mail_server_down, django_capture_on_commit_callbacks,
        caplog):
    with caplog.at_level(logging.ERROR, logger="accounts.notifications"):
        response = post_review(shared_doctor, result, django_capture_on_commit_callbacks,
                               verdict="agree")

    assert response.status_code == 302
    assert Review.objects.filter(diagnosis=result).exists()
    assert "care/email/review notice to user" in caplog.text
