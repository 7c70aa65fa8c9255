"""Hiring end to end on the seeded demo (the hiring issue): the manager approves a
requisition; the lead moves a candidate to interview and schedules it with two
interviewers, who each score on their own; the lead decides, offers and hires; on the
start date the new associate is invited, sets a password, logs in and sees their
onboarding checklist."""

import re

import pytest
from playwright.sync_api import expect

from teams.models import Application, Associate, Requisition, Scorecard
from teams.services.onboarding import send_start_date_invitations
from tests.e2e.conftest import log_in, log_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMPETENCIES = ["Customer empathy", "Problem solving", "Written communication", "Product knowledge"]


def _score(page, score: str, recommendation: str, summary: str) -> None:
    for competency in COMPETENCIES:
        page.get_by_role("radiogroup", name=competency).get_by_label(score, exact=True).check()
    page.get_by_label(recommendation, exact=True).check()
    page.get_by_label("Summary").fill(summary)
    page.get_by_role("button", name="Submit").click()


def test_a_requisition_approved_a_candidate_scored_by_two_hired_and_onboarding(
    page, live_server, demo, mailoutbox
):
    payments = Requisition.objects.get(title="Support Associate (Payments)")
    aisling = Application.objects.get(candidate__name="Aisling Murphy")
    today = payments.team.site.local_today()

    # The manager approves Connect Onboarding's backfill from the hiring overview.
    log_in(page, live_server, "manager")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Hiring").click()
    page.get_by_role("link", name="Support Associate (Connect)").first.click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    assert Requisition.objects.get(title="Support Associate (Connect)").status == "approved"
    log_out(page)

    # The lead moves Aisling from Screen to Interview on the board, in place.
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/requisitions/{payments.pk}/board/")
    card = page.locator(".pipeline-card", has_text="Aisling Murphy")
    # The card's select is named for its candidate (aria-label), not "Move to".
    card.get_by_label("Move Aisling Murphy to").select_option("interview")
    card.get_by_role("button", name="Move").click()
    interview_column = page.locator(
        ".pipeline-column", has=page.get_by_role("heading", name=re.compile("^Interview"))
    )
    expect(interview_column.get_by_role("link", name="Aisling Murphy")).to_be_visible()

    # ... and schedules the interview with Fiona (another team's lead) as well.
    interview_column.get_by_role("link", name="Aisling Murphy").click()
    page.get_by_role("button", name="Schedule interview").click()  # <a role="button">
    page.get_by_label("Day").fill(today.isoformat())
    page.get_by_label("Starts at").fill("15:00")
    page.get_by_label("Conor Daly").check()
    page.get_by_label("Other interviewers").fill("lead2")
    page.get_by_role("button", name="Schedule and invite").click()
    invitations = sorted(m.to[0] for m in mailoutbox if m.subject.startswith("Invitation:"))
    panel = Scorecard.objects.filter(interview__application=aisling).select_related("interviewer")
    assert invitations == sorted(card.interviewer.email for card in panel)
    assert {card.interviewer.username for card in panel} == {"lead", "lead2"}

    # Conor scores first: until he submits he sees nobody else's (there is none yet).
    page.get_by_role("link", name="your scorecard").first.click()
    _score(page, "4", "Strong yes", "Clear and calm on the refund case.")
    log_out(page)

    # Fiona has not submitted: she sees the application, not Conor's scorecard.
    log_in(page, live_server, "lead2")
    page.goto(f"{live_server.url}/hiring/interviews/")
    # Her row's "Your scorecard" column links "To submit".
    aisling_row = page.get_by_role("row", name=re.compile("Aisling Murphy"))
    aisling_row.get_by_role("link", name="To submit").click()
    expect(page.get_by_text("Clear and calm on the refund case.")).to_have_count(0)
    _score(page, "3", "Yes", "Good written answers; would ramp on Payments.")
    page.goto(f"{live_server.url}/applications/{aisling.pk}/")
    expect(page.get_by_text("Clear and calm on the refund case.")).to_be_visible()
    log_out(page)

    # The lead decides (offer, with the reason kept), extends the offer and hires.
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/applications/{aisling.pk}/")
    # The labels wrap their fields, so the select's name includes its chosen option
    # and the reason's its help text ("A move to Offer ..."): matched by role and start.
    main = page.locator("main")
    main.get_by_role("combobox", name=re.compile("^Move to")).select_option("offer")
    main.get_by_role("textbox", name=re.compile("^Reason")).fill(
        "Both interviewers say yes; strong on empathy."
    )
    page.locator("main").get_by_role("button", name="Move").click()
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_role("button", name="Extend offer").click()
    page.get_by_role("button", name="Accepted: hire").click()
    expect(page.locator("#offer-panel")).to_contain_text("Aisling Murphy")
    joiner = Associate.objects.select_related("user").get(user__email=aisling.candidate.email)
    assert joiner.team == payments.team
    assert joiner.hired_on == today
    assert not joiner.user.has_usable_password()
    log_out(page)

    # On the start date the new associate is invited (never before), sets a password,
    # logs in and finds their onboarding checklist.
    mailoutbox.clear()
    send_start_date_invitations()
    (invitation,) = [m for m in mailoutbox if m.to == [joiner.user.email]]
    link = re.search(r"https?://\S+/accounts/reset/\S+", invitation.body)
    assert link is not None
    page.goto(live_server.url + "/" + link.group(0).split("/", 3)[3])
    # Each label wraps its field and Django's password help, so its text is longer
    # than "New password": the fields by name.
    page.locator('input[name="new_password1"]').fill("a-long-new-password-2026")
    page.locator('input[name="new_password2"]').fill("a-long-new-password-2026")
    page.get_by_role("button", name="Save password").click()
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill(joiner.user.username)
    page.get_by_label("Password").fill("a-long-new-password-2026")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Your onboarding", exact=True)).to_be_visible()  # the card
    page.get_by_role("link", name=re.compile("Your onboarding checklist")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your onboarding")
    expect(page.get_by_text("Accounts and tools ready")).to_be_visible()
    expect(page.get_by_text("90-day check-in")).to_be_visible()
