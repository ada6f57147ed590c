"""End-to-end tests in Debian's Chromium, driven by Playwright, against the live test server.

Each journey records every request the browser makes (none may leave the server) and every console
error (none allowed), and saves a screenshot of each step at 360 px and 1280 px wide under
`test-artifacts/screenshots/` (not committed).

Without /usr/bin/chromium these tests are skipped, unless E2E_REQUIRED=1 (CI sets it), when they fail.
"""

import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WIDTHS = {"phone": 360, "desktop": 1280}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server; on SQLite, the application answers one request at a time.

    On an in-memory SQLite database every server thread shares the test's one connection; pages that
    fetch several things at once (the hall screen's API calls) then ran queries on it from several
    threads together, which hung a CI run. The server stays threaded (an idle keep-alive or preconnected
    socket holds only its own thread), and a lock around the application serialises the database work.
    PostgreSQL is left as it is: there each thread has its own connection.
    """
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.db import connection
    from pytest_django.live_server_helper import LiveServer

    class OneAtATime(StaticFilesHandler):
        lock = threading.Lock()

        def __call__(self, environ, start_response):
            with self.lock:
                return list(super().__call__(environ, start_response))  # the whole answer, inside the lock

    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    server = LiveServer(addr, start=False)
    if connection.vendor == "sqlite":
        server.thread.static_handler = OneAtATime
    server.start()
    yield server
    server.stop()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    if os.environ.get("E2E_REQUIRED") == "1":
        raise pytest.UsageError(f"E2E_REQUIRED=1 but Chromium is missing at {CHROMIUM} (apt-get install chromium)")
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}; apt-get install chromium")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Journey:
    """One user's visit: a page per width, the requests and console errors of both."""

    def __init__(self, browser, base_url: str, name: str):
        self.base_url = base_url.rstrip("/")
        self.name = name
        self.step = 0
        self.outside_requests: list[str] = []
        self.console_errors: list[str] = []
        self.context = browser.new_context(viewport={"width": WIDTHS["desktop"], "height": 900}, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.on("request", self._on_request)
        self.page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        self.page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        self.page.set_default_timeout(15000)
        (SCREENSHOTS / name).mkdir(parents=True, exist_ok=True)

    def _on_request(self, request):
        url = request.url
        if url.startswith(("data:", "blob:", "about:")):
            return
        if urlparse(url).netloc != urlparse(self.base_url).netloc:
            self.outside_requests.append(url)

    def goto(self, path: str):
        self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def login(self, username: str, password: str = "pw"):
        self.goto("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def shot(self, label: str):
        """Screenshot the current page at both widths and check that it fits a phone."""
        self.step += 1
        slug = re.sub(r"[^\w-]+", "-", label)
        for width_name, width in WIDTHS.items():
            self.page.set_viewport_size({"width": width, "height": 900})
            self.page.wait_for_timeout(50)
            self.page.screenshot(path=str(SCREENSHOTS / self.name / f"{self.step:02d}-{slug}-{width_name}.png"),
                                 full_page=True)
            if width_name == "phone":
                # Wide tables may scroll inside their own box; the page itself must not.
                overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, f"{label}: page is {overflow}px wider than a 360px phone"
        self.page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})

    def finish(self):
        self.context.close()
        assert not self.outside_requests, f"requests left the server: {self.outside_requests}"
        assert not self.console_errors, f"console errors: {self.console_errors}"


@pytest.fixture
def journey(browser, live_server, transactional_db, request):
    # Browser tests are transactional: afterwards every table is emptied, the accounting systems of
    # data migration 0002 included, so each one puts the reference data back first.
    from django.apps import apps

    from ledger import metrics
    from ledger.systems import sync_reference_data

    sync_reference_data(apps)
    metrics.clear_cache()
    trips = []

    def start(name: str | None = None) -> Journey:
        trip = Journey(browser, live_server.url, name or request.node.name)
        trips.append(trip)
        return trip

    yield start
    for trip in trips:
        trip.finish()
