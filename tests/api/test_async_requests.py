"""Asynchronous requests: register-camera-requests and put-camera-state-requests (202, polling
to a final state, failures, permissions), and their durability across a SIGTERM restart."""
import signal
import time

import pytest
import requests

from conftest import (POLL_TIMEOUT, REQUEST_TIMEOUT, Api, assert_error, assert_uuid,
                      claim_camera, expect, make_org, make_site, new_id, parse_timestamp,
                      register_camera, submit_register, unique_serial, wait_request)

ACCEPTED_KEYS = {"id", "msg", "status"}
REQUEST_KEYS = {"id", "msg", "status", "cameraId", "createdAt", "updatedAt"}


def assert_accepted(body):
    assert set(body) == ACCEPTED_KEYS, body
    assert_uuid(body["id"])
    assert isinstance(body["msg"], str)
    assert body["status"] == "created"


def assert_request_shape(body, extra_key):
    assert set(body) == REQUEST_KEYS | {extra_key}, body
    assert_uuid(body["id"])
    assert_uuid(body["cameraId"])
    assert body["status"] in ("created", "processing", "succeeded", "failed")
    assert isinstance(body["msg"], str)
    assert parse_timestamp(body["createdAt"]) <= parse_timestamp(body["updatedAt"])


def submit_state(api, token, camera_id, new_state):
    return api.post("/put-camera-state-requests", token,
                    json={"cameraId": camera_id, "newState": new_state})


# --- register-camera-requests ---------------------------------------------------------------------

def test_register_request_is_accepted_then_succeeds(api):
    camera_id, serial = new_id(), unique_serial()
    resp = api.post("/register-camera-requests", api.operator_token,
                    json={"cameraId": camera_id, "serialNumber": serial})
    accepted = expect(resp, 202)
    assert_accepted(accepted)
    final = wait_request(api, "register-camera-requests", accepted["id"])
    assert_request_shape(final, "serialNumber")
    assert final["id"] == accepted["id"]
    assert final["status"] == "succeeded"
    assert final["msg"]
    assert final["cameraId"] == camera_id
    assert final["serialNumber"] == serial
    camera = expect(api.get(f"/cameras/{camera_id}", api.operator_token), 200)
    assert camera["state"] == "registered" and camera["serialNumber"] == serial


def test_register_request_reads_back_right_after_the_202(api):
    accepted, camera_id, serial = submit_register(api)
    body = expect(api.get(f"/register-camera-requests/{accepted['id']}", api.operator_token), 200)
    assert_request_shape(body, "serialNumber")
    assert body["cameraId"] == camera_id and body["serialNumber"] == serial


def test_register_request_with_uppercase_camera_id_registers_it_lowercase(api):
    camera_id = new_id()
    accepted, _, _ = submit_register(api, camera_id=camera_id.upper())
    final = wait_request(api, "register-camera-requests", accepted["id"])
    assert final["status"] == "succeeded" and final["cameraId"] == camera_id
    expect(api.get(f"/cameras/{camera_id}", api.operator_token), 200)


def test_register_request_with_a_taken_serial_fails(api):
    existing = register_camera(api)
    accepted, camera_id, _ = submit_register(api, serial=existing["serialNumber"])
    final = wait_request(api, "register-camera-requests", accepted["id"])
    assert final["status"] == "failed"
    assert final["msg"].strip()
    assert_error(api.get(f"/cameras/{camera_id}", api.operator_token), 404)


def test_register_request_with_a_taken_camera_id_fails(api):
    existing = register_camera(api)
    accepted, _, _ = submit_register(api, camera_id=existing["id"])
    final = wait_request(api, "register-camera-requests", accepted["id"])
    assert final["status"] == "failed"
    assert final["msg"].strip()
    camera = expect(api.get(f"/cameras/{existing['id']}", api.operator_token), 200)
    assert camera["serialNumber"] == existing["serialNumber"]


def registered_events(api, camera_id):
    body = expect(api.get("/events", api.operator_token,
                          params={"cameraId": camera_id, "type": "camera.registered"}), 200)
    return body


