"""Browser journey: the manager calibrates on a phone (390 px wide, touch).

The demo cycle has reviews of three teams at calibration; the page shows one card
per person with nothing to scroll sideways, filters update it in place (htmx) and
put the view in the address, and a rating change by touch comes back to the same
filtered view.
"""

import re

import pytest
from playwright.sync_api import expect

from performance.management.commands.seed_reviews import CYCLE_NAME
from performance.models import Review, ReviewCycle
from tests.e2e.conftest import log_in, watch_the_policy

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTH = 390


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 844}, is_mobile=True, has_touch=True, locale="en-GB"
    )
    page = context.new_page()
    refused = watch_the_policy(page)
    yield page
    context.close()
    assert refused == [], "the Content Security Policy refused: " + "; ".join(refused)


def _nothing_scrolls_sideways(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    overflowing = page.evaluate(
        "[...document.querySelectorAll('.table-wrap')]"
        ".filter(el => el.scrollWidth > el.clientWidth + 1).length"
    )
    assert overflowing == 0


def test_manager_filters_and_calibrates_by_touch_on_a_phone(phone, live_server, demo):
    page = phone
    cycle = ReviewCycle.objects.get(name=CYCLE_NAME)
    at_calibration = Review.objects.filter(cycle=cycle, state=Review.State.CALIBRATION).count()
    assert at_calibration >= 2
    log_in(page, live_server, "manager")
    page.goto(f"{live_server.url}/reviews/cycles/{cycle.pk}/calibration/")
    expect(page.get_by_role("heading", name="Rating distribution")).to_be_visible()
    _nothing_scrolls_sideways(page)

    page.get_by_label("Step").select_option("calibration")
    expect(page).to_have_url(re.compile(r"/calibration/\?step=calibration$"))
    cards = page.locator("table.calibration-table tbody tr")
    expect(cards).to_have_count(at_calibration)
    _nothing_scrolls_sideways(page)

    card = cards.first
    name = card.locator("th.who a").inner_text()
    # Each KPI on the card is named beside its figure.
    expect(card.locator("td.rag-cell").first).to_have_attribute("data-label", re.compile(r"\w"))
    card.get_by_text("Adjust or share").tap()
    rating = card.get_by_role("combobox", name="Rating")
    new = "2" if rating.input_value() != "2" else "3"
    rating.select_option(new)
    card.get_by_label("Reason").tap()
    card.get_by_label("Reason").fill("Checked against the same queue's peers.")
    button = card.get_by_role("button", name="Change rating")
    box = button.bounding_box()
    assert box is not None
    assert box["height"] >= 44  # a finger's target
    button.tap()

    expect(page).to_have_url(re.compile(r"\?step=calibration#review-\d+$"))
    expect(page.get_by_role("status")).to_contain_text(f"{name}: rating")
    review = Review.objects.get(cycle=cycle, rating_changes__reason__startswith="Checked against")
    assert page.url.endswith(f"#review-{review.pk}")
    assert review.rating == int(new)
    changed = page.locator(f"#review-{review.pk}")
    expect(changed).to_contain_text("changed in calibration")
    expect(changed).to_contain_text("Checked against the same queue's peers.")
