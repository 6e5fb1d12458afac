import functools
import re
from pathlib import Path

from django.core import mail

from .conftest import ROOT, SCREENSHOTS

BLOCKING = {"serious", "critical"}
NARROW = 375


@functools.cache
def axe_source() -> str:
    """axe-core's source: npm's copy (node_modules/axe-core) when installed, else the one
    axe-playwright-python ships."""
    npm = ROOT / "node_modules" / "axe-core" / "axe.min.js"
    if npm.exists():
        return npm.read_text()
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def run_axe(page) -> dict:
    """Evaluate axe-core's source in the page through the browser protocol (Runtime.evaluate),
    which the page's Content-Security-Policy does not govern, unlike an added <script> tag."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    return page.evaluate("axe.run(document, {resultTypes: ['violations']})")


def check_page(page, visits, role: str) -> None:
    """Run axe-core on the page; any serious or critical violation fails the journey, and so
    does any Content-Security-Policy violation so far. At 375 px, the page must not scroll
    sideways."""
    page.wait_for_load_state("networkidle")
    results = run_axe(page)
    violations = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in results["violations"]
    ]
    visits.record(role, page.url, violations)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{role} on {page.url}: {blocking}"
    violations_seen = getattr(page, "csp_violations", None)
    if violations_seen is not None:
        violations_seen.assert_none()
    if (page.viewport_size or {}).get("width") == NARROW:
        assert fits_narrow_screen(page), f"{role} on {page.url} scrolls sideways at 375 px"


def fits_narrow_screen(page) -> bool:
    """No horizontal scroll on a 375 px screen: the document is no wider than the screen."""
    return page.evaluate(f"document.documentElement.scrollWidth <= {NARROW}")


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile("^Sign in$", re.I)).click()
    page.wait_for_url(re.compile(r"/home/"))


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()


def last_link_in_mail(to: str, pattern: str) -> str:
    for message in reversed(mail.outbox):
        if to in message.to:
            found = re.search(pattern, message.body)
            if found:
                return found.group(0)
    raise AssertionError(
        f"no email to {to} with {pattern!r}; outbox: {[m.to for m in mail.outbox]}"
    )


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )


def tab_to(page, locator, limit: int = 250) -> None:
    """Press Tab until the element has the keyboard focus (no mouse involved)."""
    handle = locator.element_handle()
    for _ in range(limit):
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")
