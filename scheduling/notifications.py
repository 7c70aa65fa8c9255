"""Every e-mail scheduling sends: one function each, the body from a template in
templates/scheduling/email/. Each reads its rows at send time, so a retried or
duplicated task sends the same, current message; each returns whether it sent."""

import datetime as dt

from django.template.loader import render_to_string
from django.urls import reverse

from teams.mail import email_people, site_url
from teams.models import Associate

from .models import CompDay, PublishedEntry, RotaProposal, ShiftSwap, TimeOffRequest


def send_week_summary(*, associate_id: int, monday: dt.date, is_change: bool) -> bool:
    """An associate's published week, after their lead published it."""
    associate = (
        Associate.objects.select_related("user", "team__site").filter(pk=associate_id).first()
    )
    if associate is None or not associate.is_active:
        return False
    entries = {
        e.on: e
        for e in PublishedEntry.objects.filter(
            associate=associate, on__gte=monday, on__lte=monday + dt.timedelta(days=6)
        ).select_related("template")
    }
    days = [(day, entries.get(day)) for day in (monday + dt.timedelta(days=n) for n in range(7))]
    context = {
        "associate": associate,
        "monday": monday,
        "days": days,
        "is_change": is_change,
        "link": site_url(reverse("scheduling:my-schedule")),
    }
    subject = (
        f"Your schedule for the week of {monday:%-d %b} has changed"
        if is_change
        else f"Your schedule for the week of {monday:%-d %b}"
    )
    return email_people(
        [associate.user],
        subject=subject,
        message=render_to_string("scheduling/email/week_summary.txt", context),
    )


def notify_time_off(*, request_id: int, event: str) -> bool:
    """The other side of a time-off request: the leads when it is asked, else the associate."""
    request = (
        TimeOffRequest.objects.select_related("associate__user", "associate__team")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return False
    team = request.associate.team
    people = list(team.leads.all()) if event == "requested" else [request.associate.user]
    context = {
        "request": request,
        "event": event,
        "link": site_url(
            reverse("scheduling:timeoff-queue", kwargs={"team_id": team.pk})
            if event == "requested"
            else reverse("scheduling:my-schedule")
        ),
    }
    return email_people(
        people,
        subject=f"Time off {request.period()}: {event}",
        message=render_to_string("scheduling/email/time_off.txt", context),
    )


def notify_swap(*, swap_id: int, event: str) -> bool:
    """Whoever acts next on a shift swap (or both people, once it is decided)."""
    swap = (
        ShiftSwap.objects.select_related("requester__user", "partner__user", "requester__team")
        .filter(pk=swap_id)
        .first()
    )
    if swap is None:
        return False
    if event == "proposed":
        people = [swap.partner.user]
    elif event == "accepted":
        people = list(swap.requester.team.leads.all())
    elif event == "taken":  # from the swap board: the lead decides; the offerer hears
        people = [*swap.requester.team.leads.all(), swap.requester.user]
    else:
        people = [swap.requester.user, swap.partner.user]
    context = {"swap": swap, "event": event, "link": site_url("/")}
    return email_people(
        people,
        subject=(
            f"Shift hand-over {swap.requester_day:%-d %b}: {event}"
            if swap.is_hand_over
            else f"Shift swap {swap.requester_day:%-d %b} ⇄ {swap.partner_day:%-d %b}: {event}"
        ),
        message=render_to_string("scheduling/email/swap.txt", context),
    )


def notify_rota_draft(*, proposal_id: int) -> bool:
    """The team's leads: a drafted weekend rota waits for them (or could not be drafted)."""
    proposal = RotaProposal.objects.select_related("team").filter(pk=proposal_id).first()
    if proposal is None:
        return False
    context = {
        "proposal": proposal,
        "link": site_url(reverse("scheduling:rota", kwargs={"team_id": proposal.team_id})),
    }
    return email_people(
        proposal.team.leads.all(),
        subject=f"Weekend rota {proposal.first_day:%-d %b}–{proposal.last_day:%-d %b} for "
        f"{proposal.team}",
        message=render_to_string("scheduling/email/rota_draft.txt", context),
    )


def remind_comp_day_expiring(*, comp: CompDay) -> bool:
    """The associate and their leads: a comp day not yet scheduled expires soon."""
    return email_people(
        [comp.associate.user, *comp.associate.team.leads.all()],
        subject=f"A comp day of {comp.associate} expires on {comp.expires_on:%-d %b}",
        message=render_to_string("scheduling/email/comp_day_expiring.txt", {"comp": comp}),
    )
