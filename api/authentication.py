"""``Authorization: Bearer <token>`` with a personal API token (api.models.ApiToken)."""
from django.utils import formats
from rest_framework import authentication, exceptions

from .models import ApiToken


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.encode():
            return None  # not ours: the session may still authenticate the request
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as “Authorization: Bearer <token>”, with no spaces in it.")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("This API token is not valid.") from None
        token = ApiToken.find(secret)
        if token is None:
            raise exceptions.AuthenticationFailed("This API token is not valid.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                f"This API token was revoked on {_when(token.revoked_at)}. Create a new one "
                "on your account page.")
        if token.is_expired:
            raise exceptions.AuthenticationFailed(
                f"This API token expired on {_when(token.expires_at)}. Create a new one on "
                "your account page.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This account is disabled.")
        token.touch()
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def _when(moment):
    return formats.date_format(moment, "j M Y, H:i e")
