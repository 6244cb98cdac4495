"""Issue 16, defect 9's list: a person named once, one name per class, staff not counted as
patients, distinct admin section headings, confidence as a percentage and times with their
time zone in the admin, "Sign up" (not "Sign in") marked on the sign-up page, and "Stop
sharing" that asks first."""
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from diagnosis.presenters import percent_text
from metrics import figures
from sharing.models import Share
from tests.diagnosis.html_tree import parse
from tests.diagnosis.test_result_page import pdf_text
from tests.factories import make_diagnosis, make_user, share_between
from tests.sharing.test_invitations import pending_with_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def nameless(db):
    """A patient who gave no name: the address is their name on every page."""
    return make_user("nameless@example.com")


def test_a_person_without_a_name_is_named_once(client, nameless, doctor):
    assert (nameless.display_name, nameless.email_if_named, nameless.name_and_email) == (
        "nameless@example.com", "", "nameless@example.com")
    share_between(nameless, doctor)
    client.force_login(nameless)
    pdf = pdf_text(client.get(f"/diagnosis/{make_diagnosis(nameless).pk}/report.pdf").content)
    client.force_login(doctor)
    patients = client.get(reverse("doctors:patients")).content.decode()
    patient = client.get(reverse("doctors:patient", args=[nameless.pk])).content.decode()

    assert "nameless@example.com \\(nameless@example.com\\)" not in pdf
    assert "nameless@example.com" in pdf
    assert patients.count("nameless@example.com") == 1
    assert patient.count("nameless@example.com") == 2  # the title and the heading, no more


def test_a_named_person_is_shown_with_the_address_beside_the_name(patient):
    assert patient.name_and_email == "Pat Ient (patient@example.com)"


def test_the_invitation_page_names_a_nameless_patient_once(client, nameless, doctor):
    _, path = pending_with_token(nameless, doctor.email)
    client.force_login(doctor)

    page = client.get(path).content.decode()

    assert "nameless@example.com</strong> (nameless@example.com)" not in page
    assert "nameless@example.com</strong> invites" in page


def test_a_superuser_is_not_counted_as_a_patient(patient, staff):
    assert staff.role == "patient" and staff.is_superuser  # as createsuperuser makes one

    counts = figures.users_by_role()

    assert counts["patients"] == 1 and counts["staff"] == 1


def test_the_admin_index_has_no_two_sections_with_one_heading(admin_client):
    page = admin_client.get("/admin/").content.decode()

    headings = [h.strip().lower() for h in re.findall(r"<caption>\s*<a[^>]*>([^<]+)</a>", page)]
    assert headings and len(headings) == len(set(headings)), headings


def test_the_admin_shows_confidence_as_a_percentage_and_times_with_their_zone(admin_client,
                                                                             patient):
    d = make_diagnosis(patient, confidence=0.9828814814814815)

    listing = admin_client.get("/admin/diagnosis/diagnosis/").content.decode()
    detail = admin_client.get(f"/admin/diagnosis/diagnosis/{d.pk}/change/").content.decode()

    for page in (listing, detail):
        assert "98.3%" in page and "0.98288" not in page
        assert "UTC" in page


@pytest.mark.parametrize(("share", "text"), [(0.9828814814814815, "98.3%"),
                                             (0.99996, "99.9%"), (1.0, "100.0%"),
                                             (None, "-")])
def test_percentages_round_sensibly(share, text):
    assert percent_text(share) == text


def test_every_time_a_template_shows_names_its_time_zone():
    untimed = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for fmt in re.findall(r'date:"([^"]*)"', path.read_text(encoding="utf-8")):
            if "H:i" in fmt and not fmt.rstrip().endswith("T"):
                untimed.append(f"{path.name}: {fmt}")
    assert not untimed


def test_the_history_shows_upload_times_with_their_zone(patient_client, patient):
    make_diagnosis(patient)

    cell = parse(patient_client.get("/diagnosis/history/").content.decode()).find(
        "td", **{"data-label": "Uploaded"})

    assert " ".join(cell.all_text()).endswith("UTC")


def test_the_sign_up_page_marks_sign_up_not_sign_in(client):
    tree = parse(client.get(reverse("account_signup")).content.decode())

    current = [" ".join(a.all_text()) for a in tree.find_all("a")
               if a.attrs.get("aria-current") == "page"]
    assert current == ["Sign up"]


def test_stop_sharing_asks_first_and_only_a_confirmed_post_ends_it(patient_client, patient,
                                                                   shared_doctor):
    share = Share.objects.get(patient=patient, doctor=shared_doctor)
    url = reverse("sharing:revoke", args=[share.pk])

    listing = patient_client.get(reverse("sharing:index")).content.decode()
    asked = patient_client.get(url)
    unconfirmed = patient_client.post(url)
    share.refresh_from_db()
    assert f'href="{url}"' in listing
    assert asked.status_code == 200 and "Stop sharing with" in asked.content.decode()
    assert unconfirmed.status_code == 200 and share.status == "active"

    done = patient_client.post(url, {"confirm": "yes"})

    share.refresh_from_db()
    assert done.status_code == 302 and share.status == "revoked"


def test_class_names_are_the_registrys_singular_names_on_the_pages_that_read_the_card(
        client, admin_client, settings):
    from ml.predictor import DEFAULT_MODEL_DIR
    from ml.registry import CLASSES

    settings.ECG_MODEL_DIR = str(DEFAULT_MODEL_DIR)
    pages = [client.get(reverse("about")).content.decode(),
             admin_client.get("/metrics/").content.decode()]

    for page in pages:
        assert "Premature Ventricular Contractions" not in page
        assert all(c.name in page for c in CLASSES)
