"""The site shell: home page, navigation, error pages, static files."""
import re

import pytest
from django.http import Http404
from django.test import Client
from django.urls import path, reverse

from ecgsite.urls import urlpatterns as site_urlpatterns


def broken_view(request):
    raise RuntimeError("boom")


def missing_view(request):
    raise Http404("no such result")


urlpatterns = [
    path("test-broken/", broken_view),
    path("test-missing/", missing_view),
] + site_urlpatterns

pytestmark = pytest.mark.django_db


def text_of(response):
    return response.content.decode()


def test_home_explains_the_product_and_leads_to_sign_up(client):
    page = text_of(client.get(reverse("home")))

    assert "<h1" in page
    assert "six common rhythm patterns" in page
    assert f'href="{reverse("account_signup")}"' in page
    assert f'href="{reverse("account_login")}?next={reverse("diagnosis:upload")}"' in page


def test_home_leads_a_signed_in_user_to_upload(patient_client):
    page = text_of(patient_client.get(reverse("home")))

    assert "Upload an ECG" in page
    assert f'href="{reverse("diagnosis:upload")}"' in page
    assert "Create a free account" not in page


@pytest.mark.parametrize("name", ["home", "account_login", "account_signup", "about"])
def test_every_page_has_the_shell(client, name):
    page = text_of(client.get(reverse(name)))

    assert 'class="skip-link" href="#main"' in page
    assert 'id="main"' in page
    for label, url in [("Home", "home"), ("Upload", "diagnosis:upload"),
                       ("History", "diagnosis:history"), ("Learn", "articles:index"),
                       ("About", "about")]:
        assert re.search(rf'<a href="{reverse(url)}"[^>]*>{label}</a>', page), label
    assert "not a medical device and does not replace a doctor" in page
    assert "/static/css/site.css" in page
    assert "http://" not in page.split("</head>")[0]  # no CDN or other external assets
    assert "https://" not in page.split("</head>")[0]


def test_navigation_marks_the_current_page(client):
    page = text_of(client.get(reverse("account_login")))

    assert re.search(r'<a href="/accounts/login/" aria-current="page">Sign in</a>', page)
    assert 'aria-current="page">Home<' not in page


def test_signed_in_navigation_has_account_and_sign_out(patient_client):
    page = text_of(patient_client.get(reverse("home")))

    assert f'<a href="{reverse("accounts:profile")}"' in page
    assert f'action="{reverse("account_logout")}"' in page
    assert "Sign up</a>" not in page


def test_flash_messages_are_shown(patient_client):
    response = patient_client.post(
        reverse("accounts:profile"),
        {"first_name": "A", "last_name": "B", "date_of_birth": "", "role": "patient"},
        follow=True,
    )

    assert re.search(r'class="alert alert-success" role="status">Your profile has been saved.',
                     text_of(response))


def test_sign_out_works(patient_client):
    response = patient_client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in patient_client.session


@pytest.mark.urls(__name__)
def test_a_missing_page_gets_the_site_404(client):
    response = client.get("/test-missing/")

    assert response.status_code == 404
    assert "Page not found" in text_of(response)
    assert 'class="skip-link"' in text_of(response)


@pytest.mark.urls(__name__)
def test_a_server_error_gets_the_site_500():
    client = Client(raise_request_exception=False)

    response = client.get("/test-broken/")

    assert response.status_code == 500
    assert "Something went wrong on our side" in text_of(response)
    assert "boom" not in text_of(response)


def test_whitenoise_serves_the_stylesheet(client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # read by the middleware a new client builds
    response = Client().get("/static/css/site.css")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b".btn-primary" in b"".join(response.streaming_content)
