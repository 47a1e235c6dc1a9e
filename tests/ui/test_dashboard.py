"""The dashboard in a real browser (issue 16): signing in, the Fleet page with simulated cameras,
a camera's page and its actions, and what a viewer may see. Each test signs in afresh."""
from pathlib import Path

from selenium.webdriver.common.by import By

from conftest import PASSWORD, SIM_CAMERAS, support
from dashboard import by_role, camera_rows, one, open_camera, sign_in, wait_for

REPO = Path(__file__).resolve().parents[2]


def test_admin_signs_in_and_sees_the_simulated_cameras_online(browser, api, fleet):
    sign_in(browser, api.base, fleet.admin["email"], PASSWORD)
    total = sum(SIM_CAMERAS.values())
    rows = wait_for(lambda: (lambda shown: shown if len(shown) == total else None)(camera_rows(browser)),
                    message=f"{total} camera rows")
    for camera in fleet.cameras:
        cells = rows[camera["serialNumber"]]
        assert cells[4] == "online", cells
        assert cells[3] == "running", cells
    summary = browser.find_element(By.CSS_SELECTOR, "section.summary")
    wait_for(lambda: f"{total}\nOnline" in summary.text, message=f"{total} online in the summary")
    # the page the README shows: the Fleet page with simulated cameras, at 1280×800
    browser.save_screenshot(str(REPO / "docs" / "dashboard.png"))


def test_the_token_is_kept_in_session_storage_only(browser, api, fleet):
    sign_in(browser, api.base, fleet.admin["email"], PASSWORD)
    assert browser.execute_script("return sessionStorage.getItem('camfleet.token')").count(".") == 2
    assert browser.execute_script("return localStorage.length") == 0
    assert "token" not in browser.current_url


def test_search_and_the_online_filter_narrow_the_table(browser, api, fleet):
    camera = fleet.camera(3)
    sign_in(browser, api.base, fleet.admin["email"], PASSWORD)
    wait_for(lambda: len(camera_rows(browser)) == sum(SIM_CAMERAS.values()), message="all rows")
    one(browser, "textbox", "Search").send_keys(camera["serialNumber"][-8:])
    wait_for(lambda: list(camera_rows(browser)) == [camera["serialNumber"]], message="one row for the search")
    from selenium.webdriver.support.ui import Select
    Select(one(browser, "combobox", "Online status")).select_by_visible_text("Offline")
    wait_for(lambda: "No cameras match these filters." in browser.find_element(By.CSS_SELECTOR, "table.cameras").text,
             message="no offline camera")


def test_admin_pauses_a_camera_and_the_api_says_paused(browser, api, fleet):
    camera = fleet.camera(0)
    sign_in(browser, api.base, fleet.admin["email"], PASSWORD, path=f"/ui/cameras/{camera['id']}")
    one(browser, "button", "Pause").click()
    one(browser, "button", "Resume")  # the page now offers the way back
    assert support.expect(api.get(f"/cameras/{camera['id']}", api.operator_token), 200)["state"] == "paused"
    # the Fleet page counts it paused, in all and at its site, as GET /fleet-summary does
    counts = support.expect(api.get("/fleet-summary", support.user_token(api, fleet.admin)), 200)
    total = sum(SIM_CAMERAS.values())
    assert {key: counts[key] for key in ("cameras", "online", "offline", "paused")} == \
        {"cameras": total, "online": total - 1, "offline": 0, "paused": 1}
    names = {site["id"]: name for name, site in fleet.sites.items()}
    per_site = {names[site["siteId"]]: [site["online"], site["offline"], site["paused"]] for site in counts["sites"]}
    browser.get(api.base + "/ui/")
    wait_for(lambda: fleet_counts(browser) == ({"Cameras": total, "Online": total - 1, "Offline": 0, "Paused": 1},
                                               per_site),
             message=f"the Fleet page's counts {per_site}")
    # counted by the server: the page reads the cameras one page at a time, never the whole fleet
    fetched = browser.execute_script("return performance.getEntriesByType('resource').map((e) => e.name)")
    paths = [url.split("://", 1)[1].split("/", 1)[1] for url in fetched]
    assert "fleet-summary" in paths, paths
    assert all("limit=" in path for path in paths if path.startswith("cameras")), paths
    browser.get(api.base + f"/ui/cameras/{camera['id']}")
    one(browser, "button", "Resume").click()
    one(browser, "button", "Pause")
    assert support.expect(api.get(f"/cameras/{camera['id']}", api.operator_token), 200)["state"] == "running"


