"""Root URLs. Every page and API view requires a login."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="org_tree:chart", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("org_tree.urls")),
    path("", include("positions.urls")),
    path("", include("transfers.urls")),
    path("", include("assessments.urls")),
    path("api/", include("positions.api.urls")),
    path("admin/", admin.site.urls),
]
