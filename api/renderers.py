from rest_framework import renderers


class JSONRenderer(renderers.JSONRenderer):
    """Plain JSON; NaN and infinity are refused rather than written as invalid JSON."""

    strict = True


class ProblemJSONRenderer(JSONRenderer):
    """Lets a client that asks for ``application/problem+json`` get an answer (errors are
    always sent with that type, see api.problems)."""

    media_type = "application/problem+json"


class FHIRJSONRenderer(JSONRenderer):
    media_type = "application/fhir+json"
    format = "fhir"
