"""Shift swaps end to end on the seeded demo (issue 13, point 14): an associate asks a
teammate from the short list, or offers a shift on the swap board; the teammate
accepts or takes it; the lead approves from the queue, and the grid shows it."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from scheduling.models import ScheduleEntry, ShiftSwap
from tests.e2e.conftest import log_in, log_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ASSOCIATE, TEAMMATE = "Tomás Kelly", "Eoin Jensen"  # "associate" and "associate2"


def _approve_and_see_it_on_the_grid(page, live_server, swap):
    """As the lead: the queue shows the swap with times and coverage; approve it;
    the grid's cells for both people on its day are exchanged."""
    day = swap.requester_day
    before = {
        e.associate_id: e.label()
        for e in ScheduleEntry.objects.filter(on=day, associate__in=[swap.requester, swap.partner])
    }
    log_in(page, live_server, "lead")
    page.get_by_role("link", name="Payments Support", exact=True).first.click()
    page.get_by_role("link", name="Time off & swaps").click()
    item = (
        page.locator("article.swap-item")
        .filter(has_text=swap.requester.name)
        .filter(has_text=swap.partner.name)
        .filter(has_text="Waiting for lead")
    )
    expect(item).to_have_count(1)
    expect(item).to_contain_text(f"{day:%a} {day.day} {day:%b}")
    expect(item).to_contain_text(re.compile(r"\d\d:\d\d–\d\d:\d\d"))
    expect(item).to_contain_text(re.compile(r"On shift: (stays \d+|\d+ → \d+) of min \d+"))
    item.get_by_role("button", name="Approve").click()
    expect(page.get_by_text(f"Swap approved: {swap.requester} ⇄ {swap.partner}.")).to_be_visible()

    page.get_by_role("link", name="Schedule", exact=True).click()
    monday = day - dt.timedelta(days=day.weekday())
    page.goto(f"{page.url.split('?')[0]}?week={monday.isoformat()}")
    for person, other in ((swap.requester, swap.partner), (swap.partner, swap.requester)):
        cell = page.locator(f'td.cell a[aria-label^="{person.name}, {day:%A} {day.day} {day:%B}:"]')
        expect(cell).to_have_attribute(
            "aria-label", f"{person.name}, {day:%A} {day.day} {day:%B}: {before[other.pk]}"
        )
    log_out(page)


def test_an_associate_asks_a_teammate_from_the_short_list_who_accepts_then_the_lead_approves(
    page, live_server, demo
):
    log_in(page, live_server, "associate")
    page.get_by_role("link", name="My schedule").click()
    page.get_by_role("button", name="Ask for a shift swap").click()
    page.evaluate("window.__stillHere = true")
    mine = page.get_by_label("My shift")
    days = [v for v in mine.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
    assert days, "the demo publishes upcoming shifts for the associate"
    # The list follows the pick in place (htmx); the first day the teammate is listed on.
    teammate = page.get_by_role("radio", name=re.compile(f"^{TEAMMATE}, "))
    for day in days:
        mine.select_option(day)
        expect(page.locator("#swap-options")).to_contain_text(re.compile("Swap your|Nobody"))
        expect(page).to_have_url(re.compile(f"mine={day}"))
        if teammate.count():
            break
    assert page.evaluate("window.__stillHere") is True
    teammate.check()
    page.get_by_label("Note for your teammate and lead (optional)").fill("Parent-teacher meeting")
    page.get_by_role("button", name="Ask for the swap").click()
    expect(page.get_by_text(f"Swap asked of {TEAMMATE}.")).to_be_visible()
    log_out(page)

    log_in(page, live_server, "associate2")
    offer = page.locator("li").filter(has_text="Parent-teacher meeting")
    offer.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("You accepted the swap; your lead decides next.")).to_be_visible()
    log_out(page)

    swap = ShiftSwap.objects.select_related("requester__user", "partner__user").get(
        note="Parent-teacher meeting"
    )
    _approve_and_see_it_on_the_grid(page, live_server, swap)


def test_a_shift_offered_on_the_swap_board_is_taken_by_a_teammate_and_approved(
    page, live_server, demo
):
    log_in(page, live_server, "associate2")
    page.get_by_role("link", name="My schedule").click()
    page.get_by_role("button", name="Swap board").click()
    expect(page.get_by_role("heading", name="Payments Support swap board")).to_be_visible()
    offered = page.get_by_label("Shift to offer")
    # A weekday Early: the associate works other hours that day in the demo's rotation.
    early = [
        o["value"]
        for o in offered.locator("option").evaluate_all(
            "os => os.map(o => ({value: o.value, text: o.textContent}))"
        )
        if "Early" in o["text"]
    ]
    offered.select_option(early[-1])
    page.get_by_label("Note (optional; your whole team sees it)").fill("Swim gala")
    page.get_by_role("button", name="Put it on the board").click()
    expect(page.get_by_text("is on the swap board for your team")).to_be_visible()
    expect(page.locator("li.offer").filter(has_text="Swim gala")).to_contain_text("Open")
    log_out(page)

    log_in(page, live_server, "associate")
    page.get_by_role("link", name="My schedule").click()
    page.get_by_role("button", name="Swap board").click()
    page.locator("li.offer").filter(has_text="Swim gala").get_by_role(
        "button", name=re.compile("^Take ")
    ).click()
    expect(page.get_by_role("heading", name=f"Take {TEAMMATE}'s shift")).to_be_visible()
    expect(page.get_by_role("group", name="What you give in return")).to_contain_text("Same day")
    page.get_by_role("button", name="Take the shift").click()
    expect(page.get_by_text("your lead approves next")).to_be_visible()
    expect(page.locator("li.offer").filter(has_text="Swim gala")).to_contain_text(
        f"Taken by {ASSOCIATE} · waiting for the lead"
    )
    log_out(page)

    swap = ShiftSwap.objects.select_related("requester__user", "partner__user").get(
        offer__note="Swim gala"
    )
    _approve_and_see_it_on_the_grid(page, live_server, swap)
