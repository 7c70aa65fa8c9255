from django.urls import path

from .api import views as api
from .views import (
    api_tokens,
    dashboards,
    feedback,
    goals,
    improvements,
    kpis,
    one_on_ones,
    reviews,
)

app_name = "performance"

urlpatterns = [
    path("kpis/import/", kpis.kpi_import, name="kpi-import"),
    path("account/api-token/", api_tokens.api_token, name="api-token"),
    path(
        "account/api-token/<int:token_id>/rotate/",
        api_tokens.api_token_rotate,
        name="api-token-rotate",
    ),
    path(
        "account/api-token/<int:token_id>/revoke/",
        api_tokens.api_token_revoke,
        name="api-token-revoke",
    ),
    path("api/v1/kpi-events/", api.KpiEventsView.as_view(), name="api-kpi-events"),
    path("api/v1/kpi-rollups/", api.KpiRollupsView.as_view(), name="api-kpi-rollups"),
    path("kpis/", dashboards.kpi_overview, name="kpi-overview"),
    path("kpis/teams/<int:team_id>/", dashboards.team_dashboard, name="team-dashboard"),
    path(
        "kpis/associates/<int:associate_id>/",
        dashboards.associate_dashboard,
        name="associate-dashboard",
    ),
    # review cycles
    path("reviews/", reviews.cycle_list, name="cycle-list"),
    path("reviews/new/", reviews.cycle_create, name="cycle-create"),
    path("reviews/mine/", reviews.my_reviews, name="my-reviews"),
    path("reviews/cycles/<int:cycle_id>/", reviews.cycle_progress, name="cycle-progress"),
    path(
        "reviews/cycles/<int:cycle_id>/calibration/",
        reviews.cycle_calibration,
        name="cycle-calibration",
    ),
    path("reviews/<int:review_id>/", reviews.review_detail, name="review-detail"),
    path("reviews/<int:review_id>/self/", reviews.review_self, name="review-self"),
    path("reviews/<int:review_id>/lead/", reviews.review_lead, name="review-lead"),
    path(
        "reviews/<int:review_id>/skip-self-review/",
        reviews.review_skip_self,
        name="review-skip-self",
    ),
    path(
        "reviews/<int:review_id>/calibrate/",
        reviews.review_calibrate,
        name="review-calibrate",
    ),
    path("reviews/<int:review_id>/share/", reviews.review_share, name="review-share"),
    path(
        "reviews/<int:review_id>/acknowledge/",
        reviews.review_acknowledge,
        name="review-acknowledge",
    ),
    path("reviews/<int:review_id>/history/", reviews.review_history, name="review-history"),
    # 1:1s, feedback and goals
    path("people/one-on-ones/", one_on_ones.one_on_one_overview, name="one-on-one-overview"),
    path("people/me/one-on-ones/", one_on_ones.my_one_on_ones, name="my-one-on-ones"),
    path("people/me/feedback/", feedback.my_feedback, name="my-feedback"),
    path("people/me/goals/", goals.my_goals, name="my-goals"),
    path(
        "people/associates/<int:associate_id>/one-on-ones/",
        one_on_ones.associate_one_on_ones,
        name="associate-one-on-ones",
    ),
    path(
        "people/associates/<int:associate_id>/cadence/", one_on_ones.cadence_set, name="cadence-set"
    ),
    path(
        "people/associates/<int:associate_id>/one-on-ones/plan/",
        one_on_ones.one_on_one_plan,
        name="one-on-one-plan",
    ),
    path(
        "people/associates/<int:associate_id>/feedback/",
        feedback.associate_feedback,
        name="associate-feedback",
    ),
    path(
        "people/associates/<int:associate_id>/goals/",
        goals.associate_goals,
        name="associate-goals",
    ),
    path("people/teams/<int:team_id>/goals/", goals.team_goals, name="team-goals"),
    path("people/goals/<int:goal_id>/", goals.goal_detail, name="goal-detail"),
    path(
        "people/one-on-ones/<int:one_on_one_id>/",
        one_on_ones.one_on_one_detail,
        name="one-on-one-detail",
    ),
    path(
        "people/one-on-ones/<int:one_on_one_id>/agenda/",
        one_on_ones.agenda_add,
        name="one-on-one-agenda-add",
    ),
    path(
        "people/one-on-ones/<int:one_on_one_id>/notes/",
        one_on_ones.notes_save,
        name="one-on-one-notes",
    ),
    path(
        "people/one-on-ones/<int:one_on_one_id>/private-note/",
        one_on_ones.private_note_save,
        name="one-on-one-private-note",
    ),
    path(
        "people/one-on-ones/<int:one_on_one_id>/action-items/",
        one_on_ones.action_item_add,
        name="action-item-add",
    ),
    path(
        "people/one-on-ones/<int:one_on_one_id>/held/",
        one_on_ones.one_on_one_held,
        name="one-on-one-held",
    ),
    path(
        "people/one-on-ones/<int:one_on_one_id>/cancel/",
        one_on_ones.one_on_one_cancel,
        name="one-on-one-cancel",
    ),
    path(
        "people/action-items/<int:item_id>/toggle/",
        one_on_ones.action_item_toggle,
        name="action-item-toggle",
    ),
    # issue 16: improvements, procedures
    path(
        "teams/<int:team_id>/improvements/",
        improvements.improvement_board,
        name="improvement-board",
    ),
    path("improvements/", improvements.improvement_list, name="improvement-list"),
    path("improvements/ideas/<int:idea_id>/", improvements.idea_detail, name="idea-detail"),
    path(
        "improvements/ideas/<int:idea_id>/support/",
        improvements.idea_support,
        name="idea-support",
    ),
    path("improvements/ideas/<int:idea_id>/trial/", improvements.idea_trial, name="idea-trial"),
    path("improvements/ideas/<int:idea_id>/decide/", improvements.idea_decide, name="idea-decide"),
    path("teams/<int:team_id>/procedures/", improvements.procedure_list, name="procedure-list"),
    path(
        "teams/<int:team_id>/procedures/new/",
        improvements.procedure_create,
        name="procedure-create",
    ),
    path("procedures/<int:procedure_id>/", improvements.procedure_detail, name="procedure-detail"),
    path(
        "procedures/<int:procedure_id>/edit/",
        improvements.procedure_edit,
        name="procedure-edit",
    ),
    path(
        "procedures/<int:procedure_id>/versions/",
        improvements.procedure_versions,
        name="procedure-versions",
    ),
    path(
        "procedures/<int:procedure_id>/versions/<int:version_id>/",
        improvements.procedure_version,
        name="procedure-version",
    ),
]

# issue 16: pulse
from .views import pulse  # noqa: E402 -- one block per stem

urlpatterns += [
    path("teams/<int:team_id>/pulse/", pulse.team_pulse, name="team-pulse"),
    path("teams/<int:team_id>/pulse/questions/", pulse.pulse_questions, name="pulse-questions"),
    path("teams/<int:team_id>/pulse/settings/", pulse.pulse_settings, name="pulse-settings"),
    path("pulse/", pulse.my_pulse, name="my-pulse"),
    path("pulse/rounds/<int:round_id>/", pulse.pulse_round, name="pulse-round"),
    path("pulse/rounds/<int:round_id>/answer/", pulse.pulse_answer, name="pulse-answer"),
]

# issue 16: recognition
from .views import recognition  # noqa: E402 -- one block per stem

urlpatterns += [
    path("teams/<int:team_id>/kudos/", recognition.kudos_wall, name="kudos-wall"),
    path("me/birthday/", recognition.my_birthday, name="my-birthday"),
]
