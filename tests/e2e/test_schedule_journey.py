import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_lead_edits_a_cell_in_place_and_publishes(page, live_server, demo):
    log_in(page, live_server, "lead")
    page.get_by_role("link", name="Payments Support", exact=True).first.click()
    page.get_by_role("link", name="Schedule", exact=True).click()
    expect(page.get_by_role("heading", name="Payments Support schedule")).to_be_visible()
    page.get_by_role("button", name="Later →").click()
    expect(page.get_by_text("Draft — associates do not see it yet")).to_be_visible()

    page.evaluate("window.__stillHere = true")
    first_cell = page.locator("td.cell a").first
    label = first_cell.get_attribute("aria-label")
    first_cell.click()
    editor = page.locator("#cell-editor form")
    expect(editor).to_be_visible()
    editor.get_by_label("Assign").select_option(label="Day off")
    editor.get_by_role("button", name="Save").click()
    expect(page.locator("#cell-editor form")).to_have_count(0)
    expect(page.locator("td.cell a").first).to_have_attribute(
        "aria-label", label.split(":")[0] + ": Day off"
    )
    assert page.evaluate("window.__stillHere") is True

    page.get_by_role("button", name="Publish week").first.click()
    expect(page.get_by_text("Published the week of")).to_be_visible()
