"""Bulk registration (issue 13): POST /register-camera-batches (operator; 1 to 1,000 cameras; 202
with id, status and count and a Location header; 400 naming the item and field) and GET
/register-camera-batches/{batchId} (the items' outcomes, counts and the batch's status), carried
out by the same batched worker as single requests; registering the same pair again succeeds."""
import time

import pytest

from conftest import (POLL_TIMEOUT, assert_error, assert_uuid, expect, new_id, register_camera,
                      unique_serial)

BATCH_KEYS = {"id", "status", "count", "succeeded", "failed", "items"}
ITEM_KEYS = {"cameraId", "serialNumber", "status", "message"}


def cameras(count):
    return [{"cameraId": new_id(), "serialNumber": unique_serial()} for _ in range(count)]


def post_batch(api, items, token=None):
    return api.post("/register-camera-batches", token or api.operator_token, json={"cameras": items})


def wait_batch(api, batch_id, timeout=POLL_TIMEOUT):
    """Poll GET /register-camera-batches/{id} until succeeded or failed; the last body."""
    deadline = time.monotonic() + timeout
    body = None
    while time.monotonic() < deadline:
        body = expect(api.get(f"/register-camera-batches/{batch_id}", api.operator_token), 200)
        assert set(body) == BATCH_KEYS, body
        if body["status"] in ("succeeded", "failed"):
            return body
        assert body["status"] in ("created", "processing"), body
        time.sleep(0.05)
    pytest.fail(f"batch {batch_id} not final within {timeout} s: {body['status']}")


def test_a_batch_is_accepted_then_every_camera_is_registered(api):
    items = cameras(50)
    resp = post_batch(api, items)
    accepted = expect(resp, 202)
    assert set(accepted) == {"id", "status", "count"}
    assert_uuid(accepted["id"])
    assert accepted["status"] == "created" and accepted["count"] == 50
    assert resp.headers["Location"] == f"/register-camera-batches/{accepted['id']}"
    final = wait_batch(api, accepted["id"])
    assert (final["id"], final["status"], final["count"], final["succeeded"], final["failed"]) == \
        (accepted["id"], "succeeded", 50, 50, 0)
    assert [(i["cameraId"], i["serialNumber"]) for i in final["items"]] == \
        [(i["cameraId"], i["serialNumber"]) for i in items]
    for item in final["items"]:
        assert set(item) == ITEM_KEYS and item["status"] == "succeeded", item
    for item in items[:3]:
        camera = expect(api.get(f"/cameras/{item['cameraId']}", api.operator_token), 200)
        assert camera["serialNumber"] == item["serialNumber"] and camera["state"] == "registered"


def test_a_batch_reads_back_right_after_the_202(api):
    accepted = expect(post_batch(api, cameras(3)), 202)
    body = expect(api.get(f"/register-camera-batches/{accepted['id']}", api.operator_token), 200)
    assert set(body) == BATCH_KEYS and body["count"] == 3 and len(body["items"]) == 3


def test_a_batch_with_conflicts_fails_those_items_only_and_names_the_conflicts(api):
    existing = register_camera(api)
    good = cameras(2)
    repeated = {"cameraId": existing["id"], "serialNumber": existing["serialNumber"]}
    taken_id = {"cameraId": existing["id"], "serialNumber": unique_serial()}
    taken_serial = {"cameraId": new_id(), "serialNumber": existing["serialNumber"]}
    items = [good[0], repeated, taken_id, taken_serial, good[1]]
    final = wait_batch(api, expect(post_batch(api, items), 202)["id"])
    assert (final["status"], final["count"], final["succeeded"], final["failed"]) == \
        ("failed", 5, 3, 2)
    statuses = [item["status"] for item in final["items"]]
    assert statuses == ["succeeded", "succeeded", "failed", "failed", "succeeded"]
    assert final["items"][1]["message"] == \
        "camera already registered with this serial number; nothing changed"
    assert final["items"][2]["message"] == (
        f"camera {existing['id']} already exists with serial number "
        f"'{existing['serialNumber']}', not '{taken_id['serialNumber']}'")
    assert final["items"][3]["message"] == (
        f"serial number '{existing['serialNumber']}' already belongs to camera {existing['id']}")
    for item in good:
        expect(api.get(f"/cameras/{item['cameraId']}", api.operator_token), 200)
    assert_error(api.get(f"/cameras/{taken_serial['cameraId']}", api.operator_token), 404)


