"""Root URLs. Every page and API view requires a login."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from django.views.generic import RedirectView

from portal.converters import PositionCodeConverter

register_converter(PositionCodeConverter, "poscode")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="org_tree:chart", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("org/", include("org_tree.urls")),
    path("positions/", include("positions.urls")),
    path("api/", include("positions.api_urls")),
    path("admin/", admin.site.urls),
]
