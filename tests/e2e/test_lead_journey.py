import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import account_menu, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_lead_opens_the_team_filters_the_roster_and_opens_a_profile(page, live_server, demo):
    log_in(page, live_server, "lead")
    expect(page.get_by_role("heading", name="My team today")).to_be_visible()

    page.get_by_role("link", name="Payments Support", exact=True).first.click()
    expect(page.get_by_role("heading", name="Payments Support", level=1)).to_be_visible()
    roster = page.locator("#roster tbody").first
    full_count = roster.locator("tr").count()
    assert full_count >= 10

    # Mark the document: if the filter reloaded the page instead of swapping
    # the fragment, the mark would be gone.
    page.evaluate("window.__stillHere = true")
    first_name = roster.locator("tr td a").first.inner_text()
    page.get_by_role("searchbox", name="Search").fill(first_name.split()[-1])
    expect(page).to_have_url(re.compile(r"[?&]q="))
    expect(roster.locator("tr")).not_to_have_count(full_count)
    assert page.evaluate("window.__stillHere") is True
    expect(roster.get_by_role("link", name=first_name)).to_be_visible()

    page.get_by_label("Status").select_option("inactive")
    expect(page.locator("#roster")).to_contain_text("No associates match this filter")
    page.get_by_label("Status").select_option("active")
    page.get_by_role("searchbox", name="Search").fill("")
    expect(roster.locator("tr")).to_have_count(full_count)

    roster.get_by_role("link", name=first_name).click()
    expect(page.get_by_role("heading", name=first_name, level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Deactivate")).to_be_visible()
    expect(page.get_by_text("Skills and queues")).to_be_visible()


def test_associate_sees_their_week_and_no_team_navigation(page, live_server, demo):
    log_in(page, live_server, "associate")
    expect(page.get_by_role("heading", name="My week")).to_be_visible()
    expect(page.locator('[aria-current="date"]')).to_have_count(1)
    expect(page.get_by_role("link", name="Teams")).to_have_count(0)
    account_menu(page).get_by_role("link", name="My profile").click()
    expect(page.get_by_role("button", name="Deactivate")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
