"""The team pulse: a short recurring survey per team, anonymous by construction.

A round (`PulseRound`) opens on the team's cadence with a frozen copy of its
template's questions. Answering writes two unrelated rows in one transaction:

- `PulseResponse` (with its `PulseAnswer`s): the scores and the comment, and
  nothing about who gave them: no user, no associate, no participation, and no
  timestamp finer than the round (no `created_at`: a response's time next to a
  participation's would join them). Its primary key is a random UUID, not a
  serial, so ids do not tell the order of answers either; and every answer
  rewrites its round's responses in a shuffled order (services/pulse.py), so that
  neither their physical order nor the transaction that wrote them (PostgreSQL's
  ctid and xmin) follows the order in which people answered.
- `PulseParticipation`: that this user has answered this round (to refuse a second
  answer and to remind the others), with no reference to a response and no time.

Results (selectors/pulse.py) are shown only for a closed round with at least
MIN_RESPONSES responses; comments only then, shuffled.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from teams.models import Team

ENPS_QUESTION = "How likely are you to recommend this team as a place to work?"
DEFAULT_QUESTIONS = [
    "I have the tools and information I need to do my job well.",
    "I get recognition when I do good work.",
    "My workload is manageable most weeks.",
    "I can raise a problem in this team without fear.",
]
MIN_QUESTIONS, MAX_QUESTIONS = 3, 5
QUESTION_MAX_LENGTH = 200
COMMENT_MAX_LENGTH = 2000
MIN_RESPONSES = 5  # no result of any kind for a group smaller than this
ROUND_DAYS = 7  # a round takes answers for a week from the day it opens
AGREEMENT = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neutral",
    4: "Agree",
    5: "Strongly agree",
}


def default_questions() -> list[str]:
    return list(DEFAULT_QUESTIONS)


class PulseSettings(models.Model):
    """A team's pulse cadence. A team without a row has the defaults (on, 4 weeks)."""

    class Cadence(models.IntegerChoices):
        TWO = 2, "Every 2 weeks"
        FOUR = 4, "Every 4 weeks"
        SIX = 6, "Every 6 weeks"
        EIGHT = 8, "Every 8 weeks"

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="pulse_settings")
    is_enabled = models.BooleanField(
        default=True, help_text="Open a round on the cadence (off: no new rounds)."
    )
    cadence_weeks = models.PositiveSmallIntegerField(choices=Cadence.choices, default=Cadence.FOUR)

    class Meta:
        verbose_name_plural = "pulse settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(cadence_weeks__in=[2, 4, 6, 8]), name="pulse_cadence_2_4_6_or_8"
            ),
        ]

    def __str__(self) -> str:
        return f"Pulse settings of team {self.team_id}"


class PulseTemplate(models.Model):
    """The questions a team's next round asks (besides the fixed eNPS question):
    3–5 statements, each answered on a 1–5 agreement scale. The lead edits them;
    a round keeps the copy it opened with."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="pulse_template")
    questions = models.JSONField(default=default_questions)

    def __str__(self) -> str:
        return f"Pulse questions of team {self.team_id}"


class PulseRoundQuerySet(models.QuerySet["PulseRound"]):
    def open(self) -> "PulseRoundQuerySet":
        return self.filter(is_open=True)

    def closed(self) -> "PulseRoundQuerySet":
        return self.filter(is_open=False)


class PulseRound(models.Model):
    """One survey of one team: it takes answers from `opens_on` until the day
    before `closes_on` (site-local days), then closes and its results appear."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="pulse_rounds")
    opens_on = models.DateField()
    closes_on = models.DateField()
    questions = models.JSONField(help_text="The questions as the round asked them (frozen).")
    is_open = models.BooleanField(default=True)

    objects = PulseRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["team", "opens_on"], name="one_pulse_round_per_day"),
            models.CheckConstraint(
                condition=Q(closes_on__gt=models.F("opens_on")), name="pulse_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return f"Pulse of {self.opens_on:%d %b %Y} (team {self.team_id})"

    @property
    def last_day(self) -> dt.date:
        """The last day it takes answers (it closes at the start of `closes_on`)."""
        return self.closes_on - dt.timedelta(days=1)

    def takes_answers_on(self, day: dt.date) -> bool:
        return self.is_open and self.opens_on <= day < self.closes_on


class PulseResponse(models.Model):
    """One anonymous answer to a round: the eNPS score and an optional comment; the
    statements' scores are its PulseAnswers.

    Deliberately without a user, an associate, a participation or any timestamp (no
    created_at: its time and a participation's would join them), and keyed by a
    random UUID (a serial would tell the order of answers). tests/performance/
    test_pulse.py checks the table's columns and foreign keys on the database."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(PulseRound, on_delete=models.CASCADE, related_name="responses")
    enps = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, max_length=COMMENT_MAX_LENGTH)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(enps__lte=10), name="pulse_enps_0_to_10"),
        ]

    def __str__(self) -> str:
        return "Pulse response"  # never anything that tells one apart


class PulseAnswer(models.Model):
    """One statement's score (1–5) in a response. Random key, like the response."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(PulseResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.PositiveSmallIntegerField(help_text="Index in the round's questions.")
    score = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_score_per_question"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="pulse_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return "Pulse answer"


class PulseParticipation(models.Model):
    """That a user has answered a round: to refuse a second answer and to remind
    those who have not. No reference to the response and no time."""

    round = models.ForeignKey(PulseRound, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pulse_participations"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="one_answer_per_person"),
        ]

    def __str__(self) -> str:
        return f"User {self.user_id} answered round {self.round_id}"


class PulseReminder(models.Model):
    """The mid-round reminder sent to a user who had not answered: one per round and
    user (claimed by this unique row, so a rerun of the job sends nothing twice)."""

    round = models.ForeignKey(PulseRound, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="one_pulse_reminder_each"),
        ]

    def __str__(self) -> str:
        return f"Reminded user {self.user_id} of round {self.round_id}"
