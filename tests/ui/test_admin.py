"""Administration, events and webhooks in a real browser: an API client's secret shown once and
working, a viewer's granted sites, the audit log with a filter, a webhook created with its secret
shown once and a test delivery, and a viewer finding none of these pages."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import PASSWORD, support
from dashboard import by_role, one, sign_in, wait_for


def test_an_api_clients_secret_is_shown_once_and_works(browser, api, fleet):
    sign_in(browser, api.base, fleet.admin["email"], PASSWORD, path="/ui/admin")
    name = support.unique("BI export")
    one(browser, "textbox", "Client name").send_keys(name)
    Select(one(browser, "combobox", "Role", within=browser.find_element(By.CSS_SELECTOR, "section[aria-label='API clients']"))) \
        .select_by_visible_text("viewer")
    one(browser, "button", "Add API client").click()
    box = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, ".secret-box"), message="the secret")
    one(browser, "button", "Copy secret", within=box)
    assert "shown once" in box.text
    values = [dd.text for dd in box.find_elements(By.TAG_NAME, "dd")]
    client_id, secret = values[0], values[1]
    token = api.token_for_client(client_id, secret)
    assert support.jwt_parts(token)[1]["role"] == "viewer"
    browser.refresh()  # shown once: a new page has only the id
    one(browser, "button", "Add API client")
    assert secret not in browser.find_element(By.TAG_NAME, "main").text
    assert client_id in browser.find_element(By.TAG_NAME, "main").text


def test_an_admin_adds_a_viewer_and_grants_it_a_site(browser, api, fleet):
    sign_in(browser, api.base, fleet.admin["email"], PASSWORD, path="/ui/admin")
    email = support.unique_email("store-manager")
    users = browser.find_element(By.CSS_SELECTOR, "section[aria-label='Users']")
    one(browser, "textbox", "Email", within=users).send_keys(email)
    one(browser, "textbox", "Password", within=users).send_keys("a-long-password")
    one(browser, "button", "Add user").click()
    grant = one(browser, "button", f"Granted sites of {email}")
    grant.click()
    dialog = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, "dialog[open]"), message="the sites dialog")
    dialog.find_element(By.XPATH, ".//label[.='Hamburg Hafen']").click()
    one(browser, "button", "Save", within=dialog).click()
    wait_for(lambda: not browser.find_elements(By.CSS_SELECTOR, "dialog[open]"), message="the dialog closed")
    user = next(u for u in support.expect(api.get("/users", api.operator_token), 200) if u["email"] == email)
    assert user["role"] == "viewer" and user["organisationId"] == fleet.org["id"]
    assert support.expect(api.get(f"/users/{user['id']}/sites", api.operator_token), 200)["siteIds"] == \
        [fleet.sites["Hamburg Hafen"]["id"]]


def test_the_audit_log_lists_the_fleets_events_and_filters_by_type(browser, api, fleet):
    sign_in(browser, api.base, fleet.admin["email"], PASSWORD, path="/ui/events")
    table = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, "table[aria-label='Events']"), message="the log")
    Select(one(browser, "combobox", "Event type")).select_by_visible_text("camera.claimed")

    def claimed_rows():
        rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
        types = {row.find_elements(By.TAG_NAME, "td")[1].text for row in rows if len(row.find_elements(By.TAG_NAME, "td")) > 1}
        return rows if types == {"camera.claimed"} and len(rows) >= len(fleet.cameras) else None
    wait_for(claimed_rows, message="only camera.claimed rows, one per camera at least")


def test_a_webhook_is_created_with_its_secret_shown_once_and_sends_a_test(browser, api, fleet):
    sign_in(browser, api.base, fleet.admin["email"], PASSWORD, path="/ui/webhooks")
    description = support.unique("Store alerts")
    # nothing listens there: the test delivery is made and fails, which the page shows as well
    one(browser, "textbox", "URL").send_keys(f"http://127.0.0.1:{support.free_port()}/camfleet")
    one(browser, "textbox", "Description").send_keys(description)
    one(browser, "button", "Add webhook").click()
    box = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, ".secret-box"), message="the secret")
    assert box.find_elements(By.TAG_NAME, "dd")[1].text.startswith("whsec_")
    one(browser, "button", "Copy secret", within=box)
    webhook = next(w for w in support.expect(api.get("/webhooks", support.user_token(api, fleet.admin)), 200)
                   if w["description"] == description)
    assert webhook["events"] == ["*"] and webhook["organisationId"] == fleet.org["id"]
    one(browser, "button", f"Send a test to {description}").click()
    one(browser, "button", f"Deliveries of {description}").click()
    wait_for(lambda: "webhook.test" in browser.find_element(By.CSS_SELECTOR, f"section[aria-label='Webhook {description}']").text,
             message="the test delivery listed")


def test_a_viewer_has_no_administration_or_webhooks(browser, api, fleet):
    sign_in(browser, api.base, fleet.viewer["email"], PASSWORD)
    for name in ("Administration", "Webhooks"):
        assert by_role(browser, "link", name) == [], name
    one(browser, "link", "Events")
    browser.get(api.base + "/ui/admin")
    wait_for(lambda: browser.find_element(By.TAG_NAME, "h1").text == "Page not found", message="no admin page")


def test_the_operator_registers_a_camera_and_adds_an_organisation(browser, api, fleet):
    operator = support.make_user(api, None, "operator", password=PASSWORD)
    sign_in(browser, api.base, operator["email"], PASSWORD, path="/ui/admin")
    registration = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, "section[aria-label='Camera registration']"),
                            message="the registration card")
    serial = support.unique_serial()
    one(browser, "textbox", "Serial number", within=registration).send_keys(serial)
    one(browser, "button", "Register camera", within=registration).click()
    wait_for(lambda: "succeeded" in registration.text, message="the registration succeeded")
    registered = support.expect(api.get("/cameras", api.operator_token,
                                        params={"serialNumber": serial, "state": "registered"}), 200)
    assert [c["state"] for c in registered] == ["registered"]
    organisations = browser.find_element(By.CSS_SELECTOR, "section[aria-label='Organisations']")
    name = support.unique("Stadtwerke")
    one(browser, "textbox", "Organisation name", within=organisations).send_keys(name)
    one(browser, "button", "Add organisation", within=organisations).click()
    wait_for(lambda: name in organisations.text, message="the new organisation listed")
    assert name in [o["name"] for o in support.expect(api.get("/organisations", api.operator_token), 200)]
