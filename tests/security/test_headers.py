"""Security headers on every response, private pages kept out of caches, and secure cookies in
production."""
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import make_diagnosis

pytestmark = pytest.mark.django_db


def test_every_page_sends_the_security_headers(client):
    response = client.get("/")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]


def test_pages_for_a_signed_in_person_are_never_stored(patient_client, patient):
    diagnosis = make_diagnosis(patient)
    for url in [reverse("diagnosis:history"), reverse("accounts:profile"),
                reverse("sharing:index"), reverse("diagnosis:upload"), "/",
                diagnosis.get_absolute_url()]:
        cache_control = patient_client.get(url)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, url


def test_public_pages_for_anonymous_visitors_may_be_cached(client):
    assert "no-store" not in client.get(reverse("about")).get("Cache-Control", "")


def test_production_cookies_are_secure_and_http_only(tmp_path):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_SSL_REDIRECT]))"
    )
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "ECG_VAR_DIR": str(tmp_path / "var"),
           "DJANGO_SETTINGS_MODULE": "ecgsite.settings.production",
           "SECRET_KEY": "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz",
           "ALLOWED_HOSTS": "ecg.example.org", "SITE_DOMAIN": "ecg.example.org"}
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [True, True, True, "Lax", 31536000, True]


def test_a_production_response_sets_its_cookies_secure(client, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True

    response = client.get(reverse("account_login"), secure=True)

    assert response.cookies[settings.CSRF_COOKIE_NAME]["secure"] is True
