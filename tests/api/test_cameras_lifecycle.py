"""The camera lifecycle over HTTP: state changes, decommissioning, moving, patching, new
positions on each claim and move, and reclaiming by another organisation."""
import time

import pytest

from conftest import (assert_camera_shape, assert_error, assert_recent, assert_uuid,
                      claim_camera, expect, new_id, register_camera)


def get_camera(api, camera_id, token=None):
    return expect(api.get(f"/cameras/{camera_id}", token or api.operator_token), 200)


def set_state(api, token, camera_id, state):
    return api.put(f"/cameras/{camera_id}/state/{state}", token)


def decommission(api, token, camera_id):
    expect(api.delete(f"/cameras/{camera_id}", token), 204)


# --- PUT /cameras/{id}/state/{newState} -----------------------------------------------------------

def test_pause_running_camera(api, tenant):
    camera = tenant.camera(name="Gate")
    paused = expect(set_state(api, tenant.admin_token, camera["id"], "paused"), 201)
    assert_camera_shape(paused)
    assert paused == {**camera, "state": "paused"}
    assert get_camera(api, camera["id"], tenant.admin_token) == paused


def test_resume_paused_camera(api, tenant):
    camera = tenant.camera()
    expect(set_state(api, tenant.admin_token, camera["id"], "paused"), 201)
    running = expect(set_state(api, tenant.admin_token, camera["id"], "running"), 201)
    assert running == {**camera, "state": "running"}


def test_operator_changes_state_of_any_camera(api, tenant):
    camera = tenant.camera()
    assert expect(set_state(api, api.operator_token, camera["id"], "paused"), 201)["state"] == \
        "paused"


def test_admin_client_changes_state(api, tenant):
    camera = tenant.camera()
    assert expect(set_state(api, tenant.admin_client_token, camera["id"], "paused"),
                  201)["state"] == "paused"


@pytest.mark.parametrize("state", ["stopped", "decommissioned", "registered", "claimed",
                                   "RUNNING"])
def test_unknown_new_state_is_422(api, tenant, state):
    camera = tenant.camera()
    assert_error(set_state(api, tenant.admin_token, camera["id"], state), 422)
    assert get_camera(api, camera["id"])["state"] == "running"


def test_state_change_of_decommissioned_camera_is_422(api, tenant):
    camera = tenant.camera()
    decommission(api, tenant.admin_token, camera["id"])
    for state in ("running", "paused"):
        assert_error(set_state(api, tenant.admin_token, camera["id"], state), 422)
    assert get_camera(api, camera["id"])["state"] == "decommissioned"


def test_state_change_of_registered_camera_is_422(api):
    camera = register_camera(api)
    assert_error(set_state(api, api.operator_token, camera["id"], "running"), 422)
    assert get_camera(api, camera["id"])["state"] == "registered"


def test_viewer_cannot_change_state(api, tenant):
    camera = tenant.camera()
    assert_error(set_state(api, tenant.viewer_token, camera["id"], "paused"), 403)
    assert get_camera(api, camera["id"])["state"] == "running"


def test_state_change_of_unknown_camera_is_404(api):
    assert_error(set_state(api, api.operator_token, new_id(), "paused"), 404)


def test_state_change_with_malformed_camera_id_is_422(api):
    assert_error(set_state(api, api.operator_token, "xyz", "paused"), 422)


# --- DELETE /cameras/{id} -------------------------------------------------------------------------

def test_delete_running_camera_decommissions_it_keeping_placement(api, tenant):
    camera = tenant.camera(name="Old")
    decommission(api, tenant.admin_token, camera["id"])
    after = get_camera(api, camera["id"], tenant.admin_token)
    assert after == {**camera, "state": "decommissioned"}


def test_delete_paused_camera_decommissions_it(api, tenant):
    camera = tenant.camera()
    expect(set_state(api, tenant.admin_token, camera["id"], "paused"), 201)
    decommission(api, tenant.admin_token, camera["id"])
    assert get_camera(api, camera["id"])["state"] == "decommissioned"


def test_delete_decommissioned_camera_is_422(api, tenant):
    camera = tenant.camera()
    decommission(api, tenant.admin_token, camera["id"])
    assert_error(api.delete(f"/cameras/{camera['id']}", tenant.admin_token), 422)


