"""Protected time: a lead books training, a team meeting, coaching or project time for
people of their team on a day (site-local times), changes it or cancels it.

Refused (ValidationError, nothing written): an end not after the start, times outside
the site's opening hours that day, nobody booked, someone not an active member of the
team on that day, or someone the working plan or approved leave has off that day (time
off, a day off, a comp day, a public holiday off). Only noted, and saved: a day not
planned yet for someone (plans are often made after training is booked), an activity
running outside their shift, half a day of leave, leave still waiting for a decision.
The checks run again under the team's lock, so a plan changed in another tab meanwhile
is seen.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from teams.models import Associate, Team, User

from ..models import Activity
from ..selectors.activities import attendance, time_problems
from .schedule import lock_team


@dataclass(frozen=True)
class Booked:
    activity: Activity
    notes: list[str]  # what the lead should know, though nothing stopped the booking
    created: bool = True


def _check(
    team: Team,
    on: dt.date,
    starts_at: dt.time,
    ends_at: dt.time,
    attendees: Sequence[Associate],
) -> list[str]:
    problems = time_problems(team.site, on, starts_at, ends_at)
    if problems:
        raise ValidationError(problems)
    if not attendees:
        raise ValidationError("Book at least one person.")
    found = attendance(team, on, starts_at, ends_at, attendees)
    if found.refusals:
        raise ValidationError(found.refusals)
    return found.notes


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise ValidationError("Give the activity a title.")
    return title


def _fresh(attendees: Sequence[Associate]) -> list[Associate]:
    """The attendees as the database has them now (active, team, dates), under the lock."""
    ids = sorted({a.pk for a in attendees})
    return list(Associate.objects.select_related("user").filter(pk__in=ids))


@transaction.atomic
def book_activity(
    *,
    actor: User,
    team: Team,
    kind: str,
    title: str,
    on: dt.date,
    starts_at: dt.time,
    ends_at: dt.time,
    attendees: Sequence[Associate],
) -> Booked:
    """A new activity. The same booking sent twice (a double click) is one activity."""
    lock_team(team)
    title = _clean_title(title)
    people = _fresh(attendees)
    notes = _check(team, on, starts_at, ends_at, people)
    wanted = {p.pk for p in people}
    for same in Activity.objects.filter(
        team=team, kind=kind, title=title, on=on, starts_at=starts_at, ends_at=ends_at
    ).prefetch_related("attendees"):
        if {a.pk for a in same.attendees.all()} == wanted:
            return Booked(same, notes, created=False)
    activity = Activity.objects.create(
        team=team,
        kind=kind,
        title=title,
        on=on,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=actor,
    )
    activity.attendees.set(people)
    return Booked(activity, notes)


@transaction.atomic
def change_activity(
    *,
    actor: User,
    activity: Activity,
    kind: str,
    title: str,
    on: dt.date,
    starts_at: dt.time,
    ends_at: dt.time,
    attendees: Sequence[Associate],
) -> Booked:
    """Move, retitle or rebook an activity; nothing is written when nothing changes."""
    team = activity.team
    lock_team(team)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    title = _clean_title(title)
    people = _fresh(attendees)
    notes = _check(team, on, starts_at, ends_at, people)
    fields = {"kind": kind, "title": title, "on": on, "starts_at": starts_at, "ends_at": ends_at}
    changed = [name for name, value in fields.items() if getattr(activity, name) != value]
    for name in changed:
        setattr(activity, name, fields[name])
    if changed:
        activity.save(update_fields=changed)
    if {a.pk for a in activity.attendees.all()} != {p.pk for p in people}:
        activity.attendees.set(people)
    return Booked(activity, notes, created=False)


@transaction.atomic
def cancel_activity(*, actor: User, activity: Activity) -> bool:
    """Remove an activity; False when it was already gone (a second click)."""
    lock_team(activity.team)
    deleted, _ = Activity.objects.filter(pk=activity.pk).delete()
    return bool(deleted)
