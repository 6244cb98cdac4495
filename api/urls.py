"""/api/: version 1 of the API, its OpenAPI schema and its documentation page."""
from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from . import contract, views

app_name = "api"
urlpatterns = [
    path("v1/diagnoses/", views.DiagnosisList.as_view(), name="diagnoses"),
    path("v1/diagnoses/<int:pk>/", views.DiagnosisDetail.as_view(), name="diagnosis"),
    path("v1/diagnoses/<int:pk>/status/", views.DiagnosisStatus.as_view(),
         name="diagnosis-status"),
    path("v1/diagnoses/<int:pk>/beats/", views.DiagnosisBeats.as_view(), name="diagnosis-beats"),
    path("v1/diagnoses/<int:pk>/fhir", views.DiagnosisFHIR.as_view(), name="diagnosis-fhir"),
    path("v1/diagnoses/<int:pk>/review/", views.DiagnosisReview.as_view(),
         name="diagnosis-review"),
    path("v1/patients/", views.PatientList.as_view(), name="patients"),
    path("v1/patients/<int:patient_id>/diagnoses/", views.PatientDiagnoses.as_view(),
         name="patient-diagnoses"),
    path("v1/classes/", views.ClassList.as_view(), name="classes"),
    path("v1/model/", views.ModelCard.as_view(), name="model"),
    path("v1/openapi.json", SpectacularJSONAPIView.as_view(
        custom_settings={"DESCRIPTION": contract.DESCRIPTION}), name="schema"),
    path("v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^.*$", views.NotFound.as_view()),
]
