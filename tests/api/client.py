"""Helpers for the API tests: a client that sends a bearer token, and the problem check."""
from django.test import Client

from api.models import ApiToken

PROBLEM = "application/problem+json"


class ApiClient:
    """Django's test client with a bearer token on every request."""

    def __init__(self, secret=None, client=None):
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def _call(self, method, path, data=None, headers=None, **kwargs):
        headers = {**self.headers, **(headers or {})}
        return getattr(self.client, method)(path, data, headers=headers, **kwargs)

    def get(self, path, data=None, **kwargs):
        return self._call("get", path, data, **kwargs)

    def delete(self, path, **kwargs):
        return self._call("delete", path, **kwargs)

    def post_json(self, path, data, **kwargs):
        return self._call("post", path, data, content_type="application/json", **kwargs)

    def put_json(self, path, data, **kwargs):
        return self._call("put", path, data, content_type="application/json", **kwargs)

    def post_files(self, path, files, headers=None, **data):
        return self._call("post", path, {"files": files, **data}, headers=headers)


def api_client(user=None, **token_fields):
    """An ApiClient with a new token of ``user`` (none: anonymous)."""
    if user is None:
        return ApiClient()
    _, secret = ApiToken.issue(user, "test", **token_fields)
    return ApiClient(secret)


def assert_problem(response, status, *phrases, code=None):
    """``response`` is an RFC 9457 problem with ``status`` whose detail has ``phrases``."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM, response["Content-Type"]
    body = response.json()
    assert body["status"] == status and body["type"] == "about:blank"
    assert body["title"] and body["detail"] and body["instance"]
    for phrase in phrases:
        assert phrase.lower() in body["detail"].lower(), (phrase, body["detail"])
    if code:
        assert body["code"] == code, body
    return body
