"""The device link (docs/API.md "Device link"): device credentials, the /device/... endpoints
(heartbeat, video uploads, command long-poll, frame upload), live frames and online status.

A small Python device client stands in for a camera: it gets its token with the camera's
credentials and talks to the device endpoints; a thread plays the camera where a test needs one
that answers capture commands while a frame request waits."""
import base64
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import (REQUEST_TIMEOUT, Api, Tenant, assert_error, assert_oauth_error,
                      assert_recent, assert_unauthorized, expect, jwt_parts, new_id,
                      parse_timestamp, register_camera, unique)

JPEG = (Path(__file__).parent / "data" / "frame.jpg").read_bytes()
JPEG_B64 = base64.b64encode(JPEG).decode("ascii")
CREDENTIAL_KEYS = {"clientId", "clientSecret", "issuedAt"}
HEARTBEAT_KEYS = {"desiredState", "serverTime", "heartbeatInterval"}
METRICS = {"encodedFramesProportion": 0.75, "networkTransmitRate": 125000.5,
           "videoBacklog": 12, "videoUploadLatency": 0.8}


# --------------------------------------------------------------------------------------------
# the device client

class Device:
    """A camera talking to camfleet with its device token."""

    def __init__(self, base, camera_id, credentials, token=None):
        self.base = base
        self.camera_id = camera_id
        self.credentials = credentials
        self.session = requests.Session()
        self.token = token or self.fetch_token()

    def fetch_token(self):
        resp = requests.post(self.base + "/oauth/token", data={"grant_type": "client_credentials"},
                             auth=(self.credentials["clientId"], self.credentials["clientSecret"]),
                             timeout=REQUEST_TIMEOUT)
        return expect(resp, 200)["access_token"]

    def request(self, method, path, **kwargs):
        headers = kwargs.pop("headers", {})
        headers.setdefault("Authorization", f"Bearer {self.token}")
        return self.session.request(method, self.base + path, headers=headers,
                                    timeout=REQUEST_TIMEOUT + 35, **kwargs)

    def heartbeat(self, **fields):
        return self.request("POST", "/device/heartbeat", json={**METRICS, **fields})

    def commands(self, wait=None):
        params = {} if wait is None else {"wait": wait}
        return self.request("GET", "/device/commands", params=params)

    def upload_frame(self, data=JPEG, content_type="image/jpeg"):
        return self.request("POST", "/device/frames", data=data,
                            headers={"Content-Type": content_type})

    def video_upload(self, **body):
        return self.request("POST", "/device/video-uploads", json=body)

    def answer_one_capture(self, wait=20):
        """Long-poll until a capture-frame command comes, then upload the frame; the commands."""
        commands = expect(self.commands(wait), 200)["commands"]
        if any(command["type"] == "capture-frame" for command in commands):
            expect(self.upload_frame(), 201)
        return commands


def issue_credentials(api, camera_id, token=None):
    resp = api.post(f"/cameras/{camera_id}/device-credentials", token or api.operator_token)
    body = expect(resp, 201)
    assert set(body) == CREDENTIAL_KEYS, body
    assert resp.headers.get("Cache-Control") == "no-store"
    return body


def device_for(api, camera_id, token=None):
    return Device(api.base, camera_id, issue_credentials(api, camera_id, token))


def live_camera(api, tenant):
    """A running camera of tenant with device credentials, online after one heartbeat."""
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    expect(device.heartbeat(), 200)
    return camera, device


def frame_request(base, token, camera_id):
    return requests.post(base + "/frame-requests", json={"cameraId": camera_id},
                         headers={"Authorization": f"Bearer {token}"}, timeout=REQUEST_TIMEOUT + 35)


