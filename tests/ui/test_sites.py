"""The Sites pages in a real browser: the weekly opening-hours editor shows the API's message
beside the day it names and saves a valid week, exceptions by date, the preview in local time and
UTC, and a viewer sees the hours without any control to change them."""
from selenium.webdriver.common.by import By

from conftest import PASSWORD, support
from dashboard import by_role, one, sign_in, wait_for


def new_site(api, fleet):
    """A site of the fleet's organisation with no hours yet, for a test of its own."""
    return support.make_site(api, fleet.org["id"], name=support.unique("Outlet"), time_zone="Europe/Berlin")


def test_an_overlapping_interval_shows_the_apis_message_beside_its_day(browser, api, fleet):
    site = new_site(api, fleet)
    sign_in(browser, api.base, fleet.admin["email"], PASSWORD, path=f"/ui/sites/{site['id']}")
    one(browser, "button", "Add interval on Monday").click()  # 09:00-17:00
    one(browser, "button", "Add interval on Monday").click()  # 17:00-24:00
    opens = one(browser, "textbox", "Monday interval 2 opens")
    opens.clear()
    opens.send_keys("16:00")
    one(browser, "button", "Save opening hours").click()
    refused = api.put(f"/sites/{site['id']}/opening-hours", api.operator_token,
                      json={"weekly": {"monday": [{"open": "09:00", "close": "17:00"}, {"open": "16:00", "close": "24:00"}]}})
    assert refused.status_code == 400
    message = refused.json()["message"]
    error = wait_for(lambda: (lambda e: e if e.text == message else None)(browser.find_element(By.ID, "error-monday")),
                     message=f"the API's words {message!r} beside Monday")
    for box in ("Monday interval 1 opens", "Monday interval 2 opens"):  # the two intervals the message names
        assert one(browser, "textbox", box).get_attribute("aria-invalid") == "true"
    assert error.get_attribute("id") in one(browser, "textbox", "Monday interval 2 opens").get_attribute("aria-describedby")
    assert support.expect(api.get(f"/sites/{site['id']}/opening-hours", api.operator_token), 200)["weekly"]["monday"] == []

    opens = one(browser, "textbox", "Monday interval 2 opens")
    opens.clear()
    opens.send_keys("17:00")
    one(browser, "button", "Save opening hours").click()
    wait_for(lambda: browser.find_element(By.ID, "error-monday").text == "", message="the message gone")
    saved = wait_for(lambda: support.expect(api.get(f"/sites/{site['id']}/opening-hours", api.operator_token), 200)
                     ["weekly"]["monday"], message="the week saved")
    assert saved == [{"open": "09:00", "close": "17:00"}, {"open": "17:00", "close": "24:00"}]


def test_an_exception_closes_a_date_and_the_preview_shows_local_and_utc(browser, api, fleet):
    site = new_site(api, fleet)
    support.expect(api.put(f"/sites/{site['id']}/opening-hours", api.operator_token,
                           json={"weekly": {"tuesday": [{"open": "08:30", "close": "12:00"}]}}), 200)
    sign_in(browser, api.base, fleet.admin["email"], PASSWORD, path=f"/ui/sites/{site['id']}")
    date_box = browser.find_element(By.CSS_SELECTOR, "section[aria-label='Preview a date'] input[type=date]")
    browser.execute_script("arguments[0].value = '2026-06-02'; arguments[0].dispatchEvent(new Event('change'))", date_box)
    table = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, "table[aria-label='Preview']"), message="the preview")
    assert "08:30–12:00" in table.text
    assert "2026-06-02T06:30:00Z – 2026-06-02T10:00:00Z" in table.text  # Berlin is UTC+2 in June

    form = browser.find_element(By.CSS_SELECTOR, "form.exception-form")
    date_input = form.find_element(By.CSS_SELECTOR, "input[type=date]")
    browser.execute_script("arguments[0].value = '2026-06-02'", date_input)
    one(browser, "textbox", "Hours that day", within=form).send_keys("09:00-10:00, 09:30-11:00")
    one(browser, "button", "Save exception", within=form).click()
    refused = api.put(f"/sites/{site['id']}/opening-hours/exceptions/2026-06-02", api.operator_token,
                      json={"intervals": [{"open": "09:00", "close": "10:00"}, {"open": "09:30", "close": "11:00"}]})
    message = refused.json()["message"]
    wait_for(lambda: message in form.text, message=f"the API's words {message!r} beside the hours")
    hours = one(browser, "textbox", "Hours that day", within=form)
    hours.clear()
    one(browser, "button", "Save exception", within=form).click()
    wait_for(lambda: "Closed" in browser.find_element(By.CSS_SELECTOR, "table[aria-label='Exceptions']").text,
             message="the closed date in the list")
    assert support.expect(api.get(f"/sites/{site['id']}/opening-hours/exceptions/2026-06-02", api.operator_token),
                          200)["intervals"] == []
    wait_for(lambda: "Closed." in browser.find_element(By.CSS_SELECTOR, "section[aria-label='Preview a date']").text,
             message="the preview follows the exception")


def test_a_viewer_sees_the_hours_of_its_site_and_no_controls(browser, api, fleet):
    site_id = fleet.sites["Berlin Mitte"]["id"]
    support.expect(api.put(f"/sites/{site_id}/opening-hours", api.operator_token,
                           json={"weekly": {"friday": [{"open": "10:00", "close": "20:00"}]}}), 200)
    sign_in(browser, api.base, fleet.viewer["email"], PASSWORD, path="/ui/sites")
    one(browser, "link", "Berlin Mitte").click()
    week = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, "section[aria-label='Weekly opening hours']"),
                    message="the week")
    wait_for(lambda: "10:00–20:00" in week.text, message="friday's hours")
    assert by_role(browser, "link", "Hamburg Hafen") == []
    for name in ("Save opening hours", "Add interval on Friday", "Save exception", "Add site"):
        assert by_role(browser, "button", name) == [], name
    assert week.find_elements(By.TAG_NAME, "input") == []
