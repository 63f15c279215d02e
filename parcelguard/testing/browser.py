"""Browser-test helpers shared by the Playwright tests."""

import time
from typing import Any


def wait_for_js(page: Any, expression: str, timeout: float = 15.0) -> None:
    """Poll a JavaScript expression until it is truthy.

    Playwright's ``page.wait_for_function`` builds its predicate with ``eval`` inside the page, which
    the platform's Content-Security-Policy (``script-src 'self'``, no ``unsafe-eval``) rightly
    refuses; ``page.evaluate`` goes through the DevTools protocol, which the policy does not govern.
    """
    deadline = time.monotonic() + timeout
    while True:
        if page.evaluate(f"!!({expression})"):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{expression!r} stayed falsy for {timeout} s")
        page.wait_for_timeout(100)


def log_in(browser: Any, url: str, username: str, **context_args: Any) -> tuple[Any, Any]:
    """A new browser context logged in as `username` (the cast's password): (context, page)."""
    from parcelguard.testing.cast import PASSWORD

    context = browser.new_context(**context_args)
    page = context.new_page()
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return context, page
