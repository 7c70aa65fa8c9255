"""Review cycles: opening a cycle and every transition of a review.

A review moves self review → lead review → calibration → shared → acknowledged.
Each step is one function here that takes the acting user, locks the review,
checks who is acting and where the review stands, and raises `NotAllowed` (the
view answers 403) or `WrongStep` (400) with a sentence saying why; nothing
changes then.

Who does what:
- the associate writes their self review and acknowledges the shared review;
- a lead of the associate's team (or an ops admin) writes the lead review;
- the team's manager (or an ops admin) calibrates the rating, with a reason;
- the lead or the manager (or an ops admin) shares it after calibration.

A shared review is never edited silently: the lead's edit after sharing needs a
reason, sends the review back to **calibration** (the manager sees the change
and shares it again), is kept in the history with that reason, and emails the
associate. The associate keeps seeing the review meanwhile: a shared review is
not withdrawn. An acknowledged review is final and refuses every change.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from sdc_ops.celery import enqueue_on_commit
from teams import audit
from teams.models import Associate, AuditEvent, Team, User

from .. import access, notifications, tasks
from ..models import Rating, RatingChange, Review, ReviewCycle, ReviewReminder
from ..selectors import reviews as review_selectors


class ReviewError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(ReviewError):
    """The actor may see the review but this step is not theirs (403)."""

    status = 403


class WrongStep(ReviewError):
    """The review is not at the step this action belongs to, or the input is bad (400)."""

    status = 400


STATE_LABEL = dict(Review.State.choices)


def _locked(review: Review) -> Review:
    """The review's row, locked for the rest of the transaction, with its relations."""
    return (
        Review.objects.select_for_update(of=("self",))
        .select_related("associate__user", "associate__team__site", "cycle")
        .get(pk=review.pk)
    )


def _require_state(review: Review, *states: str, action: str) -> None:
    if review.state not in states:
        if review.state == Review.State.ACKNOWLEDGED:
            raise WrongStep(f"This review is acknowledged, which is final: it cannot {action}.")
        wanted = " or ".join(STATE_LABEL[s].lower() for s in states)
        raise WrongStep(
            f"This review is at {STATE_LABEL[review.state].lower()}; it can {action} only "
            f"at {wanted}."
        )


def _save(review: Review, *, actor: User, reason: str, fields: Iterable[str]) -> None:
    review._history_user = actor  # type: ignore[attr-defined]
    review._change_reason = reason  # type: ignore[attr-defined]
    review.save(update_fields=list(fields))


def _notify(review: Review, event: str) -> None:
    enqueue_on_commit(tasks.notify_review, review_id=review.pk, event=event)


NOTIFICATIONS = {
    "self_submitted": notifications.email_self_review_submitted,
    "reopened": notifications.email_review_reopened,
    "shared": notifications.email_review_shared,
}


