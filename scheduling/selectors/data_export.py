"""Scheduling's part of a data-access export (registered in
teams.selectors.subject_export_providers from SchedulingConfig.ready())."""

from django.db.models import Q

from teams.models import Associate
from teams.selectors import ExportPart, model_row

from ..models import (
    Activity,
    CompDay,
    CompDayRequest,
    LeaveAllowance,
    PublishedEntry,
    QueueAssignment,
    RotaWish,
    ScheduleEntry,
    ShiftSwap,
    SwapOffer,
    TimeOffRequest,
    WeekendDuty,
)


def subject_export(associate: Associate) -> list[ExportPart]:
    def rows(queryset, **kwargs) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
        return [model_row(obj, **kwargs) for obj in queryset]

    return [
        ExportPart(
            "schedule_cells",
            "Every cell of the working schedule (drafts included): shifts, days off,"
            " time off, comp days, holidays.",
            rows(ScheduleEntry.objects.filter(associate=associate).order_by("on")),
        ),
        ExportPart(
            "published_schedule",
            "The cells as published to the associate.",
            rows(PublishedEntry.objects.filter(associate=associate).order_by("on")),
        ),
        ExportPart(
            "time_off",
            "Time-off requests and their decisions.",
            rows(TimeOffRequest.objects.filter(associate=associate).order_by("pk")),
        ),
        ExportPart(
            "leave_allowances",
            "Paid-leave allowance per year.",
            rows(LeaveAllowance.objects.filter(associate=associate).order_by("year")),
        ),
        ExportPart(
            "shift_swaps",
            "Shift swaps the associate asked for or was asked to take.",
            rows(
                ShiftSwap.objects.filter(Q(requester=associate) | Q(partner=associate)).order_by(
                    "pk"
                )
            ),
        ),
        ExportPart(
            "swap_offers",
            "Shifts the associate offered on the team's swap board.",
            rows(SwapOffer.objects.filter(offerer=associate).order_by("pk")),
        ),
        ExportPart(
            "weekend_duties",
            "Weekend days worked or planned.",
            rows(WeekendDuty.objects.filter(associate=associate).order_by("pk")),
        ),
        ExportPart(
            "comp_days",
            "The comp-day ledger: each comp day earned, its status and dates.",
            rows(CompDay.objects.filter(associate=associate).order_by("pk")),
        ),
        ExportPart(
            "comp_day_requests",
            "Requests to move a comp day.",
            rows(CompDayRequest.objects.filter(comp_day__associate=associate).order_by("pk")),
        ),
        ExportPart(
            "rota_wishes",
            "Weekend volunteering and days the associate asked not to work.",
            rows(RotaWish.objects.filter(associate=associate).order_by("on")),
            excluded="The secret address of the personal iCal feed (a credential).",
        ),
        ExportPart(
            "activities",
            "Training, team meetings, coaching and project time the associate was booked for.",
            rows(Activity.objects.filter(attendees=associate).order_by("on", "starts_at", "pk")),
        ),
        ExportPart(
            "queue_assignments",
            "The queue the associate was planned on in each interval of a day's queue plan.",
            [
                {
                    "day": on.isoformat(),
                    "starts_at": starts_at.isoformat(),
                    "queue": queue or "off the queues",
                    "set_by_hand": pinned,
                }
                for on, starts_at, queue, pinned in QueueAssignment.objects.filter(
                    associate=associate
                )
                .order_by("starts_at")
                .values_list("plan__on", "starts_at", "queue__name", "pinned")
            ],
        ),
    ]
