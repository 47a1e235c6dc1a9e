"""Location headers (issue 14, point 7): every 201 and 202 answer names the resource it created,
or the asynchronous request to poll, as a root-relative URL (after the path of --public-url), and
a GET of it with the same token answers 200 with that resource. The operations come from
docs/openapi.json, so a new 201 or 202 without a case here fails the first test. Device tokens
read nothing outside /device/...: their uploads point to what the camera's owners read."""
import json
import re
from pathlib import Path

import pytest

from conftest import Api, Tenant, expect, free_port, new_id, register_camera, unique_serial
from test_device_link import JPEG, device_for
from webhook_support import make_webhook, start_hook_server

OPENAPI = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text())
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def created_operations():
    """(method, path) of every documented operation that answers 201 or 202."""
    found = []
    for path, item in sorted(OPENAPI["paths"].items()):
        for method, operation in item.items():
            if isinstance(operation, dict) and {"201", "202"} & set(operation.get("responses", {})):
                found.append((method.upper(), path))
    return found


# Each case: (api, tenant) -> (token, response, expected Location pattern, the id GET answers).

def create_organisation(api, tenant):
    resp = api.post("/organisations", api.operator_token, json={"name": "Harbour Retail"})
    return api.operator_token, resp, rf"/organisations/{UUID}", resp.json()["id"]


def create_site(api, tenant):
    token = tenant.admin_token
    resp = api.post("/sites", token, json={"name": "Quay Street", "timeZone": "Europe/Dublin",
                                           "organisationId": tenant.org_id})
    return token, resp, rf"/sites/{UUID}", resp.json()["id"]


def create_user(api, tenant):
    token = tenant.admin_token
    resp = api.post("/users", token, json={"email": f"u{new_id()[:8]}@example.com",
                                           "password": "a long enough password", "role": "viewer",
                                           "organisationId": tenant.org_id})
    return token, resp, rf"/users/{UUID}", resp.json()["id"]


def create_client(api, tenant):
    token = tenant.admin_token
    resp = api.post("/clients", token, json={"name": "BI export", "role": "viewer",
                                             "organisationId": tenant.org_id})
    return token, resp, rf"/clients/{UUID}", resp.json()["clientId"]


def claim_camera(api, tenant):
    token = tenant.admin_token
    registered = register_camera(api)
    resp = api.post("/cameras", token, json={"serialNumber": registered["serialNumber"],
                                             "siteId": tenant.site_id})
    return token, resp, f"/cameras/{registered['id']}", registered["id"]


def put_state(api, tenant):
    token = tenant.admin_token
    camera = tenant.camera()
    resp = api.put(f"/cameras/{camera['id']}/state/paused", token)
    return token, resp, f"/cameras/{camera['id']}", camera["id"]


def move_camera(api, tenant):
    token = tenant.admin_token
    camera = tenant.camera()
    site = tenant.add_site()
    resp = api.post(f"/cameras/{camera['id']}/move", token, json={"siteId": site["id"]})
    return token, resp, f"/cameras/{camera['id']}", camera["id"]


def submit_register_request(api, tenant):
    resp = api.post("/register-camera-requests", api.operator_token,
                    json={"cameraId": new_id(), "serialNumber": unique_serial()})
    return api.operator_token, resp, rf"/register-camera-requests/{UUID}", resp.json()["id"]


def submit_state_request(api, tenant):
    token = tenant.admin_token
    camera = tenant.camera()
    resp = api.post("/put-camera-state-requests", token,
                    json={"cameraId": camera["id"], "newState": "claimed_paused"})
    return token, resp, rf"/put-camera-state-requests/{UUID}", resp.json()["id"]


def submit_register_batch(api, tenant):
    resp = api.post("/register-camera-batches", api.operator_token,
                    json={"cameras": [{"cameraId": new_id(), "serialNumber": unique_serial()}]})
    return api.operator_token, resp, rf"/register-camera-batches/{UUID}", resp.json()["id"]


def issue_device_credentials(api, tenant):
    token = tenant.admin_token
    camera = tenant.camera()
    resp = api.post(f"/cameras/{camera['id']}/device-credentials", token)
    return token, resp, f"/cameras/{camera['id']}", camera["id"]


def create_webhook(api, tenant):
    token = tenant.admin_token
    resp = api.post("/webhooks", token, json={"url": api.hook_url, "events": ["*"]})
    return token, resp, rf"/webhooks/{UUID}", resp.json()["id"]