def fleet_counts(browser):
    """The Fleet page's count tiles ({label: count}) and per-site table ({site: [online, offline, paused]})."""
    tiles, sites = browser.execute_script(
        "const number = (text) => Number(text.replace(/[^0-9]/g, ''));"
        "return [[...document.querySelectorAll('section.summary .tile')].map((t) =>"
        " [t.querySelector('.tile-label').textContent, number(t.querySelector('.tile-value').textContent)]),"
        " [...document.querySelectorAll('section.per-site tbody tr')].map((r) =>"
        " [...r.cells].map((c, i) => i === 0 ? c.textContent : number(c.textContent)))];")
    return dict(tiles), {row[0]: row[1:] for row in sites}


def test_get_live_frame_shows_the_cameras_640_pixel_jpeg(browser, api, fleet):
    camera = fleet.camera(1)
    sign_in(browser, api.base, fleet.admin["email"], PASSWORD, path=f"/ui/cameras/{camera['id']}")
    one(browser, "button", "Get live frame").click()
    name = camera["name"] or camera["serialNumber"]
    image = one(browser, "img", f"Live frame of {name}", timeout=30)
    width = wait_for(lambda: browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image),
                     message="the frame decoded")
    assert width == 640
    assert image.get_attribute("src").startswith("blob:")
    assert "Taken" in browser.find_element(By.CSS_SELECTOR, "section[aria-label='Live frame']").text


def test_admin_renames_a_camera_and_its_directions(browser, api, fleet):
    camera = fleet.camera(2)
    sign_in(browser, api.base, fleet.admin["email"], PASSWORD, path=f"/ui/cameras/{camera['id']}")
    one(browser, "button", "Rename").click()
    dialog = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, "dialog[open]"), message="the Rename dialog")
    for label, value in (("Name", "Entrance north"), ("Direction 1 alias", "In"), ("Direction 2 alias", "Out")):
        box = one(browser, "textbox", label, within=dialog)
        box.clear()
        box.send_keys(value)
    one(browser, "button", "Save", within=dialog).click()
    wait_for(lambda: by_role(browser, "button", "Rename") and browser.find_element(By.TAG_NAME, "h1").text == "Entrance north",
             message="the new name as the heading")
    renamed = support.expect(api.get(f"/cameras/{camera['id']}", api.operator_token), 200)
    assert (renamed["name"], renamed["direction1Alias"], renamed["direction2Alias"]) == ("Entrance north", "In", "Out")


def test_a_refused_rename_shows_the_apis_message(browser, api, fleet):
    camera = fleet.camera(5)
    sign_in(browser, api.base, fleet.admin["email"], PASSWORD, path=f"/ui/cameras/{camera['id']}")
    one(browser, "button", "Rename").click()
    dialog = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, "dialog[open]"), message="the Rename dialog")
    box = one(browser, "textbox", "Name", within=dialog)
    browser.execute_script("arguments[0].removeAttribute('maxlength')", box)
    box.send_keys("x" * 201)
    one(browser, "button", "Save", within=dialog).click()
    refused = api.patch(f"/cameras/{camera['id']}", api.operator_token, json={"name": "x" * 201})
    message = refused.json()["message"]
    wait_for(lambda: dialog.find_element(By.CSS_SELECTOR, "[role=alert]").text == message,
             message=f"the API's words {message!r} in the dialog")


def test_viewer_sees_only_its_granted_site_and_no_action_controls(browser, api, fleet):
    sign_in(browser, api.base, fleet.viewer["email"], PASSWORD)
    granted = SIM_CAMERAS["Berlin Mitte"]
    rows = wait_for(lambda: (lambda shown: shown if len(shown) == granted else None)(camera_rows(browser)),
                    message=f"{granted} rows")
    berlin = {c["serialNumber"] for c in fleet.cameras if c["siteId"] == fleet.sites["Berlin Mitte"]["id"]}
    assert set(rows) == berlin
    assert all(cells[2] == "Berlin Mitte" for cells in rows.values())
    camera = next(c for c in fleet.cameras if c["serialNumber"] in berlin)
    open_camera(browser, api.base, camera)
    one(browser, "button", "Get live frame")  # reading is allowed
    for action in ("Rename", "Pause", "Resume", "Move", "Decommission"):
        assert by_role(browser, "button", action) == [], action


