"""Fixtures of the browser journeys: Debian's headless Chromium driven by Playwright, the site
on pytest-django's live_server, and a real Celery worker on the test database and Redis.

Chromium is /usr/bin/chromium (ECG_CHROMIUM elsewhere), which scripts/browser_deps.sh installs;
Playwright never downloads a browser of its own. When it is missing the tests fail, saying
how to install it: they are never skipped.

Every page a journey opens is watched: a JavaScript error, a console error (a refused
Content-Security-Policy, a failed request) or a CSP violation event fails the test. Each
journey writes screenshots of its key pages to runs/screenshots/.
"""
import os
import time
from pathlib import Path

import pytest

from tests.diagnosis.test_worker_kill import start, stop

from .steps import DESKTOP, SCREENSHOTS, WAIT_MS

CHROMIUM = Path(os.environ.get("ECG_CHROMIUM", "/usr/bin/chromium"))


# Reported to the console by every page: the browser fires this event for each thing the
# Content-Security-Policy refused.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
                + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


# Package scope: the browser and the worker stop when the journeys are done, before the
# tests that start workers of their own (a running worker would take their tasks).
@pytest.fixture(scope="package")
def chromium(django_db_setup):
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need it. Install it "
            "with `sudo scripts/browser_deps.sh` (Debian's chromium, poppler-utils and "
            "fonts-dejavu-core; `make test` runs it), or point ECG_CHROMIUM at a Chromium.",
            pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # what a page shows after a click or a fetch

    # Playwright's synchronous API keeps an asyncio loop on this thread for as long as it
    # runs, which Django takes for async code and refuses the ORM in (the test database's
    # set-up and teardown included); every ORM call of the tests is synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                # As root (CI, containers) Chromium refuses to start with its sandbox.
                args=["--no-sandbox"] if os.geteuid() == 0 else [])
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_media(tmp_path_factory):
    """One media folder for the session, shared by the live server and the worker."""
    return tmp_path_factory.mktemp("browser-media")


@pytest.fixture
def media_root(settings, browser_media):
    """Overrides the suite's per-test folder: the worker, started once, writes here."""
    settings.MEDIA_ROOT = browser_media
    return browser_media


@pytest.fixture(scope="package")
def worker(django_db_setup, browser_media, tmp_path_factory):
    """A real ``celery -A ecgsite worker`` on the test database and Redis, for the journeys."""
    log = tmp_path_factory.mktemp("browser-worker") / "worker.log"
    process = start(browser_media, delay=0, log_path=log, name="browser")
    deadline = time.monotonic() + 120
    while "ready." not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            pytest.fail(f"the Celery worker did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)
    yield process
    stop(process)


class Pages:
    """Opens pages, each in its own browser context (its own cookies: one person each), and
    records what goes wrong in any of them."""

    def __init__(self, browser, base_url, test_name):
        self.browser = browser
        self.base_url = base_url
        self.test_name = test_name
        self.contexts = []
        self.problems = []

    def open(self, viewport=DESKTOP):
        context = self.browser.new_context(base_url=self.base_url, viewport=viewport)
        context.set_default_timeout(WAIT_MS)
        context.add_init_script(CSP_LISTENER)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda msg: msg.type == "error" and self.problems.append(
            f"console error on {page.url}: {msg.text}"))
        page.on("pageerror", lambda exc: self.problems.append(
            f"JavaScript error on {page.url}: {exc}"))
        return page

    def expected(self, text):
        """Take back the problems containing ``text`` that the test caused on purpose (Chromium
        logs every 4xx answer to a fetch as a console error, a refused upload's 400 too);
        fails if there was none, so an expectation cannot go stale unnoticed."""
        matching = [p for p in self.problems if text in p]
        assert matching, f"expected a problem containing {text!r}; got {self.problems}"
        self.problems = [p for p in self.problems if text not in p]

    def shot(self, page, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{self.test_name}-{name}.png"), full_page=True)

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(chromium, live_server, worker, request):
    """``pages.open()`` gives a new page as a new person; the test fails if any page logged a
    JavaScript or console error or a CSP violation."""
    opened = Pages(chromium, live_server.url, request.node.name)
    try:
        yield opened
    finally:
        opened.close()
    assert not opened.problems, "\n".join(opened.problems)
