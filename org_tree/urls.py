from django.urls import path

from org_tree import views

app_name = "org_tree"
urlpatterns = [
    path("org/", views.chart, name="chart"),
    path("org/diagram/", views.diagram, name="diagram"),
    path("org/diagram.svg", views.diagram_svg, name="diagram-svg"),
    path("org/diagram.pdf", views.diagram_pdf, name="diagram-pdf"),
    path("org/<poscode:code>/diagram/", views.diagram, name="diagram-subtree"),
    path("org/<poscode:code>/diagram.svg", views.diagram_svg, name="diagram-subtree-svg"),
    path("org/<poscode:code>/diagram.pdf", views.diagram_pdf, name="diagram-subtree-pdf"),
    path("org/<poscode:code>/", views.chart, name="subtree"),
    path("staffing/", views.staffing, name="staffing"),
    path("architecture/", views.architecture, name="architecture"),
]
