"""The API tokens page of the account settings (namespace ``api_tokens``)."""
from django.urls import path

from . import account

app_name = "api_tokens"
urlpatterns = [
    path("", account.tokens, name="index"),
    path("<int:pk>/revoke/", account.revoke, name="revoke"),
]
