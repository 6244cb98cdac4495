"""Sharing by invitation: a patient invites a doctor by e-mail, a verified doctor accepts
with the link (once, before it expires, signed in with the invited address), and the
patient can revoke at any time with immediate effect."""
import re
import smtplib
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sharing import invitations
from sharing.models import Share
from tests.factories import (
    DOCTOR_DETAILS,
    PASSWORD,
    code_in,
    logged_in_user_id,
    make_user,
    share_between,
)

pytestmark = pytest.mark.django_db

LINK_RE = re.compile(r"http://testserver(/sharing/invitations/[^/\s]+/)")


def invite(client, email):
    return client.post(reverse("sharing:index"), {"email": email})


def link_in(message):
    match = LINK_RE.search(message.body)
    assert match, message.body
    return match.group(1)


def test_a_patient_invites_a_known_doctor_who_accepts_and_then_sees_the_results(
        patient_client, patient, doctor, signal_diagnosis):
    client = Client()
    response = invite(patient_client, "Doctor@Example.com ")

    assert response.status_code == 302
    share = Share.objects.get(patient=patient)
    assert (share.status, share.email, share.doctor) == ("pending", "doctor@example.com", None)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["doctor@example.com"]
    assert "Pat Ient" in mail.outbox[0].subject
    path = link_in(mail.outbox[0])
    assert share.token_hash not in path  # only the hash is stored, never the token

    client.force_login(doctor)
    assert client.get(signal_diagnosis.get_absolute_url()).status_code == 404
    page = client.get(path)
    assert page.status_code == 200 and "Accept" in page.content.decode()

    response = client.post(path, {"action": "accept"})

    assert response.status_code == 302
    assert response["Location"] == reverse("doctors:patient", args=[patient.pk])
    share.refresh_from_db()
    assert (share.status, share.doctor) == ("active", doctor)
    assert client.get(signal_diagnosis.get_absolute_url()).status_code == 200


def test_the_patient_sees_pending_active_and_revoked_shares(patient_client, patient, doctor,
                                                            stranger_doctor):
    share_between(patient, doctor)
    invite(patient_client, "someone@clinic.example")
    ended = share_between(patient, stranger_doctor)
    invitations.revoke(patient, ended.pk)

    page = patient_client.get(reverse("sharing:index")).content.decode()

    assert "doctor@example.com" in page and "Sharing" in page
    assert "someone@clinic.example" in page and "Invitation sent" in page
    assert "stranger@example.com" in page and "Revoked" in page


def test_an_unknown_address_gets_an_invitation_to_sign_up_as_a_doctor_and_can_accept_once_verified(  # noqa: E501
        patient_client, patient, signal_diagnosis):
    client = Client()
    invite(patient_client, "dr.new@clinic.example")
    message = mail.outbox[0]
    path = link_in(message)
    assert "You do not have an account" in message.body
    assert "/accounts/signup/?next=" + path in message.body

    # Not signed in: the link explains and offers sign-in and sign-up, coming back here.
    page = client.get(path).content.decode()
    assert "Create an account" in page and "signup/?next=" + path in page

    # Sign up with the invited address and confirm it with the e-mailed code.
    signup = reverse("account_signup") + "?next=" + path
    client.post(signup, {"email": "dr.new@clinic.example", "password1": PASSWORD,
                         "password2": PASSWORD, "next": path})
    response = client.post(reverse("account_email_verification_sent"),
                           {"code": code_in(mail.outbox[-1])})
    user = get_user_model().objects.get(email="dr.new@clinic.example")
    assert logged_in_user_id(client) == user.pk
    assert response["Location"] == path

    # A patient account: told why, and can ask to become a doctor from here.
    response = client.post(path, {"action": "accept"})
    assert response.status_code == 403 and "patient account" in response.content.decode()
    client.post(reverse("sharing:request_doctor", args=[path.split("/")[-2]]), DOCTOR_DETAILS)
    user.refresh_from_db()
    assert user.is_awaiting_doctor_verification

    # Awaiting verification: still refused, with the reason.
    response = client.post(path, {"action": "accept"})
    assert response.status_code == 403 and "awaiting verification" in response.content.decode()
    assert Share.objects.get(patient=patient).status == "pending"

    user.verify_as_doctor()  # what the administrators' "verify" action does
    response = client.post(path, {"action": "accept"})

    assert response.status_code == 302
    assert Share.objects.get(patient=patient).doctor == user
    assert client.get(signal_diagnosis.get_absolute_url()).status_code == 200


