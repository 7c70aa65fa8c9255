"""The API docs page renders in a real browser under the Content Security Policy
(its start-up script and page style come from files)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_docs_render_under_the_policy(page, live_server):
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_text("SDC Ops API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/kpi-events/").first).to_be_visible()
