"""Every e-mail the performance app sends: one function each, the body from a
template under templates/performance/email/. Callers decide who is told and
when (services); these only write and send the message."""

import datetime as dt
from collections.abc import Sequence

from django.template.loader import render_to_string
from django.urls import reverse

from teams.mail import email_people, site_url
from teams.models import Team, User

from .models import ActionItem, OneOnOne, PulseRound, Review, ReviewCycle


def email_one_on_one_tomorrow(meeting: OneOnOne, *, hosts: Sequence[User]) -> bool:
    """Both sides of tomorrow's 1:1: the associate and whoever leads them now."""
    local = meeting.starts_at.astimezone(meeting.associate.team.site.zone)
    link = site_url(reverse("performance:one-on-one-detail", args=[meeting.pk]))
    return email_people(
        [meeting.associate.user, *hosts],
        subject=f"1:1 tomorrow at {local:%H:%M}: {meeting.associate} and "
        f"{meeting.lead.display_name}",
        message=render_to_string(
            "performance/email/one_on_one_tomorrow.txt",
            {"meeting": meeting, "local": local, "link": link},
        ),
    )


def email_action_item_due(item: ActionItem) -> bool:
    """The owner of an open action item due today."""
    link = site_url(reverse("performance:one-on-one-detail", args=[item.raised_in_id]))
    return email_people(
        [item.owner],
        subject=f"Action item due today: {item.text[:60]}",
        message=render_to_string(
            "performance/email/action_item_due.txt", {"item": item, "link": link}
        ),
    )


def email_self_review_submitted(review: Review) -> bool:
    """The associate's leads: a self review is in, the lead review is theirs."""
    link = site_url(reverse("performance:review-lead", args=[review.pk]))
    return email_people(
        review.associate.team.leads.all(),
        subject=f"{review.associate} submitted their self review for {review.cycle}",
        message=render_to_string(
            "performance/email/self_review_submitted.txt", {"review": review, "link": link}
        ),
    )


def email_review_shared(review: Review) -> bool:
    """The associate: their review is ready to read and acknowledge."""
    link = site_url(reverse("performance:review-detail", args=[review.pk]))
    return email_people(
        [review.associate.user],
        subject=f"Your review for {review.cycle} is ready",
        message=render_to_string(
            "performance/email/review_shared.txt", {"review": review, "link": link}
        ),
    )


def email_review_reopened(review: Review) -> bool:
    """The associate: their shared review was changed and is back at calibration."""
    link = site_url(reverse("performance:review-detail", args=[review.pk]))
    return email_people(
        [review.associate.user],
        subject=f"Your review for {review.cycle} was changed",
        message=render_to_string(
            "performance/email/review_reopened.txt", {"review": review, "link": link}
        ),
    )


def email_self_review_due(recipient: User, review: Review) -> bool:
    cycle = review.cycle
    link = site_url(reverse("performance:review-self", args=[review.pk]))
    return email_people(
        [recipient],
        subject=f"Your self review for {cycle} is due on {cycle.self_review_due_on:%-d %b}",
        message=render_to_string(
            "performance/email/self_review_due.txt", {"cycle": cycle, "link": link}
        ),
    )


def email_lead_reviews_due(recipient: User, cycle: ReviewCycle, names: str) -> bool:
    link = site_url(reverse("performance:cycle-progress", args=[cycle.pk]))
    return email_people(
        [recipient],
        subject=f"Lead reviews for {cycle} are due on {cycle.lead_review_due_on:%-d %b}",
        message=render_to_string(
            "performance/email/lead_reviews_due.txt",
            {"cycle": cycle, "names": names, "link": link},
        ),
    )


def email_calibration_due(recipient: User, cycle: ReviewCycle, names: str) -> bool:
    link = site_url(reverse("performance:cycle-calibration", args=[cycle.pk]))
    return email_people(
        [recipient],
        subject=f"Calibration for {cycle} is due on {cycle.calibration_due_on:%-d %b}",
        message=render_to_string(
            "performance/email/calibration_due.txt",
            {"cycle": cycle, "names": names, "link": link},
        ),
    )


# issue 16: pulse
def email_pulse_reminder(round_: PulseRound, *, user: User, team: Team) -> bool:
    """Someone who has not answered an open pulse round, once, mid-round."""
    link = site_url(reverse("performance:pulse-answer", args=[round_.pk]))
    last_day = round_.closes_on - dt.timedelta(days=1)
    return email_people(
        [user],
        subject=f"{team.name} pulse: two minutes, anonymous, open until {last_day:%a %d %b}",
        message=render_to_string(
            "performance/email/pulse_reminder.txt",
            {"user": user, "team": team, "round": round_, "last_day": last_day, "link": link},
        ),
    )
