from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from articles import views as article_views

from . import views

# The admin has no login form of its own: it sends people to allauth's sign-in, so the
# same rate limits and two-factor authentication apply to administrators.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "ECG Insight administration"
admin.site.site_title = "ECG Insight admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", article_views.about, name="about"),
    path("info/", article_views.info, name="info"),
    path("accounts/", include("accounts.urls")),
    path("accounts/api-tokens/", include("api.account_urls")),
    path("accounts/", include("allauth.urls")),
    path("diagnosis/", include("diagnosis.urls")),
    path("learn/", include("articles.urls")),
    path("sharing/", include("sharing.urls")),
    path("doctors/", include("care.urls")),
    path("metrics/", include("metrics.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]
