from django.urls import path

from positions import views

app_name = "positions"
urlpatterns = [
    path("", views.position_list, name="list"),
    path("<poscode:code>/", views.position_detail, name="detail"),
]
