import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

CSAT_CHART = "Chart.getChart(document.querySelector(\"canvas[data-chart='chart-csat']\"))"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_lead_changes_the_range_in_place_sees_the_chart_and_exports_csv(page, live_server, demo):
    log_in(page, live_server, "lead")
    page.get_by_role("link", name="KPIs", exact=True).click()
    expect(page.get_by_role("heading", name="KPIs across teams")).to_be_visible()
    page.get_by_role("link", name="Payments Support").first.click()
    expect(page.get_by_role("heading", name="Payments Support · KPIs")).to_be_visible()

    # The charts are drawn by Chart.js (vendored) into their canvases.
    csat = page.locator("canvas[data-chart='chart-csat']")
    expect(csat).to_be_visible()
    page.wait_for_function(f"() => window.Chart && {CSAT_CHART}")
    assert page.evaluate(f"{CSAT_CHART}.data.labels.length") == 30

    # Changing the range swaps the dashboard in place (no page load) and redraws.
    page.evaluate("window.__stillHere = true")
    page.get_by_role("link", name="7 days").click()
    expect(page).to_have_url(re.compile(r"from=.*&to="))
    expect(page.locator(".range-line")).to_contain_text("7 days")
    assert page.evaluate("window.__stillHere") is True
    page.wait_for_function(
        f"() => {{ const c = {CSAT_CHART}; return c && c.data.labels.length === 7; }}"
    )
    rows = page.locator("#associate-table tbody tr")
    assert rows.count() >= 10

    # Sorting the table is an htmx swap too.
    head = page.locator("#associate-table thead")
    head.get_by_role("link", name=re.compile("^CSAT")).click()
    expect(head.locator("th[aria-sort='descending']")).to_contain_text("CSAT")
    assert page.evaluate("window.__stillHere") is True
    # ...and a range chosen afterwards keeps that order.
    page.get_by_role("link", name="30 days").click()
    expect(page.locator(".range-line")).to_contain_text("30 days")
    expect(head.locator("th[aria-sort='descending']")).to_contain_text("CSAT")
    expect(page).to_have_url(re.compile(r"sort=csat"))

    # Back restores the 7-day dashboard from htmx's history, charts drawn again.
    page.go_back()
    expect(page.locator(".range-line")).to_contain_text("7 days")
    page.wait_for_function(
        f"() => {{ const c = {CSAT_CHART}; return c && c.data.labels.length === 7; }}"
    )

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    content = Path(download.path()).read_text(encoding="utf-8")
    exported = list(csv.DictReader(io.StringIO(content)))
    team_rows = [r for r in exported if r["row"] == "team" and r["day"] == "period"]
    assert len(team_rows) == 6
    shown = page.locator(".kpi-card").first.locator(".stat").inner_text().split()[0]
    first = team_rows[0]
    assert first["kpi"] == "tickets_solved"
    assert f"{float(first['value']):,.0f}" == shown
    page.screenshot(path="test-artifacts/kpi-team-dashboard.png", full_page=True)
