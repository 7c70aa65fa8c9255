"""Every URL × every persona: the status each must get.

The test walks the URL resolver, so a new view without a declared expectation
fails here before it can ship unchecked. Admin URLs are covered model by model
in test_admin_is_for_ops_admins_only.
"""

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.contrib import admin as django_admin
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from performance.models import ActionItem, OneOnOne, Review
from scheduling.models import (
    Activity,
    CalendarFeed,
    CompDay,
    CompDayRequest,
    CoverageRequirement,
    RotaProposal,
    ShiftSwap,
    SwapOffer,
    TimeOffRequest,
    WeekendDuty,
)
from teams.models import Application, Requisition
from tests.conftest import PERSONAS, client_for, shared_cast
from tests.factories import (  # hiring: offers, onboarding
    ApiTokenFactory,
    ApplicationFactory,
    GoalFactory,
    IdeaFactory,
    OfferFactory,
    OnboardingItemFactory,
    OnboardingPlanFactory,
    ProcedureFactory,
    QueueFactory,
    RequisitionFactory,
)

# The cast is made once for this module's ~870 tests, each of which changes rows only
# (rolled back after it) and gets its own copies of the objects (tests/conftest.py).
globals().update(shared_cast())

LOGIN = "login"  # 302 to the login page with ?next=
REDIRECT = "redirect"  # 302 somewhere else (POST/redirect/GET)


@dataclass(frozen=True)
class Expect:
    statuses: dict[str, int | str]
    method: str = "get"
    kwargs: str = ""  # which cast object fills the URL: "team" or "associate"
    data: dict[str, str] = field(default_factory=dict)


def everyone(status: int | str, **overrides: int | str) -> dict[str, int | str]:
    return {persona: overrides.get(persona, status) for persona in PERSONAS}


def team_page(**overrides: int | str) -> dict[str, int | str]:
    base: dict[str, int | str] = {
        "anonymous": LOGIN,
        "associate": 404,
        "teammate": 404,
        "lead": 200,
        "other_lead": 404,
        "manager": 200,
        "other_manager": 404,
        "admin": 200,
    }
    return base | overrides


def associate_page(**overrides: int | str) -> dict[str, int | str]:
    base: dict[str, int | str] = {
        "anonymous": LOGIN,
        "associate": 200,
        "teammate": 404,
        "lead": 200,
        "other_lead": 404,
        "manager": 200,
        "other_manager": 404,
        "admin": 200,
    }
    return base | overrides


EDIT = {"associate": 403, "manager": 403}
TEAM_WRITE = team_page(lead=REDIRECT, admin=REDIRECT, manager=403)
OWN: dict[str, int | str] = {
    "anonymous": LOGIN,
    "associate": 200,
    "teammate": 200,
    "lead": 404,
    "other_lead": 404,
    "manager": 404,
    "other_manager": 404,
    "admin": 404,
}
OWN_WRITE = OWN | {"associate": REDIRECT, "teammate": REDIRECT}
DECIDE = associate_page(associate=403, manager=403, lead=REDIRECT, admin=REDIRECT)
# A swap offered by `associate` to `teammate`, who accepted it.
SWAP_DECIDE = DECIDE | {"teammate": 403}
SWAP_RESPOND = SWAP_DECIDE | {"teammate": REDIRECT, "lead": 403, "admin": 403}
SWAP_CANCEL = SWAP_DECIDE | {"associate": REDIRECT, "teammate": REDIRECT}
# The team's swap board: its associates, its leads, managers and admins.
BOARD = team_page(associate=200, teammate=200)
# An offer on the board by `associate`: `teammate` may take it; the offerer or a lead
# may withdraw it; seen-but-not-theirs is a 403; another team's people get a 404.
OFFER_TAKE = team_page(associate=403, teammate=200, lead=403, manager=403, admin=403)
OFFER_WITHDRAW = team_page(
    associate=REDIRECT, teammate=403, lead=REDIRECT, manager=403, admin=REDIRECT
)
# A 1:1 page's writes: the associate and their lead; the manager may not read it.
ONE_ON_ONE_WRITE = DECIDE | {"associate": REDIRECT}

# issue 16: improvements, procedures. An idea posted by `associate` on `team`.
IDEA_POST = BOARD | {"associate": REDIRECT, "teammate": REDIRECT, "manager": 403}
IDEA_TRIAGE = BOARD | {
    "associate": 403,
    "teammate": 403,
    "manager": 403,
    "lead": REDIRECT,
    "admin": REDIRECT,
}
PROCEDURE_EDIT = BOARD | {"associate": 403, "teammate": 403, "manager": 403}
TRIAL_START = dt.date.today()
# issue 16: pulse
PULSE_SETUP = (
    BOARD
    | {"associate": 403, "teammate": 403, "manager": 403}
    | {
        "lead": REDIRECT,
        "admin": REDIRECT,
    }
)
PULSE_ANSWER = everyone(404, anonymous=LOGIN, associate=200, teammate=200)