def in_thread(fn, *args):
    """Run fn(*args) in a thread; the returned dict gets "result" (or "error") when it ends."""
    box = {}

    def run():
        try:
            box["result"] = fn(*args)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            box["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    box["thread"] = thread
    return box


def joined(box, timeout=REQUEST_TIMEOUT + 40):
    box["thread"].join(timeout)
    assert not box["thread"].is_alive(), "the thread did not finish"
    if "error" in box:
        raise box["error"]
    return box["result"]


# --------------------------------------------------------------------------------------------
# device credentials

def test_issued_credentials_are_the_camera_id_and_a_secret(api, tenant):
    camera = tenant.camera()
    before = time.time()
    body = issue_credentials(api, camera["id"], tenant.admin_token)
    assert body["clientId"] == camera["id"]
    assert isinstance(body["clientSecret"], str) and len(body["clientSecret"]) >= 32
    assert_recent(body["issuedAt"], before, time.time())


def test_device_token_names_the_camera_with_role_device(api, tenant):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    _header, claims, _signature = jwt_parts(device.token)
    assert claims["sub"] == camera["id"]
    assert claims["role"] == "device"
    assert isinstance(claims["cred"], int)


def test_rotation_refuses_the_old_secret_and_the_old_token(api, tenant):
    camera = tenant.camera()
    old = device_for(api, camera["id"], tenant.admin_token)
    expect(old.heartbeat(), 200)
    rotated = issue_credentials(api, camera["id"], tenant.admin_token)
    assert rotated["clientSecret"] != old.credentials["clientSecret"]
    assert_oauth_error(api.oauth_token({"grant_type": "client_credentials"},
                                       auth=(camera["id"], old.credentials["clientSecret"])),
                       401, "invalid_client")
    assert_unauthorized(old.heartbeat())
    assert_unauthorized(old.commands())
    assert_unauthorized(old.upload_frame())
    assert_unauthorized(old.video_upload(bytes=1, seconds=1))
    expect(Device(api.base, camera["id"], rotated).heartbeat(), 200)


def test_revocation_refuses_secret_and_token_and_a_second_revocation_is_404(api, tenant):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    expect(device.heartbeat(), 200)
    expect(api.delete(f"/cameras/{camera['id']}/device-credentials", tenant.admin_token), 204)
    assert_unauthorized(device.heartbeat())
    assert_oauth_error(api.oauth_token({"grant_type": "client_credentials"},
                                       auth=(camera["id"], device.credentials["clientSecret"])),
                       401, "invalid_client")
    assert_error(api.delete(f"/cameras/{camera['id']}/device-credentials", tenant.admin_token),
                 404)


def test_decommissioning_revokes_the_device_credentials(api, tenant):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    expect(device.heartbeat(), 200)
    expect(api.delete(f"/cameras/{camera['id']}", tenant.admin_token), 204)
    assert_unauthorized(device.heartbeat())
    assert_oauth_error(api.oauth_token({"grant_type": "client_credentials"},
                                       auth=(camera["id"], device.credentials["clientSecret"])),
                       401, "invalid_client")
    assert_error(api.post(f"/cameras/{camera['id']}/device-credentials", tenant.admin_token), 422)
    assert_error(api.delete(f"/cameras/{camera['id']}/device-credentials", tenant.admin_token),
                 404)


def test_factory_credentials_of_a_registered_camera_survive_its_claim(api, tenant):
    registered = register_camera(api)
    device = device_for(api, registered["id"])
    assert expect(device.heartbeat(), 200)["desiredState"] == "paused"
    expect(api.post("/cameras", tenant.admin_token,
                    json={"serialNumber": registered["serialNumber"], "siteId": tenant.site_id}), 201)
    assert expect(device.heartbeat(), 200)["desiredState"] == "running"


def test_reclaimed_camera_needs_new_credentials_from_its_new_owner(api, tenant, other_tenant):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    expect(api.delete(f"/cameras/{camera['id']}", tenant.admin_token), 204)
    expect(api.post("/cameras", other_tenant.admin_token,
                    json={"serialNumber": camera["serialNumber"], "siteId": other_tenant.site_id}),
           201)
    assert_unauthorized(device.heartbeat())
    new_owner = device_for(api, camera["id"], other_tenant.admin_token)
    expect(new_owner.heartbeat(), 200)


def test_who_may_issue_device_credentials(api, tenant, other_tenant):
    camera = tenant.camera()
    path = f"/cameras/{camera['id']}/device-credentials"
    assert_error(api.post(path, tenant.viewer_token), 403)
    assert_error(api.delete(path, tenant.viewer_token), 403)
    assert_error(api.post(path, other_tenant.admin_token), 404)
    assert_error(api.delete(path, other_tenant.admin_token), 404)
    registered = register_camera(api)
    assert_error(api.post(f"/cameras/{registered['id']}/device-credentials", tenant.admin_token),
                 404)
    issue_credentials(api, camera["id"], tenant.admin_client_token)
    issue_credentials(api, registered["id"])


def test_device_credentials_of_unknown_or_malformed_camera(api):
    assert_error(api.post(f"/cameras/{new_id()}/device-credentials", api.operator_token), 404)
    assert_error(api.post("/cameras/not-a-uuid/device-credentials", api.operator_token), 422)
    assert_error(api.post(f"/cameras/{new_id()}/device-credentials"), 401)


def test_device_credentials_are_not_api_clients(api, tenant):
    camera = tenant.camera()
    issue_credentials(api, camera["id"], tenant.admin_token)
    listed = expect(api.get("/clients", api.operator_token), 200)
    assert camera["id"] not in {client["clientId"] for client in listed}
    assert_error(api.get(f"/clients/{camera['id']}", api.operator_token), 404)
    assert_error(api.delete(f"/clients/{camera['id']}", tenant.admin_token), 404)


# --------------------------------------------------------------------------------------------
# the device role's isolation

def test_device_token_is_403_everywhere_else(api, tenant):
    camera, device = live_camera(api, tenant)
    for method, path, body in (
            ("GET", "/cameras", None),
            ("GET", f"/cameras/{camera['id']}", None),
            ("PATCH", f"/cameras/{camera['id']}", {"name": "x"}),
            ("PUT", f"/cameras/{camera['id']}/state/paused", None),
            ("DELETE", f"/cameras/{camera['id']}", None),
            ("POST", "/frame-requests", {"cameraId": camera["id"]}),
            ("GET", f"/cameras/{camera['id']}/video-upload-metrics", None),
            ("POST", f"/cameras/{camera['id']}/device-credentials", None),
            ("GET", "/organisations", None),
            ("GET", "/sites", None),
            ("GET", "/clients", None)):
        kwargs = {} if body is None else {"json": body}
        assert_error(device.request(method, path, **kwargs), 403)


@pytest.mark.parametrize("who", ["operator", "admin", "viewer"])
def test_other_roles_are_403_on_device_endpoints(api, tenant, who):
    token = {"operator": api.operator_token, "admin": tenant.admin_token,
             "viewer": tenant.viewer_token}[who]
    headers = {"Authorization": f"Bearer {token}"}
    assert_error(requests.post(api.base + "/device/heartbeat", json=METRICS, headers=headers,
                               timeout=REQUEST_TIMEOUT), 403)
    assert_error(requests.get(api.base + "/device/commands", headers=headers,
                              timeout=REQUEST_TIMEOUT), 403)
    assert_error(requests.post(api.base + "/device/frames", data=JPEG,
                               headers={**headers, "Content-Type": "image/jpeg"},
                               timeout=REQUEST_TIMEOUT), 403)
    assert_error(requests.post(api.base + "/device/video-uploads", json={"bytes": 1, "seconds": 1},
                               headers=headers, timeout=REQUEST_TIMEOUT), 403)


def test_device_endpoints_without_token_are_401(api):
    assert_unauthorized(requests.post(api.base + "/device/heartbeat", json=METRICS,
                                      timeout=REQUEST_TIMEOUT))
    assert_unauthorized(requests.get(api.base + "/device/commands", timeout=REQUEST_TIMEOUT))


def test_a_camera_reports_only_for_itself(api, tenant):
    camera, device = live_camera(api, tenant)
    other = tenant.camera()
    expect(device.video_upload(bytes=500, seconds=5), 201)
    expect(device.upload_frame(), 201)
    seen = expect(api.get(f"/cameras/{other['id']}", tenant.admin_token), 200)
    assert seen["lastSeenAt"] is None and seen["lastVideoAt"] is None and not seen["isOnline"]
    assert expect(api.get(f"/cameras/{other['id']}/video-upload-metrics", tenant.admin_token),
                  200) == {"uploadSize": 0, "uploadTime": 0}
    resp = api.post("/frame-requests", tenant.admin_token, json={"cameraId": other["id"]})
    assert_error(resp, 404, "No image available")
    assert expect(device.commands(0), 200) == {"commands": []}


# --------------------------------------------------------------------------------------------
# heartbeats

def test_heartbeat_answers_the_desired_state_and_the_interval(api, tenant):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    before = time.time()
    body = expect(device.heartbeat(), 200)
    assert set(body) == HEARTBEAT_KEYS
    assert body["desiredState"] == "running"
    assert_recent(body["serverTime"], before, time.time())
    assert body["heartbeatInterval"] == 30


def test_desired_state_follows_pause_and_resume(api, tenant):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    expect(device.heartbeat(), 200)
    expect(api.put(f"/cameras/{camera['id']}/state/paused", tenant.admin_token), 201)
    assert expect(device.heartbeat(), 200)["desiredState"] == "paused"
    expect(api.put(f"/cameras/{camera['id']}/state/running", tenant.admin_token), 201)
    assert expect(device.heartbeat(), 200)["desiredState"] == "running"


def test_heartbeat_sets_last_seen_online_and_metrics(api, tenant):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    before = time.time()
    expect(device.heartbeat(), 200)
    seen = expect(api.get(f"/cameras/{camera['id']}", tenant.viewer_token), 200)
    assert seen["isOnline"] is True
    assert_recent(seen["lastSeenAt"], before, time.time())
    for key, value in METRICS.items():
        assert seen[key] == pytest.approx(value), key


def test_metrics_print_in_the_shortest_form_that_reads_back(api, tenant):
    """0.9702 is shown as 0.9702 (not 0.97019999999999995), in the camera and in its list, and a
    value that needs 17 digits keeps them: every number reads back to the same double."""
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    expect(device.heartbeat(encodedFramesProportion=0.9702, networkTransmitRate=250000.0,
                            videoBacklog=0.1 + 0.2, videoUploadLatency=1.336), 200)
    for path in (f"/cameras/{camera['id']}", f"/cameras?siteId={tenant.site_id}"):
        text = api.get(path, tenant.admin_token).text
        assert '"encodedFramesProportion":0.9702,' in text, text
        assert '"networkTransmitRate":250000.0,' in text, text
        assert '"videoBacklog":0.30000000000000004,' in text, text
        assert '"videoUploadLatency":1.336}' in text, text


def test_shutting_down_is_offline_at_once_and_the_next_heartbeat_online_again(api, tenant):
    camera, device = live_camera(api, tenant)
    expect(device.heartbeat(status="shutting_down"), 200)
    seen = expect(api.get(f"/cameras/{camera['id']}", tenant.admin_token), 200)
    assert seen["isOnline"] is False
    assert seen["lastSeenAt"] is not None
    expect(device.heartbeat(status="online"), 200)
    assert expect(api.get(f"/cameras/{camera['id']}", tenant.admin_token), 200)["isOnline"] is True


def test_camera_goes_offline_after_the_online_window(start_server):
    private = start_server(["--online-window", "2"])
    api = Api(private, private.operator_client)
    tenant = Tenant(api)
    camera = tenant.camera()
    device = device_for(api, camera["id"])
    assert expect(device.heartbeat(), 200)["heartbeatInterval"] == 1
    assert expect(api.get(f"/cameras/{camera['id']}", api.operator_token), 200)["isOnline"] is True
    time.sleep(3)
    seen = expect(api.get(f"/cameras/{camera['id']}", api.operator_token), 200)
    assert seen["isOnline"] is False
    assert seen["lastSeenAt"] is not None


def test_heartbeat_accepts_the_bounds_and_integers(api, tenant):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    expect(device.heartbeat(encodedFramesProportion=0, networkTransmitRate=0, videoBacklog=0,
                            videoUploadLatency=0), 200)
    expect(device.heartbeat(encodedFramesProportion=1, networkTransmitRate=10 ** 12,
                            videoBacklog=86400, videoUploadLatency=3600.5), 200)
    seen = expect(api.get(f"/cameras/{camera['id']}", tenant.admin_token), 200)
    assert seen["encodedFramesProportion"] == 1
    assert seen["networkTransmitRate"] == 10 ** 12


BAD_HEARTBEATS = [
    ({"encodedFramesProportion": None}, "encodedFramesProportion"),
    ({"encodedFramesProportion": "0.5"}, "encodedFramesProportion"),
    ({"encodedFramesProportion": True}, "encodedFramesProportion"),
    ({"encodedFramesProportion": -0.01}, "encodedFramesProportion"),
    ({"encodedFramesProportion": 1.01}, "encodedFramesProportion"),
    ({"networkTransmitRate": -1}, "networkTransmitRate"),
    ({"networkTransmitRate": "fast"}, "networkTransmitRate"),
    ({"networkTransmitRate": [1]}, "networkTransmitRate"),
    ({"videoBacklog": -0.5}, "videoBacklog"),
    ({"videoBacklog": {}}, "videoBacklog"),
    ({"videoUploadLatency": -3}, "videoUploadLatency"),
    ({"videoUploadLatency": False}, "videoUploadLatency"),
    ({"status": "sleeping"}, "status"),
    ({"status": 1}, "status"),
    ({"temperature": 40}, "temperature"),
]


@pytest.mark.parametrize("change,field", BAD_HEARTBEATS)
def test_heartbeat_with_a_bad_field_is_400_naming_it(api, tenant, change, field):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    assert_error(device.request("POST", "/device/heartbeat", json={**METRICS, **change}), 400,
                 field)


@pytest.mark.parametrize("missing", sorted(METRICS))
def test_heartbeat_without_a_metric_is_400_naming_it(api, tenant, missing):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    body = {key: value for key, value in METRICS.items() if key != missing}
    assert_error(device.request("POST", "/device/heartbeat", json=body), 400, missing)


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b'{"videoBacklog": 1e999}'])
def test_heartbeat_with_a_malformed_body_is_400(api, tenant, raw):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    assert_error(device.request("POST", "/device/heartbeat", data=raw,
                                headers={"Content-Type": "application/json"}), 400)


