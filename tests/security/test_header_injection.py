"""A line break in a person's name never reaches an e-mail header."""
import pytest
from django.core import mail

pytestmark = pytest.mark.django_db


def test_an_invitation_from_a_patient_whose_name_holds_a_line_break_is_sent(patient_client,
                                                                            patient):
    patient.first_name = "Pat\r\nBcc: victim@example.com"
    patient.save()

    response = patient_client.post("/sharing/", {"email": "doc@clinic.example"})

    assert response.status_code == 302
    [message] = mail.outbox
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.subject.endswith("Pat Bcc: victim@example.com Ient invites you to review "
                                    "their ECG results")
    assert message.to == ["doc@clinic.example"] and not message.bcc


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_the_profile_refuses_a_name_with_a_line_break(patient_client, patient, field):
    data = {"first_name": "Pat", "last_name": "Ient", "role": "patient", field: "A\r\nB"}

    response = patient_client.post("/accounts/profile/", data)

    assert response.status_code == 200
    assert "letters, spaces and punctuation only" in response.content.decode()
    patient.refresh_from_db()
    assert (patient.first_name, patient.last_name) == ("Pat", "Ient")