EXPECTATIONS: dict[str, Expect] = {
    # teams
    "teams:home": Expect(everyone(200, anonymous=LOGIN)),
    "teams:healthz": Expect(everyone(200)),
    "teams:team-list": Expect(everyone(200, anonymous=LOGIN)),
    "teams:team-detail": Expect(team_page(), kwargs="team"),
    "teams:associate-create": Expect(team_page(manager=403), kwargs="team"),
    "teams:associate-detail": Expect(associate_page(), kwargs="associate"),
    "teams:associate-edit": Expect(associate_page(**EDIT), kwargs="associate"),
    "teams:associate-skills": Expect(associate_page(**EDIT), kwargs="associate"),
    # The data-access export: ops admins only.
    "teams:associate-export": Expect(
        associate_page(associate=403, lead=403, manager=403), kwargs="associate"
    ),
    "teams:associate-deactivate": Expect(
        associate_page(**EDIT, lead=REDIRECT, admin=REDIRECT), method="post", kwargs="associate"
    ),
    "teams:associate-reactivate": Expect(
        associate_page(**EDIT, lead=REDIRECT, admin=REDIRECT), method="post", kwargs="associate"
    ),
    # scheduling
    "scheduling:schedule-grid": Expect(team_page(), kwargs="team"),
    "scheduling:schedule-cell": Expect(team_page(manager=403), kwargs="cell"),
    "scheduling:schedule-assign": Expect(TEAM_WRITE, method="post", kwargs="team"),
    "scheduling:schedule-copy": Expect(TEAM_WRITE, method="post", kwargs="team"),
    "scheduling:schedule-publish": Expect(TEAM_WRITE, method="post", kwargs="team"),
    "scheduling:schedule-history": Expect(team_page(), kwargs="team"),
    "scheduling:coverage-requirements": Expect(team_page(), kwargs="team"),
    "scheduling:coverage-requirement-delete": Expect(
        TEAM_WRITE, method="post", kwargs="requirement"
    ),
    "scheduling:capacity-day": Expect(team_page(), kwargs="team"),
    "scheduling:capacity-week": Expect(team_page(), kwargs="team"),
    "scheduling:forecasts": Expect(team_page(), kwargs="team"),
    "scheduling:forecast-refresh": Expect(TEAM_WRITE, method="post", kwargs="team"),
    "scheduling:forecast-override-remove": Expect(TEAM_WRITE, method="post", kwargs="override"),
    "scheduling:queue-plan": Expect(team_page(), kwargs="team"),
    "scheduling:queue-plan-propose": Expect(TEAM_WRITE, method="post", kwargs="team"),
    "scheduling:queue-plan-cell": Expect(TEAM_WRITE, method="post", kwargs="team"),
    "scheduling:queue-plan-publish": Expect(TEAM_WRITE, method="post", kwargs="team"),
    # Queues and their volume history: leads change them, managers read the lists.
    "scheduling:queue-list": Expect(team_page(), kwargs="team"),
    "scheduling:queue-edit": Expect(team_page(manager=403), kwargs="queue"),
    "scheduling:volume-upload": Expect(team_page(), kwargs="team"),
    # A session POST is multipart, not JSON: 415 once past the role check (tokens,
    # teams and bodies are tested in tests/scheduling/test_volumes.py).
    "scheduling:api-queue-volumes": Expect(
        everyone(403, anonymous=401, lead=415, other_lead=415, admin=415), method="post"
    ),
    "scheduling:timeoff-queue": Expect(team_page(), kwargs="team"),
    "scheduling:timeoff-approve": Expect(DECIDE, method="post", kwargs="time_off"),
    "scheduling:timeoff-deny": Expect(DECIDE, method="post", kwargs="time_off"),
    "scheduling:timeoff-cancel": Expect(
        DECIDE | {"associate": REDIRECT}, method="post", kwargs="time_off"
    ),
    "scheduling:my-schedule": Expect(OWN),
    "scheduling:timeoff-request": Expect(OWN),
    "scheduling:calendar-rotate": Expect(OWN_WRITE, method="post"),
    "scheduling:calendar-revoke": Expect(OWN_WRITE, method="post"),
    "scheduling:calendar-feed": Expect(everyone(200), kwargs="feed"),
    "scheduling:coverage-overview": Expect(
        everyone(200, anonymous=LOGIN, associate=404, teammate=404)
    ),
    "scheduling:capacity-overview": Expect(
        everyone(200, anonymous=LOGIN, associate=404, teammate=404)
    ),
    # Protected time: leads book and change; the team's manager reads the list.
    "scheduling:activity-list": Expect(team_page(), kwargs="team"),
    "scheduling:activity-create": Expect(team_page(manager=403), kwargs="team"),
    "scheduling:activity-edit": Expect(team_page(manager=403), kwargs="activity"),
    "scheduling:activity-delete": Expect(TEAM_WRITE, method="post", kwargs="activity"),
    "scheduling:rota": Expect(team_page(), kwargs="team"),
    "scheduling:rota-generate": Expect(TEAM_WRITE, method="post", kwargs="team"),
    "scheduling:rota-accept": Expect(TEAM_WRITE, method="post", kwargs="proposal"),
    "scheduling:rota-settings": Expect(TEAM_WRITE, method="post", kwargs="team"),
    "scheduling:rota-payroll": Expect(team_page(), kwargs="team"),
    "scheduling:ledger": Expect(associate_page(), kwargs="associate"),
    "scheduling:my-rota": Expect(OWN),
    "scheduling:my-rota-wish": Expect(OWN_WRITE, method="post"),
    "scheduling:my-rota-preference": Expect(OWN_WRITE, method="post"),
    "scheduling:my-comp-day-request": Expect(
        DECIDE | {"associate": REDIRECT, "lead": 403, "admin": 403}, method="post", kwargs="comp"
    ),
    "scheduling:comp-day-schedule": Expect(DECIDE, method="post", kwargs="comp"),
    "scheduling:comp-day-request-decide": Expect(DECIDE, method="post", kwargs="comp_request"),
    "scheduling:swap-propose": Expect(OWN),
    "scheduling:swap-respond": Expect(SWAP_RESPOND, method="post", kwargs="swap"),
    "scheduling:swap-approve": Expect(SWAP_DECIDE, method="post", kwargs="swap"),
    "scheduling:swap-deny": Expect(SWAP_DECIDE, method="post", kwargs="swap"),
    "scheduling:swap-cancel": Expect(SWAP_CANCEL, method="post", kwargs="swap"),
    "scheduling:swap-board": Expect(BOARD, kwargs="team"),
    # An empty offer is a form error on the board page (200) for people on a roster.
    "scheduling:swap-offer-create": Expect(OWN, method="post"),
    "scheduling:swap-offer-take": Expect(OFFER_TAKE, kwargs="offer"),
    "scheduling:swap-offer-withdraw": Expect(OFFER_WITHDRAW, method="post", kwargs="offer"),
    # performance
    "performance:kpi-overview": Expect(
        everyone(200, anonymous=LOGIN, associate=REDIRECT, teammate=REDIRECT)
    ),
    "performance:team-dashboard": Expect(team_page(), kwargs="team"),
    "performance:associate-dashboard": Expect(associate_page(), kwargs="associate"),
    "performance:kpi-import": Expect(
        everyone(
            404,
            anonymous=LOGIN,
            lead=200,
            other_lead=200,
            admin=200,
            manager=403,
            other_manager=403,
        )
    ),
    # review cycles: `review:<state>` is the associate's review at that step
    "performance:cycle-list": Expect(everyone(200, anonymous=LOGIN, associate=404, teammate=404)),
    "performance:cycle-create": Expect(
        everyone(
            404,
            anonymous=LOGIN,
            lead=403,
            other_lead=403,
            manager=200,
            other_manager=200,
            admin=200,
        )
    ),
    "performance:my-reviews": Expect(OWN),
    "performance:cycle-progress": Expect(team_page(), kwargs="cycle"),
    "performance:cycle-calibration": Expect(team_page(lead=403), kwargs="cycle"),
    "performance:review-detail": Expect(associate_page(), kwargs="review:shared"),
    "performance:review-history": Expect(associate_page(), kwargs="review:shared"),
    "performance:review-self": Expect(
        associate_page(lead=403, manager=403, admin=403), kwargs="review:self_review"
    ),
    "performance:review-lead": Expect(
        associate_page(associate=404, manager=403), kwargs="review:lead_review"
    ),
    "performance:review-skip-self": Expect(
        associate_page(associate=404, manager=403, lead=REDIRECT, admin=REDIRECT),
        method="post",
        kwargs="review:self_review_overdue",
    ),
    "performance:review-calibrate": Expect(
        associate_page(associate=404, lead=403, manager=REDIRECT, admin=REDIRECT),
        method="post",
        kwargs="review:calibration",
        data={"rating": "4", "reason": "Strongest on CSAT across the teams."},
    ),
    "performance:review-share": Expect(
        associate_page(associate=404, lead=REDIRECT, manager=REDIRECT, admin=REDIRECT),
        method="post",
        kwargs="review:calibration",
    ),
    "performance:review-acknowledge": Expect(
        associate_page(associate=REDIRECT, lead=403, manager=403, admin=403),
        method="post",
        kwargs="review:shared",
    ),
    # people: 1:1s, feedback, goals (a manager sees 1:1 dates, not their content)
    "performance:one-on-one-overview": Expect(
        everyone(200, anonymous=LOGIN, associate=404, teammate=404)
    ),
    "performance:my-one-on-ones": Expect(OWN),
    "performance:my-feedback": Expect(OWN),
    "performance:my-goals": Expect(OWN),
    "performance:associate-one-on-ones": Expect(associate_page(), kwargs="associate"),
    "performance:cadence-set": Expect(
        DECIDE,
        method="post",
        kwargs="associate",
        data={
            "frequency": "weekly",
            "first_on": "2030-01-07",
            "starts_at_time": "10:00",
            "duration_minutes": "30",
        },
    ),
    "performance:one-on-one-plan": Expect(
        DECIDE,
        method="post",
        kwargs="associate",
        data={"on": "2030-01-08", "at": "10:00", "kind": "regular", "duration_minutes": "30"},
    ),
    "performance:associate-feedback": Expect(associate_page(), kwargs="associate"),
    "performance:associate-goals": Expect(associate_page(), kwargs="associate"),
    "performance:team-goals": Expect(team_page(), kwargs="team"),
    "performance:goal-detail": Expect(associate_page(), kwargs="goal"),
    "performance:one-on-one-detail": Expect(associate_page(manager=403), kwargs="one_on_one"),
    "performance:one-on-one-agenda-add": Expect(
        ONE_ON_ONE_WRITE, method="post", kwargs="one_on_one", data={"text": "Growth plan"}
    ),
    "performance:one-on-one-notes": Expect(
        ONE_ON_ONE_WRITE, method="post", kwargs="one_on_one", data={"shared_notes": "Agreed"}
    ),
    "performance:action-item-add": Expect(
        ONE_ON_ONE_WRITE, method="post", kwargs="one_on_one", data={"text": "Shadow QA"}
    ),
    "performance:action-item-toggle": Expect(
        ONE_ON_ONE_WRITE, method="post", kwargs="action_item", data={"done": "1"}
    ),
    "performance:one-on-one-private-note": Expect(
        DECIDE, method="post", kwargs="one_on_one", data={"text": "private"}
    ),
    "performance:one-on-one-held": Expect(DECIDE, method="post", kwargs="one_on_one"),
    "performance:one-on-one-cancel": Expect(DECIDE, method="post", kwargs="one_on_one"),
    # KPI API (token auth; the matrix logs in, so these are session requests) and
    # the token page. A session POST here is multipart, not JSON: 415 once past the
    # role check. Tokens and per-object access are tested in tests/performance/test_api.py.
    "performance:api-token": Expect(everyone(200, anonymous=LOGIN)),
    # A token of the lead's: only its owner replaces or revokes it (an ops admin
    # does that in the Django admin); anyone else's is a 404.
    "performance:api-token-rotate": Expect(
        everyone(404, anonymous=LOGIN, lead=REDIRECT), method="post", kwargs="api_token"
    ),
    "performance:api-token-revoke": Expect(
        everyone(404, anonymous=LOGIN, lead=REDIRECT), method="post", kwargs="api_token"
    ),
    "performance:api-kpi-events": Expect(
        everyone(403, anonymous=401, lead=415, other_lead=415, admin=415), method="post"
    ),
    "performance:api-kpi-rollups": Expect(
        everyone(200, anonymous=401), data={"from": "2026-11-01", "to": "2026-11-30"}
    ),
    "api-schema": Expect(everyone(200)),
    "api-docs": Expect(everyone(200)),
    # accounts (django.contrib.auth.urls)
    "login": Expect(everyone(200)),
    "logout": Expect(everyone(REDIRECT, anonymous=LOGIN), method="post"),
    "password_change": Expect(everyone(200, anonymous=LOGIN)),
    "password_change_done": Expect(everyone(200, anonymous=LOGIN)),
    "password_reset": Expect(everyone(200)),
    "password_reset_done": Expect(everyone(200)),
    "password_reset_confirm": Expect(everyone(200), kwargs="reset"),
    "password_reset_complete": Expect(everyone(200)),
    # hiring: offers. An application of `team`'s open requisition at the offer stage;
    # associates never see it (404), the manager reads it (403 to write).
    "teams:offer-extend": Expect(
        TEAM_WRITE,
        method="post",
        kwargs="offer_application",
        data={"start_on": "2030-01-07", "fte": "1.0", "weekly_hours": "39"},
    ),
    "teams:offer-respond": Expect(
        TEAM_WRITE, method="post", kwargs="hiring_offer", data={"response": "decline"}
    ),
    # hiring: onboarding. A plan of `associate` (the new joiner) with an item they own.
    "teams:onboarding-template": Expect(team_page(), kwargs="team"),
    "teams:onboarding-list": Expect(everyone(200, anonymous=LOGIN, associate=404, teammate=404)),
    "teams:onboarding-plan": Expect(associate_page(), kwargs="onboarding_plan"),
    "teams:onboarding-item-done": Expect(
        associate_page(associate=REDIRECT, lead=REDIRECT, admin=REDIRECT, manager=403),
        method="post",
        kwargs="onboarding_item",
        data={"done": "1"},
    ),
    # hiring: applications, candidates (an open requisition of `team`, one candidate on it)
    "teams:requisition-board": Expect(team_page(), kwargs="pipeline_requisition"),
    "teams:candidate-add": Expect(team_page(manager=403), kwargs="pipeline_requisition"),
    "teams:application-detail": Expect(team_page(), kwargs="pipeline_application"),
    "teams:application-move": Expect(TEAM_WRITE, method="post", kwargs="pipeline_application"),
    "teams:candidate-edit": Expect(team_page(manager=403), kwargs="pipeline_candidate"),
    "teams:candidate-cv": Expect(team_page(), kwargs="pipeline_candidate_cv"),
    "teams:candidate-export": Expect(team_page(manager=403), kwargs="pipeline_candidate"),
    # hiring: interviews (an interview on `team` whose interviewer is `lead`)
    "teams:interview-panel": Expect(team_page(), kwargs="hiring_application"),
    "teams:interview-create": Expect(team_page(manager=403), kwargs="hiring_application"),
    "teams:interview-edit": Expect(team_page(manager=403), kwargs="hiring_interview"),
    "teams:interview-cancel": Expect(TEAM_WRITE, method="post", kwargs="hiring_interview"),
    "teams:interview-ics": Expect(team_page(manager=403), kwargs="hiring_interview"),
    # A scorecard is its interviewer's alone: everyone else (ops admins too) gets a 404.
    "teams:scorecard-edit": Expect(
        everyone(404, anonymous=LOGIN, lead=200), kwargs="hiring_scorecard"
    ),
    "teams:my-interviews": Expect(everyone(200, anonymous=LOGIN)),
    # hiring: requisitions (a draft on `team`, or at the status after the colon)
    "teams:hiring": Expect(everyone(200, anonymous=LOGIN, associate=404, teammate=404)),
    "teams:requisition-create": Expect(team_page(manager=403), kwargs="team"),
    "teams:requisition-detail": Expect(team_page(), kwargs="requisition"),
    "teams:requisition-edit": Expect(team_page(manager=403), kwargs="requisition"),
    "teams:requisition-approve": Expect(
        team_page(lead=403, manager=REDIRECT, admin=REDIRECT), method="post", kwargs="requisition"
    ),
    "teams:requisition-open": Expect(TEAM_WRITE, method="post", kwargs="requisition:approved"),
    "teams:requisition-cancel": Expect(
        team_page(lead=REDIRECT, manager=REDIRECT, admin=REDIRECT),
        method="post",
        kwargs="requisition:open",
        data={"reason": "The budget moved to next year."},
    ),
    # hiring: hiring_metrics
    "teams:hiring-metrics": Expect(everyone(200, anonymous=LOGIN, associate=404, teammate=404)),
    "teams:hiring-metrics-csv": Expect(everyone(200, anonymous=LOGIN, associate=404, teammate=404)),
    # issue 16: improvements, procedures (the board and playbook: the team's people
    # read and post; its leads triage and edit; its manager reads)
    "performance:improvement-board": Expect(BOARD, kwargs="team"),
    "performance:idea-detail": Expect(BOARD, kwargs="idea"),
    "performance:idea-support": Expect(
        IDEA_POST | {"lead": REDIRECT, "admin": REDIRECT},
        method="post",
        kwargs="idea",
        data={"supported": "1"},
    ),
    "performance:idea-trial": Expect(
        IDEA_TRIAGE,
        method="post",
        kwargs="idea",
        data={
            "starts_on": TRIAL_START.isoformat(),
            "ends_on": (TRIAL_START + dt.timedelta(days=27)).isoformat(),
            "pilot_mode": "team",
        },
    ),
    "performance:idea-decide": Expect(
        IDEA_TRIAGE,
        method="post",
        kwargs="idea",
        data={"outcome": "dropped", "note": "Not this quarter."},
    ),
    "performance:improvement-list": Expect(
        everyone(200, anonymous=LOGIN, associate=404, teammate=404)
    ),
    "performance:procedure-list": Expect(BOARD, kwargs="team"),
    "performance:procedure-create": Expect(PROCEDURE_EDIT, kwargs="team"),
    "performance:procedure-detail": Expect(BOARD, kwargs="procedure"),
    "performance:procedure-edit": Expect(PROCEDURE_EDIT, kwargs="procedure"),
    "performance:procedure-versions": Expect(BOARD, kwargs="procedure"),
    "performance:procedure-version": Expect(BOARD, kwargs="procedure_version"),
    # issue 16: pulse -- a team's results are its own people's (associates too), its
    # leads', its manager's and ops admins'; leads set it up; only the team's associates
    # answer (here the cast's lead is not on the roster).
    "performance:team-pulse": Expect(BOARD, kwargs="team"),
    "performance:pulse-questions": Expect(
        PULSE_SETUP, method="post", kwargs="team", data={"questions": "One\nTwo\nThree"}
    ),
    "performance:pulse-settings": Expect(
        PULSE_SETUP, method="post", kwargs="team", data={"is_enabled": "on", "cadence_weeks": "4"}
    ),
    "performance:my-pulse": Expect(everyone(200, anonymous=LOGIN)),
    "performance:pulse-round": Expect(BOARD, kwargs="pulse_round"),
    "performance:pulse-answer": Expect(PULSE_ANSWER, kwargs="pulse_round"),
    # issue 16: recognition
    "performance:kudos-wall": Expect(BOARD, kwargs="team"),
    "performance:my-birthday": Expect(OWN),
    # issue 16: training — the plan is the associate's to read and tick, the lead's to
    # run, the manager's to read; modules and certifications are the lead's.
    "teams:associate-training": Expect(associate_page(), kwargs="associate"),
    "teams:skill-target-set": Expect(associate_page(**EDIT), method="post", kwargs="associate"),
    "teams:certification-create": Expect(associate_page(**EDIT), kwargs="associate"),
    "teams:certification-edit": Expect(associate_page(**EDIT), kwargs="certification"),
    "teams:training-done": Expect(
        DECIDE | {"associate": REDIRECT}, method="post", kwargs="training_assignment"
    ),
    "teams:training-remove": Expect(DECIDE, method="post", kwargs="training_assignment"),
    "teams:team-training": Expect(team_page(), kwargs="team"),
    "teams:training-module-create": Expect(team_page(manager=403), kwargs="team"),
    "teams:training-module-edit": Expect(team_page(manager=403), kwargs="training_module"),
}


