"""The Fleet page with 10,000 cameras (issue 16's own bound): its first rows show within 1 s of
the page starting to load on loopback, because it asks the API for one page (limit/after), not
the whole fleet; the next page is one click away. The cameras are registered with one batch
request per 1,000 and claimed through the API, on a server of the test's own."""
import concurrent.futures
import threading
import uuid

import requests
from selenium.webdriver.common.by import By

from conftest import PASSWORD, support
from dashboard import camera_rows, one, sign_in, wait_for

FLEET_SIZE = 10000
BATCH = 1000
FIRST_ROWS_MS = 1000


def seed(api, site_id, admin_token):
    cameras = [{"cameraId": str(uuid.uuid4()), "serialNumber": f"SN-{index:05d}-{uuid.uuid4().hex[:6]}"}
               for index in range(FLEET_SIZE)]
    batches = [support.expect(api.post("/register-camera-batches", api.operator_token,
                                       json={"cameras": cameras[i:i + BATCH]}), 202)
               for i in range(0, FLEET_SIZE, BATCH)]
    for batch in batches:
        final = support.wait_request(api, "register-camera-batches", batch["id"], timeout=120)
        assert final["status"] == "succeeded", {k: final[k] for k in ("status", "succeeded", "failed")}
    local = threading.local()

    def claim(camera):
        if not hasattr(local, "session"):
            local.session = requests.Session()
        resp = local.session.post(api.base + "/cameras", headers={"Authorization": f"Bearer {admin_token}"},
                                  json={"serialNumber": camera["serialNumber"], "siteId": site_id,
                                        "name": f"Aisle {camera['serialNumber'][3:8]}"}, timeout=30)
        assert resp.status_code == 201, resp.text

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(claim, cameras))


def test_the_first_rows_of_10000_cameras_show_within_a_second(start_server, browser):
    server = start_server(name="fleet-10000")
    api = support.Api(server, server.operator_client)
    org = support.make_org(api, "Hypermarkt Nord")
    site = support.make_site(api, org["id"], name="Zentrallager", time_zone="Europe/Berlin")
    admin = support.make_user(api, org["id"], "admin", password=PASSWORD)
    seed(api, site["id"], support.user_token(api, admin))
    assert len(support.expect(api.get("/cameras", api.operator_token, params={"includeMetrics": "false"}), 200)) \
        == FLEET_SIZE

    sign_in(browser, api.base, admin["email"], PASSWORD)
    wait_for(lambda: len(camera_rows(browser)) == 50, message="the first page")
    browser.get(api.base + "/ui/")  # a fresh load, signed in (the token is in sessionStorage)
    wait_for(lambda: len(camera_rows(browser)) == 50, message="the first page again")
    first_rows_ms = browser.execute_script(
        "const m = performance.getEntriesByName('camfleet:first-rows'); return m.length ? m[0].startTime : null")
    assert first_rows_ms is not None and first_rows_ms < FIRST_ROWS_MS, first_rows_ms
    wait_for(lambda: f"{FLEET_SIZE:,}" in browser.find_element(By.CSS_SELECTOR, "section.summary").text,
             message="the fleet's count in the summary")
    first_page = set(camera_rows(browser))
    one(browser, "button", "Next page").click()
    wait_for(lambda: len(camera_rows(browser)) == 50 and not set(camera_rows(browser)) & first_page,
             message="the second page")
