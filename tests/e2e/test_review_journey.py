"""Browser journey: one performance review from the self review to the acknowledgement.

The demo's `associate2` (Payments Support, led by `lead`, managed by `manager`) has
a review at the self review step in the demo cycle.
"""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from performance.management.commands.seed_reviews import CYCLE_NAME
from performance.models import Review
from teams.models import User
from tests.e2e.conftest import log_in, log_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ACHIEVED = "Rewrote the dispute macros; first response met target all half"
LEARNED = "Asked for help late on two merchant escalations"
LEAD_SUMMARY = "Dependable on the peak shifts; handle time is next half's focus"
LEAD_WHY = "Every KPI at or near target; the macro work is used team-wide"
# The manager's reason compares with colleagues: it stays with leads and managers.
CALIBRATION_REASON = "Ahead of Payments peers rated 3 on CSAT and backlog work"
COMMENT = "Thanks, agreed on the handle time focus"
MEETS = "3 · Meets expectations"
EXCEEDS = "4 · Exceeds expectations"


def status_messages(page: Page) -> Locator:
    return page.get_by_role("status")


def test_review_goes_from_self_review_to_acknowledged_and_private_parts_stay_private(
    page, live_server, demo, mailoutbox
):
    subject = User.objects.get(username="associate2")
    name = subject.associate.name
    review = Review.objects.get(cycle__name=CYCLE_NAME, associate__user=subject)
    assert review.state == Review.State.SELF_REVIEW
    mailoutbox.clear()  # the demo seed's own emails (published schedules)

    # The associate writes and submits their self review.
    log_in(page, live_server, "associate2")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My reviews").click()
    expect(page.get_by_role("heading", name="My reviews", level=1)).to_be_visible()
    page.get_by_role("row").filter(has_text=CYCLE_NAME).get_by_role(
        "link", name="Write your self review"
    ).click()
    expect(page.get_by_role("heading", name=f"Self review · {CYCLE_NAME}")).to_be_visible()
    page.get_by_label("What did you achieve in this period?").fill(ACHIEVED)
    page.get_by_label("What was hard, and what did you learn?").fill(LEARNED)
    page.get_by_role("button", name="Submit to my lead").click()
    expect(status_messages(page)).to_contain_text("Your self review is with your lead now.")
    expect(page.get_by_text("You submitted your self review on")).to_be_visible()
    expect(page.get_by_role("button", name="Submit to my lead")).to_have_count(0)
    assert [(m.subject, m.to) for m in mailoutbox] == [
        (f"{name} submitted their self review for {CYCLE_NAME}", ["lead@sdc-demo.example"])
    ]
    log_out(page)

    # The lead finds it in the cycle, saves a draft, then sends it to calibration.
    log_in(page, live_server, "lead")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    page.get_by_role("link", name=CYCLE_NAME).click()
    expect(page.get_by_role("heading", name=CYCLE_NAME, level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))
    expect(row.locator(".badge")).to_have_text("Lead review")
    row.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=f"{name} · {CYCLE_NAME}")).to_be_visible()
    expect(
        page.locator("section", has=page.get_by_role("heading", name="Self review"))
    ).to_contain_text(ACHIEVED)
    page.get_by_role("button", name="Write the lead review").click()
    expect(page.get_by_role("heading", name=f"Lead review · {name}")).to_be_visible()
    expect(page.get_by_text(LEARNED)).to_be_visible()
    page.get_by_label("Summary").fill(LEAD_SUMMARY)
    page.get_by_role("combobox", name="Rating").select_option(label=MEETS)
    page.get_by_label("Why this rating").fill(LEAD_WHY)
    page.get_by_role("button", name="Save draft").click()
    expect(status_messages(page)).to_contain_text("Draft saved.")
    expect(page.locator("dl.facts .badge")).to_have_text("Lead review")
    page.get_by_role("button", name="Write the lead review").click()
    expect(page.get_by_label("Summary")).to_have_value(LEAD_SUMMARY)
    expect(page.get_by_role("combobox", name="Rating")).to_have_value("3")
    page.get_by_role("button", name="Send to calibration").click()
    expect(status_messages(page)).to_contain_text("The review is with the manager for calibration.")
    expect(page.locator("dl.facts .badge")).to_have_text("Calibration")
    expect(page.get_by_role("button", name="Write the lead review")).to_have_count(0)
    log_out(page)

    # Before it is shared, the associate sees none of the lead's writing.
    log_in(page, live_server, "associate2")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My reviews").click()
    mine = page.get_by_role("row").filter(has_text=CYCLE_NAME)
    expect(mine).to_contain_text("Self review submitted; your lead is working on the review.")
    expect(mine.get_by_role("link", name=re.compile("Shared with you"))).to_have_count(0)
    mine.get_by_role("link", name="Read your self review").click()
    expect(page.get_by_text(ACHIEVED)).to_be_visible()
    expect(page.get_by_role("link", name="Read your review")).to_have_count(0)
    assert LEAD_SUMMARY not in page.content()
    # The one address typed by hand: the review page itself is not theirs to open yet.
    page.goto(f"{live_server.url}/reviews/{review.pk}/")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    assert LEAD_SUMMARY not in page.content()
    assert LEAD_WHY not in page.content()
    log_out(page)

    # The manager calibrates the rating (a reason is required) and shares the review.
    log_in(page, live_server, "manager")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    page.get_by_role("link", name=CYCLE_NAME).click()
    page.get_by_role("button", name="Calibration").click()
    expect(page.get_by_role("heading", name=f"Calibration · {CYCLE_NAME}")).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))
    expect(row).to_contain_text(MEETS)
    row.get_by_text("Adjust or share").click()
    row.get_by_role("combobox", name="Rating").select_option(label=EXCEEDS)
    row.get_by_role("button", name="Change rating").click()
    # Without a reason the browser does not send the form.
    assert row.get_by_label("Reason").evaluate("el => el.validity.valueMissing") is True
    expect(status_messages(page)).to_have_count(0)
    row.get_by_label("Reason").fill(CALIBRATION_REASON)
    row.get_by_role("button", name="Change rating").click()
    expect(status_messages(page)).to_contain_text(f"{name}: rating 3 → 4.")
    expect(row).to_contain_text(EXCEEDS)
    expect(row).to_contain_text(CALIBRATION_REASON)
    row.get_by_text("Adjust or share").click()
    row.get_by_role("button", name=f"Share with {name}").click()
    expect(status_messages(page)).to_contain_text(f"The review is shared with {name}.")
    expect(row.locator(".badge")).to_have_text("Shared")
    expect(row.get_by_text("Adjust or share")).to_have_count(0)
    row.get_by_role("link", name=name, exact=True).click()
    expect(page.locator("dl.facts")).to_contain_text("by Deirdre Maguire")
    expect(page.get_by_role("heading", name="Calibration changes")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=CALIBRATION_REASON)).to_be_visible()
    assert mailoutbox[-1].to == [subject.email]
    assert mailoutbox[-1].subject == f"Your review for {CYCLE_NAME} is ready"
    log_out(page)

    # The associate reads the shared review and acknowledges it.
    log_in(page, live_server, "associate2")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My reviews").click()
    page.get_by_role("link", name="Shared with you: read and acknowledge").click()
    expect(page.get_by_role("heading", name=f"{name} · {CYCLE_NAME}")).to_be_visible()
    expect(page.locator("dl.facts .badge")).to_have_text("Shared")
    lead_part = page.locator(
        "section", has=page.get_by_role("heading", name="Lead review", exact=True)
    )
    expect(lead_part).to_contain_text(LEAD_SUMMARY)
    expect(lead_part).to_contain_text(LEAD_WHY)
    expect(lead_part).to_contain_text(EXCEEDS)
    expect(page.get_by_role("heading", name="Calibration changes")).to_have_count(0)
    assert CALIBRATION_REASON not in page.content()
    page.get_by_label("Comment (optional)").fill(COMMENT)
    page.get_by_role("button", name="Acknowledge", exact=True).click()
    expect(status_messages(page)).to_contain_text("You acknowledged your review.")
    expect(page.locator("dl.facts .badge")).to_have_text("Acknowledged")
    expect(page.locator("blockquote")).to_have_text(COMMENT)
    expect(page.get_by_role("button", name="Acknowledge", exact=True)).to_have_count(0)

    # Its history starts at the sharing, without the manager's reason.
    page.get_by_role("button", name="History").click()
    expect(page.get_by_role("heading", name=f"Review history · {name}")).to_be_visible()
    expect(page.get_by_role("cell", name="acknowledged", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="shared with the associate")).to_be_visible()
    assert CALIBRATION_REASON not in page.content()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My reviews").click()
    expect(page.get_by_role("row").filter(has_text=CYCLE_NAME)).to_contain_text("Acknowledged")
