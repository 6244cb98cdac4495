"""Google and LinkedIn sign-in through allauth's real login and callback views.

Only the providers' HTTP answers are faked (OpenID discovery, token, user info); every
request allauth makes is checked against the list of expected ones, so nothing reaches the
network. The provider apps are configured with the same helper the settings use.
"""
import json
import time
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.urls import reverse

from ecgsite.settings.social import social_providers
from tests.factories import logged_in_user_id

pytestmark = pytest.mark.django_db

GOOGLE_CLIENT_ID = "google-client-id.apps.googleusercontent.com"
LINKEDIN_CLIENT_ID = "linkedin-client-id"
LINKEDIN_DISCOVERY_URL = "https://www.linkedin.com/oauth/.well-known/openid-configuration"
LINKEDIN_DISCOVERY = {
    "issuer": "https://www.linkedin.com/oauth",
    "authorization_endpoint": "https://www.linkedin.com/oauth/v2/authorization",
    "token_endpoint": "https://www.linkedin.com/oauth/v2/accessToken",
    "userinfo_endpoint": "https://api.linkedin.com/v2/userinfo",
    "jwks_uri": "https://www.linkedin.com/oauth/openid/jwks",
    "response_types_supported": ["code"],
    "subject_types_supported": ["pairwise"],
    "id_token_signing_alg_values_supported": ["RS256"],
    "scopes_supported": ["openid", "profile", "email"],
    "claims_supported": ["iss", "aud", "iat", "exp", "sub", "name", "given_name",
                         "family_name", "picture", "email", "email_verified", "locale"],
}


class FakeProviderHttp:
    """Stands in for requests.Session.request: answers listed (method, url) pairs."""

    def __init__(self, routes):
        self.routes = routes
        self.calls = []

    def __call__(self, session, method, url, **kwargs):
        method = method.upper()
        self.calls.append((method, url, kwargs))
        if (method, url) not in self.routes:
            raise AssertionError(f"unexpected request to the provider: {method} {url}")
        response = requests.Response()
        response.status_code = 200
        response.url = url
        response.headers["Content-Type"] = "application/json"
        response._content = json.dumps(self.routes[(method, url)]).encode()
        return response

    def install(self, monkeypatch):
        def request(session, method, url, **kwargs):
            return self(session, method, url, **kwargs)

        monkeypatch.setattr(requests.Session, "request", request)

    def urls(self):
        return [(method, url) for method, url, _ in self.calls]

    def sent(self, method, url):
        return next(kwargs for m, u, kwargs in self.calls if (m, u) == (method, url))


def id_token(*, issuer, audience, subject, email, given_name, family_name):
    """An ID token as the provider's token endpoint returns it. allauth does not check its
    signature because it came straight from the provider over TLS (OpenID Connect Core
    3.1.3.7), but it does check issuer, audience and expiry."""
    now = int(time.time())
    claims = {
        "iss": issuer, "aud": audience, "sub": subject, "iat": now, "exp": now + 3600,
        "email": email, "email_verified": True,
        "given_name": given_name, "family_name": family_name,
    }
    return jwt.encode(claims, "provider-private-key-not-known-to-us", algorithm="HS256")


def google(email, *, identity_from):
    token = {"access_token": "google-access-token", "expires_in": 3599,
             "token_type": "Bearer", "scope": "openid email profile"}
    if identity_from == "id_token":
        token["id_token"] = id_token(
            issuer="https://accounts.google.com", audience=GOOGLE_CLIENT_ID,
            subject="108000000000000000001", email=email, given_name="Grace",
            family_name="Hopper",
        )
    routes = {("POST", "https://oauth2.googleapis.com/token"): token}
    if identity_from == "userinfo":
        routes[("GET", "https://www.googleapis.com/oauth2/v2/userinfo")] = {
            "id": "108000000000000000001", "email": email, "verified_email": True,
            "name": "Grace Hopper", "given_name": "Grace", "family_name": "Hopper",
            "picture": "https://lh3.googleusercontent.com/a/photo",
        }
    return {
        "provider": "google",
        "uid": "108000000000000000001",
        "login_url": reverse("google_login"),
        "callback_url": reverse("google_callback"),
        "authorize_prefix": "https://accounts.google.com/o/oauth2/v2/auth",
        "token_url": "https://oauth2.googleapis.com/token",
        "client_id": GOOGLE_CLIENT_ID,
        "http": FakeProviderHttp(routes),
        "expected_calls": list(routes),
    }


def linkedin(email):
    routes = {
        ("GET", LINKEDIN_DISCOVERY_URL): LINKEDIN_DISCOVERY,
        ("POST", LINKEDIN_DISCOVERY["token_endpoint"]): {
            "access_token": "linkedin-access-token", "expires_in": 5183999,
            "scope": "email,openid,profile", "token_type": "Bearer",
            "id_token": id_token(
                issuer="https://www.linkedin.com/oauth", audience=LINKEDIN_CLIENT_ID,
                subject="782bbtaQ", email=email, given_name="Lin", family_name="Kedin",
            ),
        },
        ("GET", LINKEDIN_DISCOVERY["userinfo_endpoint"]): {
            "sub": "782bbtaQ", "email_verified": True, "name": "Lin Kedin",
            "given_name": "Lin", "family_name": "Kedin", "email": email, "locale": "en-US",
        },
    }
    return {
        "provider": "openid_connect",
        "uid": "782bbtaQ",
        "login_url": reverse("openid_connect_login", kwargs={"provider_id": "linkedin"}),
        "callback_url": reverse("openid_connect_callback", kwargs={"provider_id": "linkedin"}),
        "authorize_prefix": LINKEDIN_DISCOVERY["authorization_endpoint"],
        "token_url": LINKEDIN_DISCOVERY["token_endpoint"],
        "client_id": LINKEDIN_CLIENT_ID,
        "http": FakeProviderHttp(routes),
        # discovery is read once to build the authorise URL and once in the callback
        "expected_calls": [routes_key for routes_key in routes] + [("GET", LINKEDIN_DISCOVERY_URL)],
    }


