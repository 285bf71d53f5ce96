from django.urls import path

from transfers import views

app_name = "transfers"
urlpatterns = [
    path("transfers/", views.index, name="index"),
    path("transfers/template.xlsx", views.template, name="template"),
    path("transfers/export/", views.export, name="export"),
    path("transfers/jobs/<int:pk>/", views.job_detail, name="job"),
    path("transfers/jobs/<int:pk>/progress/", views.job_progress, name="progress"),
    path("transfers/jobs/<int:pk>/confirm/", views.job_confirm, name="confirm"),
    path("transfers/jobs/<int:pk>/again/", views.job_again, name="again"),
    path("transfers/jobs/<int:pk>/download/", views.job_download, name="download"),
]
