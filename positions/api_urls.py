from django.urls import path

from positions import api

app_name = "api"
urlpatterns = [
    path("positions/", api.position_list, name="position-list"),
    path("positions/<poscode:code>/", api.position_detail, name="position-detail"),
    path("openapi.json", api.openapi, name="openapi"),
]
