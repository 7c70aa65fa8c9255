"""Capacity planning end to end on the seeded demo (issue 14): the lead opens a day,
reads why an interval is short, proposes the day's queue plan, moves one person and
publishes; the associate then sees their queue blocks on My schedule."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from scheduling.models import PublishedEntry, QueuePlan
from teams.models import Associate
from tests.e2e.conftest import log_in, log_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _a_planned_weekday(associate: Associate) -> dt.date:
    """The first weekday ahead (today included) with a published shift for them and no
    queue plan yet, so the journey proposes one from scratch."""
    today = associate.team.site.local_today()
    days = (
        PublishedEntry.objects.filter(associate=associate, kind="shift", on__gte=today)
        .order_by("on")
        .values_list("on", flat=True)
    )
    planned = set(QueuePlan.objects.filter(team=associate.team).values_list("on", flat=True))
    day = next((d for d in days if d.weekday() < 5 and d not in planned), None)
    assert day is not None, "the demo publishes this week and next"
    return day


def test_the_lead_explains_a_gap_plans_the_queues_and_the_associate_sees_their_blocks(
    page, live_server, demo
):
    tomas = Associate.objects.select_related("team__site", "user").get(user__username="associate")
    day = _a_planned_weekday(tomas)
    team = tomas.team

    log_in(page, live_server, "lead")
    page.get_by_role("link", name="Payments Support", exact=True).first.click()
    page.get_by_role("link", name="Capacity", exact=True).last.click()
    page.goto(f"{page.url.split('?')[0]}?day={day.isoformat()}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{day:%A} {day.day} {day:%B}")
    # A short interval of the map, explained in place (htmx) in words.
    short = page.locator("table.heat td.tone-gap a, table.heat td.tone-tight a").first
    expect(short).to_be_visible()
    page.evaluate("window.__stillHere = true")
    short.click()
    why = page.locator("#why")
    expect(why).to_contain_text("contacts forecast")
    expect(why).to_contain_text(
        re.compile(r"→ \d+ agents; \d+ % shrinkage → \d+ on shift; you have \d+\.")
    )
    assert page.evaluate("window.__stillHere") is True

    # The day's queue plan: propose, move Tomás in one interval, publish.
    page.goto(f"{live_server.url}/teams/{team.pk}/queue-plan/?day={day.isoformat()}")
    page.get_by_role("button", name="Propose a plan").click()
    expect(page.get_by_text(re.compile(r"^Proposed: "))).to_be_visible()
    selects = page.locator(f'select[aria-label^="{tomas.name} at "]')
    expect(selects.first).to_be_visible()
    cell = selects.nth(2)
    label = cell.get_attribute("aria-label")
    before = cell.input_value()
    options = cell.locator("option").evaluate_all("os => os.map(o => o.value)")
    other = next(v for v in options if v != before)
    cell.select_option(other)
    moved = page.locator(f'select[aria-label="{label}"]')
    expect(moved).to_have_value(other)
    expect(moved.locator("xpath=ancestor::td")).to_have_class(re.compile("pinned"))
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(re.compile(r"^Published: the team sees its queues"))).to_be_visible()
    log_out(page)

    plan = QueuePlan.objects.get(team=team, on=day)
    blocks = plan.published_blocks[str(tomas.pk)]
    assert blocks
    log_in(page, live_server, "associate")
    page.get_by_role("link", name="My schedule").click()
    shown = page.locator(".week [role=listitem]").filter(has_text=f"{day:%a} {day.day} {day:%b}")
    for start, end, queue in blocks:
        local = dt.datetime.fromisoformat(start).astimezone(team.site.zone)
        finish = dt.datetime.fromisoformat(end).astimezone(team.site.zone)
        expect(shown).to_contain_text(f"{local:%H:%M}–{finish:%H:%M} {queue}")
