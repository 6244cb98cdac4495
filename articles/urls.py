from django.urls import path

from . import views

app_name = "articles"
urlpatterns = [
    path("", views.index, name="index"),
    path("beats/<str:code>.png", views.example_beat, name="example_beat"),
    path("<slug:slug>/", views.detail, name="detail"),
]
