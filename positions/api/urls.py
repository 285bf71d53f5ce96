from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from org_tree.api import Staffing
from positions.api import views

app_name = "api"
# Codes are matched loosely here so that a malformed one reaches a view and gets a JSON 404.
urlpatterns = [
    path("positions/", views.PositionList.as_view(), name="position-list"),
    path("positions/<str:code>/", views.PositionDetail.as_view(), name="position-detail"),
    path("positions/<str:code>/move/", views.PositionMove.as_view(), name="position-move"),
    path("positions/<str:code>/holders/", views.PositionHolders.as_view(), name="position-holders"),
    path("positions/<str:code>/history/", views.PositionHistory.as_view(), name="position-history"),
    path(
        "positions/<str:code>/history/<int:version_id>/restore/",
        views.PositionRestore.as_view(),
        name="position-restore",
    ),
    path("assignments/<int:pk>/end/", views.AssignmentEnd.as_view(), name="assignment-end"),
    path("people/", views.PersonList.as_view(), name="person-list"),
    path("people/<str:number>/", views.PersonDetail.as_view(), name="person-detail"),
    path("team/", views.Team.as_view(), name="team"),
    path("staffing/", Staffing.as_view(), name="staffing"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    re_path(r"^.*$", views.not_found),
]
