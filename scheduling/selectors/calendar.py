"""Public holidays, and an associate's published schedule as an RFC 5545 calendar."""

import datetime as dt
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone

from teams.models import Associate, Team

from ..models import (
    CalendarFeed,
    EntryKind,
    PublicHoliday,
    PublishedEntry,
    QueuePlan,
    TimeOffRequest,
)
from .queue_plans import published_blocks

PAST_DAYS, FUTURE_DAYS = 30, 120


def days_from(first: dt.date, count: int) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range(count)]


def holidays_between(team: Team, first: dt.date, last: dt.date) -> dict[dt.date, str]:
    return dict(
        PublicHoliday.objects.filter(site_id=team.site_id, on__gte=first, on__lte=last).values_list(
            "on", "name"
        )
    )


def published_days(
    associate: Associate, first: dt.date, last: dt.date
) -> dict[dt.date, PublishedEntry]:
    """What the associate was told about each day: the published schedule, and
    approved leave on days no published week covers yet (an unsaved entry, so it
    reads like the rest). My schedule, the home page and the iCal feed all use it,
    so they agree. Two queries."""
    days = {
        e.on: e
        for e in PublishedEntry.objects.filter(
            associate=associate, on__gte=first, on__lte=last
        ).select_related("template")
    }
    for request in TimeOffRequest.objects.filter(
        associate=associate,
        status=TimeOffRequest.Status.APPROVED,
        first_day__lte=last,
        last_day__gte=first,
    ):
        halves = request.half_days()
        for day in request.days():
            if first <= day <= last and day not in days:
                half = f", {halves[day]} off" if day in halves else ""
                days[day] = PublishedEntry(
                    associate=associate,
                    on=day,
                    kind=EntryKind.TIME_OFF,
                    note=f"{request.get_type_display()}{half}, approved",
                    published_at=request.decided_at or request.requested_at,
                )
    return dict(sorted(days.items()))


def uid_domain() -> str:
    """The domain of every event UID: the site's public host name, without a port, so
    an event keeps its UID whichever address or proxy the feed was fetched through."""
    return urlsplit(settings.SITE_URL).hostname or "sdc-ops.invalid"


def ics_for(associate: Associate) -> bytes:
    host = uid_domain()
    site = associate.team.site
    today = site.local_today()
    first, last = today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(days=FUTURE_DAYS)
    entries = published_days(associate, first, last).values()
    blocks = published_blocks(associate, first, last)
    # A queue plan published after the shift changes the event's description: its time
    # is the event's last change, so calendar apps take the new one.
    plans = dict(
        QueuePlan.objects.filter(
            team_id=associate.team_id, on__gte=first, on__lte=last, published_at__isnull=False
        ).values_list("on", "published_at")
    )
    holidays = dict(
        PublicHoliday.objects.filter(site=site, on__gte=first, on__lte=last).values_list(
            "on", "name"
        )
    )

    cal = icalendar.Calendar()
    cal.add("prodid", "-//SDC Ops//Schedule//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Work schedule – {associate.name}")
    cal.add("x-wr-timezone", site.time_zone)
    stamp = timezone.now()
    for entry in entries:
        event = icalendar.Event()
        event.add("uid", f"entry-{associate.pk}-{entry.on.isoformat()}@{host}")
        event.add("dtstamp", stamp)
        changed = entry.published_at
        plan_published = plans.get(entry.on) if entry.on in blocks else None
        if plan_published is not None and plan_published > changed:
            changed = plan_published
        event.add("last-modified", changed)
        if entry.kind == EntryKind.SHIFT:
            name = entry.template.name if entry.template else "Shift"
            event.add("summary", f"{name} shift ({entry.label()})")
            event.add("dtstart", entry.starts(site.zone))
            event.add("dtend", entry.ends(site.zone))
            lines = (
                [f"Includes a {entry.break_minutes}-minute unpaid break."]
                if entry.break_minutes
                else []
            )
            if blocks.get(entry.on):
                lines.append("Queues: " + "; ".join(b.label for b in blocks[entry.on]) + ".")
            if lines:
                event.add("description", "\n".join(lines))
        else:
            event.add("summary", entry.get_kind_display())
            event.add("dtstart", entry.on)
            event.add("dtend", entry.on + dt.timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        if entry.note:
            event.add("comment", entry.note)
        cal.add_component(event)
    for on, name in holidays.items():
        event = icalendar.Event()
        event.add("uid", f"holiday-{site.pk}-{on.isoformat()}@{host}")
        event.add("dtstamp", stamp)
        event.add("summary", f"Public holiday: {name}")
        event.add("dtstart", on)
        event.add("dtend", on + dt.timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def feed_of(associate: Associate) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(associate=associate).first()
