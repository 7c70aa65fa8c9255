from django.urls import path

from . import views

app_name = "teams"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("teams/", views.team_list, name="team-list"),
    path("teams/<int:team_id>/", views.team_detail, name="team-detail"),
    path("teams/<int:team_id>/associates/new/", views.associate_create, name="associate-create"),
    path("associates/<int:associate_id>/", views.associate_detail, name="associate-detail"),
    path("associates/<int:associate_id>/edit/", views.associate_edit, name="associate-edit"),
    path("associates/<int:associate_id>/skills/", views.associate_skills, name="associate-skills"),
    path(
        "associates/<int:associate_id>/export/",
        views.associate_export,
        name="associate-export",
    ),
    path(
        "associates/<int:associate_id>/deactivate/",
        views.associate_deactivate,
        name="associate-deactivate",
    ),
    path(
        "associates/<int:associate_id>/reactivate/",
        views.associate_reactivate,
        name="associate-reactivate",
    ),
]
