"""The usual attacks on a web site, each tried: cross-site request forgery on every form that
changes something, stored script in what people type, other people's ids, open redirects
through ?next=, and guessing (sign-in, sign-up, codes) rate limited."""
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from articles.rendering import render_markdown
from care.models import Review
from sharing.models import Share
from tests.factories import PASSWORD, logged_in_user_id, make_diagnosis

from .html_checks import inline_code

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert(1)</script><img src=x onerror="alert(2)">'


# --- CSRF ----------------------------------------------------------------------------------

def views():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.callback
    return list(walk(get_resolver().url_patterns))


# The upload view checks the body size before the CSRF token (which reads the body), then
# applies csrf_protect itself: tested below like every other form. allauth's Google one-tap
# endpoint checks Google's own double-submit token (g_csrf_token) instead.
CHECKED_INSIDE = {"diagnosis/upload/", "accounts/google/login/token/"}


def _checks_csrf_through_drf(view):
    """A REST framework view: DRF marks it exempt from Django's middleware because its
    SessionAuthentication runs the same check for requests signed in by session cookie (the
    only ones a forged cross-site request can ride on); token requests carry no cookie.
    tests/api/test_permissions.py posts without the token and is refused."""
    from rest_framework.authentication import SessionAuthentication
    from rest_framework.views import APIView

    cls = getattr(view, "cls", None)
    if cls is None or not issubclass(cls, APIView):
        return False
    return all(not issubclass(a, SessionAuthentication) or a.enforce_csrf
               is SessionAuthentication.enforce_csrf for a in cls.authentication_classes)


def test_no_view_of_the_site_turns_the_csrf_check_off():
    exempt = sorted(route for route, view in views()
                    if getattr(view, "csrf_exempt", False) and route not in CHECKED_INSIDE
                    and not _checks_csrf_through_drf(view))
    assert exempt == []


@pytest.mark.parametrize("name,args", [
    ("diagnosis:upload", []), ("diagnosis:delete", ["pk"]), ("accounts:profile", []),
    ("accounts:delete", []), ("sharing:index", []), ("account_logout", []),
    ("account_change_password", []), ("account_email", []),
])
def test_a_state_changing_post_without_the_csrf_token_is_refused(patient, name, args):
    diagnosis = make_diagnosis(patient)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(patient)
    url = reverse(name, args=[diagnosis.pk for _ in args])

    response = browser.post(url, {"first_name": "X", "email": "x@example.com"})

    assert response.status_code == 403, url
    assert Share.objects.count() == 0 and patient.diagnoses.count() == 1


def test_every_form_that_posts_carries_the_csrf_token(patient_client, patient):
    diagnosis = make_diagnosis(patient)
    for url in [reverse("diagnosis:upload"), reverse("diagnosis:delete", args=[diagnosis.pk]),
                reverse("accounts:profile"), reverse("sharing:index"), "/"]:
        page = patient_client.get(url).content.decode()
        forms = page.count('method="post"')
        assert forms and page.count('name="csrfmiddlewaretoken"') >= forms, url


# --- Stored XSS ------------------------------------------------------------------------------

def test_script_in_names_notes_and_file_names_is_shown_as_text(patient, doctor):
    patient.first_name, patient.last_name = SCRIPT, "Ient"
    patient.save()
    Share.objects.create(patient=patient, doctor=doctor, email=doctor.email, status="active",
                         token_hash="t" * 64, expires_at="2100-01-01T00:00Z")
    diagnosis = make_diagnosis(patient, original_name=SCRIPT + ".png")
    Review.objects.create(diagnosis=diagnosis, doctor=doctor, original_label="N",
                          reviewed_label="N", agrees=True, notes=SCRIPT,
                          model_version="abc123def456")
    as_patient, as_doctor = Client(), Client()
    as_patient.force_login(patient)
    as_doctor.force_login(doctor)

    for browser, url in [
        (as_patient, diagnosis.get_absolute_url()), (as_patient, reverse("diagnosis:history")),
        (as_doctor, reverse("doctors:patients")),
        (as_doctor, reverse("doctors:patient", args=[patient.pk])),
        (as_doctor, diagnosis.get_absolute_url()),
    ]:
        page = browser.get(url).content.decode()
        at = page.find("<script>alert(1)")
        assert at < 0, (url, page[max(0, at - 300):at + 100])
        assert "<img src=x" not in page, url
        assert inline_code(page) == [], url


def test_article_markdown_cannot_carry_script():
    html = render_markdown(f"# Title\n\n{SCRIPT}\n\n[x](javascript:alert(3)) "
                           '<a href="#" onclick="alert(4)">y</a> '
                           '<iframe src="https://evil"></iframe>').html
    assert inline_code(html) == []
    assert "<script" not in html and "<iframe" not in html and "javascript:" not in html


# --- Other people's ids ---------------------------------------------------------------------

def test_every_page_of_another_persons_diagnosis_is_a_404(client, patient, other_patient):
    diagnosis = make_diagnosis(patient, kind="signal", label="V")
    file = diagnosis.files.filter(role="input").first()
    client.force_login(other_patient)
    for url in [diagnosis.get_absolute_url(), reverse("diagnosis:status", args=[diagnosis.pk]),
                reverse("diagnosis:signal", args=[diagnosis.pk]),
                reverse("diagnosis:report", args=[diagnosis.pk]),
                reverse("diagnosis:delete", args=[diagnosis.pk]), file.get_absolute_url(),
                reverse("doctors:review", args=[diagnosis.pk])]:
        assert client.get(url).status_code in (404, 403), url
    assert client.post(reverse("diagnosis:delete", args=[diagnosis.pk])).status_code == 404
    assert patient.diagnoses.count() == 1


# --- Open redirects ---------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/",
                                    "/\\evil.example/", "javascript:alert(1)"])
def test_signing_in_never_redirects_off_the_site(client, patient, target):
    response = client.post(reverse("account_login") + "?next=" + target,
                           {"login": patient.email, "password": PASSWORD, "next": target})

    assert response.status_code == 302 and logged_in_user_id(client) == patient.pk
    assert response["Location"].startswith("/") and not response["Location"].startswith("//")
    assert "evil" not in response["Location"] and "javascript" not in response["Location"]


# --- Guessing -----------------------------------------------------------------------------------

def test_sign_up_is_rate_limited_per_address(client):
    for i in range(20):
        client.post(reverse("account_signup"), {"email": f"n{i}@example.com",
                                                "password1": "x", "password2": "x"})
    response = client.post(reverse("account_signup"), {"email": "last@example.com",
                                                       "password1": "x", "password2": "x"})
    assert response.status_code == 429


def test_sign_in_is_rate_limited_per_address(client, patient):
    for _ in range(30):
        client.get(reverse("account_login"))
        client.post(reverse("account_login"), {"login": f"x{_}@example.com", "password": "x"})
    response = client.post(reverse("account_login"), {"login": patient.email,
                                                      "password": PASSWORD})
    assert response.status_code == 429 or "Too many" in response.content.decode()
    assert logged_in_user_id(client) is None