def test_delete_registered_camera_is_422(api):
    camera = register_camera(api)
    assert_error(api.delete(f"/cameras/{camera['id']}", api.operator_token), 422)
    assert get_camera(api, camera["id"])["state"] == "registered"


def test_viewer_cannot_delete_camera(api, tenant):
    camera = tenant.camera()
    assert_error(api.delete(f"/cameras/{camera['id']}", tenant.viewer_token), 403)
    assert get_camera(api, camera["id"])["state"] == "running"


def test_delete_unknown_camera_is_404(api):
    assert_error(api.delete(f"/cameras/{new_id()}", api.operator_token), 404)


def test_decommissioned_camera_stays_visible_to_its_organisation(api, tenant):
    camera = tenant.camera()
    decommission(api, tenant.admin_token, camera["id"])
    assert get_camera(api, camera["id"], tenant.viewer_token)["state"] == "decommissioned"


# --- POST /cameras/{id}/move ----------------------------------------------------------------------

def test_move_camera_to_another_site_gives_a_new_position(api, tenant):
    camera = tenant.camera(name="Mover")
    target = tenant.add_site()
    moved = expect(api.post(f"/cameras/{camera['id']}/move", tenant.admin_token,
                            json={"siteId": target["id"]}), 201)
    assert_camera_shape(moved)
    assert moved["siteId"] == target["id"]
    assert_uuid(moved["cameraPositionId"])
    assert moved["cameraPositionId"] != camera["cameraPositionId"]
    assert moved["organisationId"] == tenant.org_id
    assert moved["state"] == "running"
    assert moved["name"] == "Mover"
    assert get_camera(api, camera["id"], tenant.admin_token) == moved


def test_move_keeps_a_paused_camera_paused(api, tenant):
    camera = tenant.camera()
    expect(set_state(api, tenant.admin_token, camera["id"], "paused"), 201)
    target = tenant.add_site()
    moved = expect(api.post(f"/cameras/{camera['id']}/move", tenant.admin_token,
                            json={"siteId": target["id"]}), 201)
    assert moved["state"] == "paused" and moved["siteId"] == target["id"]


def test_move_to_the_same_site_still_opens_a_new_position(api, tenant):
    camera = tenant.camera()
    moved = expect(api.post(f"/cameras/{camera['id']}/move", tenant.admin_token,
                            json={"siteId": tenant.site_id}), 201)
    assert moved["siteId"] == tenant.site_id
    assert moved["cameraPositionId"] != camera["cameraPositionId"]


def test_admin_moving_to_another_organisations_site_is_404(api, tenant, other_tenant):
    camera = tenant.camera()
    resp = api.post(f"/cameras/{camera['id']}/move", tenant.admin_token,
                    json={"siteId": other_tenant.site_id})
    assert_error(resp, 404)
    assert get_camera(api, camera["id"]) == camera


def test_operator_moving_to_another_organisations_site_is_422(api, tenant, other_tenant):
    camera = tenant.camera()
    resp = api.post(f"/cameras/{camera['id']}/move", api.operator_token,
                    json={"siteId": other_tenant.site_id})
    assert_error(resp, 422)
    assert get_camera(api, camera["id"]) == camera


def test_move_to_unknown_site_is_404(api, tenant):
    camera = tenant.camera()
    assert_error(api.post(f"/cameras/{camera['id']}/move", tenant.admin_token,
                          json={"siteId": new_id()}), 404)


def test_move_of_decommissioned_camera_is_422(api, tenant):
    camera = tenant.camera()
    decommission(api, tenant.admin_token, camera["id"])
    target = tenant.add_site()
    assert_error(api.post(f"/cameras/{camera['id']}/move", tenant.admin_token,
                          json={"siteId": target["id"]}), 422)
    assert get_camera(api, camera["id"])["siteId"] == tenant.site_id


def test_move_of_registered_camera_is_422(api, tenant):
    camera = register_camera(api)
    assert_error(api.post(f"/cameras/{camera['id']}/move", api.operator_token,
                          json={"siteId": tenant.site_id}), 422)


def test_viewer_cannot_move_camera(api, tenant):
    camera = tenant.camera()
    target = tenant.add_site()
    assert_error(api.post(f"/cameras/{camera['id']}/move", tenant.viewer_token,
                          json={"siteId": target["id"]}), 403)


