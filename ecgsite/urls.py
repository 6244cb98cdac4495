from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts.admin_access import may_enter_admin, require_second_factor
from articles import views as article_views

from . import views

# The admin has no login form of its own: it sends people to allauth's sign-in, so the
# same rate limits apply to administrators; and it lets in only staff who used a second
# factor (TOTP) in this session (accounts.admin_access).
admin.site.login = require_second_factor(secure_admin_login(admin.site.login))
admin.site.has_permission = may_enter_admin
admin.site.site_header = "ECG Insight administration"
admin.site.site_title = "ECG Insight admin"

# A database outage is a 503 "temporarily unavailable", not a 500 (views.server_error).
handler500 = "ecgsite.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("css/classes.css", views.class_colours, name="class_colours"),
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
