"""Browser journey: the lead prepares and runs a 1:1; the associate reads it later."""

import datetime as dt
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from performance.models import OneOnOne
from teams.models import User
from tests.e2e.conftest import log_in, log_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PRIVATE = "Private: seems stretched, check workload first"
SHARED = "Agreed to pilot the refund macros next sprint"
ACTION = "Share the macro drafts with QA"
SHOTS = Path(tempfile.gettempdir())


def test_lead_runs_a_1on1_and_the_associate_sees_only_the_shared_part(page, live_server, demo):
    name = User.objects.get(username="associate").associate.name
    log_in(page, live_server, "lead")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="1:1s").click()
    expect(page.get_by_role("heading", name="1:1s", level=1)).to_be_visible()
    page.get_by_role("link", name=name).first.click()
    expect(page.get_by_role("heading", name=f"1:1s with {name}")).to_be_visible()
    page.get_by_role("button", name="Prepare and run it").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.get_by_text("KPIs vs target")).to_be_visible()

    # The agenda is added in place (htmx): the page is not reloaded.
    page.evaluate("window.__stillHere = true")
    page.get_by_label("Add to the agenda").fill("Refund macros")
    page.get_by_role("button", name="Add to agenda").click()
    expect(page.locator("#agenda")).to_contain_text("Refund macros")
    assert page.evaluate("window.__stillHere") is True

    page.get_by_label("Shared notes (you and the associate)").fill(SHARED)
    page.get_by_role("button", name="Save shared notes").click()
    expect(page.get_by_text("Shared notes saved.")).to_be_visible()
    page.get_by_label("Private notes (only you can read these)").fill(PRIVATE)
    page.get_by_role("button", name="Save private notes").click()
    expect(page.get_by_text("Private notes saved.")).to_be_visible()

    page.get_by_text("Add an action item").click()
    page.get_by_role("textbox", name="Action item").fill(ACTION)
    page.get_by_label("Owner").select_option(label=name)
    # After the meeting and within a year of it, as the form requires.
    page.get_by_label("Due").fill((dt.date.today() + dt.timedelta(days=21)).isoformat())
    page.get_by_role("button", name="Add action item").click()
    expect(page.get_by_text("Action item added.")).to_be_visible()
    expect(page.locator(".action-items")).to_contain_text(ACTION)
    page.screenshot(path=str(SHOTS / "one_on_one_lead.png"), full_page=True)
    page.get_by_role("button", name="Mark as held").click()
    expect(page.get_by_text("1:1 recorded as held.")).to_be_visible()
    meeting = OneOnOne.objects.held().filter(associate__user__username="associate").first()
    assert meeting is not None
    assert meeting.shared_notes == SHARED

    log_out(page)
    log_in(page, live_server, "associate")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My 1:1s").click()
    expect(page.get_by_role("heading", name="My 1:1s")).to_be_visible()
    expect(page.locator(".action-items")).to_contain_text(ACTION)
    page.get_by_role("link", name=re.compile(meeting.on.strftime("%a %-d %b %Y"))).click()
    expect(page.get_by_label("Shared notes (you and the associate)")).to_have_value(SHARED)
    expect(page.locator(".action-items")).to_contain_text(ACTION)
    expect(page.locator("#agenda")).to_contain_text("Refund macros")
    expect(page.get_by_text("Private notes")).to_have_count(0)
    assert PRIVATE not in page.content()
    page.screenshot(path=str(SHOTS / "one_on_one_associate.png"), full_page=True)

    # The associate ticks the action item off in place.
    page.get_by_role("button", name=f"Mark done: {ACTION}").click()
    expect(page.get_by_role("button", name=f"Reopen: {ACTION}")).to_be_visible()
