"""The account's "E-mail notices" page, and the notice a doctor gets when an administrator
verifies them."""
import logging

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import admin_login, make_user

pytestmark = pytest.mark.django_db

NOTICES = reverse("accounts:notifications")


def fields_on(client):
    page = client.get(NOTICES)
    assert page.status_code == 200
    return {name for name in ("email_reviews", "email_patient_results", "email_doctor_verified")
            if f'name="{name}"' in page.content.decode()}


def test_every_notice_is_on_for_a_new_account(patient):
    assert patient.email_reviews and patient.email_patient_results
    assert patient.email_doctor_verified


def test_each_person_is_offered_the_notices_that_can_concern_them(client, patient,
                                                                  unverified_doctor, doctor):
    client.force_login(patient)
    assert fields_on(client) == {"email_reviews"}
    client.force_login(unverified_doctor)
    assert fields_on(client) == {"email_reviews", "email_patient_results",
                                 "email_doctor_verified"}
    client.force_login(doctor)
    assert fields_on(client) == {"email_reviews", "email_patient_results"}


def test_a_doctor_turns_notices_off_and_on_again(client, doctor):
    client.force_login(doctor)

    response = client.post(NOTICES, {"email_reviews": "on"})
    assert response.status_code == 302
    doctor.refresh_from_db()
    assert doctor.email_reviews and not doctor.email_patient_results

    client.post(NOTICES, {"email_reviews": "on", "email_patient_results": "on"})
    doctor.refresh_from_db()
    assert doctor.email_patient_results


def test_a_patient_saving_the_page_leaves_the_doctor_notices_alone(client, patient):
    client.force_login(patient)

    client.post(NOTICES, {})

    patient.refresh_from_db()
    assert not patient.email_reviews
    assert patient.email_patient_results and patient.email_doctor_verified


def test_the_page_needs_a_signed_in_user_and_is_in_the_account_menu(client, patient):
    assert client.get(NOTICES).status_code == 302
    client.force_login(patient)
    assert f'href="{NOTICES}"' in client.get(reverse("accounts:profile")).content.decode()


def verify(client, staff, user, callbacks):
    admin_login(client, staff)
    with callbacks(execute=True):
        return client.post(reverse("admin:accounts_user_changelist"), {
            "action": "verify_doctors", "_selected_action": [user.pk]})


def test_a_verified_doctor_is_told_by_email(client, staff, django_capture_on_commit_callbacks,
                                            settings):
    asking = make_user("asking@example.com", role="doctor", first_name="Ann")

    verify(client, staff, asking, django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.to == ["asking@example.com"]
    assert message.subject.endswith("Your doctor account is verified")
    assert f"http://{settings.SITE_DOMAIN}{reverse('accounts:doctor_status')}" in message.body
    assert "Hello Ann," in message.body


def test_no_mail_for_a_doctor_who_turned_it_off(client, staff,
                                                django_capture_on_commit_callbacks):
    asking = make_user("asking@example.com", role="doctor", email_doctor_verified=False)

    verify(client, staff, asking, django_capture_on_commit_callbacks)

    asking.refresh_from_db()
    assert asking.is_verified_doctor and mail.outbox == []


def test_a_mail_server_that_is_down_does_not_stop_the_verification(
        client, staff, settings, django_capture_on_commit_callbacks, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    asking = make_user("asking@example.com", role="doctor")

    with caplog.at_level(logging.ERROR, logger="accounts.notifications"):
        response = verify(client, staff, asking, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    asking.refresh_from_db()
    assert asking.is_verified_doctor
    assert "doctor_verified notice to user" in caplog.text
