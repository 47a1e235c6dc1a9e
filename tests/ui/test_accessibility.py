"""Accessibility, weight and small screens: axe-core (npm, pinned by tests/ui/package-lock.json)
finds no serious or critical violation on any page, for an operator, an admin and a viewer; the
first page load transfers less than 150 KB; on a phone the pages fit the screen's width."""
import pytest
from selenium.webdriver.common.by import By

from conftest import HERE, PASSWORD, new_browser, support
from dashboard import by_role, one, sign_in, wait_for

AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
FIRST_LOAD_LIMIT = 150 * 1024


def axe_source():
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run scripts/install-deps.sh --test (npm ci in tests/ui)", pytrace=False)
    return AXE.read_text()


def serious_violations(browser):
    """axe-core's serious and critical violations of the page as shown: [(rule, impact, targets)]."""
    browser.execute_script(axe_source())
    browser.set_script_timeout(60)
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));")
    assert isinstance(result, list), result
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
            for v in result if v["impact"] in ("serious", "critical")]


def settle(browser, css):
    """Waits until the page shows css and no 'Loading…' text remains."""
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, css), message=css)
    wait_for(lambda: "Loading…" not in browser.find_element(By.TAG_NAME, "main").text, message="loaded")


def operator_user(api):
    return support.make_user(api, None, "operator", password=PASSWORD)


def test_axe_reports_a_control_without_a_name(browser, api):
    """The check itself: a text box with no label is a critical violation."""
    browser.get(api.base + "/ui/")
    one(browser, "button", "Sign in")
    browser.execute_script("document.querySelector('form').append(document.createElement('input'))")
    assert [rule for rule, _, _ in serious_violations(browser)] == ["label"]


def test_the_sign_in_page_has_no_serious_violation_and_loads_under_150_kb(browser, api):
    browser.get(api.base + "/ui/")
    one(browser, "button", "Sign in")
    transferred = browser.execute_script(
        "const all = performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'));"
        "return all.map(e => [e.name, e.transferSize]);")
    total = sum(size for _, size in transferred)
    assert 0 < total < FIRST_LOAD_LIMIT, transferred
    assert serious_violations(browser) == []


PAGES = [
    ("/ui/", "table.cameras tbody tr"),
    ("/ui/sites", "table[aria-label='Sites']"),
    ("/ui/events", "table[aria-label='Events'] tbody tr"),
    ("/ui/webhooks", "form"),
    ("/ui/admin", "section[aria-label='API clients'] table"),
]


def test_an_operators_pages_have_no_serious_violation(browser, api, fleet):
    operator = operator_user(api)
    sign_in(browser, api.base, operator["email"], PASSWORD)
    pages = PAGES + [(f"/ui/cameras/{fleet.camera(0)['id']}", "section[aria-label='Details']"),
                     (f"/ui/sites/{fleet.sites['Berlin Mitte']['id']}", "section[aria-label='Weekly opening hours']")]
    found = {}
    for path, ready in pages:
        browser.get(api.base + path)
        settle(browser, ready)
        violations = serious_violations(browser)
        if violations:
            found[path] = violations
    assert found == {}


def test_an_admins_dialogs_and_a_viewers_pages_have_no_serious_violation(browser, api, fleet):
    camera = fleet.camera(3)
    sign_in(browser, api.base, fleet.admin["email"], PASSWORD, path=f"/ui/cameras/{camera['id']}")
    settle(browser, "section[aria-label='Details']")
    one(browser, "button", "Rename").click()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "dialog[open]"), message="the dialog")
    assert serious_violations(browser) == []
    one(browser, "button", "Cancel").click()
    one(browser, "button", "Sign out").click()
    sign_in(browser, api.base, fleet.viewer["email"], PASSWORD)
    settle(browser, "table.cameras tbody tr")
    assert serious_violations(browser) == []


def test_the_whole_flow_works_from_the_keyboard(browser, api, fleet):
    """Sign in, reach a camera and open its Rename dialog with Tab and Enter only."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    browser.get(api.base + "/ui/")
    one(browser, "textbox", "Email")  # focused on load
    ActionChains(browser).send_keys(fleet.admin["email"], Keys.TAB, PASSWORD, Keys.ENTER).perform()
    wait_for(lambda: by_role(browser, "button", "Sign out"), message="signed in")
    settle(browser, "table.cameras tbody tr")
    link = browser.find_elements(By.CSS_SELECTOR, "table.cameras tbody a")[0]
    target = link.text
    for _ in range(60):  # tab through the page to the first camera link
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if browser.switch_to.active_element == link:
            break
    assert browser.switch_to.active_element == link
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    wait_for(lambda: browser.find_element(By.TAG_NAME, "h1").text == target, message="the camera page")
    rename = one(browser, "button", "Rename")
    for _ in range(40):
        if browser.switch_to.active_element == rename:
            break
        ActionChains(browser).send_keys(Keys.TAB).perform()
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "dialog[open]"), message="the Rename dialog")
    ActionChains(browser).send_keys(Keys.ESCAPE).perform()
    wait_for(lambda: not browser.find_elements(By.CSS_SELECTOR, "dialog[open]"), message="Escape closes it")


@pytest.fixture
def phone():
    instance = new_browser(390, 844)
    yield instance
    instance.quit()


def test_on_a_phone_the_pages_fit_the_screen(phone, api, fleet):
    sign_in(phone, api.base, fleet.admin["email"], PASSWORD)
    for path, ready in [("/ui/", "table.cameras tbody tr"), (f"/ui/cameras/{fleet.camera(1)['id']}", "section[aria-label='Details']"),
                        (f"/ui/sites/{fleet.sites['Berlin Mitte']['id']}", "section[aria-label='Weekly opening hours']")]:
        phone.get(api.base + path)
        settle(phone, ready)
        overflow = phone.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
