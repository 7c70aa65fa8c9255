from django.urls import path

from . import views

app_name = "performance"

urlpatterns = [
    path("kpis/import/", views.kpi_import, name="kpi-import"),
]
