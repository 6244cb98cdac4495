"""Social sign-in providers, configured from client ids and secrets.

A provider appears (and gets a button on the sign-in page) only when both its id and secret
are set: allauth lists only providers that have an app.
"""


def social_providers(*, google_id="", google_secret="", linkedin_id="", linkedin_secret=""):
    providers = {}
    if google_id and google_secret:
        providers["google"] = {
            "APPS": [{"client_id": google_id, "secret": google_secret, "key": ""}],
            "SCOPE": ["openid", "profile", "email"],
            "AUTH_PARAMS": {"access_type": "online"},
            "OAUTH_PKCE_ENABLED": True,
        }
    if linkedin_id and linkedin_secret:
        # LinkedIn's "Sign In with LinkedIn using OpenID Connect": allauth's generic OpenID
        # Connect provider replaces its deprecated LinkedIn OAuth2 provider.
        providers["openid_connect"] = {
            "APPS": [
                {
                    "provider_id": "linkedin",
                    "name": "LinkedIn",
                    "client_id": linkedin_id,
                    "secret": linkedin_secret,
                    "settings": {
                        "server_url": "https://www.linkedin.com/oauth",
                        "token_auth_method": "client_secret_post",
                    },
                }
            ]
        }
    return providers


# Where each provider's sign-in sends the browser after the site's own form (the
# Content-Security-Policy's form-action must allow the redirect).
PROVIDER_ORIGINS = {"google": "https://accounts.google.com",
                    "openid_connect": "https://www.linkedin.com"}


def provider_origins(providers):
    return [PROVIDER_ORIGINS[name] for name in providers]