# Pages that also take a POST (a form on the page): who may post to them. An empty
# form is enough: refused people get their 403/404 before it is read; allowed ones
# get the page back with the form's errors (200).
POSTS: dict[str, Expect] = {
    "performance:associate-feedback": Expect(
        associate_page(**EDIT), method="post", kwargs="associate"
    ),
    "performance:associate-goals": Expect(
        associate_page(**EDIT), method="post", kwargs="associate"
    ),
    "performance:team-goals": Expect(team_page(manager=403), method="post", kwargs="team"),
    "performance:goal-detail": Expect(associate_page(**EDIT), method="post", kwargs="goal"),
    "performance:api-token": Expect(everyone(200, anonymous=LOGIN), method="post"),
    "scheduling:swap-offer-take": Expect(OFFER_TAKE, method="post", kwargs="offer"),
    "scheduling:swap-propose": Expect(OWN, method="post"),
    "scheduling:activity-create": Expect(team_page(manager=403), method="post", kwargs="team"),
    "scheduling:activity-edit": Expect(team_page(manager=403), method="post", kwargs="activity"),
    "scheduling:queue-list": Expect(team_page(manager=403), method="post", kwargs="team"),
    "scheduling:queue-edit": Expect(team_page(manager=403), method="post", kwargs="queue"),
    "scheduling:volume-upload": Expect(team_page(manager=403), method="post", kwargs="team"),
    # hiring: onboarding
    "teams:onboarding-template": Expect(team_page(manager=403), method="post", kwargs="team"),
    "teams:onboarding-plan": Expect(
        associate_page(associate=403, manager=403),
        method="post",
        kwargs="onboarding_plan",
    ),
    # hiring: applications, candidates
    "teams:candidate-add": Expect(
        team_page(manager=403), method="post", kwargs="pipeline_requisition"
    ),
    "teams:candidate-edit": Expect(
        team_page(manager=403), method="post", kwargs="pipeline_candidate"
    ),
    # hiring: interviews
    "teams:interview-create": Expect(
        team_page(manager=403), method="post", kwargs="hiring_application"
    ),
    "teams:interview-edit": Expect(
        team_page(manager=403), method="post", kwargs="hiring_interview"
    ),
    "teams:scorecard-edit": Expect(
        everyone(404, anonymous=LOGIN, lead=200), method="post", kwargs="hiring_scorecard"
    ),
    # hiring: requisitions
    "teams:requisition-create": Expect(team_page(manager=403), method="post", kwargs="team"),
    "teams:requisition-edit": Expect(team_page(manager=403), method="post", kwargs="requisition"),
    # issue 16: improvements, procedures
    "performance:improvement-board": Expect(BOARD | {"manager": 403}, method="post", kwargs="team"),
    "performance:procedure-create": Expect(PROCEDURE_EDIT, method="post", kwargs="team"),
    "performance:procedure-edit": Expect(PROCEDURE_EDIT, method="post", kwargs="procedure"),
    # issue 16: pulse (an empty answer is a form error on the page)
    "performance:pulse-answer": Expect(PULSE_ANSWER, method="post", kwargs="pulse_round"),
    # issue 16: recognition (an empty welcome is a form error; an empty birthday form
    # stops sharing, and redirects)
    "performance:kudos-wall": Expect(
        BOARD | {"associate": 403, "teammate": 403, "manager": 403}, method="post", kwargs="team"
    ),
    "performance:my-birthday": Expect(OWN | {"associate": 302, "teammate": 302}, method="post"),
    # issue 16: training
    "teams:associate-training": Expect(associate_page(**EDIT), method="post", kwargs="associate"),
    "teams:certification-create": Expect(associate_page(**EDIT), method="post", kwargs="associate"),
    "teams:certification-edit": Expect(
        associate_page(**EDIT), method="post", kwargs="certification"
    ),
    "teams:training-module-create": Expect(team_page(manager=403), method="post", kwargs="team"),
    "teams:training-module-edit": Expect(
        team_page(manager=403), method="post", kwargs="training_module"
    ),
}


