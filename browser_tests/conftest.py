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


# Every page reports Content-Security-Policy violations to the test: the listener is installed
# before any of the page's own scripts run, in every frame, and calls back into Python.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolationCount = (window.__cspViolationCount || 0) + 1;
  window.__reportCspViolation && window.__reportCspViolation(
    [e.violatedDirective, e.blockedURI || "inline", e.sourceFile || location.href,
     String(e.lineNumber || 0), (e.sample || "").slice(0, 80)].join(" | "));
});
"""


class CspViolations(list):
    """The violations seen by one test's pages; any one fails the test."""

    def assert_none(self) -> None:
        assert not self, "Content-Security-Policy violations:\n" + "\n".join(self)


@pytest.fixture
def csp_violations():
    return CspViolations()


@pytest.fixture
def make_page(browser, live_server, settings, csp_violations):
    """A page in a fresh context, under the site's real Content-Security-Policy (no bypass):
    axe-core is evaluated through the browser protocol (helpers.check_page), which the policy
    does not govern, and any ``securitypolicyviolation`` event fails the test."""
    contexts = []

    def make(viewport=None):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport or {"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        context.expose_function("__reportCspViolation", lambda text: csp_violations.append(text))
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        page = context.new_page()
        page.csp_violations = csp_violations
        page.pages_seen = []
        page.on(
            "framenavigated",
            lambda frame: page.pages_seen.append(frame.url) if frame is page.main_frame else None,
        )
        return page

    yield make
    for context in contexts:
        context.close()
    csp_violations.assert_none()
