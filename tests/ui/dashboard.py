"""Driving the dashboard like a person: controls found by their role and accessible name (the
names the issue gives: Sign in, Get live frame, Pause, …), waits bounded by conftest.WAIT."""
import time

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By

from conftest import WAIT

# The elements that carry each ARIA role by default (what the dashboard uses).
ROLE_SELECTORS = {
    "button": "button, [role=button]",
    "link": "a[href]",
    "textbox": "input:not([type]), input[type=text], input[type=email], input[type=password], input[type=search], input[type=url], textarea",
    "combobox": "select",
    "img": "img",
    "row": "tr",
    "dialog": "dialog",
}


def wait_for(condition, timeout=WAIT, message="condition"):
    """Polls condition() until it returns something truthy; returns that, or fails."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except (StaleElementReferenceException, WebDriverException) as error:
            last_error = error
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {message} ({last_error})")


def by_role(browser, role, name, within=None):
    """The visible elements of that role whose accessible name is name."""
    scope = within or browser
    found = []
    for element in scope.find_elements(By.CSS_SELECTOR, ROLE_SELECTORS[role]):
        if element.is_displayed() and element.accessible_name.strip() == name:
            found.append(element)
    return found


def one(browser, role, name, within=None, timeout=WAIT):
    """Waits for exactly one visible element of that role and name, and returns it."""
    def single():
        elements = by_role(browser, role, name, within)
        return elements[0] if len(elements) == 1 else None
    return wait_for(single, timeout, f"one {role} named {name!r}")


def sign_in(browser, base_url, email, password, path="/ui/"):
    browser.get(base_url + path)
    one(browser, "textbox", "Email").send_keys(email)
    one(browser, "textbox", "Password").send_keys(password)
    one(browser, "button", "Sign in").click()
    wait_for(lambda: by_role(browser, "button", "Sign out"), message="signed in (a Sign out button)")


def camera_rows(browser):
    """{serial number: row text} of the Fleet table as shown."""
    rows = {}
    for row in browser.find_elements(By.CSS_SELECTOR, "table.cameras tbody tr"):
        cells = row.find_elements(By.TAG_NAME, "td")
        if len(cells) > 2:
            rows[cells[1].text] = [cell.text for cell in cells]
    return rows


def open_camera(browser, base_url, camera):
    browser.get(f"{base_url}/ui/cameras/{camera['id']}")
    wait_for(lambda: camera["serialNumber"] in browser.find_element(By.TAG_NAME, "main").text,
             message=f"the camera page of {camera['serialNumber']}")
