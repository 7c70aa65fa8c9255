import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_generate_shows_it_is_busy_then_keeps_the_inputs_and_sorts_by_date(page, live_server, demo):
    log_in(page, live_server, "lead")
    page.get_by_role("link", name="Payments Support", exact=True).first.click()
    page.get_by_role("link", name="Weekend rota", exact=True).click()
    first_day = page.get_by_label("From (a Monday)")
    typed = dt.date.fromisoformat(first_day.input_value()) + dt.timedelta(days=7)
    first_day.fill(typed.isoformat())
    # The busy state lasts only as long as the request, which may be short here: record
    # what the page shows while it waits in sessionStorage, which outlives the navigation.
    page.evaluate(
        """() => {
        const button = document.querySelector("form[data-busy-form] button[type=submit]");
        const note = document.querySelector(".busy-note");
        new MutationObserver(() => {
            if (!button.disabled) return;
            sessionStorage.setItem("busy", JSON.stringify({
                disabled: button.disabled, text: button.textContent.trim(),
                ariaBusy: button.getAttribute("aria-busy"),
                note: !note.hidden && note.offsetHeight > 0 ? note.textContent : null,
            }));
        }).observe(button, {attributes: true, childList: true, characterData: true});
    }"""
    )
    page.get_by_role("button", name="Generate proposal").click()
    # Generating takes seconds here: wait for the page to come back, not for a deadline.
    expect(page.get_by_role("heading", name="Upcoming weekend duties")).to_be_visible()
    expect(page.get_by_role("button", name="Generate proposal")).to_be_enabled(timeout=60_000)
    expect(page.get_by_label("From (a Monday)")).to_have_value(typed.isoformat())
    seen = page.evaluate("JSON.parse(sessionStorage.getItem('busy'))")
    assert seen["disabled"] is True
    assert seen["text"] == "Generating…"
    assert seen["ariaBusy"] == "true"
    assert "this takes up to ~15 s" in seen["note"]
    days = page.locator("form[action*='accept'] tbody tr td:nth-child(2)").all_inner_texts()
    assert days, "the proposal lists its duties"
    year = typed.year
    parsed = [dt.datetime.strptime(f"{d} {year}", "%a %d %b %Y").date() for d in days]
    # The rota may cross a new year: compare by order in the rota, not by calendar text.
    fixed = [p if p >= typed else p.replace(year=year + 1) for p in parsed]
    assert fixed == sorted(fixed)