SCENARIOS = {
    "google-id-token": lambda email: google(email, identity_from="id_token"),
    "google-userinfo": lambda email: google(email, identity_from="userinfo"),
    "linkedin": linkedin,
}


@pytest.fixture
def providers_configured(settings):
    settings.SOCIALACCOUNT_PROVIDERS = social_providers(
        google_id=GOOGLE_CLIENT_ID, google_secret="google-secret",
        linkedin_id=LINKEDIN_CLIENT_ID, linkedin_secret="linkedin-secret",
    )


def sign_in_with(client, monkeypatch, scenario):
    """Clicks the provider button, comes back from the provider with a code, and returns
    the final response of allauth's callback view."""
    scenario["http"].install(monkeypatch)

    response = client.post(scenario["login_url"])
    assert response.status_code == 302
    authorize_url = response["Location"]
    assert authorize_url.startswith(scenario["authorize_prefix"])
    query = parse_qs(urlparse(authorize_url).query)
    assert query["client_id"] == [scenario["client_id"]]
    assert query["redirect_uri"][0].endswith(scenario["callback_url"])

    return client.get(
        scenario["callback_url"], {"code": "code-from-provider", "state": query["state"][0]}
    )


@pytest.mark.parametrize("name", SCENARIOS)
def test_sign_in_creates_a_user_with_a_verified_email(client, monkeypatch,
                                                      providers_configured, name):
    scenario = SCENARIOS[name]("grace@example.org")

    response = sign_in_with(client, monkeypatch, scenario)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = get_user_model().objects.get(email="grace@example.org")
    assert user.role == "patient"
    assert user.first_name in {"Grace", "Lin"}
    address = EmailAddress.objects.get(user=user)
    assert address.email == "grace@example.org"
    assert address.verified and address.primary
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) in {
        ("google", scenario["uid"]), ("linkedin", scenario["uid"])
    }
    assert logged_in_user_id(client) == user.pk
    assert sorted(scenario["http"].urls()) == sorted(scenario["expected_calls"])
    token_request = scenario["http"].sent("POST", scenario["token_url"])
    assert token_request["data"]["code"] == "code-from-provider"
    assert token_request["data"]["client_id"] == scenario["client_id"]


@pytest.mark.parametrize("name", SCENARIOS)
def test_sign_in_with_the_email_of_an_existing_user_connects_that_user(
    client, monkeypatch, providers_configured, patient, name
):
    scenario = SCENARIOS[name](patient.email)
    users_before = get_user_model().objects.count()

    response = sign_in_with(client, monkeypatch, scenario)

    assert response.status_code == 302
    assert get_user_model().objects.count() == users_before
    assert SocialAccount.objects.get(uid=scenario["uid"]).user == patient
    assert EmailAddress.objects.filter(email__iexact=patient.email).count() == 1
    assert logged_in_user_id(client) == patient.pk


def test_a_forged_state_is_refused(client, monkeypatch, providers_configured):
    scenario = google("grace@example.org", identity_from="userinfo")
    scenario["http"].install(monkeypatch)
    client.post(scenario["login_url"])

    response = client.get(scenario["callback_url"], {"code": "x", "state": "forged"})

    assert response.status_code == 401
    assert "Third-Party Login Failure" in response.content.decode()
    assert scenario["http"].calls == []
    assert not get_user_model().objects.filter(email="grace@example.org").exists()


def test_buttons_are_shown_only_for_configured_providers(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    page = client.get(reverse("account_login")).content.decode()
    assert "Continue with Google" not in page
    assert "Continue with LinkedIn" not in page

    settings.SOCIALACCOUNT_PROVIDERS = social_providers(
        linkedin_id=LINKEDIN_CLIENT_ID, linkedin_secret="linkedin-secret"
    )
    page = client.get(reverse("account_login")).content.decode()
    assert "Continue with Google" not in page
    assert "Continue with LinkedIn" in page

    settings.SOCIALACCOUNT_PROVIDERS = social_providers(
        google_id=GOOGLE_CLIENT_ID, google_secret="google-secret",
        linkedin_id=LINKEDIN_CLIENT_ID, linkedin_secret="linkedin-secret",
    )
    page = client.get(reverse("account_login")).content.decode()
    assert "Continue with Google" in page
    assert "Continue with LinkedIn" in page


def test_a_provider_without_a_secret_is_not_configured():
    assert social_providers(google_id="id-only") == {}
    assert social_providers(linkedin_secret="secret-only") == {}


def test_an_unconfirmed_account_with_that_email_loses_its_password(client, monkeypatch,
                                                                   providers_configured):
    """Someone who signed up with another person's address, never confirmed it, and kept
    the password must not share the account once its real owner signs in with Google."""
    squatter = get_user_model().objects.create_user(email="grace@example.org",
                                                    password="squatter's password")
    EmailAddress.objects.create(user=squatter, email="grace@example.org", verified=False,
                                primary=True)

    sign_in_with(client, monkeypatch, google("grace@example.org", identity_from="userinfo"))

    squatter.refresh_from_db()
    assert SocialAccount.objects.get(provider="google").user == squatter
    assert not squatter.has_usable_password()
    assert logged_in_user_id(client) == squatter.pk
