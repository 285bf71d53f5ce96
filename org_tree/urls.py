from django.urls import path

from org_tree import views

app_name = "org_tree"
urlpatterns = [
    path("", views.chart, name="chart"),
    path("<poscode:code>/", views.chart, name="subtree"),
]
