from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("diagnosis/", include("diagnosis.urls")),
    path("learn/", include("articles.urls")),
    path("admin/", admin.site.urls),
]
