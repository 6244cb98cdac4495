from django.urls import path

from . import views

app_name = "diagnosis"
urlpatterns = [
    path("upload/", views.upload, name="upload"),
    path("history/", views.history, name="history"),
    path("history/export.csv", views.history_csv, name="history_csv"),
    path("<int:pk>/", views.result, name="result"),
    path("<int:pk>/status.json", views.status, name="status"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    path("<int:pk>/signal.json", views.signal_page, name="signal"),
    path("<int:pk>/files/<int:file_pk>/", views.input_file, name="file"),
    path("<int:pk>/report.pdf", views.report, name="report"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