def test_posting_the_same_batch_again_succeeds(api):
    items = cameras(5)
    first = wait_batch(api, expect(post_batch(api, items), 202)["id"])
    again = wait_batch(api, expect(post_batch(api, items), 202)["id"])
    assert (first["status"], again["status"], again["succeeded"]) == ("succeeded", "succeeded", 5)
    events = expect(api.get("/events", api.operator_token,
                            params={"cameraId": items[0]["cameraId"], "type": "camera.registered"}),
                    200)
    assert len(events) == 1


def test_a_batch_of_1000_is_accepted(api):
    accepted = expect(post_batch(api, cameras(1000)), 202)
    assert accepted["count"] == 1000
    final = wait_batch(api, accepted["id"])
    assert (final["status"], final["succeeded"]) == ("succeeded", 1000)


@pytest.mark.parametrize("body, message", [
    ({}, "field 'cameras' is required"),
    ({"cameras": []}, "field 'cameras' must be an array of 1 to 1000 cameras"),
    ({"cameras": "x"}, "field 'cameras' must be an array of 1 to 1000 cameras"),
    ({"cameras": [{"cameraId": "ID", "serialNumber": "S"}] * 1001},
     "field 'cameras' must be an array of 1 to 1000 cameras"),
    ({"cameras": [{"cameraId": "ID", "serialNumber": "S"}], "extra": 1}, "unknown field 'extra'; allowed: cameras"),
    ({"cameras": [{"cameraId": "ID", "serialNumber": "S"}, 7]},
     "cameras[1] must be an object with 'cameraId' and 'serialNumber'"),
    ({"cameras": [{"cameraId": "ID", "serialNumber": "S"}, {"serialNumber": "S"}]},
     "field 'cameras[1].cameraId' is required"),
    ({"cameras": [{"cameraId": "nope", "serialNumber": "S"}]},
     "field 'cameras[0].cameraId' must be a UUID"),
    ({"cameras": [{"cameraId": "ID"}]}, "field 'cameras[0].serialNumber' is required"),
    ({"cameras": [{"cameraId": "ID", "serialNumber": ""}]},
     "field 'cameras[0].serialNumber' must not be empty"),
    ({"cameras": [{"cameraId": "ID", "serialNumber": "s" * 129}]},
     "field 'cameras[0].serialNumber' must be at most 128 characters long"),
    ({"cameras": [{"cameraId": "ID", "serialNumber": 5}]},
     "field 'cameras[0].serialNumber' must be a string"),
    ({"cameras": [{"cameraId": "ID", "serialNumber": "S", "siteId": "x"}]},
     "unknown field 'cameras[0].siteId'; allowed: cameraId, serialNumber"),
    ({"cameras": [{"cameraId": "ID", "serial_number": "S"}]},
     "unknown field 'cameras[0].serial_number' — did you mean 'serialNumber'? allowed: cameraId, serialNumber"),
])
def test_an_invalid_batch_is_400_naming_the_item_and_field_and_stores_nothing(api, body, message):
    camera_id = new_id()
    fill = {"ID": camera_id, "S": unique_serial()}
    if isinstance(body.get("cameras"), list):
        body = {**body, "cameras": [{k: fill.get(v, v) for k, v in item.items()}
                                    if isinstance(item, dict) else item
                                    for item in body["cameras"]]}
    error = assert_error(api.post("/register-camera-batches", api.operator_token, json=body), 400)
    assert message in error["message"], error
    time.sleep(0.2)  # a wrongly accepted batch would be carried out by now
    assert_error(api.get(f"/cameras/{camera_id}", api.operator_token), 404)


def test_admin_and_viewer_cannot_post_or_read_batches(api, tenant):
    for token in (tenant.admin_token, tenant.viewer_token):
        assert_error(post_batch(api, cameras(1), token), 403)
    accepted = expect(post_batch(api, cameras(1)), 202)
    for token in (tenant.admin_token, tenant.viewer_token):
        assert_error(api.get(f"/register-camera-batches/{accepted['id']}", token), 403)


def test_unknown_batch_is_404_and_malformed_id_is_422(api):
    assert_error(api.get(f"/register-camera-batches/{new_id()}", api.operator_token), 404)
    assert_error(api.get("/register-camera-batches/xyz", api.operator_token), 422)


def test_a_single_request_id_is_no_batch(api):
    accepted = expect(api.post("/register-camera-requests", api.operator_token,
                               json={"cameraId": new_id(), "serialNumber": unique_serial()}), 202)
    assert_error(api.get(f"/register-camera-batches/{accepted['id']}", api.operator_token), 404)