def test_a_refused_heartbeat_changes_nothing(api, tenant):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    assert_error(device.heartbeat(encodedFramesProportion=2), 400)
    seen = expect(api.get(f"/cameras/{camera['id']}", tenant.admin_token), 200)
    assert seen["lastSeenAt"] is None and seen["isOnline"] is False


def test_many_concurrent_heartbeats_are_all_answered(api, tenant):
    devices = [device_for(api, tenant.camera()["id"], tenant.admin_token) for _ in range(4)]
    boxes = [in_thread(lambda d=d: [d.heartbeat().status_code for _ in range(25)]) for d in devices]
    for box in boxes:
        assert joined(box) == [200] * 25
    for device in devices:
        seen = expect(api.get(f"/cameras/{device.camera_id}", tenant.admin_token), 200)
        assert seen["isOnline"] is True


# --------------------------------------------------------------------------------------------
# video uploads

def test_video_uploads_feed_last_video_at_and_the_upload_metrics(api, tenant):
    """Uploads count from the camera's claim on (issue 10, defect 3): one the camera reports as
    made before its claim is stored but belongs to no owner's metrics, even in an explicit window."""
    camera, device = live_camera(api, tenant)
    claimed = int(parse_timestamp(camera["claimedAt"]))

    def at(epoch):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))

    assert expect(device.video_upload(bytes=1000, seconds=10.5, uploadedAt=at(claimed)), 201) == \
        {"uploadedAt": at(claimed)}
    expect(device.video_upload(bytes=2000, seconds=20, uploadedAt=at(claimed - 3600)), 201)
    seen = expect(api.get(f"/cameras/{camera['id']}", tenant.admin_token), 200)
    assert seen["lastVideoAt"] == at(claimed)
    path = f"/cameras/{camera['id']}/video-upload-metrics"
    assert expect(api.get(path, tenant.viewer_token), 200) == {"uploadSize": 1000, "uploadTime": 10.5}
    before_claim = {"from": at(claimed - 7200), "to": at(claimed)}
    assert expect(api.get(path, tenant.admin_token, params=before_claim), 200) == \
        {"uploadSize": 0, "uploadTime": 0}
    around_claim = {"from": at(claimed - 7200), "to": at(claimed + 60)}
    assert expect(api.get(path, tenant.admin_token, params=around_claim), 200) == \
        {"uploadSize": 1000, "uploadTime": 10.5}


