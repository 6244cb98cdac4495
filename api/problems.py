"""Errors as RFC 9457 problem details: one JSON shape for every error the API sends.

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "detail": "“beat.png” is empty (0 bytes). Choose the file again.",
     "code": "upload_rejected", "instance": "/api/v1/diagnoses/",
     "errors": {"sampling_rate": ["Ensure this value is greater than or equal to 1."]}}

``type`` stays ``about:blank`` (the status says what kind of problem it is); ``code`` names the
problem for programs, ``detail`` says it for people, ``errors`` (validation only) lists the
messages by field. Sent as ``application/problem+json``.
"""
import logging
from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/problem+json"
NOT_FOUND = "There is nothing here, or nothing you may see."
# Validation errors not about one field (no field name before their message).
GENERAL_FIELDS = ("non_field_errors", "__all__")


class Problem(exceptions.APIException):
    """An error with its own status, code and message (and optional headers)."""

    def __init__(self, detail, *, status_code=400, code="bad_request", headers=None,
                 errors=None):
        self.status_code = status_code
        self.headers = headers or {}
        self.errors = errors
        super().__init__(detail, code)


def _messages(detail):
    """Every message in a DRF error detail (a string, list or dict, nested)."""
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value)]
    return [str(detail)]


def _field_errors(detail, prefix=""):
    """{"field": [messages]} of a validation error (nested fields joined with dots)."""
    if isinstance(detail, dict):
        errors = {}
        for key, value in detail.items():
            # A nested serializer's general errors belong to the field that holds it.
            name = prefix if prefix and key in GENERAL_FIELDS else (
                f"{prefix}.{key}" if prefix else str(key))
            if isinstance(value, dict):
                errors.update(_field_errors(value, name))
            elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
                for i, item in enumerate(value):
                    errors.update(_field_errors(item, f"{name}.{i}"))
            else:
                errors[name] = _messages(value)
        return errors
    return {}


def problem_response(request, status_code, detail, code, errors=None, headers=None):
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
        "code": code,
        "instance": request.path if request is not None else None,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, headers=headers, content_type=CONTENT_TYPE)


def _first_code(exc):
    codes = exc.get_codes()
    while isinstance(codes, dict | list) and codes:
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return codes if isinstance(codes, str) else exc.default_code


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every exception a view raises becomes a problem response."""
    request = context.get("request")
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        logger.exception("API request %s failed", getattr(request, "path", "?"), exc_info=exc)
        return problem_response(
            request, status.HTTP_500_INTERNAL_SERVER_ERROR,
            "Something went wrong on our side. It was not your fault; please try again later.",
            "server_error")
    headers = dict(getattr(exc, "headers", None) or {})
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        authenticate = context["view"].get_authenticate_header(request) if request else None
        if authenticate:
            headers["WWW-Authenticate"] = authenticate
            exc.status_code = status.HTTP_401_UNAUTHORIZED
    errors = None
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail) or None
        messages = ([m if field in GENERAL_FIELDS else f"{field}: {m}"
                     for field, field_messages in errors.items() for m in field_messages]
                    if errors else _messages(exc.detail))
        detail = " ".join(messages) if len(messages) <= 3 else (
            " ".join(messages[:3]) + f" (and {len(messages) - 3} more: see errors)")
        detail = detail or "The request is not valid."
    elif isinstance(exc, exceptions.Throttled):
        detail = (f"Too many requests. Try again in {headers['Retry-After']} seconds."
                  if "Retry-After" in headers else "Too many requests. Try again later.")
    else:
        detail = " ".join(_messages(exc.detail))
        errors = getattr(exc, "errors", None)
    # Validation errors all share one code; which field and why is in ``errors``.
    code = "invalid" if isinstance(exc, exceptions.ValidationError) else _first_code(exc)
    return problem_response(request, exc.status_code, detail, code, errors, headers)
