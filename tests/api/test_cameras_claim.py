"""POST /cameras: claiming a registered (or decommissioned) camera to a site."""
import time

import pytest

from conftest import (assert_camera_shape, assert_error, assert_never_seen, assert_recent,
                      assert_uuid, claim_camera, expect, new_id, register_camera, unique_serial)


def test_admin_claims_registered_camera(api, tenant):
    camera = register_camera(api)
    before = time.time()
    claimed = expect(api.post("/cameras", tenant.admin_token, json={
        "name": "Entrance", "serialNumber": camera["serialNumber"],
        "siteId": tenant.site_id}), 201)
    after = time.time()
    assert_camera_shape(claimed)
    assert claimed["id"] == camera["id"]
    assert claimed["serialNumber"] == camera["serialNumber"]
    assert claimed["name"] == "Entrance"
    assert claimed["direction1Alias"] is None
    assert claimed["direction2Alias"] is None
    assert claimed["state"] == "running"
    assert claimed["organisationId"] == tenant.org_id
    assert claimed["siteId"] == tenant.site_id
    assert_uuid(claimed["cameraPositionId"])
    assert_recent(claimed["claimedAt"], before, after)
    assert_never_seen(claimed)


def test_claimed_camera_reads_back_identically(api, tenant):
    claimed = tenant.camera(name="Door")
    assert expect(api.get(f"/cameras/{claimed['id']}", tenant.admin_token), 200) == claimed


def test_claim_without_name_leaves_name_null(api, tenant):
    assert tenant.camera()["name"] is None


def test_claim_with_null_name_leaves_name_null(api, tenant):
    assert tenant.camera(name=None)["name"] is None


def test_claim_with_200_character_name_is_accepted(api, tenant):
    assert tenant.camera(name="n" * 200)["name"] == "n" * 200


def test_operator_claims_camera_for_the_sites_organisation(api, tenant):
    camera = register_camera(api)
    claimed = claim_camera(api, api.operator_token, camera["serialNumber"], tenant.site_id)
    assert claimed["organisationId"] == tenant.org_id
    assert claimed["siteId"] == tenant.site_id
    assert claimed["state"] == "running"


def test_admin_client_claims_camera(api, tenant):
    camera = register_camera(api)
    claimed = claim_camera(api, tenant.admin_client_token, camera["serialNumber"], tenant.site_id)
    assert claimed["organisationId"] == tenant.org_id


def test_claim_twice_is_conflict(api, tenant):
    claimed = tenant.camera()
    resp = api.post("/cameras", tenant.admin_token,
                    json={"serialNumber": claimed["serialNumber"], "siteId": tenant.site_id})
    assert_error(resp, 409)


def test_claim_of_camera_running_in_another_organisation_is_conflict(api, tenant, other_tenant):
    claimed = other_tenant.camera()
    resp = api.post("/cameras", tenant.admin_token,
                    json={"serialNumber": claimed["serialNumber"], "siteId": tenant.site_id})
    assert_error(resp, 409)
    still = expect(api.get(f"/cameras/{claimed['id']}", api.operator_token), 200)
    assert still == claimed


def test_claim_of_paused_camera_is_conflict(api, tenant, other_tenant):
    claimed = other_tenant.camera()
    expect(api.put(f"/cameras/{claimed['id']}/state/paused", other_tenant.admin_token), 201)
    resp = api.post("/cameras", tenant.admin_token,
                    json={"serialNumber": claimed["serialNumber"], "siteId": tenant.site_id})
    assert_error(resp, 409)
    still = expect(api.get(f"/cameras/{claimed['id']}", api.operator_token), 200)
    assert still["state"] == "paused" and still["organisationId"] == other_tenant.org_id


def test_claim_of_decommissioned_camera_succeeds_with_a_new_position(api, tenant):
    first = tenant.camera(name="Before")
    expect(api.delete(f"/cameras/{first['id']}", tenant.admin_token), 204)
    again = claim_camera(api, tenant.admin_token, first["serialNumber"], tenant.site_id,
                         name="After")
    assert again["id"] == first["id"]
    assert again["state"] == "running"
    assert again["name"] == "After"
    assert again["cameraPositionId"] != first["cameraPositionId"]
    assert again["claimedAt"] >= first["claimedAt"]


def test_claim_of_unknown_serial_is_404(api, tenant):
    resp = api.post("/cameras", tenant.admin_token,
                    json={"serialNumber": unique_serial(), "siteId": tenant.site_id})
    assert_error(resp, 404)


def test_claim_to_unknown_site_is_404(api, tenant):
    camera = register_camera(api)
    resp = api.post("/cameras", tenant.admin_token,
                    json={"serialNumber": camera["serialNumber"], "siteId": new_id()})
    assert_error(resp, 404)
    assert expect(api.get(f"/cameras/{camera['id']}", api.operator_token), 200)["state"] == \
        "registered"