def send_webhook_test(api, tenant):
    token = tenant.admin_token
    webhook = make_webhook(api, token, api.hook_url)
    resp = api.post(f"/webhooks/{webhook['id']}/test", token)
    return token, resp, rf"/webhooks/{webhook['id']}/deliveries/{UUID}", resp.json()["id"]


def retry_delivery(api, tenant):
    token = tenant.admin_token
    webhook = make_webhook(api, token, api.hook_url)
    delivery = expect(api.post(f"/webhooks/{webhook['id']}/test", token), 202)
    resp = api.post(f"/webhooks/{webhook['id']}/deliveries/{delivery['id']}/retry", token)
    return token, resp, f"/webhooks/{webhook['id']}/deliveries/{delivery['id']}", delivery["id"]


def device_video_upload(api, tenant):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    resp = device.video_upload(bytes=2_500_000, seconds=60)
    assert_device_reads_nothing_there(api, device, resp)
    return tenant.admin_token, resp, f"/cameras/{camera['id']}/video-upload-metrics", None


def device_frame(api, tenant):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    resp = device.upload_frame(JPEG)
    assert_device_reads_nothing_there(api, device, resp)
    return tenant.admin_token, resp, f"/cameras/{camera['id']}", camera["id"]


def assert_device_reads_nothing_there(api, device, resp):
    """The one exception to "GET it with the same token": a device token is refused (403) there."""
    assert resp.status_code == 201, resp.text
    assert device.request("GET", resp.headers["Location"]).status_code == 403


CASES = {
    ("POST", "/organisations"): create_organisation,
    ("POST", "/sites"): create_site,
    ("POST", "/users"): create_user,
    ("POST", "/clients"): create_client,
    ("POST", "/cameras"): claim_camera,
    ("PUT", "/cameras/{cameraId}/state/{newState}"): put_state,
    ("POST", "/cameras/{cameraId}/move"): move_camera,
    ("POST", "/register-camera-requests"): submit_register_request,
    ("POST", "/put-camera-state-requests"): submit_state_request,
    ("POST", "/register-camera-batches"): submit_register_batch,
    ("POST", "/cameras/{cameraId}/device-credentials"): issue_device_credentials,
    ("POST", "/webhooks"): create_webhook,
    ("POST", "/webhooks/{webhookId}/test"): send_webhook_test,
    ("POST", "/webhooks/{webhookId}/deliveries/{deliveryId}/retry"): retry_delivery,
    ("POST", "/device/video-uploads"): device_video_upload,
    ("POST", "/device/frames"): device_frame,
}


@pytest.fixture(scope="module")
def located(tmp_path_factory):
    """A server that may deliver webhooks to 127.0.0.1 (to a closed port: deliveries fail fast)."""
    server, api = start_hook_server(tmp_path_factory.mktemp("locations"))
    api.hook_url = f"http://127.0.0.1:{free_port()}/hook"
    yield api
    api.session.close()
    code = server.stop()
    assert code in (0, None), f"locations server exited {code}\n{server.log_tail()}"


def test_every_created_operation_has_a_case():
    assert set(created_operations()) == set(CASES)


@pytest.mark.parametrize("operation", sorted(CASES), ids=[f"{m} {p}" for m, p in sorted(CASES)])
def test_the_location_of_a_created_answer_reads_back(located, operation):
    tenant = Tenant(located)
    token, resp, pattern, resource_id = CASES[operation](located, tenant)
    assert resp.status_code in (201, 202), resp.text
    location = resp.headers.get("Location")
    assert location is not None, f"{operation}: no Location"
    assert re.fullmatch(pattern, location), (operation, location)
    read = located.get(location, token)
    assert read.status_code == 200, (location, read.text)
    body = read.json()
    if resource_id is not None:
        assert resource_id in (body.get("id"), body.get("clientId")), (location, body)


def test_locations_follow_the_path_of_the_public_url(start_server):
    server = start_server(["--public-url", "https://fleet.example.com/camfleet/"])

    api = Api(server, server.operator_client)
    resp = api.post("/organisations", api.operator_token, json={"name": "Harbour Retail"})
    organisation = expect(resp, 201)
    assert resp.headers["Location"] == f"/camfleet/organisations/{organisation['id']}"
    api.session.close()
