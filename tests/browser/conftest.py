"""Playwright on Debian's Chromium (Playwright's own browser download does not work here).

Browser tests never skip: if Chromium is missing they fail and say how to install it.
Screenshots go to artifacts/screenshots/ (git-ignored) for a person to look at.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# axe-core from npm (package.json): the accessibility rules a page is checked against.
AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_AXE_RUN = """async (tags) => {
    const result = await window.axe.run(document, {runOnly: {type: "tag", values: tags}});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => n.target.join(" ")),
    }));
}"""
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
def new_page(browser, live_server, axe_source):
    """Open a fresh browser context (its own cookies) on the live server: ``new_page()``.

    Every HTML page the test reaches with a GET is checked with axe-core when the test ends
    (``_axe_pages_reached``), failing on a serious or critical violation, so no journey can reach
    a page nobody checked. Pages shown in answer to a POST (a form with its errors) cannot be
    fetched again: journeys check those with ``axe(page)`` where they matter."""
    contexts = []

    def open_page():
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": 1280, "height": 900},
            locale="en-GB",
            timezone_id="Europe/London",
        )
        context.set_default_timeout(10_000)
        context.pages_reached = []
        context.on("response", lambda response: _note_page_reached(context, response))
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda message: message.type == "error" and page.console_errors.append(message.text),
        )
        return page

    yield open_page
    problems = []
    for context in contexts:
        problems += _axe_pages_reached(context, axe_source)
    for context in contexts:
        context.close()
    assert not problems, "axe-core: serious or critical violations on pages reached:\n" + "\n".join(
        problems
    )


@pytest.fixture(scope="package", autouse=True)
def _axe_pages_listed():
    """Leave the list of page kinds checked in artifacts/axe-pages.txt for a person to read."""
    yield
    ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS.parent / "axe-pages.txt").write_text(
        "".join(f"{kind}\n" for kind in sorted(_AXE_CHECKED))
    )


# Page kinds already checked in this run (the path with its numbers taken out): each kind of page
# is checked once per run, to keep the browser tests quick.
_AXE_CHECKED: set[str] = set()
_SERIOUS = ("serious", "critical")


def _note_page_reached(context, response):
    """Remember a page the browser was shown after a GET (only attributes already in hand: an event
    handler must not call back into Playwright while the test drives the page)."""
    request = response.request
    try:
        if (
            request.resource_type == "document"
            and request.method == "GET"
            and response.status == 200
            and response.headers.get("content-type", "").startswith("text/html")
            and request.frame.parent_frame is None
        ):
            context.pages_reached.append(response.url)
    except Exception:  # a response with no frame (a service worker's): not a page
        pass


def _axe_pages_reached(context, axe_source):
    """Open each page kind the context reached again, as the same user, and check it with axe;
    a page that now answers otherwise (signed out since, or gone) is passed over."""
    problems = []
    try:
        page = context.new_page()
    except Exception:  # the test closed its own context
        return problems
    for url in dict.fromkeys(context.pages_reached):
        path = urlsplit(url).path
        kind = re.sub(r"\d+", "N", path)
        if kind in _AXE_CHECKED:
            continue
        response = page.goto(url)
        if response is None or response.status != 200 or urlsplit(page.url).path != path:
            continue
        _AXE_CHECKED.add(kind)
        page.evaluate(axe_source)
        violations = page.evaluate(_AXE_RUN, AXE_TAGS)
        problems += [
            f"{path}: {v['id']} ({v['impact']}) {v['help']} at {v['nodes']}"
            for v in violations
            if v["impact"] in _SERIOUS
        ]
    page.close()
    return problems


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
        violations = page.evaluate(_AXE_RUN, AXE_TAGS)
        assert violations == [], f"{page.url}: {violations}"

    return check
