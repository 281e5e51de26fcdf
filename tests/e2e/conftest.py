"""Browser journeys: Playwright drives Debian's Chromium (never Playwright's own download) against pytest-django's
live server. Each journey keeps screenshots of its key pages in ``test-artifacts/screenshots/<journey>/``."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import IN_CI
from tests.payments.conftest import localstripe_url, stripe_settings  # noqa: F401 - fixtures for the card journey

# Playwright's sync API keeps an event loop in the test thread for the rest of the session (its `playwright` fixture
# is session-scoped), and Django refuses ORM calls beside a running loop unless told the thread is synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "skelebrain"  # what Oscar's UserFactory sets
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, headless; without it the journeys are skipped on a laptop and fail in CI."""
    if not os.access(CHROMIUM, os.X_OK):
        message = f"needs Chromium at {CHROMIUM} (apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(f"CI=true but the browser journeys {message}")
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }  # fmt: skip


class Journey:
    """One journey's people (each a browser context of their own) and its screenshots."""

    def __init__(self, browser: Browser, base_url: str, name: str):
        self.browser, self.base_url = browser, base_url
        self.folder = SCREENSHOTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.contexts = []

    def person(self, email: str | None = None) -> Page:
        """A new browser window (its own cookies) at desktop width; signed in through the login form if ``email``."""
        context = self.browser.new_context(base_url=self.base_url, viewport=DESKTOP)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        if email:
            page.goto("/accounts/login/")
            page.fill("#id_login-username", email)
            page.fill("#id_login-password", PASSWORD)
            page.click("button[name=login_submit]")
            expect(page.locator("#logout_link, #logout_form").first).to_be_attached()  # shop or dashboard
        return page

    def screenshot(self, page: Page, step: str, *, phone: bool = False) -> None:
        """The whole page at desktop width, and with ``phone`` also at phone width (``<step>-phone.png``), where it
        must fit: nothing wider than the phone's screen."""
        page.screenshot(path=self.folder / f"{step}.png", full_page=True)
        if phone:
            page.set_viewport_size(PHONE)
            page.screenshot(path=self.folder / f"{step}-phone.png", full_page=True)
            width = page.evaluate("document.documentElement.scrollWidth")
            page.set_viewport_size(DESKTOP)
            wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 3).map(e => e.tagName + '.' + e.className + '#' + e.id)""") if width > PHONE["width"] else []
            assert width <= PHONE["width"], f"{step}: the page is {width}px wide on a {PHONE['width']}px phone: {wide}"

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def journey(browser, live_server, seeded):
    """``journey(name)`` starts a journey whose screenshots go to ``test-artifacts/screenshots/<name>/``."""
    started = []

    def start(name: str) -> Journey:
        started.append(Journey(browser, live_server.url, name))
        return started[-1]

    yield start
    for each in started:
        each.close()
