from django.urls import path

from .api import views as api
from .views import (
    activities,
    calendar,
    capacity,
    capacity_overview,
    comp_days,
    coverage,
    forecasts,
    queue_plans,
    queues,
    rota,
    schedule,
    swaps,
    time_off,
    volumes,
)

app_name = "scheduling"

urlpatterns = [
    path("teams/<int:team_id>/schedule/", schedule.schedule_grid, name="schedule-grid"),
    path(
        "teams/<int:team_id>/schedule/cell/<int:associate_id>/<str:day>/",
        schedule.schedule_cell,
        name="schedule-cell",
    ),
    path("teams/<int:team_id>/schedule/assign/", schedule.schedule_assign, name="schedule-assign"),
    path("teams/<int:team_id>/schedule/copy/", schedule.schedule_copy, name="schedule-copy"),
    path(
        "teams/<int:team_id>/schedule/publish/", schedule.schedule_publish, name="schedule-publish"
    ),
    path(
        "teams/<int:team_id>/schedule/history/", schedule.schedule_history, name="schedule-history"
    ),
    path(
        "teams/<int:team_id>/coverage/",
        coverage.coverage_requirements,
        name="coverage-requirements",
    ),
    path(
        "teams/<int:team_id>/coverage/<int:requirement_id>/delete/",
        coverage.coverage_requirement_delete,
        name="coverage-requirement-delete",
    ),
    path("teams/<int:team_id>/capacity/", capacity.capacity_day, name="capacity-day"),
    path("teams/<int:team_id>/capacity/week/", capacity.capacity_week, name="capacity-week"),
    path("teams/<int:team_id>/forecast/", forecasts.forecast_page, name="forecasts"),
    path(
        "teams/<int:team_id>/forecast/refresh/",
        forecasts.forecast_refresh,
        name="forecast-refresh",
    ),
    path(
        "teams/<int:team_id>/forecast/overrides/<int:override_id>/remove/",
        forecasts.override_remove,
        name="forecast-override-remove",
    ),
    path("teams/<int:team_id>/queue-plan/", queue_plans.queue_plan, name="queue-plan"),
    path(
        "teams/<int:team_id>/queue-plan/propose/",
        queue_plans.queue_plan_propose,
        name="queue-plan-propose",
    ),
    path(
        "teams/<int:team_id>/queue-plan/cell/", queue_plans.queue_plan_cell, name="queue-plan-cell"
    ),
    path(
        "teams/<int:team_id>/queue-plan/publish/",
        queue_plans.queue_plan_publish,
        name="queue-plan-publish",
    ),
    path("teams/<int:team_id>/queues/", queues.queue_list, name="queue-list"),
    path("teams/<int:team_id>/queues/<int:queue_id>/", queues.queue_edit, name="queue-edit"),
    path("teams/<int:team_id>/volumes/", volumes.volume_upload, name="volume-upload"),
    path("api/v1/queue-volumes/", api.QueueVolumesView.as_view(), name="api-queue-volumes"),
    path("teams/<int:team_id>/time-off/", time_off.timeoff_queue, name="timeoff-queue"),
    path("time-off/<int:request_id>/approve/", time_off.timeoff_approve, name="timeoff-approve"),
    path("time-off/<int:request_id>/deny/", time_off.timeoff_deny, name="timeoff-deny"),
    path("time-off/<int:request_id>/cancel/", time_off.timeoff_cancel, name="timeoff-cancel"),
    path("my/schedule/", schedule.my_schedule, name="my-schedule"),
    path("my/time-off/new/", time_off.timeoff_request, name="timeoff-request"),
    path("my/calendar/", calendar.calendar_rotate, name="calendar-rotate"),
    path("my/calendar/revoke/", calendar.calendar_revoke, name="calendar-revoke"),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar-feed"),
    path("coverage/", coverage.coverage_overview, name="coverage-overview"),
    path("capacity/", capacity_overview.capacity_overview, name="capacity-overview"),
    path("teams/<int:team_id>/activities/", activities.activity_list, name="activity-list"),
    path("teams/<int:team_id>/activities/new/", activities.activity_create, name="activity-create"),
    path(
        "teams/<int:team_id>/activities/<int:activity_id>/edit/",
        activities.activity_edit,
        name="activity-edit",
    ),
    path(
        "teams/<int:team_id>/activities/<int:activity_id>/delete/",
        activities.activity_delete,
        name="activity-delete",
    ),
    path("teams/<int:team_id>/rota/", rota.rota, name="rota"),
    path("teams/<int:team_id>/rota/generate/", rota.rota_generate, name="rota-generate"),
    path(
        "teams/<int:team_id>/rota/proposals/<int:proposal_id>/accept/",
        rota.rota_accept,
        name="rota-accept",
    ),
    path("teams/<int:team_id>/rota/settings/", rota.rota_settings, name="rota-settings"),
    path("teams/<int:team_id>/rota/weekend-days.csv", rota.rota_payroll_csv, name="rota-payroll"),
    path("associates/<int:associate_id>/ledger/", comp_days.associate_ledger, name="ledger"),
    path("my/rota/", rota.my_rota, name="my-rota"),
    path("my/rota/wish/", rota.my_rota_wish, name="my-rota-wish"),
    path("my/rota/preference/", rota.my_rota_preference, name="my-rota-preference"),
    path(
        "my/rota/comp-days/<int:comp_day_id>/request/",
        comp_days.my_comp_day_request,
        name="my-comp-day-request",
    ),
    path(
        "comp-days/<int:comp_day_id>/schedule/",
        comp_days.comp_day_schedule,
        name="comp-day-schedule",
    ),
    path(
        "comp-day-requests/<int:request_id>/<str:decision>/",
        comp_days.comp_day_request_decide,
        name="comp-day-request-decide",
    ),
    path("my/swaps/new/", swaps.swap_propose, name="swap-propose"),
    path("swaps/<int:swap_id>/respond/", swaps.swap_respond, name="swap-respond"),
    path("swaps/<int:swap_id>/approve/", swaps.swap_approve, name="swap-approve"),
    path("swaps/<int:swap_id>/deny/", swaps.swap_deny, name="swap-deny"),
    path("swaps/<int:swap_id>/cancel/", swaps.swap_cancel, name="swap-cancel"),
    path("teams/<int:team_id>/swap-board/", swaps.swap_board_page, name="swap-board"),
    path("my/swaps/offers/new/", swaps.swap_offer_create, name="swap-offer-create"),
    path("swap-offers/<int:offer_id>/take/", swaps.swap_offer_take, name="swap-offer-take"),
    path(
        "swap-offers/<int:offer_id>/withdraw/",
        swaps.swap_offer_withdraw,
        name="swap-offer-withdraw",
    ),
]
