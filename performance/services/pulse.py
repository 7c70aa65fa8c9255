"""Writes for the team pulse: the lead's settings and questions, an answer, and the
hourly job that opens, closes and reminds rounds on each site's local day.

An answer writes its participation and its response in one transaction under the
round's lock: a second answer by the same person is refused there (and by the
unique constraint as the last line). Every answer then rewrites its round's
responses in a fresh random order with new random keys, so that nothing stored
follows the order in which people answered: not the keys, not the rows' physical
order (PostgreSQL's ctid), not the transaction that wrote them (xmin: all of a
round's live rows carry the latest answer's). A round's responses are a team's
worth of rows, so this costs a handful of queries. (Dead row versions stay on disk
until VACUUM; reading them takes a database superuser's tools, not the app's.)
"""

import datetime as dt
import logging
import random
from collections import defaultdict
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from teams.models import Associate, Team, User

from .. import notifications
from ..models import (
    PulseAnswer,
    PulseParticipation,
    PulseReminder,
    PulseResponse,
    PulseRound,
    PulseSettings,
    PulseTemplate,
)
from ..models.pulse import (
    COMMENT_MAX_LENGTH,
    MAX_QUESTIONS,
    MIN_QUESTIONS,
    QUESTION_MAX_LENGTH,
    ROUND_DAYS,
    default_questions,
)

logger = logging.getLogger(__name__)

REMIND_AFTER_DAYS = 3  # the reminder goes out on the round's fourth day, mid-week
REMIND_FROM_HOUR = 8  # local time
ALREADY_ANSWERED = "You have already answered this round: each person answers once."
_shuffle = random.SystemRandom().shuffle  # not seeded from anything stored


# --- The lead's settings and questions ---------------------------------------------------


def settings_of(team: Team) -> PulseSettings:
    """The team's settings, or the defaults (not saved) for a team without a row."""
    found = PulseSettings.objects.filter(team=team).first()
    return found or PulseSettings(team=team)


def questions_of(team: Team) -> list[str]:
    found = PulseTemplate.objects.filter(team=team).values_list("questions", flat=True).first()
    return list(found) if found else default_questions()


@transaction.atomic
def save_pulse_settings(
    *, actor: User, team: Team, is_enabled: bool, cadence_weeks: int
) -> PulseSettings:
    if cadence_weeks not in PulseSettings.Cadence.values:
        raise ValidationError("Choose a cadence of 2, 4, 6 or 8 weeks.")
    row, _ = PulseSettings.objects.select_for_update().get_or_create(team=team)
    if (row.is_enabled, row.cadence_weeks) != (is_enabled, cadence_weeks):
        row.is_enabled, row.cadence_weeks = is_enabled, cadence_weeks
        row.save(update_fields=["is_enabled", "cadence_weeks"])
    return row


def question_problem(questions: Sequence[str]) -> str | None:
    if not MIN_QUESTIONS <= len(questions) <= MAX_QUESTIONS:
        return f"Ask {MIN_QUESTIONS} to {MAX_QUESTIONS} questions, one a line."
    if any(not q or len(q) > QUESTION_MAX_LENGTH for q in questions):
        return f"Each question takes 1 to {QUESTION_MAX_LENGTH} characters."
    if len(set(questions)) != len(questions):
        return "Each question once."
    return None


@transaction.atomic
def save_pulse_questions(*, actor: User, team: Team, questions: Sequence[str]) -> PulseTemplate:
    """The questions of the team's next rounds; an open round keeps its own copy."""
    cleaned = [q.strip() for q in questions]
    if problem := question_problem(cleaned):
        raise ValidationError(problem)
    row, _ = PulseTemplate.objects.select_for_update().get_or_create(team=team)
    if row.questions != cleaned:
        row.questions = cleaned
        row.save(update_fields=["questions"])
    return row


# --- Answering -----------------------------------------------------------------------------


def may_answer(user: User, round_: PulseRound) -> bool:
    """The round's team's active associates answer (a lead too, if on its roster)."""
    return Associate.objects.filter(user=user, team_id=round_.team_id, is_active=True).exists()


