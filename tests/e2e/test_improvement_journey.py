"""The improvement board end to end on the seeded demo (issue 16): an associate posts
an idea, the lead starts a trial that began three weeks ago (the seeded rollups are
the days that passed), reads the measured effect, adopts it into a procedure, and
the procedure page shows the new version linked to the idea."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from performance.models import Idea, Procedure
from performance.services.procedures import save_procedure
from teams.models import Team, User
from tests.e2e.conftest import log_in, log_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_idea_is_tried_measured_adopted_and_written_into_a_procedure(page, live_server, demo):
    team = Team.objects.select_related("site").get(name="Payments Support")
    lead = User.objects.get(username="lead")
    # The demo (seed_improvements) has its own "Weekend backlog" with several versions:
    # this journey writes into a procedure of its own, at its first version.
    procedure = save_procedure(
        actor=lead,
        team=team,
        procedure=None,
        title="Monday triage",
        body="1. Open the weekend view.\n",
        why="Written down",
    )
    today = team.site.local_today()

    # The associate posts an idea on the team's board.
    log_in(page, live_server, "associate")
    page.goto(f"{live_server.url}/teams/{team.pk}/improvements/")
    page.get_by_text("Post an idea").click()
    page.get_by_label("Problem").fill("Monday starts with the weekend backlog unread.")
    page.get_by_label("Proposal").fill("Triage the weekend backlog oldest first")
    page.get_by_label("The KPI it should move").select_option(label="First response time (p90)")
    page.get_by_label("Which way").select_option(label="Go down")
    page.get_by_role("button", name="Post the idea").click()
    expect(page.get_by_text(re.compile(r"Idea #\d+ is on the board"))).to_be_visible()
    idea = Idea.objects.get(team=team, proposal="Triage the weekend backlog oldest first")
    log_out(page)

    # The lead starts its trial, three weeks ago, against Connect Onboarding.
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/teams/{team.pk}/improvements/")
    page.get_by_role("link", name=re.compile(rf"#{idea.pk} Triage")).click()
    page.get_by_text("Start a trial").click()
    page.get_by_label("First day").fill((today - dt.timedelta(days=21)).isoformat())
    page.get_by_label("Last day").fill((today + dt.timedelta(days=6)).isoformat())
    page.get_by_label("The whole team").check()
    page.get_by_label("Comparison team (optional)").select_option(label="Connect Onboarding")
    page.get_by_role("button", name="Start the trial").click()
    expect(page.get_by_text(f"Idea #{idea.pk} is on trial.")).to_be_visible()

    # The measured effect, from the seeded rollups of the days that passed.
    effect = page.locator(".measured-effect")
    expect(effect).to_contain_text("First response time (p90)")
    expect(effect).to_contain_text("in Connect Onboarding")
    expect(effect).to_contain_text(
        re.compile(r"90 % interval .+: (likely real|could be noise|moved the wrong way)")
    )
    expect(effect.get_by_role("row", name=re.compile("^Pilot"))).to_be_visible()

    # Adopted, and written into the team's procedure.
    page.get_by_label("Adopt", exact=True).check()
    page.get_by_label("Decision note").fill("Adopted: replies start sooner on Mondays.")
    page.get_by_label("Then write it into a procedure (when adopting)").select_option(
        label="Edit “Monday triage”"
    )
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_label("Why this change")).to_have_value(f"Adopted from idea #{idea.pk}")
    page.get_by_label("Body").fill("1. Open the weekend view.\n2. Reply to the oldest first.\n")
    page.get_by_role("button", name="Save this version").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Monday triage")
    expect(
        page.get_by_text(re.compile(rf"version 2, .*Adopted from idea #{idea.pk}"))
    ).to_be_visible()
    expect(page.get_by_role("link", name=f"adopted from idea #{idea.pk}")).to_be_visible()
    expect(page.locator(".procedure-body")).to_contain_text("Reply to the oldest first.")
    idea.refresh_from_db()
    assert idea.status == Idea.Status.ADOPTED
    assert Procedure.objects.get(pk=procedure.pk).adopted_from_idea_id == idea.pk
