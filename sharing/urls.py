"""Patients' sharing pages and the invitation links (namespace ``sharing``)."""
from django.urls import path

from . import views

app_name = "sharing"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
    path("access-log/", views.access_log, name="access_log"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("invitations/<str:token>/request-doctor/", views.request_doctor,
         name="request_doctor"),
]