def _url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "admin":
            continue  # covered model by model in test_admin_is_for_ops_admins_only
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL {pattern.pattern} has no name, so it cannot be checked"
            names.add(namespace + pattern.name)
    return names


def test_every_url_has_a_declared_expectation():
    names = _url_names(get_resolver())
    assert names - EXPECTATIONS.keys() == set(), "URLs missing from the access matrix"
    assert EXPECTATIONS.keys() - names == set(), "stale entries in the access matrix"


def _url(name: str, expect: Expect, cast, request) -> str:
    if expect.kwargs == "team":
        return reverse(name, kwargs={"team_id": request.getfixturevalue("team").pk})
    if expect.kwargs == "associate":
        return reverse(name, kwargs={"associate_id": request.getfixturevalue("associate").pk})
    if expect.kwargs == "cell":
        team, associate = request.getfixturevalue("team"), request.getfixturevalue("associate")
        return reverse(
            name,
            kwargs={"team_id": team.pk, "associate_id": associate.pk, "day": "2026-11-30"},
        )
    if expect.kwargs == "requirement":
        requirement = CoverageRequirement.objects.create(
            team=request.getfixturevalue("team"), day_kind="weekday", min_headcount=1
        )
        return reverse(
            name, kwargs={"team_id": requirement.team_id, "requirement_id": requirement.pk}
        )
    if expect.kwargs == "override":
        queue = QueueFactory(team=request.getfixturevalue("team"))
        override = queue.overrides.create(on=dt.date(2030, 1, 8), percent=10, reason="Launch")
        return reverse(name, kwargs={"team_id": queue.team_id, "override_id": override.pk})
    if expect.kwargs == "activity":
        activity = Activity.objects.create(
            team=request.getfixturevalue("team"),
            kind=Activity.Kind.TRAINING,
            title="Refunds training",
            on=dt.date(2030, 1, 8),
            starts_at=dt.time(10),
            ends_at=dt.time(11),
        )
        activity.attendees.add(request.getfixturevalue("associate"))
        return reverse(name, kwargs={"team_id": activity.team_id, "activity_id": activity.pk})
    if expect.kwargs == "queue":
        queue = QueueFactory(team=request.getfixturevalue("team"))
        return reverse(name, kwargs={"team_id": queue.team_id, "queue_id": queue.pk})
    if expect.kwargs == "time_off":
        time_off = TimeOffRequest.objects.create(
            associate=request.getfixturevalue("associate"),
            first_day=dt.date(2030, 1, 7),
            last_day=dt.date(2030, 1, 8),
        )
        return reverse(name, kwargs={"request_id": time_off.pk})
    if expect.kwargs == "swap":
        swap = ShiftSwap.objects.create(
            requester=request.getfixturevalue("associate"),
            requester_day=dt.date(2030, 1, 7),
            partner=request.getfixturevalue("teammate"),
            partner_day=dt.date(2030, 1, 8),
            status=ShiftSwap.Status.ACCEPTED,
        )
        return reverse(name, kwargs={"swap_id": swap.pk})
    if expect.kwargs == "offer":
        offer = SwapOffer.objects.create(
            offerer=request.getfixturevalue("associate"), on=dt.date(2030, 1, 7)
        )
        return reverse(name, kwargs={"offer_id": offer.pk})
    if expect.kwargs == "proposal":
        proposal = RotaProposal.objects.create(
            team=request.getfixturevalue("team"),
            first_day=dt.date(2030, 1, 7),
            last_day=dt.date(2030, 2, 3),
        )
        return reverse(name, kwargs={"team_id": proposal.team_id, "proposal_id": proposal.pk})
    if expect.kwargs in ("comp", "comp_request"):
        associate = request.getfixturevalue("associate")
        duty = WeekendDuty.objects.create(associate=associate, on=dt.date(2030, 1, 12))
        comp = CompDay.objects.create(
            duty=duty, associate=associate, on=dt.date(2030, 1, 16), expires_on=dt.date(2030, 2, 11)
        )
        if expect.kwargs == "comp":
            return reverse(name, kwargs={"comp_day_id": comp.pk})
        ask = CompDayRequest.objects.create(comp_day=comp, wanted_on=dt.date(2030, 1, 17))
        return reverse(name, kwargs={"request_id": ask.pk, "decision": "approve"})
    if expect.kwargs == "feed":
        feed = CalendarFeed.objects.create(
            associate=request.getfixturevalue("associate"), token=CalendarFeed.new_token()
        )
        return reverse(name, kwargs={"token": feed.token})
    if expect.kwargs == "cycle" or expect.kwargs.startswith("review:"):
        from tests.performance.reviews.conftest import at_step, make_cycle

        cycle = make_cycle(cast["admin"], "Matrix cycle", teams=[request.getfixturevalue("team")])
        if expect.kwargs == "cycle":
            return reverse(name, kwargs={"cycle_id": cycle.pk})
        state = expect.kwargs.split(":", 1)[1]
        if state == "self_review_overdue":
            state = "self_review"
            cycle.self_review_due_on = dt.date(2026, 1, 1)  # long past: may be skipped
            cycle.save()
        review = Review.objects.create(cycle=cycle, associate=request.getfixturevalue("associate"))
        at_step(review, state)
        return reverse(name, kwargs={"review_id": review.pk})
    if expect.kwargs in ("one_on_one", "action_item"):
        meeting = _one_on_one(request)
        if expect.kwargs == "one_on_one":
            return reverse(name, kwargs={"one_on_one_id": meeting.pk})
        item = ActionItem.objects.create(
            associate=meeting.associate, raised_in=meeting, owner=meeting.lead, text="Shadow QA"
        )
        return reverse(name, kwargs={"item_id": item.pk})
    if expect.kwargs == "goal":
        goal = GoalFactory(
            associate=request.getfixturevalue("associate"),
            title="Lift CSAT",
            starts_on=dt.date(2030, 1, 1),
            ends_on=dt.date(2030, 3, 31),
            target_value=4.6,
            created_by=request.getfixturevalue("lead"),
        )
        return reverse(name, kwargs={"goal_id": goal.pk})
    if expect.kwargs == "api_token":
        token = ApiTokenFactory(user=request.getfixturevalue("lead"))
        return reverse(name, kwargs={"token_id": token.pk})
    # hiring: offers, onboarding
    if expect.kwargs in ("offer_application", "hiring_offer"):
        requisition = RequisitionFactory(
            team=request.getfixturevalue("team"), status=Requisition.Status.OPEN
        )
        application = ApplicationFactory(requisition=requisition, stage=Application.Stage.OFFER)
        if expect.kwargs == "offer_application":
            return reverse(name, kwargs={"application_id": application.pk})
        hiring_offer = OfferFactory(application=application, start_on=dt.date(2030, 1, 7))
        return reverse(name, kwargs={"offer_id": hiring_offer.pk})
    if expect.kwargs in ("onboarding_plan", "onboarding_item"):
        associate = request.getfixturevalue("associate")
        plan = OnboardingPlanFactory(associate=associate, starts_on=dt.date(2030, 1, 7))
        if expect.kwargs == "onboarding_plan":
            return reverse(name, kwargs={"plan_id": plan.pk})
        onboarding_item = OnboardingItemFactory(plan=plan, owner=associate.user)
        return reverse(name, kwargs={"item_id": onboarding_item.pk})
    # hiring: interviews
    if expect.kwargs in ("hiring_application", "hiring_interview", "hiring_scorecard"):
        from tests.factories import InterviewFactory, ScorecardFactory

        application = ApplicationFactory(
            requisition__team=request.getfixturevalue("team"),
            requisition__status=Requisition.Status.OPEN,
            stage=Application.Stage.INTERVIEW,
        )
        interview = InterviewFactory(application=application)
        scorecard = ScorecardFactory(
            interview=interview, interviewer=request.getfixturevalue("lead")
        )
        if expect.kwargs == "hiring_application":
            return reverse(name, kwargs={"application_id": application.pk})
        if expect.kwargs == "hiring_interview":
            return reverse(name, kwargs={"interview_id": interview.pk})
        return reverse(name, kwargs={"scorecard_id": scorecard.pk})
    # issue 16: improvements, procedures
    if expect.kwargs == "idea":
        idea = IdeaFactory(
            team=request.getfixturevalue("team"),
            author=request.getfixturevalue("associate").user,
        )
        return reverse(name, kwargs={"idea_id": idea.pk})
    if expect.kwargs in ("procedure", "procedure_version"):
        procedure = ProcedureFactory(
            team=request.getfixturevalue("team"), updated_by=request.getfixturevalue("lead")
        )
        if expect.kwargs == "procedure":
            return reverse(name, kwargs={"procedure_id": procedure.pk})
        version = procedure.history.get().history_id
        return reverse(name, kwargs={"procedure_id": procedure.pk, "version_id": version})
    # issue 16: pulse -- a round of the team open today
    if expect.kwargs == "pulse_round":
        from tests.factories import PulseRoundFactory

        team = request.getfixturevalue("team")
        today = team.site.local_today()
        pulse_round = PulseRoundFactory(
            team=team, opens_on=today, closes_on=today + dt.timedelta(days=7), is_open=True
        )
        return reverse(name, kwargs={"round_id": pulse_round.pk})
    # issue 16: training
    if expect.kwargs in ("training_assignment", "training_module", "certification"):
        from tests.factories import (
            CertificationFactory,
            TrainingAssignmentFactory,
            TrainingModuleFactory,
        )

        team, associate = request.getfixturevalue("team"), request.getfixturevalue("associate")
        if expect.kwargs == "certification":
            certification = CertificationFactory(associate=associate)
            return reverse(name, kwargs={"certification_id": certification.pk})
        module = TrainingModuleFactory(team=team)
        if expect.kwargs == "training_module":
            return reverse(name, kwargs={"module_id": module.pk})
        assignment = TrainingAssignmentFactory(associate=associate, module=module)
        return reverse(name, kwargs={"assignment_id": assignment.pk})
    if expect.kwargs == "reset":
        return reverse(name, kwargs={"uidb64": "MQ", "token": "bad-token"})
    # hiring: applications, candidates
    if expect.kwargs.startswith("pipeline_"):
        from tests.teams.pipeline import private_storage_in

        private_storage_in(request.getfixturevalue("tmp_path"), request)
        requisition = RequisitionFactory(
            team=request.getfixturevalue("team"), status="open", title="Matrix opening"
        )
        if expect.kwargs == "pipeline_requisition":
            return reverse(name, kwargs={"requisition_id": requisition.pk})
        application = ApplicationFactory(requisition=requisition)
        if expect.kwargs == "pipeline_application":
            return reverse(name, kwargs={"application_id": application.pk})
        candidate = application.candidate
        if expect.kwargs == "pipeline_candidate_cv":
            from django.core.files.base import ContentFile

            candidate.cv.save("matrix.pdf", ContentFile(b"%PDF-1.4 matrix"), save=False)
            candidate.cv_name = "cv.pdf"
            candidate.save()
        return reverse(name, kwargs={"candidate_id": candidate.pk})
    # hiring: requisitions
    if expect.kwargs == "requisition" or expect.kwargs.startswith("requisition:"):
        status = expect.kwargs.partition(":")[2] or Requisition.Status.DRAFT
        requisition = RequisitionFactory(team=request.getfixturevalue("team"), status=status)
        return reverse(name, kwargs={"requisition_id": requisition.pk})
    return reverse(name)