def test_video_upload_defaults_to_now(api, tenant):
    camera, device = live_camera(api, tenant)
    before = time.time()
    body = expect(device.video_upload(bytes=0, seconds=0), 201)
    assert_recent(body["uploadedAt"], before, time.time())
    seen = expect(api.get(f"/cameras/{camera['id']}", tenant.admin_token), 200)
    assert seen["lastVideoAt"] == body["uploadedAt"]


def _ago(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - seconds))


@pytest.mark.parametrize("body,field", [
    ({"seconds": 1}, "bytes"),
    ({"bytes": 1}, "seconds"),
    ({"bytes": -1, "seconds": 1}, "bytes"),
    ({"bytes": 1.5, "seconds": 1}, "bytes"),
    ({"bytes": "10", "seconds": 1}, "bytes"),
    ({"bytes": 1, "seconds": -1}, "seconds"),
    ({"bytes": 1, "seconds": "1"}, "seconds"),
    ({"bytes": 1, "seconds": 1, "uploadedAt": "yesterday"}, "uploadedAt"),
    ({"bytes": 1, "seconds": 1, "uploadedAt": 1700000000}, "uploadedAt"),
    ({"bytes": 1, "seconds": 1, "uploadedAt": "FUTURE"}, "uploadedAt"),
    ({"bytes": 1, "seconds": 1, "uploadedAt": "OLD"}, "uploadedAt"),
    ({"bytes": 1, "seconds": 1, "camera": "x"}, "camera"),
])
def test_video_upload_with_a_bad_field_is_400_naming_it(api, tenant, body, field):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    if body.get("uploadedAt") == "FUTURE":
        body["uploadedAt"] = _ago(-600)
    elif body.get("uploadedAt") == "OLD":
        body["uploadedAt"] = _ago(8 * 86400)
    assert_error(device.video_upload(**body), 400, field)
    seen = expect(api.get(f"/cameras/{camera['id']}", tenant.admin_token), 200)
    assert seen["lastVideoAt"] is None