def test_an_unverified_doctor_cannot_accept_and_sees_why(client, patient, unverified_doctor):
    share, path = pending_with_token(patient, unverified_doctor.email)
    client.force_login(unverified_doctor)

    page = client.get(path)
    response = client.post(path, {"action": "accept"})

    assert page.status_code == 403 and response.status_code == 403
    assert "awaiting verification by an administrator" in response.content.decode()
    share.refresh_from_db()
    assert share.status == "pending" and share.doctor is None


def pending_with_token(patient, email):
    from sharing.models import hash_token

    token = f"token-{email}"
    share = Share.objects.create(patient=patient, email=email, token_hash=hash_token(token),
                                 expires_at=timezone.now() + timedelta(days=14))
    return share, reverse("sharing:invitation", args=[token])


def test_a_link_works_only_once(client, patient, doctor):
    share, path = pending_with_token(patient, doctor.email)
    client.force_login(doctor)
    assert client.post(path, {"action": "accept"}).status_code == 302

    # The same doctor again: told it is done. Anybody else with the link: gone.
    again = client.get(path)
    assert again.status_code == 302 and again["Location"].endswith(f"/patients/{patient.pk}/")
    other = make_user("doctor2@example.com", role="doctor", verified_doctor=True)
    EmailAddress.objects.create(user=other, email="alias@example.com", verified=True)
    client.force_login(other)
    response = client.post(path, {"action": "accept"})
    assert response.status_code == 410 and "already been accepted" in response.content.decode()
    share.refresh_from_db()
    assert share.doctor == doctor


