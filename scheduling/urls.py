from django.urls import path

from . import views

app_name = "scheduling"

urlpatterns = [
    path("teams/<int:team_id>/schedule/", views.schedule_grid, name="schedule-grid"),
    path(
        "teams/<int:team_id>/schedule/cell/<int:associate_id>/<str:day>/",
        views.schedule_cell,
        name="schedule-cell",
    ),
    path("teams/<int:team_id>/schedule/assign/", views.schedule_assign, name="schedule-assign"),
    path("teams/<int:team_id>/schedule/copy/", views.schedule_copy, name="schedule-copy"),
    path("teams/<int:team_id>/schedule/publish/", views.schedule_publish, name="schedule-publish"),
    path("teams/<int:team_id>/schedule/history/", views.schedule_history, name="schedule-history"),
    path(
        "teams/<int:team_id>/coverage/",
        views.coverage_requirements,
        name="coverage-requirements",
    ),
    path(
        "teams/<int:team_id>/coverage/<int:requirement_id>/delete/",
        views.coverage_requirement_delete,
        name="coverage-requirement-delete",
    ),
    path("teams/<int:team_id>/time-off/", views.timeoff_queue, name="timeoff-queue"),
    path("time-off/<int:request_id>/approve/", views.timeoff_approve, name="timeoff-approve"),
    path("time-off/<int:request_id>/deny/", views.timeoff_deny, name="timeoff-deny"),
    path("time-off/<int:request_id>/cancel/", views.timeoff_cancel, name="timeoff-cancel"),
    path("my/schedule/", views.my_schedule, name="my-schedule"),
    path("my/time-off/new/", views.timeoff_request, name="timeoff-request"),
    path("my/calendar/", views.calendar_rotate, name="calendar-rotate"),
    path("my/calendar/revoke/", views.calendar_revoke, name="calendar-revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("coverage/", views.coverage_overview, name="coverage-overview"),
    path("teams/<int:team_id>/rota/", views.rota, name="rota"),
    path("teams/<int:team_id>/rota/generate/", views.rota_generate, name="rota-generate"),
    path(
        "teams/<int:team_id>/rota/proposals/<int:proposal_id>/accept/",
        views.rota_accept,
        name="rota-accept",
    ),
    path("teams/<int:team_id>/rota/settings/", views.rota_settings, name="rota-settings"),
    path("teams/<int:team_id>/rota/weekend-days.csv", views.rota_payroll_csv, name="rota-payroll"),
    path("associates/<int:associate_id>/ledger/", views.associate_ledger, name="ledger"),
    path("my/rota/", views.my_rota, name="my-rota"),
    path("my/rota/wish/", views.my_rota_wish, name="my-rota-wish"),
    path("my/rota/preference/", views.my_rota_preference, name="my-rota-preference"),
    path(
        "my/rota/comp-days/<int:comp_day_id>/request/",
        views.my_comp_day_request,
        name="my-comp-day-request",
    ),
    path(
        "comp-days/<int:comp_day_id>/schedule/", views.comp_day_schedule, name="comp-day-schedule"
    ),
    path(
        "comp-day-requests/<int:request_id>/<str:decision>/",
        views.comp_day_request_decide,
        name="comp-day-request-decide",
    ),
    path("my/swaps/new/", views.swap_propose, name="swap-propose"),
    path("swaps/<int:swap_id>/respond/", views.swap_respond, name="swap-respond"),
    path("swaps/<int:swap_id>/approve/", views.swap_approve, name="swap-approve"),
    path("swaps/<int:swap_id>/deny/", views.swap_deny, name="swap-deny"),
    path("swaps/<int:swap_id>/cancel/", views.swap_cancel, name="swap-cancel"),
]
