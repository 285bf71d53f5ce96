from django.urls import path

from org_tree import api as org_api
from positions import api

app_name = "api"
urlpatterns = [
    path("positions/", api.position_list, name="position-list"),
    path("positions/<poscode:code>/", api.position_detail, name="position-detail"),
    path("staffing/", org_api.staffing, name="staffing"),
    path("openapi.json", api.openapi, name="openapi"),
]
