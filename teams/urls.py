from django.urls import path

from .views import roster

app_name = "teams"

urlpatterns = [
    path("", roster.home, name="home"),
    path("healthz", roster.healthz, name="healthz"),
    path("teams/", roster.team_list, name="team-list"),
    path("teams/<int:team_id>/", roster.team_detail, name="team-detail"),
    path("teams/<int:team_id>/associates/new/", roster.associate_create, name="associate-create"),
    path("associates/<int:associate_id>/", roster.associate_detail, name="associate-detail"),
    path("associates/<int:associate_id>/edit/", roster.associate_edit, name="associate-edit"),
    path("associates/<int:associate_id>/skills/", roster.associate_skills, name="associate-skills"),
    path(
        "associates/<int:associate_id>/export/",
        roster.associate_export,
        name="associate-export",
    ),
    path(
        "associates/<int:associate_id>/deactivate/",
        roster.associate_deactivate,
        name="associate-deactivate",
    ),
    path(
        "associates/<int:associate_id>/reactivate/",
        roster.associate_reactivate,
        name="associate-reactivate",
    ),
]

# issue 16: training
from .views import training  # noqa: E402

urlpatterns += [
    path(
        "associates/<int:associate_id>/training/",
        training.associate_training,
        name="associate-training",
    ),
    path(
        "associates/<int:associate_id>/training/targets/",
        training.skill_target_set,
        name="skill-target-set",
    ),
    path(
        "associates/<int:associate_id>/certifications/new/",
        training.certification_create,
        name="certification-create",
    ),
    path(
        "certifications/<int:certification_id>/edit/",
        training.certification_edit,
        name="certification-edit",
    ),
    path("training/<int:assignment_id>/done/", training.assignment_done, name="training-done"),
    path(
        "training/<int:assignment_id>/remove/",
        training.assignment_remove,
        name="training-remove",
    ),
    path("teams/<int:team_id>/training/", training.team_training, name="team-training"),
    path(
        "teams/<int:team_id>/training/modules/new/",
        training.module_create,
        name="training-module-create",
    ),
    path(
        "training/modules/<int:module_id>/edit/",
        training.module_edit,
        name="training-module-edit",
    ),
]