# --------------------------------------------------------------------------------------------
# the command long-poll

def test_long_poll_without_commands_answers_empty_after_the_wait(api, tenant):
    camera, device = live_camera(api, tenant)
    assert expect(device.commands(), 200) == {"commands": []}
    assert expect(device.commands(0), 200) == {"commands": []}
    started = time.monotonic()
    assert expect(device.commands(1), 200) == {"commands": []}
    assert time.monotonic() - started >= 0.9


@pytest.mark.parametrize("wait", ["31", "-1", "abc", "1.5", "", "100"])
def test_long_poll_with_a_bad_wait_is_422(api, tenant, wait):
    camera, device = live_camera(api, tenant)
    assert_error(device.request("GET", "/device/commands", params={"wait": wait}), 422, "wait")


def test_a_newer_long_poll_ends_the_older_one(api, tenant):
    camera, device = live_camera(api, tenant)
    other_session = Device(api.base, camera["id"], device.credentials, token=device.token)
    first = in_thread(other_session.commands, 25)
    time.sleep(0.5)
    started = time.monotonic()
    assert expect(device.commands(1), 200) == {"commands": []}
    assert expect(joined(first), 200) == {"commands": []}
    assert time.monotonic() - started < 20


# --------------------------------------------------------------------------------------------
# frames and frame requests

