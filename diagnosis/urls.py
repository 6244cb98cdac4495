from django.urls import path

from . import views

app_name = "diagnosis"
urlpatterns = [
    path("upload/", views.upload, name="upload"),
    path("history/", views.history, name="history"),
]
