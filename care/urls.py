"""The doctor's workspace (namespace ``doctors``)."""
from django.urls import path

from . import views

app_name = "doctors"
urlpatterns = [
    path("patients/", views.patients, name="patients"),
    path("patients/<int:patient_id>/", views.patient, name="patient"),
    path("results/<int:pk>/review/", views.review, name="review"),
    path("invitations/<int:pk>/", views.answer_invitation, name="answer_invitation"),
]