def test_registering_the_same_pair_again_succeeds_and_changes_nothing(api):
    """Issue 13: a factory retrying a registration (after a timeout, say) gets success, not a
    failure; there is still one camera and one camera.registered event."""
    accepted, camera_id, serial = submit_register(api)
    assert wait_request(api, "register-camera-requests", accepted["id"])["status"] == "succeeded"
    before = expect(api.get(f"/cameras/{camera_id}", api.operator_token), 200)
    again, _, _ = submit_register(api, camera_id=camera_id, serial=serial)
    final = wait_request(api, "register-camera-requests", again["id"])
    assert final["status"] == "succeeded", final
    assert "already registered" in final["msg"]
    assert expect(api.get(f"/cameras/{camera_id}", api.operator_token), 200) == before
    assert len(registered_events(api, camera_id)) == 1


def test_the_same_pair_twice_in_a_row_registers_one_camera(api):
    camera_id, serial = new_id(), unique_serial()
    submitted = [submit_register(api, camera_id=camera_id, serial=serial)[0] for _ in range(3)]
    finals = [wait_request(api, "register-camera-requests", accepted["id"]) for accepted in submitted]
    assert [f["status"] for f in finals] == ["succeeded"] * 3, finals
    assert len(registered_events(api, camera_id)) == 1


def test_re_registering_a_claimed_camera_succeeds_and_leaves_it_claimed(api, tenant):
    camera = tenant.camera()
    accepted, _, _ = submit_register(api, camera_id=camera["id"], serial=camera["serialNumber"])
    assert wait_request(api, "register-camera-requests", accepted["id"])["status"] == "succeeded"
    assert expect(api.get(f"/cameras/{camera['id']}", api.operator_token), 200)["state"] == "running"


def test_a_taken_camera_id_fails_naming_the_camera_and_its_serial(api):
    existing = register_camera(api)
    other_serial = unique_serial()
    accepted, _, _ = submit_register(api, camera_id=existing["id"], serial=other_serial)
    final = wait_request(api, "register-camera-requests", accepted["id"])
    assert final["status"] == "failed"
    assert final["msg"] == (f"camera {existing['id']} already exists with serial number "
                            f"'{existing['serialNumber']}', not '{other_serial}'")
    assert_error(api.get(f"/cameras/{new_id()}", api.operator_token), 404)


def test_a_taken_serial_fails_naming_the_camera_that_has_it(api):
    existing = register_camera(api)
    accepted, camera_id, _ = submit_register(api, serial=existing["serialNumber"])
    final = wait_request(api, "register-camera-requests", accepted["id"])
    assert final["status"] == "failed"
    assert final["msg"] == (f"serial number '{existing['serialNumber']}' already belongs to "
                            f"camera {existing['id']}")
    assert_error(api.get(f"/cameras/{camera_id}", api.operator_token), 404)


def test_requests_posted_at_once_are_all_stored_and_carried_out(api):
    """POSTs arriving together are stored in shared commits (jobs/async_intake.c): every one is
    acknowledged, and every acknowledged one is carried out."""
    from concurrent.futures import ThreadPoolExecutor
    token = api.operator_token
    with ThreadPoolExecutor(16) as pool:
        submitted = list(pool.map(lambda _: submit_register(api, token=token), range(120)))
    assert len({accepted["id"] for accepted, _, _ in submitted}) == 120
    for accepted, camera_id, serial in submitted:
        final = wait_request(api, "register-camera-requests", accepted["id"])
        assert (final["status"], final["cameraId"], final["serialNumber"]) == \
            ("succeeded", camera_id, serial), final


def test_admin_cannot_register_cameras(api, tenant):
    resp = api.post("/register-camera-requests", tenant.admin_token,
                    json={"cameraId": new_id(), "serialNumber": unique_serial()})
    assert_error(resp, 403)


def test_viewer_cannot_register_cameras(api, tenant):
    resp = api.post("/register-camera-requests", tenant.viewer_token,
                    json={"cameraId": new_id(), "serialNumber": unique_serial()})
    assert_error(resp, 403)