@pytest.mark.parametrize("body", [{}, {"siteId": "nope"}, {"siteId": 5}, {"siteId": None},
                                  {"siteId": "SITE", "extra": 1}])
def test_move_with_invalid_body_is_400(api, tenant, body):
    camera = tenant.camera()
    body = {k: (tenant.site_id if v == "SITE" else v) for k, v in body.items()}
    assert_error(api.post(f"/cameras/{camera['id']}/move", tenant.admin_token, json=body), 400)
    assert get_camera(api, camera["id"]) == camera


# --- PATCH /cameras/{id} --------------------------------------------------------------------------

def test_patch_sets_name_and_direction_aliases(api, tenant):
    camera = tenant.camera()
    patched = expect(api.patch(f"/cameras/{camera['id']}", tenant.admin_token, json={
        "name": "North door", "direction1Alias": "In", "direction2Alias": "Out"}), 200)
    assert patched == {**camera, "name": "North door", "direction1Alias": "In",
                       "direction2Alias": "Out"}
    assert get_camera(api, camera["id"], tenant.admin_token) == patched


def test_patch_of_one_field_keeps_the_others(api, tenant):
    camera = tenant.camera(name="Keep")
    expect(api.patch(f"/cameras/{camera['id']}", tenant.admin_token,
                     json={"direction1Alias": "Northbound", "direction2Alias": "Southbound"}),
           200)
    patched = expect(api.patch(f"/cameras/{camera['id']}", tenant.admin_token,
                               json={"direction2Alias": "South"}), 200)
    assert patched["name"] == "Keep"
    assert patched["direction1Alias"] == "Northbound"
    assert patched["direction2Alias"] == "South"


def test_patch_with_null_clears_a_value(api, tenant):
    camera = tenant.camera(name="To clear")
    expect(api.patch(f"/cameras/{camera['id']}", tenant.admin_token,
                     json={"direction1Alias": "In"}), 200)
    patched = expect(api.patch(f"/cameras/{camera['id']}", tenant.admin_token,
                               json={"name": None, "direction1Alias": None}), 200)
    assert patched["name"] is None and patched["direction1Alias"] is None


def test_patch_with_empty_object_changes_nothing(api, tenant):
    camera = tenant.camera(name="Same")
    assert expect(api.patch(f"/cameras/{camera['id']}", tenant.admin_token, json={}), 200) == \
        camera


def test_patch_with_200_characters_is_accepted(api, tenant):
    camera = tenant.camera()
    patched = expect(api.patch(f"/cameras/{camera['id']}", tenant.admin_token,
                               json={"direction1Alias": "a" * 200}), 200)
    assert patched["direction1Alias"] == "a" * 200


@pytest.mark.parametrize("body", [
    {"name": "n" * 201},
    {"direction1Alias": "d" * 201},
    {"direction2Alias": 5},
    {"name": ["x"]},
    {"serialNumber": "changed"},
    {"state": "paused"},
    {"siteId": "60189e9c-7d12-438c-b9ca-6998d9c364b1"},
])
def test_patch_with_invalid_body_is_400_and_changes_nothing(api, tenant, body):
    camera = tenant.camera(name="Untouched")
    # a valid name rides along, so a server that skipped the bad field would show a change
    sent = body if "name" in body else {"name": "Would change", **body}
    resp = api.patch(f"/cameras/{camera['id']}", tenant.admin_token, json=sent)
    assert_error(resp, 400)
    assert get_camera(api, camera["id"], tenant.admin_token) == camera


def test_patch_of_paused_camera_is_allowed(api, tenant):
    camera = tenant.camera()
    expect(set_state(api, tenant.admin_token, camera["id"], "paused"), 201)
    patched = expect(api.patch(f"/cameras/{camera['id']}", tenant.admin_token,
                               json={"name": "Paused one"}), 200)
    assert patched["name"] == "Paused one" and patched["state"] == "paused"


def test_patch_of_decommissioned_camera_is_422(api, tenant):
    camera = tenant.camera(name="Gone")
    decommission(api, tenant.admin_token, camera["id"])
    assert_error(api.patch(f"/cameras/{camera['id']}", tenant.admin_token,
                           json={"name": "New"}), 422)
    assert get_camera(api, camera["id"])["name"] == "Gone"