def test_frame_upload_is_answered_from_the_store_while_fresh(api, tenant):
    camera, device = live_camera(api, tenant)
    before = time.time()
    uploaded = expect(device.upload_frame(), 201)
    assert set(uploaded) == {"timestamp"}
    assert_recent(uploaded["timestamp"], before, time.time())
    body = expect(api.post("/frame-requests", tenant.viewer_token, json={"cameraId": camera["id"]}),
                  200)
    assert body == {"image": JPEG_B64, "timestamp": uploaded["timestamp"]}
    assert expect(device.commands(0), 200) == {"commands": []}, "a fresh frame needs no capture"


def test_frame_request_without_a_frame_asks_the_camera(api, tenant):
    camera, device = live_camera(api, tenant)
    camera_side = in_thread(device.answer_one_capture, 20)
    time.sleep(0.3)
    before = time.time()
    body = expect(frame_request(api.base, tenant.admin_token, camera["id"]), 200)
    assert body["image"] == JPEG_B64
    assert_recent(body["timestamp"], before, time.time())
    commands = joined(camera_side)
    assert len(commands) == 1
    command = commands[0]
    assert set(command) == {"id", "type", "requestedAt"} and command["type"] == "capture-frame"
    parse_timestamp(command["requestedAt"])


def test_stale_frame_is_replaced_by_an_on_demand_capture(start_server):
    private = start_server(["--frame-max-age", "1"])
    api = Api(private, private.operator_client)
    tenant = Tenant(api)
    camera, device = live_camera(api, tenant)
    old = expect(device.upload_frame(), 201)["timestamp"]
    time.sleep(2.2)
    camera_side = in_thread(device.answer_one_capture, 20)
    body = expect(frame_request(private.url, api.operator_token, camera["id"]), 200)
    assert body["image"] == JPEG_B64
    assert parse_timestamp(body["timestamp"]) > parse_timestamp(old)
    assert [c["type"] for c in joined(camera_side)] == ["capture-frame"]


