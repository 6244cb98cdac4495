"""The administration pages of the care app: reviews, and what care adds to the diagnosis
admin."""
import pytest
from django.urls import reverse

from care.models import Review
from tests.factories import admin_login, make_diagnosis

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff):
    return admin_login(client, staff)


def test_diagnoses_can_be_filtered_by_review(admin_client, patient, doctor):
    reviewed, corrected, plain = (make_diagnosis(patient) for _ in range(3))
    Review.objects.create(diagnosis=reviewed, doctor=doctor, original_label="N",
                          reviewed_label="N", agrees=True)
    Review.objects.create(diagnosis=corrected, doctor=doctor, original_label="N",
                          reviewed_label="V", agrees=False)
    url = reverse("admin:diagnosis_diagnosis_changelist")

    def listed(state):
        response = admin_client.get(url, {"review": state})
        return {d.pk for d in response.context["cl"].result_list}

    assert listed("none") == {plain.pk}
    assert listed("agreed") == {reviewed.pk}
    assert listed("corrected") == {corrected.pk}


def test_the_diagnosis_admin_shows_reviews_without_being_replaced(admin_client, patient,
                                                                  doctor):
    from django.contrib import admin

    from diagnosis.admin import DiagnosisAdmin
    from diagnosis.models import Diagnosis

    d = make_diagnosis(patient, label="V")
    Review.objects.create(diagnosis=d, doctor=doctor, original_label="V", reviewed_label="A",
                          agrees=False, notes="looks atrial to me")

    page = admin_client.get(reverse("admin:diagnosis_diagnosis_change", args=[d.pk]))

    assert type(admin.site._registry[Diagnosis]) is DiagnosisAdmin
    assert page.status_code == 200 and "looks atrial to me" in page.content.decode()


def test_reviews_are_listed_for_staff(admin_client, patient, doctor, signal_diagnosis):
    Review.objects.create(diagnosis=signal_diagnosis, doctor=doctor, original_label="V",
                          reviewed_label="A", agrees=False, notes="atrial")
    reviews = admin_client.get(reverse("admin:care_review_changelist"), {"agrees__exact": "0"})
    assert f"Diagnosis {signal_diagnosis.pk}" in reviews.content.decode()
    assert admin_client.get(reverse("admin:care_review_add")).status_code == 403
