"""URLs of the care app, in two namespaces: ``sharing`` (patients and invitation links) and
``doctors`` (the workspace); the staff ``metrics`` page is mounted at the top level."""
from django.urls import path

from .views import doctors, sharing

sharing_patterns = ([
    path("", sharing.index, name="index"),
    path("<int:pk>/revoke/", sharing.revoke, name="revoke"),
    path("access-log/", sharing.access_log, name="access_log"),
    path("invitations/<str:token>/", sharing.invitation, name="invitation"),
    path("invitations/<str:token>/request-doctor/", sharing.request_doctor,
         name="request_doctor"),
], "sharing")

doctor_patterns = ([
    path("patients/", doctors.patients, name="patients"),
    path("patients/<int:patient_id>/", doctors.patient, name="patient"),
    path("results/<int:pk>/review/", doctors.review, name="review"),
    path("invitations/<int:pk>/", doctors.answer_invitation, name="answer_invitation"),
], "doctors")
