"""Browser journeys: Playwright driving Debian's Chromium against a live server.

Never ``playwright install``: the browser is /usr/bin/chromium (``apt-get install chromium``,
done by .ci/run). Without it these tests are skipped with the reason, or fail when
REQUIRE_SERVICES=1.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

from mentorship.testing import skip_or_fail

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "docs" / "screenshots"
A11Y_REPORT = ROOT / "var" / "a11y-report.json"

# pytest-django's live server with Playwright's sync API runs Django code from an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "browser_tests" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - requirements-dev installs it
        skip_or_fail("playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


class Visits:
    """Every page a journey visits, checked with axe-core; a summary is written at the end."""

    def __init__(self):
        self.pages: list[dict] = []

    def record(self, role: str, url: str, violations: list) -> None:
        self.pages.append({"role": role, "url": url, "violations": violations})


@pytest.fixture(scope="session")
def visits():
    log = Visits()
    yield log
    if log.pages:
        A11Y_REPORT.parent.mkdir(parents=True, exist_ok=True)
        A11Y_REPORT.write_text(json.dumps(log.pages, indent=1))
        print(f"\naxe-core checked {len(log.pages)} page visits; report in {A11Y_REPORT}")


@pytest.fixture
def make_page(browser, live_server, settings):
    contexts = []

    def make(viewport=None):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport or {"width": 1280, "height": 900},
            bypass_csp=True,  # lets axe-core be injected under the app's CSP
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
