"""Why POST /frame-requests has no image (issue 14, point 6). The seed fixes 404 "No image
available" for it, so the answer stays 404 and its message says why: the camera is offline (with
its lastSeenAt), it did not upload a frame within --frame-wait (with Retry-After: its frame may
still come), or waiting is disabled. A server shutting down answers 503 with Retry-After; an
unknown camera stays a plain 404."""
import time

from conftest import Api, Tenant, assert_error, expect, new_id
from test_device_link import frame_request, in_thread, joined, live_camera, device_for


def test_a_camera_that_never_reported_is_offline_with_lastseenat_null(api, tenant):
    camera = tenant.camera()
    device_for(api, camera["id"], tenant.admin_token)  # credentials, but never a heartbeat
    resp = api.post("/frame-requests", tenant.admin_token, json={"cameraId": camera["id"]})
    assert_error(resp, 404, f"No image available: camera {camera['id']} is offline")
    assert "never sent a heartbeat (lastSeenAt null)" in resp.json()["message"]
    assert "Retry-After" not in resp.headers
    unknown = api.post("/frame-requests", tenant.admin_token, json={"cameraId": new_id()})
    assert_error(unknown, 404, "camera")  # a plain 404 stays for "no such camera"
    assert "No image" not in unknown.json()["message"]


def test_a_camera_that_said_it_shuts_down_is_offline_with_its_lastseenat(api, tenant):
    camera, device = live_camera(api, tenant)
    expect(device.heartbeat(status="shutting_down"), 200)
    seen = expect(api.get(f"/cameras/{camera['id']}", tenant.admin_token), 200)
    assert seen["isOnline"] is False and seen["lastSeenAt"] is not None, seen
    resp = api.post("/frame-requests", tenant.admin_token, json={"cameraId": camera["id"]})
    assert_error(resp, 404, "it said it was shutting down")
    assert f"(lastSeenAt {seen['lastSeenAt']})" in resp.json()["message"]
    assert "Retry-After" not in resp.headers


def test_a_camera_silent_for_the_online_window_is_offline_with_its_lastseenat(start_server):
    private = start_server(["--online-window", "1"])
    api = Api(private, private.operator_client)
    tenant = Tenant(api)
    camera, _device = live_camera(api, tenant)
    time.sleep(2.2)  # the window passes; nothing here measures speed
    seen = expect(api.get(f"/cameras/{camera['id']}", tenant.admin_token), 200)
    assert seen["isOnline"] is False, seen
    resp = api.post("/frame-requests", tenant.admin_token, json={"cameraId": camera["id"]})
    assert_error(resp, 404, f"its last heartbeat (lastSeenAt {seen['lastSeenAt']})")
    assert "older than --online-window (1 s)" in resp.json()["message"]


def test_a_camera_that_does_not_answer_in_time_says_so_with_retry_after(start_server):
    private = start_server(["--frame-wait", "1"])
    api = Api(private, private.operator_client)
    camera, _device = live_camera(api, Tenant(api))
    resp = frame_request(private.url, api.operator_token, camera["id"])
    assert_error(resp, 404, "No image available: the camera did not upload a frame within "
                            "--frame-wait (1 s)")
    assert resp.headers.get("Retry-After") == "1"


def test_waiting_disabled_says_so(start_server):
    private = start_server(["--frame-wait", "0"])
    api = Api(private, private.operator_client)
    camera, _device = live_camera(api, Tenant(api))
    resp = api.post("/frame-requests", api.operator_token, json={"cameraId": camera["id"]})
    assert_error(resp, 404, "waiting for the camera is disabled (--frame-wait 0)")
    assert "Retry-After" not in resp.headers


def test_a_request_waiting_at_shutdown_gets_503_with_retry_after(start_server):
    private = start_server(["--frame-wait", "60"])
    api = Api(private, private.operator_client)
    camera, _device = live_camera(api, Tenant(api))
    box = in_thread(frame_request, private.url, api.operator_token, camera["id"])
    time.sleep(1.0)  # the request is waiting for the camera
    assert private.stop(timeout=15) == 0
    resp = joined(box)
    assert_error(resp, 503, "the server is shutting down; try again")
    assert resp.headers.get("Retry-After") == "1"
    assert resp.headers.get("Connection") == "close"