def _one_on_one(request) -> OneOnOne:
    associate = request.getfixturevalue("associate")
    return OneOnOne.objects.create(
        associate=associate,
        lead=request.getfixturevalue("lead"),
        on=dt.date(2030, 1, 7),
        starts_at=dt.datetime(2030, 1, 7, 10, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_access_matrix(name, persona, cast, request):
    expect = EXPECTATIONS[name]
    url = _url(name, expect, cast, request)
    client = client_for(cast[persona])
    response = getattr(client, expect.method)(url, expect.data)
    wanted = expect.statuses[persona]
    if wanted == LOGIN:
        assert response.status_code == 302, (name, persona, response.status_code)
        assert response["Location"].startswith(reverse("login") + "?next="), response["Location"]
    elif wanted == REDIRECT:
        assert response.status_code == 302, (name, persona, response.status_code)
        assert "?next=" not in response["Location"]
    else:
        assert response.status_code == wanted, (name, persona, response.status_code)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(POSTS))
def test_posting_to_pages_with_a_form(name, persona, cast, request):
    expect = POSTS[name]
    response = client_for(cast[persona]).post(_url(name, expect, cast, request), {})
    wanted = expect.statuses[persona]
    if wanted == LOGIN:
        assert response.status_code == 302, (name, persona, response.status_code)
        assert response["Location"].startswith(reverse("login") + "?next="), response["Location"]
    else:
        assert response.status_code == wanted, (name, persona, response.status_code)


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_is_for_ops_admins_only(persona, cast):
    client = client_for(cast[persona])
    as_admin = RequestFactory().get("/admin/")
    as_admin.user = cast["admin"]
    for model, model_admin in django_admin.site._registry.items():
        for view in ("changelist", "add"):
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")
            response = client.get(url)
            if persona == "admin":
                # Records that are only ever written by the app (login attempts) have no add.
                may = view != "add" or model_admin.has_add_permission(as_admin)
                assert response.status_code == (200 if may else 403), (url, response.status_code)
            else:
                assert response.status_code == 302, (url, persona, response.status_code)
                assert "login" in response["Location"]


INLINE_ONLY = {"WeekendSkillNeed", "QueueAssignment"}  # edited inside RotaSettings, QueuePlan


def test_every_model_has_an_admin():
    from django.apps import apps

    missing = [
        model.__name__
        for app in ("teams", "scheduling", "performance")
        for model in apps.get_app_config(app).get_models()
        if model not in django_admin.site._registry
        and not model.__name__.startswith("Historical")
        and model.__name__ not in INLINE_ONLY
    ]
    assert missing == []
