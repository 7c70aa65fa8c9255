from django.urls import path

from .views import (
    applications,
    candidates,
    hiring_metrics,
    interviews,
    offers,
    onboarding,
    requisitions,
    roster,
)

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
    # hiring: offers
    path("applications/<int:application_id>/offer/", offers.offer_extend, name="offer-extend"),
    path("offers/<int:offer_id>/respond/", offers.offer_respond, name="offer-respond"),
    # hiring: onboarding
    path(
        "teams/<int:team_id>/onboarding/template/",
        onboarding.onboarding_template,
        name="onboarding-template",
    ),
    path("onboarding/", onboarding.onboarding_list, name="onboarding-list"),
    path("onboarding/<int:plan_id>/", onboarding.onboarding_plan, name="onboarding-plan"),
    path(
        "onboarding/items/<int:item_id>/done/",
        onboarding.onboarding_item_done,
        name="onboarding-item-done",
    ),
    # hiring: applications, candidates
    path(
        "requisitions/<int:requisition_id>/board/",
        applications.requisition_board,
        name="requisition-board",
    ),
    path(
        "requisitions/<int:requisition_id>/candidates/new/",
        candidates.candidate_add,
        name="candidate-add",
    ),
    path(
        "applications/<int:application_id>/",
        applications.application_detail,
        name="application-detail",
    ),
    path(
        "applications/<int:application_id>/move/",
        applications.application_move,
        name="application-move",
    ),
    path("candidates/<int:candidate_id>/edit/", candidates.candidate_edit, name="candidate-edit"),
    path("candidates/<int:candidate_id>/cv/", candidates.candidate_cv, name="candidate-cv"),
    path(
        "candidates/<int:candidate_id>/export/",
        candidates.candidate_export_view,
        name="candidate-export",
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
