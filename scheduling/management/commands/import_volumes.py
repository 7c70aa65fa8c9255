"""Import volume history from a CSV file for one team, as the upload page does.

With `--as <username>` the intervals are recorded as that person's, who must be able
to change the team (its lead, or an ops admin); without it they are a system import,
submitted by nobody.
"""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from scheduling.models import QueueVolume
from scheduling.services.volumes import ingest_csv
from teams.access import get_team_for_user
from teams.models import Team, User


class Command(BaseCommand):
    help = (
        "Import volume history (per queue and interval) from a CSV file for one team; "
        "nothing is written unless every row is valid."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--team", required=True, help="The team's id, or its name if no other team has it."
        )
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help="Record the intervals as submitted by this person, with their rights (a "
            "lead imports for their own teams). Without it: a system import.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        team = self._team(options["team"])
        submitter = self._submitter(options["as_user"], team)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        result = ingest_csv(
            path.read_bytes(), team=team, source=QueueVolume.Source.COMMAND, submitted_by=submitter
        )
        if result.problems:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(result.problems)} problem(s); nothing was imported.")
        self.stdout.write(
            f"{team.name}: {result.created} interval(s) added, {result.replaced} replaced, "
            f"{result.unchanged} already stored with the same figures."
        )

    @staticmethod
    def _team(wanted: str) -> Team:
        teams = Team.objects.select_related("site")
        if wanted.isascii() and wanted.isdigit():
            found = list(teams.filter(pk=int(wanted)))
        else:
            found = list(teams.filter(name=wanted))
        if len(found) > 1:
            raise CommandError(f"{len(found)} teams are named {wanted!r}; give the team's id.")
        if not found:
            raise CommandError(f"No team {wanted!r}.")
        return found[0]

    @staticmethod
    def _submitter(username: str | None, team: Team) -> User | None:
        if username is None:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        try:
            get_team_for_user(user, team.pk, for_change=True)
        except (Http404, PermissionDenied):
            raise CommandError(
                f"{username} may not import volumes for {team.name} (its leads and ops admins do)."
            ) from None
        return user
