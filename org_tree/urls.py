from django.urls import path

from org_tree import views

app_name = "org_tree"
urlpatterns = [
    path("org/", views.chart, name="chart"),
    path("org/<poscode:code>/", views.chart, name="subtree"),
    path("staffing/", views.staffing, name="staffing"),
    path("architecture/", views.architecture, name="architecture"),
]