def test_viewer_cannot_patch_camera(api, tenant):
    camera = tenant.camera(name="Fixed")
    assert_error(api.patch(f"/cameras/{camera['id']}", tenant.viewer_token,
                           json={"name": "Hacked"}), 403)
    assert get_camera(api, camera["id"])["name"] == "Fixed"


def test_patch_unknown_camera_is_404(api):
    assert_error(api.patch(f"/cameras/{new_id()}", api.operator_token, json={"name": "x"}), 404)


# --- positions, claimedAt and reclaiming ----------------------------------------------------------

def test_every_claim_and_move_opens_a_distinct_position(api, tenant):
    camera = tenant.camera()
    positions = [camera["cameraPositionId"]]
    second_site = tenant.add_site()
    for site_id in (second_site["id"], tenant.site_id):
        moved = expect(api.post(f"/cameras/{camera['id']}/move", tenant.admin_token,
                                json={"siteId": site_id}), 201)
        positions.append(moved["cameraPositionId"])
    decommission(api, tenant.admin_token, camera["id"])
    reclaimed = claim_camera(api, tenant.admin_token, camera["serialNumber"], second_site["id"])
    positions.append(reclaimed["cameraPositionId"])
    for position in positions:
        assert_uuid(position)
    assert len(set(positions)) == len(positions)


def test_state_changes_and_patches_keep_the_position(api, tenant):
    camera = tenant.camera()
    paused = expect(set_state(api, tenant.admin_token, camera["id"], "paused"), 201)
    patched = expect(api.patch(f"/cameras/{camera['id']}", tenant.admin_token,
                               json={"name": "P"}), 200)
    assert paused["cameraPositionId"] == camera["cameraPositionId"]
    assert patched["cameraPositionId"] == camera["cameraPositionId"]
    assert patched["claimedAt"] == camera["claimedAt"]


def test_reclaim_after_decommission_by_another_organisation(api, tenant, other_tenant):
    camera = tenant.camera(name="First owner")
    decommission(api, tenant.admin_token, camera["id"])
    time.sleep(1.1)  # claimedAt has second precision: make the new claim's time distinct
    before = time.time()
    reclaimed = claim_camera(api, other_tenant.admin_token, camera["serialNumber"],
                             other_tenant.site_id, name="Second owner")
    after = time.time()
    assert reclaimed["id"] == camera["id"]
    assert reclaimed["state"] == "running"
    assert reclaimed["organisationId"] == other_tenant.org_id
    assert reclaimed["siteId"] == other_tenant.site_id
    assert reclaimed["name"] == "Second owner"
    assert reclaimed["cameraPositionId"] != camera["cameraPositionId"]
    assert_recent(reclaimed["claimedAt"], before, after)
    assert reclaimed["claimedAt"] > camera["claimedAt"]
    assert_error(api.get(f"/cameras/{camera['id']}", tenant.admin_token), 404)
    assert camera["id"] not in [c["id"] for c in expect(
        api.get("/cameras?state=decommissioned", tenant.admin_token), 200)]
    assert get_camera(api, camera["id"], other_tenant.admin_token) == reclaimed


def test_patch_with_empty_strings_is_accepted(api, tenant):
    camera = tenant.camera(name="Named")
    patched = expect(api.patch(f"/cameras/{camera['id']}", tenant.admin_token,
                               json={"name": "", "direction1Alias": ""}), 200)
    assert patched["name"] == "" and patched["direction1Alias"] == ""


def test_patch_text_limit_counts_characters_not_bytes(api, tenant):
    camera = tenant.camera()
    text = "é" * 200  # 400 bytes of UTF-8
    patched = expect(api.patch(f"/cameras/{camera['id']}", tenant.admin_token,
                               json={"name": text, "direction2Alias": "→" * 200}), 200)
    assert patched["name"] == text and patched["direction2Alias"] == "→" * 200
    assert get_camera(api, camera["id"], tenant.admin_token) == patched
    assert_error(api.patch(f"/cameras/{camera['id']}", tenant.admin_token,
                           json={"name": "é" * 201}), 400)