def test_camera_that_never_answers_gives_404_after_the_frame_wait(start_server):
    private = start_server(["--frame-wait", "1"])
    api = Api(private, private.operator_client)
    tenant = Tenant(api)
    camera, device = live_camera(api, tenant)
    started = time.monotonic()
    resp = frame_request(private.url, api.operator_token, camera["id"])
    assert_error(resp, 404, "No image available: the camera did not upload a frame within")
    assert time.monotonic() - started >= 0.9, "the request should have waited for the camera"
    assert expect(device.commands(0), 200) == {"commands": []}, "the unanswered command is withdrawn"


def test_frame_request_for_an_offline_camera_does_not_wait(api, tenant):
    camera = tenant.camera()
    device_for(api, camera["id"], tenant.admin_token)  # credentials, but never a heartbeat
    resp = api.post("/frame-requests", tenant.admin_token, json={"cameraId": camera["id"]})
    assert_error(resp, 404, "No image available")


def test_frame_request_for_a_paused_camera_is_409_even_with_a_fresh_frame(api, tenant):
    camera, device = live_camera(api, tenant)
    expect(device.upload_frame(), 201)
    expect(api.put(f"/cameras/{camera['id']}/state/paused", tenant.admin_token), 201)
    assert_error(api.post("/frame-requests", tenant.admin_token, json={"cameraId": camera["id"]}),
                 409)


