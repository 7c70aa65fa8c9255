from django.urls import path

from .views import hiring_metrics, requisitions, roster

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

# hiring: requisitions
urlpatterns += [
    path("hiring/", requisitions.hiring, name="hiring"),
    path(
        "teams/<int:team_id>/requisitions/new/",
        requisitions.requisition_create,
        name="requisition-create",
    ),
    path(
        "requisitions/<int:requisition_id>/",
        requisitions.requisition_detail,
        name="requisition-detail",
    ),
    path(
        "requisitions/<int:requisition_id>/edit/",
        requisitions.requisition_edit,
        name="requisition-edit",
    ),
    path(
        "requisitions/<int:requisition_id>/approve/",
        requisitions.requisition_approve,
        name="requisition-approve",
    ),
    path(
        "requisitions/<int:requisition_id>/open/",
        requisitions.requisition_open,
        name="requisition-open",
    ),
    path(
        "requisitions/<int:requisition_id>/cancel/",
        requisitions.requisition_cancel,
        name="requisition-cancel",
    ),
]

# hiring: hiring_metrics
urlpatterns += [
    path("hiring/metrics/", hiring_metrics.hiring_metrics, name="hiring-metrics"),
    path("hiring/metrics.csv", hiring_metrics.hiring_metrics_csv, name="hiring-metrics-csv"),
]
