from django.urls import path

from .views import interviews, roster

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
    # hiring: interviews
    path(
        "applications/<int:application_id>/interviews/",
        interviews.interview_panel,
        name="interview-panel",
    ),
    path(
        "applications/<int:application_id>/interviews/new/",
        interviews.interview_create,
        name="interview-create",
    ),
    path("interviews/<int:interview_id>/edit/", interviews.interview_edit, name="interview-edit"),
    path(
        "interviews/<int:interview_id>/cancel/",
        interviews.interview_cancel,
        name="interview-cancel",
    ),
    path(
        "interviews/<int:interview_id>/invite.ics", interviews.interview_ics, name="interview-ics"
    ),
    path("scorecards/<int:scorecard_id>/", interviews.scorecard_edit, name="scorecard-edit"),
    path("hiring/interviews/", interviews.my_interviews, name="my-interviews"),
]
