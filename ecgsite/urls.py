from django.contrib import admin
from django.urls import include, path

from articles import views as article_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", article_views.about, name="about"),
    path("info/", article_views.info, name="info"),
    path("accounts/", include("allauth.urls")),
    path("diagnosis/", include("diagnosis.urls")),
    path("learn/", include("articles.urls")),
    path("admin/", admin.site.urls),
]