def test_an_expired_link_cannot_be_accepted(client, patient, doctor):
    share, path = pending_with_token(patient, doctor.email)
    Share.objects.filter(pk=share.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(doctor)

    response = client.post(path, {"action": "accept"})

    assert response.status_code == 410 and "expired" in response.content.decode()
    assert Share.objects.get(pk=share.pk).status == "pending"
    assert not Share.objects.active().exists()


def test_invitations_expire_after_fourteen_days(patient_client, patient):
    invite(patient_client, "doc@clinic.example")
    share = Share.objects.get()
    assert share.expires_at - share.sent_at == timedelta(days=14)


def test_sending_again_replaces_the_link(patient_client, patient, doctor):
    client = Client()
    invite(patient_client, doctor.email)
    first = link_in(mail.outbox[0])
    response = invite(patient_client, doctor.email)
    second = link_in(mail.outbox[1])

    assert response.status_code == 302 and first != second
    assert Share.objects.filter(patient=patient).count() == 1
    client.force_login(doctor)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_an_unknown_token_is_a_404(client, doctor):
    client.force_login(doctor)
    response = client.get(reverse("sharing:invitation", args=["not-a-real-token"]))
    assert response.status_code == 404 and "not valid" in response.content.decode()


def test_a_link_forwarded_to_another_doctor_does_not_work_for_them(client, patient, doctor,
                                                                   stranger_doctor):
    share, path = pending_with_token(patient, doctor.email)
    client.force_login(stranger_doctor)

    response = client.post(path, {"action": "accept"})

    assert response.status_code == 403 and "doctor@example.com" in response.content.decode()
    assert Share.objects.get(pk=share.pk).status == "pending"


def test_a_patient_cannot_share_with_themselves(patient_client, patient):
    EmailAddress.objects.create(user=patient, email="pat.work@example.com", verified=True)
    for address in (patient.email, "PAT.WORK@example.com"):
        response = invite(patient_client, address)
        assert response.status_code == 400
        assert "your own address" in response.content.decode()
    assert not Share.objects.exists() and not mail.outbox


def test_the_patient_cannot_accept_their_own_invitation(client, patient):
    share, path = pending_with_token(patient, "someone@example.com")
    client.force_login(patient)
    response = client.post(path, {"action": "accept"})
    assert response.status_code == 403
    assert Share.objects.get(pk=share.pk).status == "pending"


def test_inviting_a_doctor_already_shared_with_is_refused(patient_client, patient, doctor):
    share_between(patient, doctor)
    response = invite(patient_client, doctor.email)
    assert response.status_code == 400 and "already share" in response.content.decode()
    assert Share.objects.count() == 1


def test_revoking_ends_access_with_the_very_next_request(patient_client, patient,
                                                         shared_doctor, signal_diagnosis):
    client = Client()
    client.force_login(shared_doctor)
    assert client.get(signal_diagnosis.get_absolute_url()).status_code == 200
    share = Share.objects.get(patient=patient, doctor=shared_doctor)

    response = patient_client.post(reverse("sharing:revoke", args=[share.pk]), {"confirm": "yes"})

    assert response.status_code == 302
    share.refresh_from_db()
    assert share.status == "revoked" and share.ended_at is not None
    for url in (signal_diagnosis.get_absolute_url(), f"/doctors/patients/{patient.pk}/",
                signal_diagnosis.input_files[0].get_absolute_url()):
        assert client.get(url).status_code == 404, url


def test_withdrawing_an_invitation_kills_its_link(patient_client, patient, doctor):
    client = Client()
    share, path = pending_with_token(patient, doctor.email)
    patient_client.post(reverse("sharing:revoke", args=[share.pk]), {"confirm": "yes"})
    client.force_login(doctor)
    response = client.post(path, {"action": "accept"})
    assert response.status_code == 410
    assert not Share.objects.active().exists()


def test_nobody_else_can_revoke_a_patients_share(client, patient, shared_doctor, other_patient):
    share = Share.objects.get(patient=patient)
    for user in (other_patient, shared_doctor):
        client.force_login(user)
        client.post(reverse("sharing:revoke", args=[share.pk]), {"confirm": "yes"})
    share.refresh_from_db()
    assert share.status == "active"


def test_a_doctor_can_decline(client, patient, doctor):
    share, path = pending_with_token(patient, doctor.email)
    client.force_login(doctor)
    client.post(path, {"action": "decline"})
    share.refresh_from_db()
    assert share.status == "declined"
    assert not Share.objects.active().exists()


def test_a_verified_doctor_sees_and_accepts_invitations_in_the_workspace(client, patient,
                                                                         doctor):
    share, _ = pending_with_token(patient, doctor.email)
    client.force_login(doctor)
    page = client.get(reverse("doctors:patients")).content.decode()
    assert "Invitations waiting for you" in page and "Pat Ient" in page

    client.post(reverse("doctors:answer_invitation", args=[share.pk]), {"action": "accept"})

    share.refresh_from_db()
    assert (share.status, share.doctor) == ("active", doctor)


def test_a_doctor_cannot_accept_an_invitation_sent_to_someone_else_from_the_workspace(
        client, patient, stranger_doctor, doctor):
    share, _ = pending_with_token(patient, doctor.email)
    client.force_login(stranger_doctor)
    response = client.post(reverse("doctors:answer_invitation", args=[share.pk]),
                           {"action": "accept"})
    assert response.status_code == 404
    assert Share.objects.get(pk=share.pk).status == "pending"


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("the mail server went away")


def test_when_the_email_cannot_be_sent_no_invitation_is_left_behind(patient_client, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    response = invite(patient_client, "doc@clinic.example")
    assert response.status_code == 400
    assert "could not be sent" in response.content.decode()
    assert not Share.objects.exists()


def test_a_patient_cannot_send_endless_invitations(patient_client, patient):
    for i in range(invitations.INVITATIONS_PER_DAY):
        assert invite(patient_client, f"doc{i}@clinic.example").status_code == 302
    response = invite(patient_client, "one-more@clinic.example")
    assert response.status_code == 400 and "try again tomorrow" in response.content.decode()
    assert Share.objects.count() == invitations.INVITATIONS_PER_DAY
