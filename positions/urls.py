from django.urls import path

from positions.views import card, list, template

app_name = "positions"
urlpatterns = [
    path("positions/", list.position_list, name="list"),
    path("positions/<poscode:code>/", card.position_detail, name="detail"),
    path("settings/jd-template/", template.jd_template, name="jd-template"),
]
