import datetime as dt

from celery import shared_task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from teams.mail import email_people, site_url
from teams.models import Associate, Site

from .models import CompDay, PublishedEntry, RotaProposal, ShiftSwap, TimeOffRequest


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def send_week_summary(*, associate_id: int, monday: str, is_change: bool) -> bool:
    """Email an associate their published week. Reads the published rows at send time,
    so a retry or a duplicate delivery sends the same, current summary."""
    associate = (
        Associate.objects.select_related("user", "team__site").filter(pk=associate_id).first()
    )
    if associate is None or not associate.is_active:
        return False
    first = dt.date.fromisoformat(monday)
    entries = {
        e.on: e
        for e in PublishedEntry.objects.filter(
            associate=associate, on__gte=first, on__lte=first + dt.timedelta(days=6)
        ).select_related("template")
    }
    days = [(day, entries.get(day)) for day in (first + dt.timedelta(days=n) for n in range(7))]
    context = {
        "associate": associate,
        "monday": first,
        "days": days,
        "is_change": is_change,
        "link": site_url(reverse("scheduling:my-schedule")),
    }
    subject = (
        f"Your schedule for the week of {first:%-d %b} has changed"
        if is_change
        else f"Your schedule for the week of {first:%-d %b}"
    )
    return email_people(
        [associate.user],
        subject=subject,
        message=render_to_string("scheduling/email/week_summary.txt", context),
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def notify_time_off(*, request_id: int, event: str) -> bool:
    """Tell the other side of a time-off request what happened to it."""
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
        subject=f"Time off {request.first_day:%-d %b}–{request.last_day:%-d %b}: {event}",
        message=render_to_string("scheduling/email/time_off.txt", context),
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def notify_swap(*, swap_id: int, event: str) -> bool:
    """Tell whoever acts next on a shift swap (or both people, once it is decided)."""
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
    else:
        people = [swap.requester.user, swap.partner.user]
    context = {"swap": swap, "event": event, "link": site_url("/")}
    return email_people(
        people,
        subject=f"Shift swap {swap.requester_day:%-d %b} ⇄ {swap.partner_day:%-d %b}: {event}",
        message=render_to_string("scheduling/email/swap.txt", context),
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=3)
def sync_holidays() -> int:
    """Load this and next year's public holidays for every site. Idempotent:
    holidays already there (or edited by an admin) are left as they are."""
    from .services import sync_public_holidays

    created = 0
    for site in Site.objects.all():
        year = site.local_today().year
        created += sync_public_holidays(site=site, years=[year, year + 1])
    return created


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def notify_rota_draft(*, proposal_id: int) -> bool:
    proposal = RotaProposal.objects.select_related("team").filter(pk=proposal_id).first()
    if proposal is None:
        return False
    link = site_url(reverse("scheduling:rota", kwargs={"team_id": proposal.team_id}))
    if proposal.conflicts:
        body = "The weekend rota could not be drafted:\n" + "\n".join(proposal.conflicts)
    else:
        body = f"A weekend rota with {len(proposal.duties)} duties is ready for your review."
    return email_people(
        proposal.team.leads.all(),
        subject=f"Weekend rota {proposal.first_day:%-d %b}–{proposal.last_day:%-d %b} for "
        f"{proposal.team}",
        message=f"{body}\n\nReview and accept it here: {link}\n\n— SDC Ops",
    )


@shared_task
def draft_weekend_rotas() -> list[int]:
    """Weekly: draft next period's rota where a team has none and tell its leads."""
    from .rota_services import draft_rotas

    return draft_rotas(dt.date.today())


@shared_task
def settle_comp_days() -> tuple[int, int]:
    """Daily: past scheduled comp days become taken; overdue unscheduled ones expire."""
    from .rota_services import settle_comp_days as settle

    return settle(dt.date.today())


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def remind_expiring_comp_days(days: int = 7) -> int:
    """Remind the associate and their leads of comp days not yet scheduled that expire
    within `days`. Each comp day is claimed once with a conditional update, so a
    second run (or a duplicate delivery) sends nothing."""
    today = dt.date.today()
    sent = 0
    candidates = CompDay.objects.filter(
        status=CompDay.Status.OWED,
        reminded_at__isnull=True,
        expires_on__lte=today + dt.timedelta(days=days),
        expires_on__gte=today,
    ).values_list("pk", flat=True)
    for comp_id in list(candidates):
        claimed = CompDay.objects.filter(pk=comp_id, reminded_at__isnull=True).update(
            reminded_at=timezone.now()
        )
        if not claimed:
            continue
        comp = CompDay.objects.select_related("associate__user", "associate__team", "duty").get(
            pk=comp_id
        )
        sent += email_people(
            [comp.associate.user, *comp.associate.team.leads.all()],
            subject=f"A comp day of {comp.associate} expires on {comp.expires_on:%-d %b}",
            message=(
                f"{comp.associate} earned a weekday off by working {comp.duty.on:%A %-d %B}. "
                f"It is not scheduled yet and expires on {comp.expires_on:%A %-d %B}.\n\n"
                "— SDC Ops"
            ),
        )
    return sent
