"""A strict Content-Security-Policy on every page, and pages that satisfy it: no inline
script, event handler or style anywhere (a browser would refuse them), and nothing loaded from
another origin. The browser tests check the console as well."""
import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from sharing.models import Share
from tests.factories import make_diagnosis

from .html_checks import inline_code

pytestmark = pytest.mark.django_db


def policy_of(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_html_pages_carry_a_strict_policy(client):
    policy = policy_of(client.get("/"))

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in str(policy) and "'unsafe-eval'" not in str(policy)


def test_an_uploaded_file_keeps_its_own_sandboxing_policy(patient_client, patient):
    diagnosis = make_diagnosis(patient)
    stored = diagnosis.files.get()

    response = patient_client.get(stored.get_absolute_url())

    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.fixture
def pages(patient, doctor):
    """(client, url) for every kind of HTML page the site serves to people."""
    Share.objects.create(patient=patient, doctor=doctor, email=doctor.email,
                         status=Share.Status.ACTIVE, token_hash="x" * 64,
                         expires_at="2100-01-01T00:00Z")
    image = make_diagnosis(patient)
    signal = make_diagnosis(patient, kind="signal", label="V")
    queued = make_diagnosis(patient, status="queued")
    failed = make_diagnosis(patient, status="failed")
    anonymous, as_patient, as_doctor = Client(), Client(), Client()
    as_patient.force_login(patient)
    as_doctor.force_login(doctor)
    article = Article.objects.first()
    urls = [
        (anonymous, "/"), (anonymous, reverse("about")), (anonymous, reverse("info")),
        (anonymous, reverse("articles:index")), (anonymous, article.get_absolute_url()),
        (anonymous, reverse("account_login")), (anonymous, reverse("account_signup")),
        (anonymous, reverse("account_reset_password")), (anonymous, "/no-such-page/"),
        (as_patient, reverse("diagnosis:upload")), (as_patient, reverse("diagnosis:history")),
        (as_patient, image.get_absolute_url()), (as_patient, signal.get_absolute_url()),
        (as_patient, queued.get_absolute_url()), (as_patient, failed.get_absolute_url()),
        (as_patient, reverse("diagnosis:delete", args=[image.pk])),
        (as_patient, reverse("sharing:index")), (as_patient, reverse("sharing:access_log")),
        (as_patient, reverse("accounts:profile")), (as_patient, reverse("accounts:delete")),
        (as_patient, reverse("account_email")), (as_patient, reverse("account_change_password")),
        (as_patient, reverse("mfa_index")), (as_patient, reverse("doctors:patients")),
        (as_doctor, reverse("doctors:patients")),
        (as_doctor, reverse("doctors:patient", args=[patient.pk])),
        (as_doctor, reverse("doctors:review", args=[signal.pk])),
        (as_doctor, signal.get_absolute_url()), (as_doctor, reverse("accounts:doctor_status")),
    ]
    return urls


def test_every_page_works_without_inline_code(pages):
    problems = {}
    for client, url in pages:
        response = client.get(url)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        assert "Content-Security-Policy" in response, url
        found = inline_code(response.content.decode())
        if found:
            problems[url] = found
    assert not problems, problems


def test_the_checker_finds_what_a_browser_would_block():
    page = ('<p style="color:red" onclick="x()">a</p><style>p{}</style><script>alert(1)'
            '</script><a href="javascript:alert(1)">b</a><script type="application/json">{}'
            '</script><script src="/static/js/site.js"></script>')

    assert inline_code(page) == [
        "<p style=...> (inline style)", "<p onclick=...> (inline event handler)",
        "<style> element", "inline <script>", "<a href=javascript:...>",
    ]


def test_the_colours_of_the_classes_are_a_stylesheet_of_the_site(client):
    page = client.get("/").content.decode()
    assert "<style" not in page
    response = client.get(reverse("class_colours"))
    assert response["Content-Type"].startswith("text/css")
    assert ":root{--class-" in response.content.decode()