def answer_round(
    *,
    actor: User,
    round_: PulseRound,
    enps: int,
    scores: Sequence[int],
    comment: str = "",
) -> None:
    """Record one person's answer: that they answered, and what, in two unrelated
    rows. Refused (ValidationError, nothing written) when the round is not taking
    answers, the actor is not on the team, a value is out of range, or the actor
    has answered already."""
    with transaction.atomic():
        locked = (
            PulseRound.objects.select_for_update(of=("self",))
            .select_related("team__site")
            .get(pk=round_.pk)
        )
        if not locked.takes_answers_on(locked.team.site.local_today()):
            raise ValidationError("This round is closed: it no longer takes answers.")
        if not may_answer(actor, locked):
            raise ValidationError("Only the team's associates answer its pulse.")
        comment = comment.strip()
        if (
            not 0 <= enps <= 10
            or len(scores) != len(locked.questions)
            or any(not 1 <= s <= 5 for s in scores)
            or len(comment) > COMMENT_MAX_LENGTH
        ):
            raise ValidationError("Answer every question on its scale.")
        if PulseParticipation.objects.filter(round=locked, user=actor).exists():
            raise ValidationError(ALREADY_ANSWERED)
        try:
            with transaction.atomic():
                PulseParticipation.objects.create(round=locked, user=actor)
        except IntegrityError:  # the constraint, should the lock ever be bypassed
            raise ValidationError(ALREADY_ANSWERED) from None
        _rewrite_shuffled(locked, added=(enps, list(scores), comment))


def _rewrite_shuffled(round_: PulseRound, *, added: tuple[int, list[int], str]) -> None:
    """The round's responses, the new one among them, deleted and written again in
    a random order with new random keys. Five queries, however many responses."""
    scores: dict[object, dict[int, int]] = defaultdict(dict)
    for response_id, question, score in PulseAnswer.objects.filter(
        response__round=round_
    ).values_list("response_id", "question", "score"):
        scores[response_id][question] = score
    entries = [
        (enps, [scores[pk][i] for i in sorted(scores[pk])], comment)
        for pk, enps, comment in PulseResponse.objects.filter(round=round_).values_list(
            "pk", "enps", "comment"
        )
    ]
    entries.append(added)
    _shuffle(entries)
    PulseAnswer.objects.filter(response__round=round_).delete()
    PulseResponse.objects.filter(round=round_).delete()
    responses = PulseResponse.objects.bulk_create(
        [PulseResponse(round=round_, enps=enps, comment=comment) for enps, _, comment in entries]
    )
    PulseAnswer.objects.bulk_create(
        [
            PulseAnswer(response=response, question=index, score=score)
            for response, (_, answer_scores, _) in zip(responses, entries, strict=True)
            for index, score in enumerate(answer_scores)
        ]
    )


# --- The job: open, close, remind ------------------------------------------------------------


def run_pulse_rounds(now: dt.datetime) -> dict[str, int]:
    """For every team, on its site's local today: close rounds whose last day has
    passed, open a round when the cadence says one is due, and remind (once each)
    those who have not answered an open round by its fourth day (from 08:00
    local). Idempotent."""
    done = {"closed": 0, "opened": 0, "reminded": 0}
    teams = Team.objects.select_related("site").order_by("pk")
    settings_by_team = {s.team_id: s for s in PulseSettings.objects.all()}
    for team in teams:
        local_now = now.astimezone(team.site.zone)
        today = local_now.date()
        done["closed"] += PulseRound.objects.filter(
            team=team, is_open=True, closes_on__lte=today
        ).update(is_open=False)
        settings = settings_by_team.get(team.pk) or PulseSettings(team=team)
        if settings.is_enabled and _open_if_due(team, today, settings.cadence_weeks):
            done["opened"] += 1
        if local_now.hour < REMIND_FROM_HOUR:
            continue  # nobody gets a reminder in the night
        for round_ in PulseRound.objects.open().filter(
            team=team, opens_on__lte=today - dt.timedelta(days=REMIND_AFTER_DAYS)
        ):
            done["reminded"] += _remind(round_, team)
    return done


def _open_if_due(team: Team, today: dt.date, cadence_weeks: int) -> bool:
    with transaction.atomic():
        Team.objects.select_for_update().filter(pk=team.pk).first()  # one opener per team
        rounds = PulseRound.objects.filter(team=team)
        if rounds.open().exists():
            return False
        last = rounds.order_by("-opens_on").values_list("opens_on", flat=True).first()
        if last is not None and today < last + dt.timedelta(weeks=cadence_weeks):
            return False
        PulseRound.objects.create(
            team=team,
            opens_on=today,
            closes_on=today + dt.timedelta(days=ROUND_DAYS),
            questions=questions_of(team),
        )
        return True


def _remind(round_: PulseRound, team: Team) -> int:
    """E-mail each active associate of the team who has neither answered nor been
    reminded: the claim (a unique row) and the e-mail share a transaction, so a
    failed send is retried and a rerun sends nothing twice."""
    waiting = (
        User.objects.filter(associate__team=team, associate__is_active=True, is_active=True)
        .exclude(pulse_participations__round=round_)
        .exclude(pk__in=PulseReminder.objects.filter(round=round_).values("user_id"))
        .order_by("pk")
    )
    sent = 0
    for user in waiting:
        with transaction.atomic():
            _, claimed = PulseReminder.objects.get_or_create(round=round_, user=user)
            if claimed:
                sent += int(notifications.email_pulse_reminder(round_, user=user, team=team))
    return sent
