import pytest
from playwright.sync_api import sync_playwright

from sufra_harness import Sufra, launch_browser, log_in


@pytest.fixture(scope="session")
def sufra():
    server = Sufra()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-US")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture
def staff(page, sufra):
    """A page signed in as the demo staff user, on the orders board, live."""
    log_in(page, sufra)
    return page
