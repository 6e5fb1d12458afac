"""The API's interactive docs work under the site's own Content-Security-Policy (no bypass), and
a token made on the account page reads the API from them."""

import pytest
from allauth.account.models import EmailAddress

from .helpers import sign_in

PASSWORD = "a-long-journey-password-1"


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_under_the_csp_and_tries_an_operation(browser, live_server, mentee):
    mentee.set_password(PASSWORD)
    mentee.save()
    EmailAddress.objects.create(user=mentee, email=mentee.email, verified=True, primary=True)
    context = browser.new_context(base_url=live_server.url)  # the real CSP: no bypass
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        sign_in(page, mentee.email, PASSWORD)
        page.goto("/account/api-tokens/")
        page.locator("#id_name").fill("Browser")
        page.get_by_role("button", name="Create token").click()
        secret = page.locator("#new-token").inner_text()
        assert secret.startswith("mtk_")
        response = page.goto("/api/v1/docs")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.locator(".swagger-ui .info .title").filter(has_text="Mentorship API").wait_for()
        page.locator(".auth-wrapper button.authorize").click()
        dialog = page.locator(".dialog-ux .modal-ux")
        dialog.locator("input").first.fill(secret)
        dialog.locator("button.authorize").click()
        dialog.locator("button.btn-done").click()
        page.locator("#operations-programmes-api_v1_programmes_list").click()
        page.get_by_role("button", name="Try it out").click()
        with page.expect_response(lambda r: "/api/v1/programmes" in r.url) as answer:
            page.get_by_role("button", name="Execute").click()
        assert answer.value.status == 200, (answer.value.status, answer.value.request.headers)
        page.get_by_text("Server response").first.wait_for()
        assert not [p for p in problems if "Content Security Policy" in p], problems
    finally:
        context.close()