def test_simultaneous_frame_requests_share_one_capture(api, tenant):
    camera, device = live_camera(api, tenant)
    waiters = [in_thread(frame_request, api.base, tenant.admin_token, camera["id"])
               for _ in range(12)]
    time.sleep(0.5)
    commands = device.answer_one_capture(20)
    assert [c["type"] for c in commands] == ["capture-frame"]
    bodies = [expect(joined(box), 200) for box in waiters]
    assert all(body["image"] == JPEG_B64 for body in bodies)
    assert len({body["timestamp"] for body in bodies}) == 1
    assert expect(device.commands(0), 200) == {"commands": []}, "one command for all of them"


def test_frame_upload_that_is_not_a_jpeg_is_400(api, tenant):
    camera, device = live_camera(api, tenant)
    for data in (b"hello, not an image", JPEG[:20], b"\xff\xd8\xff" + b"\x00" * 100, b""):
        assert_error(device.upload_frame(data=data), 400)
    assert_error(api.post("/frame-requests", tenant.admin_token, json={"cameraId": camera["id"]}),
                 404)


@pytest.mark.parametrize("content_type", ["image/png", "application/json", "text/plain",
                                          "application/octet-stream"])
def test_frame_upload_with_another_content_type_is_415(api, tenant, content_type):
    camera, device = live_camera(api, tenant)
    assert_error(device.upload_frame(content_type=content_type), 415)


def test_frame_upload_over_the_upload_limit_is_413(start_server):
    # A small limit keeps the body small: a large body refused early may meet a reset connection.
    private = start_server(["--max-upload", "1024"])
    api = Api(private, private.operator_client)
    tenant = Tenant(api)
    camera, device = live_camera(api, tenant)
    assert len(JPEG) < 1024
    expect(device.upload_frame(data=JPEG + b"\x00" * (1024 - len(JPEG))), 201)
    assert_error(device.upload_frame(data=JPEG + b"\x00" * (1025 - len(JPEG))), 413)
    assert_error(device.upload_frame(data=JPEG + b"\x00" * 3000), 413)


def test_frame_upload_up_to_the_upload_limit_is_accepted(api, tenant):
    camera, device = live_camera(api, tenant)
    padded = JPEG + b"\x00" * (2 * 1024 * 1024 - len(JPEG))
    expect(device.upload_frame(data=padded), 201)


# --------------------------------------------------------------------------------------------
# shutdown

def test_sigterm_answers_waiting_long_polls_and_frame_requests_and_exits_0(start_server):
    private = start_server(["--frame-wait", "60"])
    api = Api(private, private.operator_client)
    tenant = Tenant(api)
    polling = [live_camera(api, tenant) for _ in range(3)]
    silent_camera, _silent = live_camera(api, tenant)
    polls = [in_thread(device.commands, 30) for _camera, device in polling]
    frames = [in_thread(frame_request, private.url, api.operator_token, silent_camera["id"])
              for _ in range(3)]
    time.sleep(1.0)
    started = time.monotonic()
    assert private.stop(timeout=15) == 0
    assert time.monotonic() - started < 10
    for box in polls:
        assert expect(joined(box), 200) == {"commands": []}
    for box in frames:  # the reasons are in test_frame_request_reasons.py
        assert_error(joined(box), 503, "the server is shutting down")
    assert "still waiting" not in private.log_path.read_text()


def test_waiting_frame_requests_hold_no_worker_thread(api, tenant):
    """Twenty frame requests wait for the camera while, on a server with few worker threads,
    other requests (a rename, the camera's own long-poll and upload) are still served."""
    camera, device = live_camera(api, tenant)
    waiters = [in_thread(frame_request, api.base, tenant.admin_token, camera["id"])
               for _ in range(20)]
    time.sleep(0.3)
    name = unique("cam")
    renamed = expect(api.patch(f"/cameras/{camera['id']}", tenant.admin_token, json={"name": name}),
                     200)
    assert renamed["name"] == name
    assert [c["type"] for c in device.answer_one_capture(20)] == ["capture-frame"]
    for box in waiters:
        assert expect(joined(box), 200)["image"] == JPEG_B64
