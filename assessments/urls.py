from django.urls import path

from assessments import views

app_name = "assessments"
urlpatterns = [
    path("assessments/cycles/", views.cycle_list, name="cycles"),
    path("assessments/cycles/new/", views.cycle_new, name="cycle-new"),
    path("assessments/cycles/<int:pk>/", views.cycle_detail, name="cycle"),
    path("assessments/cycles/<int:pk>/results.xlsx", views.cycle_results, name="cycle-results"),
    path("assessments/cycles/<int:pk>/close/", views.cycle_close, name="cycle-close"),
]
urlpatterns += [
    path("assessments/mine/", views.my_assessments, name="mine"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
]