def test_admin_cannot_read_register_requests(api, tenant):
    accepted, _, _ = submit_register(api)
    assert_error(api.get(f"/register-camera-requests/{accepted['id']}", tenant.admin_token), 403)


@pytest.mark.parametrize("body", [
    {"serialNumber": "S"},
    {"cameraId": "ID"},
    {"cameraId": "not-a-uuid", "serialNumber": "S"},
    {"cameraId": 1, "serialNumber": "S"},
    {"cameraId": "ID", "serialNumber": ""},
    {"cameraId": "ID", "serialNumber": "s" * 129},
    {"cameraId": "ID", "serialNumber": 99},
    {"cameraId": "ID", "serialNumber": "S", "siteId": "ID"},
])
def test_register_request_with_invalid_body_is_400_and_stores_nothing(api, body):
    camera_id, serial = new_id(), unique_serial()
    filled = {k: (camera_id if v == "ID" else serial if v == "S" else v) for k, v in body.items()}
    assert_error(api.post("/register-camera-requests", api.operator_token, json=filled), 400)
    time.sleep(0.2)  # a wrongly accepted request would be picked up by now
    assert_error(api.get(f"/cameras/{camera_id}", api.operator_token), 404)


def test_unknown_register_request_is_404(api):
    assert_error(api.get(f"/register-camera-requests/{new_id()}", api.operator_token), 404)


def test_malformed_register_request_id_is_422(api):
    assert_error(api.get("/register-camera-requests/123", api.operator_token), 422)


def test_register_request_id_is_not_a_state_request_id(api):
    accepted, _, _ = submit_register(api)
    assert_error(api.get(f"/put-camera-state-requests/{accepted['id']}", api.operator_token), 404)


# --- put-camera-state-requests --------------------------------------------------------------------

def test_state_request_claimed_paused_pauses_the_camera(api, tenant):
    camera = tenant.camera()
    accepted = expect(submit_state(api, tenant.admin_token, camera["id"], "claimed_paused"), 202)
    assert_accepted(accepted)
    final = wait_request(api, "put-camera-state-requests", accepted["id"], tenant.admin_token)
    assert_request_shape(final, "newState")
    assert final["status"] == "succeeded"
    assert final["msg"]
    assert final["cameraId"] == camera["id"]
    assert final["newState"] == "claimed_paused"
    read = expect(api.get(f"/cameras/{camera['id']}", tenant.admin_token), 200)
    assert read == {**camera, "state": "paused"}


def test_state_request_claimed_resumes_a_paused_camera(api, tenant):
    camera = tenant.camera()
    expect(api.put(f"/cameras/{camera['id']}/state/paused", tenant.admin_token), 201)
    accepted = expect(submit_state(api, tenant.admin_token, camera["id"], "claimed"), 202)
    final = wait_request(api, "put-camera-state-requests", accepted["id"], tenant.admin_token)
    assert final["status"] == "succeeded" and final["newState"] == "claimed"
    assert expect(api.get(f"/cameras/{camera['id']}", tenant.admin_token), 200)["state"] == \
        "running"


def test_operator_submits_state_requests(api, tenant):
    camera = tenant.camera()
    accepted = expect(submit_state(api, api.operator_token, camera["id"], "claimed_paused"), 202)
    assert wait_request(api, "put-camera-state-requests", accepted["id"])["status"] == \
        "succeeded"


def test_viewer_of_the_organisation_reads_a_state_request(api, tenant):
    camera = tenant.camera()
    accepted = expect(submit_state(api, tenant.admin_token, camera["id"], "claimed_paused"), 202)
    wait_request(api, "put-camera-state-requests", accepted["id"], tenant.admin_token)
    body = expect(api.get(f"/put-camera-state-requests/{accepted['id']}", tenant.viewer_token),
                  200)
    assert body["id"] == accepted["id"] and body["newState"] == "claimed_paused"


