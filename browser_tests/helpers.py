import re

from axe_playwright_python.sync_playwright import Axe
from django.core import mail

from .conftest import SCREENSHOTS

AXE = Axe()
BLOCKING = {"serious", "critical"}


def check_page(page, visits, role: str) -> None:
    """Run axe-core on the page; any serious or critical violation fails the journey."""
    page.wait_for_load_state("networkidle")
    results = AXE.run(page)
    violations = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in results.response["violations"]
    ]
    visits.record(role, page.url, violations)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{role} on {page.url}: {blocking}"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
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
