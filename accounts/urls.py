from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("delete/", views.delete_account, name="delete"),
    path("doctor/", views.doctor_status, name="doctor_status"),
    path("notifications/", views.notification_settings, name="notifications"),
]