def test_an_expired_session_asks_to_sign_in_again_and_keeps_the_page(browser, api, fleet):
    camera = fleet.camera(4)
    sign_in(browser, api.base, fleet.admin["email"], PASSWORD, path=f"/ui/cameras/{camera['id']}")
    # a token the server refuses (its signature broken) stands for one that expired meanwhile
    browser.execute_script("const t = sessionStorage.getItem('camfleet.token');"
                           "sessionStorage.setItem('camfleet.token', t.slice(0, -6) + 'AAAAAA');")
    one(browser, "button", "Get live frame").click()
    dialog = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, "dialog[open]"), message="the sign-in dialog")
    one(browser, "textbox", "Email", within=dialog).send_keys(fleet.admin["email"])
    one(browser, "textbox", "Password", within=dialog).send_keys(PASSWORD)
    one(browser, "button", "Sign in", within=dialog).click()
    name = camera["name"] or camera["serialNumber"]
    one(browser, "img", f"Live frame of {name}", timeout=30)  # the click carried on after signing in
    assert browser.current_url.endswith(f"/ui/cameras/{camera['id']}")


def test_sign_out_forgets_the_token(browser, api, fleet):
    sign_in(browser, api.base, fleet.admin["email"], PASSWORD)
    one(browser, "button", "Sign out").click()
    one(browser, "button", "Sign in")
    assert browser.execute_script("return sessionStorage.getItem('camfleet.token')") is None


def extra_camera(api, fleet, name):
    """A camera of the fleet's organisation outside the simulator (offline), for tests that move or
    decommission it."""
    registered = support.register_camera(api)
    admin_token = support.user_token(api, fleet.admin)
    return support.claim_camera(api, admin_token, registered["serialNumber"], fleet.sites["Berlin Mitte"]["id"],
                                name=name)


def test_admin_moves_a_camera_and_sees_its_position_history(browser, api, fleet):
    camera = extra_camera(api, fleet, "Loading bay")
    sign_in(browser, api.base, fleet.admin["email"], PASSWORD, path=f"/ui/cameras/{camera['id']}")
    one(browser, "button", "Move").click()
    dialog = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, "dialog[open]"), message="the Move dialog")
    from selenium.webdriver.support.ui import Select
    Select(one(browser, "combobox", "New site", within=dialog)).select_by_visible_text("Hamburg Hafen")
    one(browser, "button", "Move", within=dialog).click()
    history = wait_for(lambda: (lambda rows: rows if len(rows) == 2 else None)(
        browser.find_elements(By.CSS_SELECTOR, "table[aria-label='Position history'] tbody tr")),
        message="two positions in the history")
    assert history[0].text.startswith("Hamburg Hafen") and history[0].text.endswith("now")
    assert history[1].text.startswith("Berlin Mitte")
    moved = support.expect(api.get(f"/cameras/{camera['id']}", api.operator_token), 200)
    assert moved["siteId"] == fleet.sites["Hamburg Hafen"]["id"]


def test_decommission_asks_for_a_confirmation_naming_the_camera(browser, api, fleet):
    camera = extra_camera(api, fleet, "Side door")
    sign_in(browser, api.base, fleet.admin["email"], PASSWORD, path=f"/ui/cameras/{camera['id']}")
    one(browser, "button", "Decommission").click()
    dialog = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, "dialog[open]"), message="the confirmation")
    assert "Side door" in dialog.text and camera["serialNumber"] in dialog.text
    one(browser, "button", "Cancel", within=dialog).click()
    assert support.expect(api.get(f"/cameras/{camera['id']}", api.operator_token), 200)["state"] == "running"
    one(browser, "button", "Decommission").click()
    dialog = wait_for(lambda: browser.find_element(By.CSS_SELECTOR, "dialog[open]"), message="the confirmation")
    one(browser, "button", "Decommission", within=dialog).click()
    wait_for(lambda: browser.find_element(By.CSS_SELECTOR, ".page-head .badge").text == "decommissioned",
             message="the decommissioned badge")
    assert support.expect(api.get(f"/cameras/{camera['id']}", api.operator_token), 200)["state"] == "decommissioned"


def test_the_fleet_page_follows_the_live_events_with_the_token_in_a_header(browser, api, fleet):
    import json
    sign_in(browser, api.base, fleet.admin["email"], PASSWORD)
    wait_for(lambda: camera_rows(browser), message="the table")

    def stream_requests():
        found = []
        for entry in browser.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent" and "/events/stream" in message["params"]["request"]["url"]:
                found.append(message["params"]["request"])
        return found
    requests_seen = wait_for(stream_requests, message="GET /events/stream")
    token = browser.execute_script("return sessionStorage.getItem('camfleet.token')")
    assert requests_seen[0]["url"] == api.base + "/events/stream"
    assert requests_seen[0]["headers"].get("Authorization") == f"Bearer {token}"
