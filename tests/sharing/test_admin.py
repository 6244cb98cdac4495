"""The administration pages of the sharing app: the access log (read-only) and shares."""
import pytest
from django.test import Client
from django.urls import reverse

from sharing.models import AuditLog
from tests.factories import share_between

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(patient, shared_doctor, signal_diagnosis):
    doctor_browser = Client()
    doctor_browser.force_login(shared_doctor)
    doctor_browser.get(signal_diagnosis.get_absolute_url())
    return AuditLog.objects.get()


def test_the_access_log_is_read_only_even_for_superusers(admin_client, entry):
    changelist = reverse("admin:sharing_auditlog_changelist")
    page = admin_client.get(changelist)
    assert page.status_code == 200 and "doctor@example.com" in page.content.decode()
    assert admin_client.get(reverse("admin:sharing_auditlog_add")).status_code == 403
    assert admin_client.get(reverse("admin:sharing_auditlog_delete", args=[entry.pk])
                            ).status_code == 403
    detail = admin_client.get(reverse("admin:sharing_auditlog_change", args=[entry.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    response = admin_client.post(reverse("admin:sharing_auditlog_change", args=[entry.pk]),
                                 {"viewer_email": "someone@else.example"})
    assert response.status_code == 403
    bulk = admin_client.post(changelist, {"action": "delete_selected",
                                          "_selected_action": [entry.pk]})
    assert bulk.status_code in (200, 302)
    entry.refresh_from_db()
    assert entry.viewer_email == "doctor@example.com"
    assert AuditLog.objects.count() == 1


def test_the_access_log_can_be_searched_and_filtered(admin_client, entry):
    url = reverse("admin:sharing_auditlog_changelist")
    assert list(admin_client.get(url, {"q": "patient@example.com"}).context["cl"].result_list) \
        == [entry]
    assert not admin_client.get(url, {"viewer_role__exact": "staff"}).context["cl"].result_list
    assert list(admin_client.get(url, {"viewer_role__exact": "doctor"}).context["cl"]
                .result_list) == [entry]


def test_shares_are_listed_for_staff_and_not_added_by_hand(admin_client, patient, doctor):
    share_between(patient, doctor)
    shares = admin_client.get(reverse("admin:sharing_share_changelist"), {"q": "doctor@"})
    assert "patient@example.com" in shares.content.decode()
    assert admin_client.get(reverse("admin:sharing_share_add")).status_code == 403
