"""The camera's reportedState: what the camera itself said in its last heartbeat that said
("state": running or paused), null until it reports; a claim starts afresh (issue 14 point 14)."""
import pytest

from conftest import assert_error, claim_camera, expect
from test_device_link import METRICS, device_for


def camera_of(api, tenant, camera_id):
    return expect(api.get(f"/cameras/{camera_id}", tenant.admin_token), 200)


def test_reported_state_is_null_until_the_camera_says(api, tenant):
    camera = tenant.camera()
    assert camera["reportedState"] is None
    device = device_for(api, camera["id"], tenant.admin_token)
    expect(device.heartbeat(), 200)  # a heartbeat without "state" says nothing about it
    seen = camera_of(api, tenant, camera["id"])
    assert seen["isOnline"] is True
    assert seen["reportedState"] is None
    listed = expect(api.get("/cameras", tenant.admin_token, params={"siteId": tenant.site_id}), 200)
    assert [c["reportedState"] for c in listed if c["id"] == camera["id"]] == [None]


def test_a_pause_is_confirmed_by_the_camera_on_its_next_heartbeats(api, tenant):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    assert expect(device.heartbeat(state="running"), 200)["desiredState"] == "running"
    assert camera_of(api, tenant, camera["id"])["reportedState"] == "running"
    expect(api.put(f"/cameras/{camera['id']}/state/paused", tenant.admin_token), 201)
    seen = camera_of(api, tenant, camera["id"])
    assert (seen["state"], seen["reportedState"]) == ("paused", "running")  # waiting for the camera
    # the camera learns it should pause from this answer, still running while it sends it
    assert expect(device.heartbeat(state="running"), 200)["desiredState"] == "paused"
    assert camera_of(api, tenant, camera["id"])["reportedState"] == "running"
    expect(device.heartbeat(state="paused", encodedFramesProportion=0), 200)
    seen = camera_of(api, tenant, camera["id"])
    assert (seen["state"], seen["reportedState"]) == ("paused", "paused")  # camera confirmed
    expect(device.heartbeat(), 200)  # silent: what it said stays
    assert camera_of(api, tenant, camera["id"])["reportedState"] == "paused"
    expect(device.heartbeat(status="shutting_down"), 200)
    seen = camera_of(api, tenant, camera["id"])
    assert (seen["isOnline"], seen["reportedState"]) == (False, "paused")


def test_a_new_claim_forgets_what_the_camera_reported(api, tenant):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    expect(device.heartbeat(state="running"), 200)
    expect(api.delete(f"/cameras/{camera['id']}", tenant.admin_token), 204)
    assert camera_of(api, tenant, camera["id"])["reportedState"] == "running"
    again = claim_camera(api, tenant.admin_token, camera["serialNumber"], tenant.site_id)
    assert again["reportedState"] is None
    assert camera_of(api, tenant, camera["id"])["reportedState"] is None


@pytest.mark.parametrize("state", ["claimed", "Running", "", 1, None])
def test_a_heartbeat_with_an_unknown_state_is_400_and_writes_nothing(api, tenant, state):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    resp = device.request("POST", "/device/heartbeat", json={**METRICS, "state": state})
    assert_error(resp, 400, "'state'")
    seen = camera_of(api, tenant, camera["id"])
    assert (seen["lastSeenAt"], seen["reportedState"]) == (None, None)
