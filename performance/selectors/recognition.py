"""Reads for recognition: a team's kudos wall, its new joiners' welcome, and the
celebrations coming up (work anniversaries, birthdays shared by choice). Fixed
queries each."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from teams.models import Associate, Team
from teams.selectors import Anniversary, upcoming_anniversaries

from ..models import Feedback, WelcomePost

WELCOME_DAYS = 14  # a new joiner is welcomed for their first two weeks
AHEAD_DAYS = 14  # anniversaries and birthdays this far ahead


def kudos_wall(team: Team) -> QuerySet[Feedback]:
    """Shared peer kudos to the team's associates now, newest first. (Kudos are
    always shared praise; a lead's feedback, shared or private, is not on the wall.)"""
    return (
        Feedback.objects.filter(
            source=Feedback.Source.PEER,
            is_private=False,
            associate__team=team,
            associate__is_active=True,
        )
        .select_related("associate__user", "author")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class Welcome:
    associate: Associate
    team: Team
    post: WelcomePost | None

    @property
    def line(self) -> str:
        return (
            f"Welcome {self.associate.user.first_name or self.associate.name}, who joined "
            f"{self.team.name} on {self.associate.hired_on:%-d %b}"
        )


@dataclass(frozen=True)
class Birthday:
    associate: Associate
    on: dt.date


@dataclass(frozen=True)
class Celebrations:
    welcomes: list[Welcome]
    anniversaries: list[Anniversary]
    birthdays: list[Birthday]

    def __bool__(self) -> bool:
        return bool(self.welcomes or self.anniversaries or self.birthdays)


def team_people(team_ids: Iterable[int]) -> list[Associate]:
    """The teams' active associates with what recognition shows of them. One query."""
    return list(
        Associate.objects.active()
        .filter(team_id__in=list(team_ids))
        .select_related("user", "team", "birthday_share", "welcome_post__author")
        .order_by("hired_on", "pk")
    )


def welcomes(people: Sequence[Associate], today_by_team: dict[int, dt.date]) -> list[Welcome]:
    """Who joined in the last WELCOME_DAYS days (not those still to start)."""
    return [
        Welcome(a, a.team, getattr(a, "welcome_post", None))
        for a in sorted(people, key=lambda a: (a.hired_on, a.pk), reverse=True)
        if 0 <= (today_by_team[a.team_id] - a.hired_on).days < WELCOME_DAYS
    ]


def birthdays(people: Sequence[Associate], today_by_team: dict[int, dt.date]) -> list[Birthday]:
    found = []
    for a in people:
        share = getattr(a, "birthday_share", None)
        if share is None:
            continue
        today = today_by_team[a.team_id]
        for year in (today.year, today.year + 1):
            on = share.on_in(year)
            if today <= on <= today + dt.timedelta(days=AHEAD_DAYS):
                found.append(Birthday(a, on))
                break
    return sorted(found, key=lambda b: (b.on, b.associate.pk))


def celebrations(teams: Sequence[Team]) -> Celebrations:
    """Welcomes, anniversaries and birthdays of the teams (their sites' local days)."""
    today_by_team = {t.pk: t.site.local_today() for t in teams}
    people = team_people(today_by_team)
    return Celebrations(
        welcomes=welcomes(people, today_by_team),
        anniversaries=upcoming_anniversaries(people, today_by_team=today_by_team, days=AHEAD_DAYS),
        birthdays=birthdays(people, today_by_team),
    )