def test_viewer_reads_state_requests_only_for_cameras_of_granted_sites(api, tenant):
    """Issue 10, defect 4: a viewer granted site A1 only gets 404 for a request about a camera at
    A2, and loses sight of a request once its camera moves away from the granted site."""
    other_site = tenant.add_site()
    elsewhere = tenant.camera(site_id=other_site["id"])
    accepted = expect(submit_state(api, tenant.admin_token, elsewhere["id"], "claimed_paused"), 202)
    wait_request(api, "put-camera-state-requests", accepted["id"], tenant.admin_token)
    assert_error(api.get(f"/put-camera-state-requests/{accepted['id']}", tenant.viewer_token), 404)

    here = tenant.camera()
    accepted = expect(submit_state(api, tenant.admin_token, here["id"], "claimed_paused"), 202)
    wait_request(api, "put-camera-state-requests", accepted["id"], tenant.admin_token)
    expect(api.get(f"/put-camera-state-requests/{accepted['id']}", tenant.viewer_token), 200)
    expect(api.post(f"/cameras/{here['id']}/move", tenant.admin_token, json={"siteId": other_site["id"]}), 201)
    assert_error(api.get(f"/put-camera-state-requests/{accepted['id']}", tenant.viewer_token), 404)
    expect(api.get(f"/put-camera-state-requests/{accepted['id']}", tenant.admin_token), 200)


def test_admin_of_another_organisation_cannot_read_a_state_request(api, tenant, other_tenant):
    camera = tenant.camera()
    accepted = expect(submit_state(api, tenant.admin_token, camera["id"], "claimed"), 202)
    assert_error(api.get(f"/put-camera-state-requests/{accepted['id']}",
                         other_tenant.admin_token), 404)


@pytest.mark.parametrize("state", ["paused", "running", "decommissioned", "CLAIMED", ""])
def test_state_request_with_unknown_new_state_is_422(api, tenant, state):
    camera = tenant.camera()
    assert_error(submit_state(api, tenant.admin_token, camera["id"], state), 422)


def test_state_request_for_another_organisations_camera_is_404(api, tenant, other_tenant):
    camera = other_tenant.camera()
    assert_error(submit_state(api, tenant.admin_token, camera["id"], "claimed_paused"), 404)
    assert expect(api.get(f"/cameras/{camera['id']}", api.operator_token), 200)["state"] == \
        "running"


def test_state_request_for_unknown_camera_is_404(api):
    assert_error(submit_state(api, api.operator_token, new_id(), "claimed"), 404)


def test_state_request_for_registered_camera_is_422(api):
    camera = register_camera(api)
    assert_error(submit_state(api, api.operator_token, camera["id"], "claimed"), 422)


def test_state_request_for_decommissioned_camera_is_422(api, tenant):
    camera = tenant.camera()
    expect(api.delete(f"/cameras/{camera['id']}", tenant.admin_token), 204)
    assert_error(submit_state(api, tenant.admin_token, camera["id"], "claimed"), 422)


def test_viewer_cannot_submit_state_requests(api, tenant):
    camera = tenant.camera()
    assert_error(submit_state(api, tenant.viewer_token, camera["id"], "claimed_paused"), 403)


@pytest.mark.parametrize("body", [
    {"newState": "claimed"},
    {"cameraId": "ID"},
    {"cameraId": "not-a-uuid", "newState": "claimed"},
    {"cameraId": "ID", "newState": 1},
    {"cameraId": "ID", "newState": "claimed", "extra": 1},
])
def test_state_request_with_invalid_body_is_400(api, tenant, body):
    camera = tenant.camera()
    filled = {k: (camera["id"] if v == "ID" else v) for k, v in body.items()}
    assert_error(api.post("/put-camera-state-requests", tenant.admin_token, json=filled), 400)


def test_unknown_state_request_is_404(api):
    assert_error(api.get(f"/put-camera-state-requests/{new_id()}", api.operator_token), 404)


def test_malformed_state_request_id_is_422(api):
    assert_error(api.get("/put-camera-state-requests/xyz", api.operator_token), 422)