def test_admin_claim_to_another_organisations_site_is_404(api, tenant, other_tenant):
    camera = register_camera(api)
    resp = api.post("/cameras", tenant.admin_token,
                    json={"serialNumber": camera["serialNumber"], "siteId": other_tenant.site_id})
    assert_error(resp, 404)
    after = expect(api.get(f"/cameras/{camera['id']}", api.operator_token), 200)
    assert after["state"] == "registered" and after["organisationId"] is None


def test_viewer_cannot_claim(api, tenant):
    camera = register_camera(api)
    resp = api.post("/cameras", tenant.viewer_token,
                    json={"serialNumber": camera["serialNumber"], "siteId": tenant.site_id})
    assert_error(resp, 403)


def test_claim_without_token_is_401(api, tenant):
    resp = api.post("/cameras", json={"serialNumber": "x", "siteId": tenant.site_id})
    assert_error(resp, 401)


@pytest.mark.parametrize("body", [
    {"siteId": "SITE"},
    {"serialNumber": "SERIAL"},
    {"serialNumber": "", "siteId": "SITE"},
    {"serialNumber": "s" * 129, "siteId": "SITE"},
    {"serialNumber": 12345, "siteId": "SITE"},
    {"serialNumber": "SERIAL", "siteId": "not-a-uuid"},
    {"serialNumber": "SERIAL", "siteId": 17},
    {"serialNumber": "SERIAL", "siteId": "SITE", "name": "n" * 201},
    {"serialNumber": "SERIAL", "siteId": "SITE", "name": 3},
    {"serialNumber": "SERIAL", "siteId": "SITE", "state": "running"},
])
def test_invalid_claim_body_is_400_and_claims_nothing(api, tenant, body):
    camera = register_camera(api)
    filled = {key: (camera["serialNumber"] if value == "SERIAL" else
                    tenant.site_id if value == "SITE" else value)
              for key, value in body.items()}
    assert_error(api.post("/cameras", tenant.admin_token, json=filled), 400)
    after = expect(api.get(f"/cameras/{camera['id']}", api.operator_token), 200)
    assert after["state"] == "registered"


def test_registered_camera_is_visible_to_operator_with_nulls(api):
    camera = register_camera(api)
    read = expect(api.get(f"/cameras/{camera['id']}", api.operator_token), 200)
    assert_camera_shape(read)
    assert read["serialNumber"] == camera["serialNumber"]
    assert read["state"] == "registered"
    for key in ("organisationId", "siteId", "cameraPositionId", "claimedAt", "name",
                "direction1Alias", "direction2Alias"):
        assert read[key] is None, key
    assert_never_seen(read)


def test_registered_camera_is_invisible_to_admin(api, tenant):
    camera = register_camera(api)
    assert_error(api.get(f"/cameras/{camera['id']}", tenant.admin_token), 404)


def test_serial_of_128_characters_can_be_registered_and_claimed(api, tenant):
    serial = (unique_serial() + "x" * 128)[:128]
    camera = register_camera(api, serial=serial)
    claimed = claim_camera(api, tenant.admin_token, serial, tenant.site_id)
    assert claimed["serialNumber"] == serial and claimed["id"] == camera["id"]


def test_claim_accepts_uppercase_site_id(api, tenant):
    camera = register_camera(api)
    claimed = claim_camera(api, tenant.admin_token, camera["serialNumber"],
                           tenant.site_id.upper())
    assert claimed["siteId"] == tenant.site_id


def test_concurrent_claims_of_one_camera_let_exactly_one_win(api, tenant, other_tenant):
    import threading

    import requests
    tokens = [tenant.admin_token, other_tenant.admin_token] * 3
    sites = [tenant.site_id, other_tenant.site_id] * 3
    for _round in range(3):
        camera = register_camera(api)
        responses = []
        barrier = threading.Barrier(len(tokens))

        def claim(token, site_id):
            barrier.wait(timeout=10)
            responses.append(requests.post(
                api.base + "/cameras", timeout=30, headers={"Authorization": f"Bearer {token}"},
                json={"serialNumber": camera["serialNumber"], "siteId": site_id}))

        threads = [threading.Thread(target=claim, args=pair) for pair in zip(tokens, sites)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        statuses = sorted(resp.status_code for resp in responses)
        assert statuses == [201] + [409] * (len(tokens) - 1), statuses
        for resp in responses:
            if resp.status_code == 409:
                assert_error(resp, 409)
        winner = next(resp.json() for resp in responses if resp.status_code == 201)
        assert expect(api.get(f"/cameras/{camera['id']}", api.operator_token), 200) == winner
