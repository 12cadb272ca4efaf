"""Playwright on Debian's Chromium (Playwright's own browser download does not work here).

Browser tests never skip: if Chromium is missing they fail and say how to install it.
Screenshots go to artifacts/screenshots/ (git-ignored) for a person to look at.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# axe-core from npm (package.json): the accessibility rules a page is checked against.
AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


# Package scope: Playwright's sync API keeps an event loop running in this thread while the
# browser is open; it must end with the browser tests, or any later async_to_sync (the health
# checks) refuses to run in the same thread.
@pytest.fixture(scope="package")
def browser():
    if not Path(CHROMIUM_PATH).exists():
        pytest.fail(
            f"Chromium is not at {CHROMIUM_PATH}: `apt-get install -y chromium fonts-liberation` "
            "(or set CHROMIUM_PATH)."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a fresh browser context (its own cookies) on the live server: ``new_page()``."""
    contexts = []

    def open_page():
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": 1280, "height": 900},
            locale="en-GB",
            timezone_id="Europe/London",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda message: message.type == "error" and page.console_errors.append(message.text),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def screenshot(request):
    """``screenshot(page, "step")`` writes artifacts/screenshots/<test>--<step>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^\w.-]+", "_", request.node.name)

    def take(page, step):
        path = ARTIFACTS / f"{test_name}--{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page, username, password):
    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture(scope="session")
def axe_source():
    if not AXE_PATH.exists():
        pytest.fail(f"axe-core is not at {AXE_PATH}: run `npm ci` (make install does).")
    return AXE_PATH.read_text()


@pytest.fixture
def axe(axe_source):
    """``axe(page)`` checks the page against WCAG 2.2 A and AA with axe-core and fails on any
    violation. The script is evaluated through the DevTools protocol, as the CSP (rightly) blocks
    a script tag."""

    def check(page):
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(axe_source)
        violations = page.evaluate(
            """async (tags) => {
                const result = await window.axe.run(document, {runOnly: {type: "tag", values: tags}});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(" ")),
                }));
            }""",
            AXE_TAGS,
        )
        assert violations == [], f"{page.url}: {violations}"

    return check
