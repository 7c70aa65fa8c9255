"""Browser journeys: Playwright driving Debian's Chromium against live_server.

Playwright's sync API runs an event loop in the test thread; Django's ORM
refuses to run inside one unless told that this thread is safe, which it is
here (the server runs in its own thread).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from teams.management.commands.seed_demo import DEMO_PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def demo(transactional_db, seeded_demo):
    """The seeded demo center, as `make demo` builds it (tests/conftest.py)."""


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def account_menu(page):
    """Open the account menu (profile, API tokens, log out) at the right of the nav."""
    page.get_by_role("navigation", name="Main").locator("details.dropdown > summary").last.click()
    return page.get_by_role("navigation", name="Main").locator("details.dropdown").last


def log_out(page):
    account_menu(page).get_by_role("button", name="Log out").click()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not at {CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def watch_the_policy(page) -> list[str]:
    """Every journey runs under the Content Security Policy: what it blocks is
    collected in the returned list, which the journey's fixture asserts empty."""
    page.set_default_timeout(10_000)
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    refused = watch_the_policy(page)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot of the failure: {path}")
    context.close()
    assert refused == [], "the Content Security Policy refused: " + "; ".join(refused)