def notify(*, review_id: int, event: str) -> bool:
    """Tell the leads that a self review is in (`self_submitted`), or the associate
    that their review was shared or edited after sharing (`shared`, `reopened`).
    False when the review is gone or nobody has an address."""
    review = (
        Review.objects.select_related("associate__user", "associate__team", "cycle")
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        return False
    return NOTIFICATIONS.get(event, notifications.email_review_shared)(review)


# --- Opening a cycle ----------------------------------------------------------------------


def reviewed_associates(teams: Iterable[Team], *, period_end: dt.date) -> list[Associate]:
    """Active associates of the teams who had joined by the end of the period (someone
    who joined after it has nothing to be reviewed on), except each team's own leads
    (a lead's review is their manager's business, not their own)."""
    team_ids = [t.pk for t in teams]
    led = Team.leads.through.objects.filter(team_id__in=team_ids).values_list("team_id", "user_id")
    lead_pairs = set(led)
    return [
        a
        for a in Associate.objects.active()
        .filter(team_id__in=team_ids, hired_on__lte=period_end)
        .order_by("pk")
        if (a.team_id, a.user_id) not in lead_pairs
    ]


@transaction.atomic
def open_cycle(
    *,
    actor: User,
    name: str,
    period_start: dt.date,
    period_end: dt.date,
    self_review_due_on: dt.date,
    lead_review_due_on: dt.date,
    calibration_due_on: dt.date,
    teams: Iterable[Team],
) -> ReviewCycle:
    """Open a cycle and give every associate in scope a review at self review."""
    teams = list(teams)
    refusal = access.cycle_opening_refusal(actor, teams)
    if refusal is not None:
        raise NotAllowed(refusal)
    if not teams:
        raise WrongStep("Choose at least one team.")
    if period_end < period_start:
        raise WrongStep("The period cannot end before it starts.")
    if not (self_review_due_on <= lead_review_due_on <= calibration_due_on):
        raise WrongStep("Due dates go in order: self review, then lead review, then calibration.")
    if ReviewCycle.objects.filter(name=name).exists():
        raise WrongStep(f"There is already a review cycle called {name!r}.")
    cycle = ReviewCycle(
        name=name,
        period_start=period_start,
        period_end=period_end,
        self_review_due_on=self_review_due_on,
        lead_review_due_on=lead_review_due_on,
        calibration_due_on=calibration_due_on,
        opened_by=actor,
    )
    cycle._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            cycle.save()
    except IntegrityError:
        raise WrongStep(f"There is already a review cycle called {name!r}.") from None
    cycle.teams.set(teams)
    reviews = [
        Review(cycle=cycle, associate=a) for a in reviewed_associates(teams, period_end=period_end)
    ]
    bulk_create_with_history(reviews, Review, default_user=actor, default_change_reason="opened")
    return cycle


# --- The associate's self review ----------------------------------------------------------


@transaction.atomic
def save_self_review(
    *,
    actor: User,
    review: Review,
    achievements: str,
    challenges: str,
    growth: str,
    submit: bool,
) -> Review:
    """Save the associate's self review; `submit` hands it to the lead."""
    review = _locked(review)
    if not access.relation(actor, review).is_subject:
        raise NotAllowed("Only the associate writes their self review.")
    _require_state(review, Review.State.SELF_REVIEW, action="take a self review")
    if submit and not achievements.strip():
        raise WrongStep("Write at least what you achieved before you submit.")
    review.self_achievements = achievements.strip()
    review.self_challenges = challenges.strip()
    review.self_growth = growth.strip()
    fields = ["self_achievements", "self_challenges", "self_growth"]
    reason = "self review saved"
    if submit:
        review.state = Review.State.LEAD_REVIEW
        review.self_submitted_at = timezone.now()
        fields += ["state", "self_submitted_at", *prefill_lead_draft(review)]
        reason = "self review submitted"
    _save(review, actor=actor, reason=reason, fields=fields)
    if submit:
        _notify(review, "self_submitted")
    return review


@transaction.atomic
def skip_self_review(*, actor: User, review: Review) -> Review:
    """Once the self review is overdue (site-local day), a lead may start the lead
    review without it, so one absent associate does not hold up the cycle. An
    unsubmitted draft of the associate's stays theirs: the lead does not see it."""
    review = _locked(review)
    if not access.relation(actor, review).writes_lead_review:
        raise NotAllowed("Only a lead of the associate's team moves on without a self review.")
    _require_state(review, Review.State.SELF_REVIEW, action="skip the self review")
    today = review.associate.team.site.local_today()
    if today <= review.cycle.self_review_due_on:
        raise WrongStep(
            f"The self review is due on {review.cycle.self_review_due_on:%-d %b}; it can be "
            "skipped only after that."
        )
    review.state = Review.State.LEAD_REVIEW
    fields = ["state", *prefill_lead_draft(review)]
    _save(review, actor=actor, reason="self review skipped: overdue", fields=fields)
    return review


# --- The lead's review ----------------------------------------------------------------------


def prefill_lead_draft(review: Review) -> list[str]:
    """Fill the lead's draft from the period: the KPI summary (always refreshed),
    and goal outcomes and feedback highlights where the lead has written nothing.
    Returns the fields it set; the caller saves them."""
    cycle = review.cycle
    summary = review_selectors.kpi_summaries(
        [review.associate_id], cycle.period_start, cycle.period_end
    )
    review.kpi_summary = list(summary[review.associate_id])
    fields = ["kpi_summary"]
    if not review.goal_outcomes.strip():
        review.goal_outcomes = review_selectors.goal_outcomes_text(
            review.associate, cycle.period_start, cycle.period_end
        )
        fields.append("goal_outcomes")
    if not review.feedback_highlights.strip():
        review.feedback_highlights = review_selectors.feedback_highlights_text(
            review.associate,
            cycle.period_start,
            cycle.period_end,
            given_until=max(cycle.period_end, cycle.lead_review_due_on),
        )
        fields.append("feedback_highlights")
    return fields


def _parse_rating(rating: int | None) -> int | None:
    if rating is None:
        return None
    if rating not in Rating.values:
        raise WrongStep(f"Ratings go from {min(Rating.values)} to {max(Rating.values)}.")
    return rating


@transaction.atomic
def save_lead_review(
    *,
    actor: User,
    review: Review,
    goal_outcomes: str,
    feedback_highlights: str,
    lead_summary: str,
    rating: int | None,
    rating_justification: str,
    submit: bool = False,
    edit_reason: str = "",
) -> Review:
    """Save the lead's draft (`submit` sends it to calibration), or edit a shared
    review, which reopens it to calibration, is audited and notifies the associate."""
    review = _locked(review)
    if not access.relation(actor, review).writes_lead_review:
        raise NotAllowed("The lead review is written by a lead of the associate's team.")
    _require_state(
        review, Review.State.LEAD_REVIEW, Review.State.SHARED, action="take the lead's edits"
    )
    rating = _parse_rating(rating)
    new = {
        "goal_outcomes": goal_outcomes.strip(),
        "feedback_highlights": feedback_highlights.strip(),
        "lead_summary": lead_summary.strip(),
        "rating": rating,
        "rating_justification": rating_justification.strip(),
    }
    changed = [name for name, value in new.items() if getattr(review, name) != value]
    is_shared = review.state == Review.State.SHARED
    if (submit or is_shared) and (rating is None or not new["rating_justification"]):
        raise WrongStep("Choose a rating and write why: a rating needs a written justification.")
    if is_shared:
        return _reopen_shared(review, new, changed, actor=actor, edit_reason=edit_reason)
    for name, value in new.items():
        setattr(review, name, value)
    fields = [*changed, *prefill_lead_draft(review)]
    reason = "lead review saved"
    if submit:
        review.state = Review.State.CALIBRATION
        review.lead_submitted_at = timezone.now()
        review.lead_submitted_by = actor
        fields += ["state", "lead_submitted_at", "lead_submitted_by"]
        reason = "lead review submitted for calibration"
    # prefill_lead_draft may have filled a field the lead left empty; save the set once.
    _save(review, actor=actor, reason=reason, fields=dict.fromkeys(fields))
    return review


def _reopen_shared(
    review: Review, new: dict[str, Any], changed: list[str], *, actor: User, edit_reason: str
) -> Review:
    """A lead's edit of a shared review: audited with its reason, back to calibration,
    and the associate is told. Nothing changed: it stays shared as it was."""
    if not changed:
        return review
    if not edit_reason.strip():
        raise WrongStep(
            "This review is shared: say why you change it. The associate is told, and it "
            "goes back to calibration."
        )
    old_rating, rating = review.rating, new["rating"]
    for name, value in new.items():
        setattr(review, name, value)
    review.state = Review.State.CALIBRATION
    review.reopened_count += 1
    if old_rating != rating and rating is not None:
        RatingChange.objects.create(
            review=review,
            from_rating=old_rating,
            to_rating=rating,
            changed_by=actor,
            reason=f"Edited after sharing: {edit_reason.strip()}",
        )
    _save(
        review,
        actor=actor,
        reason=f"reopened after sharing: {edit_reason.strip()}",
        fields=[*changed, "state", "reopened_count"],
    )
    _notify(review, "reopened")
    return review


# --- Calibration, sharing, acknowledgement --------------------------------------------


@transaction.atomic
def calibrate(*, actor: User, review: Review, rating: int, reason: str) -> RatingChange:
    """The manager adjusts a rating in calibration; from, to, who, why and when are kept."""
    review = _locked(review)
    if not access.relation(actor, review).calibrates:
        raise NotAllowed("Ratings are calibrated by the team's manager.")
    _require_state(review, Review.State.CALIBRATION, action="be calibrated")
    new_rating = _parse_rating(rating)
    if new_rating is None:
        raise WrongStep("Choose the calibrated rating.")
    if not reason.strip():
        raise WrongStep("Say why the rating changes: a calibration change needs a reason.")
    if new_rating == review.rating:
        raise WrongStep("That is already the rating; nothing changed.")
    change = RatingChange.objects.create(
        review=review,
        from_rating=review.rating,
        to_rating=new_rating,
        changed_by=actor,
        reason=reason.strip(),
    )
    review.rating = new_rating
    _save(review, actor=actor, reason=f"calibrated: {reason.strip()}", fields=["rating"])
    return change


@transaction.atomic
def share_review(*, actor: User, review: Review) -> Review:
    """Show the calibrated review to the associate and tell them by email."""
    review = _locked(review)
    if not access.relation(actor, review).shares:
        raise NotAllowed("A review is shared by the associate's lead or manager.")
    _require_state(review, Review.State.CALIBRATION, action="be shared")
    now = timezone.now()
    review.state = Review.State.SHARED
    review.shared_at = now
    review.shared_by = actor
    fields = ["state", "shared_at", "shared_by"]
    if review.first_shared_at is None:
        review.first_shared_at = now
        fields.append("first_shared_at")
    _save(review, actor=actor, reason="shared with the associate", fields=fields)
    _notify(review, "shared")
    return review


@transaction.atomic
def acknowledge_review(*, actor: User, review: Review, comment: str) -> Review:
    """The associate acknowledges the shared review. Final: it cannot be undone."""
    review = _locked(review)
    if not access.relation(actor, review).is_subject:
        raise NotAllowed("Only the associate acknowledges their review.")
    _require_state(review, Review.State.SHARED, action="be acknowledged")
    review.state = Review.State.ACKNOWLEDGED
    review.acknowledged_at = timezone.now()
    review.acknowledgement_comment = comment.strip()
    _save(
        review,
        actor=actor,
        reason="acknowledged",
        fields=["state", "acknowledged_at", "acknowledgement_comment"],
    )
    return review


# --- Reminders -----------------------------------------------------------------------------

REMIND_DAYS_BEFORE = 2


@dataclass(frozen=True)
class Reminder:
    cycle: ReviewCycle
    kind: str
    recipient: User
    reviews: tuple[Review, ...]


def due_reminders(now: dt.datetime) -> list[Reminder]:
    """Reminders that are due now: a step due within REMIND_DAYS_BEFORE days (or past
    due) on the site-local day, for reviews still at or before that step."""
    reviews = (
        Review.objects.filter(
            state__in=[
                Review.State.SELF_REVIEW,
                Review.State.LEAD_REVIEW,
                Review.State.CALIBRATION,
            ],
            associate__is_active=True,
        )
        .select_related("cycle", "associate__user", "associate__team__site")
        .prefetch_related("associate__team__leads")
        .select_related("associate__team__manager")
        .order_by("cycle_id", "pk")
    )
    window = dt.timedelta(days=REMIND_DAYS_BEFORE)
    grouped: dict[tuple[int, str, int], list[Review]] = {}
    users: dict[int, User] = {}
    cycles: dict[int, ReviewCycle] = {}

    def add(review: Review, kind: str, user: User | None) -> None:
        if user is None or not user.is_active:
            return
        users[user.pk] = user
        cycles[review.cycle_id] = review.cycle
        grouped.setdefault((review.cycle_id, kind, user.pk), []).append(review)

    for review in reviews:
        today = now.astimezone(review.associate.team.site.zone).date()
        cycle = review.cycle
        if review.state == Review.State.SELF_REVIEW and today >= cycle.self_review_due_on - window:
            add(review, ReviewReminder.Kind.SELF_REVIEW_DUE, review.associate.user)
        if today >= cycle.lead_review_due_on - window and review.state in (
            Review.State.SELF_REVIEW,
            Review.State.LEAD_REVIEW,
        ):
            for lead in review.associate.team.leads.all():
                add(review, ReviewReminder.Kind.LEAD_REVIEW_DUE, lead)
        if today >= cycle.calibration_due_on - window:
            add(review, ReviewReminder.Kind.CALIBRATION_DUE, review.associate.team.manager)
    return [
        Reminder(cycles[cycle_id], kind, users[user_id], tuple(items))
        for (cycle_id, kind, user_id), items in grouped.items()
    ]


def email_review_reminder(reminder: Reminder) -> bool:
    """Send one review reminder; False when the recipient has no email address."""
    names = ", ".join(sorted(r.associate.name for r in reminder.reviews))
    if reminder.kind == ReviewReminder.Kind.SELF_REVIEW_DUE:
        return notifications.email_self_review_due(reminder.recipient, reminder.reviews[0])
    if reminder.kind == ReviewReminder.Kind.LEAD_REVIEW_DUE:
        return notifications.email_lead_reviews_due(reminder.recipient, reminder.cycle, names)
    return notifications.email_calibration_due(reminder.recipient, reminder.cycle, names)


def send_due_reminders(now: dt.datetime | None = None) -> int:
    """Send each due reminder once: the `ReviewReminder` row is inserted in the same
    transaction as the email is sent, and its unique constraint turns a second run
    (or a concurrent one, which waits on the row lock) into a no-op."""
    sent = 0
    for reminder in due_reminders(now or timezone.now()):
        try:
            with transaction.atomic():
                claim = ReviewReminder.objects.create(
                    cycle=reminder.cycle, kind=reminder.kind, recipient=reminder.recipient
                )
                teams = {review.associate.team for review in reminder.reviews}
                audit.record(
                    action=AuditEvent.Action.REMINDER_CLAIMED,
                    actor=None,
                    target=claim,
                    team=teams.pop() if len(teams) == 1 else None,
                    details={
                        "kind": reminder.kind,
                        "cycle": reminder.cycle.name,
                        "recipient": reminder.recipient.username,
                        "reviews": len(reminder.reviews),
                    },
                )
                if email_review_reminder(reminder):
                    sent += 1
        except IntegrityError:
            continue  # already sent
    return sent
