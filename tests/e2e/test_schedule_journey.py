import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A cell the editor may set by hand: not leave or a comp day (those change through
# their requests), whatever the demo's day puts first in the grid.
EDITABLE = (
    "td.cell a:not([aria-label$=': Comp day']):not([aria-label$=': Time off'])"
    ":not([aria-label$=': Public holiday'])"
)


def test_lead_edits_a_cell_in_place_and_publishes(page, live_server, demo):
    log_in(page, live_server, "lead")
    page.get_by_role("link", name="Payments Support", exact=True).first.click()
    page.get_by_role("link", name="Schedule", exact=True).click()
    expect(page.get_by_role("heading", name="Payments Support schedule")).to_be_visible()
    # The demo publishes this week and next; the week after is a draft.
    page.get_by_role("button", name="Later →").click()
    expect(page).to_have_url(re.compile(r"week="))
    next_week = page.url
    page.get_by_role("button", name="Later →").click()
    expect(page).not_to_have_url(next_week)
    expect(page.get_by_text("Draft — associates do not see it yet")).to_be_visible()

    page.evaluate("window.__stillHere = true")
    first_cell = page.locator(EDITABLE).first
    label = first_cell.get_attribute("aria-label")
    first_cell.click()
    editor = page.locator("#cell-editor form")
    expect(editor).to_be_visible()
    editor.get_by_label("Assign").select_option(label="Day off")
    editor.get_by_role("button", name="Save").click()
    expect(page.locator("#cell-editor form")).to_have_count(0)
    cell_name = label.split(":")[0]
    expect(page.locator(f'td.cell a[aria-label^="{cell_name}:"]')).to_have_attribute(
        "aria-label", cell_name + ": Day off"
    )
    assert page.evaluate("window.__stillHere") is True

    page.get_by_role("button", name="Publish week").first.click()
    expect(page.get_by_text("Published the week of")).to_be_visible()


def _open_schedule(page, live_server):
    log_in(page, live_server, "lead")
    page.get_by_role("link", name="Payments Support", exact=True).first.click()
    page.get_by_role("link", name="Schedule", exact=True).click()
    expect(page.get_by_role("heading", name="Payments Support schedule")).to_be_visible()


def test_grid_publish_flag_sticky_four_weeks_editor_beside_the_cell_and_phone_list(
    page, live_server, demo
):
    _open_schedule(page, live_server)
    # This week is published as planned: nothing to publish until a cell changes.
    publish = page.get_by_role("button", name="Publish changes").first
    expect(publish).to_be_disabled()
    expect(page.get_by_text("Nothing to publish").first).to_be_visible()
    page.locator(EDITABLE).first.click()
    page.locator("#cell-editor form").get_by_label("Assign").select_option(label="Day off")
    page.locator("#cell-editor form").get_by_role("button", name="Save").click()
    expect(page.locator("#cell-editor form")).to_have_count(0)
    expect(page.get_by_role("button", name="Publish changes").first).to_be_enabled()

    # Four weeks: the name column and header row stay put while the table scrolls.
    page.get_by_role("button", name="4 weeks").click()
    scroller = page.locator(".schedule-scroll")
    name = page.locator("tbody tr").nth(6).locator("th")
    header = page.locator("thead th").nth(4)
    name_x, header_y = name.bounding_box()["x"], header.bounding_box()["y"]
    scroller.evaluate("e => { e.scrollLeft = 900; e.scrollTop = 150; }")
    page.wait_for_function("document.querySelector('.schedule-scroll').scrollLeft > 0")
    assert abs(name.bounding_box()["x"] - name_x) < 1
    scroller_box = scroller.bounding_box()
    assert abs(header.bounding_box()["y"] - scroller_box["y"]) < 3
    assert header.bounding_box()["y"] <= header_y

    # A cell in a low row: the editor opens beside it, inside the viewport.
    low = page.locator("tbody tr").last.locator("td.cell a").nth(12)
    low.scroll_into_view_if_needed()
    low.click()
    editor = page.locator("#cell-editor article")
    expect(editor).to_be_visible()
    cell, box = low.bounding_box(), editor.bounding_box()
    viewport = page.viewport_size
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= viewport["height"]
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= viewport["width"]
    assert box["y"] <= cell["y"] + cell["height"] + 10
    assert abs((box["y"] + box["height"] / 2) - (cell["y"] + cell["height"] / 2)) < 500
    # A second cell replaces the editor; there is only ever one.
    page.locator("tbody tr").nth(2).locator("td.cell a").nth(13).click()
    expect(page.locator("#cell-editor header")).to_contain_text(
        page.locator("tbody tr").nth(2).locator("th").inner_text()
    )
    assert page.locator("#cell-editor").count() == 1
    page.keyboard.press("Escape")
    expect(page.locator("#cell-editor form")).to_have_count(0)

    # A phone: a day list per person, not the wide table.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator(".day-lists")).to_be_visible()
    expect(scroller).to_be_hidden()
    first_person = page.locator(".day-lists details").first
    expect(first_person.locator("li")).to_have_count(28)
    first_person.locator("li a").nth(3).click()
    box = page.locator("#cell-editor article").bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    page.get_by_role("button", name="Close").click()
    expect(page.locator("#cell-editor form")).to_have_count(0)