# --- durability across restarts -------------------------------------------------------------------

def test_sigterm_exits_zero(start_server):
    private = start_server()
    assert private.stop(signal.SIGTERM) == 0


def test_sigterm_with_a_half_sent_request_and_an_idle_connection_exits_zero(start_server):
    import socket
    private = start_server()
    half = socket.create_connection(("127.0.0.1", private.port), timeout=10)
    idle = socket.create_connection(("127.0.0.1", private.port), timeout=10)
    try:
        half.sendall(b"GET /healthz HTTP/1.1\r\nHost: camfleet\r\n")
        expect(requests.get(private.url + "/healthz", timeout=REQUEST_TIMEOUT), 200)
        assert private.stop(signal.SIGTERM) == 0
    finally:
        half.close()
        idle.close()


def test_data_survives_a_sigterm_restart(start_server):
    private = start_server()
    api = Api(private, private.operator_client)
    org = make_org(api)
    site = make_site(api, org["id"])
    assert private.stop(signal.SIGTERM) == 0
    private.start()
    api = Api(private, private.operator_client)
    assert expect(api.get(f"/organisations/{org['id']}", api.operator_token), 200) == org
    assert expect(api.get(f"/sites/{site['id']}", api.operator_token), 200) == site


def test_register_requests_pending_at_sigterm_complete_after_restart(start_server):
    private = start_server()
    api = Api(private, private.operator_client)
    token = api.operator_token
    submitted = [submit_register(api, token=token) for _ in range(30)]
    assert private.stop(signal.SIGTERM) == 0
    private.start()
    api = Api(private, private.operator_client)
    deadline = time.monotonic() + POLL_TIMEOUT
    for accepted, camera_id, serial in submitted:
        final = wait_request(api, "register-camera-requests", accepted["id"],
                             timeout=max(1.0, deadline - time.monotonic()))
        assert final["status"] == "succeeded", final
        assert final["cameraId"] == camera_id and final["serialNumber"] == serial
        camera = expect(api.get(f"/cameras/{camera_id}", api.operator_token), 200)
        assert camera["serialNumber"] == serial and camera["state"] == "registered"


def test_state_request_pending_at_sigterm_completes_after_restart(start_server):
    private = start_server()
    api = Api(private, private.operator_client)
    org = make_org(api)
    site = make_site(api, org["id"])
    camera = register_camera(api)
    claimed = claim_camera(api, api.operator_token, camera["serialNumber"], site["id"])
    accepted = expect(submit_state(api, api.operator_token, claimed["id"], "claimed_paused"), 202)
    assert private.stop(signal.SIGTERM) == 0
    private.start()
    api = Api(private, private.operator_client)
    final = wait_request(api, "put-camera-state-requests", accepted["id"])
    assert final["status"] == "succeeded", final
    assert expect(api.get(f"/cameras/{claimed['id']}", api.operator_token), 200)["state"] == \
        "paused"


def test_requests_survive_sigkill_after_the_202(start_server):
    private = start_server()
    api = Api(private, private.operator_client)
    submitted = [submit_register(api) for _ in range(10)]
    private.stop(signal.SIGKILL)
    private.start()
    api = Api(private, private.operator_client)
    for accepted, camera_id, _ in submitted:
        final = wait_request(api, "register-camera-requests", accepted["id"])
        assert final["status"] == "succeeded", final
        expect(api.get(f"/cameras/{camera_id}", api.operator_token), 200)


def test_several_registrations_of_one_serial_let_exactly_one_succeed(api):
    serial = unique_serial()
    submitted = [submit_register(api, serial=serial) for _ in range(5)]
    finals = [wait_request(api, "register-camera-requests", accepted["id"])
              for accepted, _, _ in submitted]
    assert sorted(f["status"] for f in finals) == ["failed"] * 4 + ["succeeded"]
    winner = next(f for f in finals if f["status"] == "succeeded")
    assert expect(api.get(f"/cameras/{winner['cameraId']}", api.operator_token),
                  200)["serialNumber"] == serial
