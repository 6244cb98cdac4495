"""OpenAPI details the views share: the error responses, the token scheme."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse

from .problems import CONTENT_TYPE
from .serializers import ProblemSerializer

WHY = {
    400: "The request is not valid (problem details say why).",
    401: "No credentials, or a token that is not valid, revoked or expired.",
    403: "Signed in, but not allowed (doctors' endpoints: verified doctors only).",
    404: "No such resource, or not one you may see.",
    409: "Not possible in the resource's current state.",
    413: "The request body is too large.",
    415: "The body's content type is not accepted here.",
    422: "The Idempotency-Key was used before for different content.",
    429: "Too many requests: see Retry-After.",
}


def problems(*codes, public=False):
    """Responses for ``codes`` as problem details; every endpoint can also answer 429, and one
    that needs credentials 401 (``public``: it does not)."""
    codes = set(codes) | {429} | (set() if public else {401})
    return {(code, CONTENT_TYPE): OpenApiResponse(ProblemSerializer, description=WHY[code])
            for code in sorted(codes)}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A personal API token from your account page."}
