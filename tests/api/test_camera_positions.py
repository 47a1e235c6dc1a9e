"""GET /cameras/{cameraId}/positions (docs/API.md "Cameras"): each claim and move of the camera,
newest first, visible like the camera — an earlier organisation's positions hidden from the one
holding it now, a viewer's limited to its granted sites, 404 outside the caller's reach."""
import time

from conftest import Tenant, assert_error, assert_recent, assert_uuid, expect, make_client, client_token

POSITION_KEYS = {"cameraPositionId", "organisationId", "siteId", "startedAt", "endedAt"}


def positions(api, camera_id, token):
    body = expect(api.get(f"/cameras/{camera_id}/positions", token), 200)
    assert isinstance(body, list)
    for position in body:
        assert set(position) == POSITION_KEYS, position
        assert_uuid(position["cameraPositionId"])
    return body


def move(api, token, camera_id, site_id):
    return expect(api.post(f"/cameras/{camera_id}/move", token, json={"siteId": site_id}), 201)


def test_claim_and_moves_are_listed_newest_first_with_their_ends(api, tenant):
    before = time.time()
    second_site = tenant.add_site()
    camera = tenant.camera()
    moved = move(api, tenant.admin_token, camera["id"], second_site["id"])
    back = move(api, tenant.admin_token, camera["id"], tenant.site_id)
    after = time.time()
    listed = positions(api, camera["id"], tenant.admin_token)
    assert [p["cameraPositionId"] for p in listed] == [back["cameraPositionId"], moved["cameraPositionId"],
                                                       camera["cameraPositionId"]]
    assert [p["siteId"] for p in listed] == [tenant.site_id, second_site["id"], tenant.site_id]
    assert {p["organisationId"] for p in listed} == {tenant.org_id}
    assert listed[0]["endedAt"] is None
    for newer, older in zip(listed, listed[1:]):
        assert older["endedAt"] == newer["startedAt"]
    for position in listed:
        assert_recent(position["startedAt"], before, after)
    assert positions(api, camera["id"], api.operator_token) == listed


def test_a_decommission_ends_the_position(api, tenant):
    camera = tenant.camera()
    expect(api.delete(f"/cameras/{camera['id']}", tenant.admin_token), 204)
    listed = positions(api, camera["id"], tenant.admin_token)
    assert len(listed) == 1
    assert listed[0]["endedAt"] is not None


def test_a_registered_camera_has_no_positions_for_the_operator(api):
    from conftest import register_camera
    camera = register_camera(api)
    assert positions(api, camera["id"], api.operator_token) == []


def test_the_new_owner_does_not_see_an_earlier_organisations_positions(api, tenant, other_tenant):
    camera = tenant.camera()
    first = positions(api, camera["id"], tenant.admin_token)
    expect(api.delete(f"/cameras/{camera['id']}", tenant.admin_token), 204)
    reclaimed = expect(api.post("/cameras", other_tenant.admin_token,
                                json={"serialNumber": camera["serialNumber"], "siteId": other_tenant.site_id}), 201)
    mine = positions(api, camera["id"], other_tenant.admin_token)
    assert [p["cameraPositionId"] for p in mine] == [reclaimed["cameraPositionId"]]
    assert mine[0]["organisationId"] == other_tenant.org_id
    every = positions(api, camera["id"], api.operator_token)
    assert [p["cameraPositionId"] for p in every] == [reclaimed["cameraPositionId"], first[0]["cameraPositionId"]]
    # the earlier owner no longer sees the camera at all
    assert_error(api.get(f"/cameras/{camera['id']}/positions", tenant.admin_token), 404)


def test_a_viewer_sees_the_positions_at_its_granted_sites_only(api, tenant):
    other_site = tenant.add_site()
    camera = tenant.camera(site_id=other_site["id"])
    moved = move(api, tenant.admin_token, camera["id"], tenant.site_id)  # the viewer's granted site
    listed = positions(api, camera["id"], tenant.viewer_token)
    assert [p["cameraPositionId"] for p in listed] == [moved["cameraPositionId"]]
    viewer_client = make_client(api, tenant.org_id, "viewer")
    assert len(positions(api, camera["id"], client_token(api, viewer_client))) == 2


def test_other_organisations_and_unknown_cameras_are_404(api, tenant, other_tenant):
    camera = tenant.camera()
    assert_error(api.get(f"/cameras/{camera['id']}/positions", other_tenant.admin_token), 404)
    assert_error(api.get(f"/cameras/{camera['id']}/positions", other_tenant.viewer_token), 404)
    unseen_site = tenant.add_site()
    hidden = tenant.camera(site_id=unseen_site["id"])
    assert_error(api.get(f"/cameras/{hidden['id']}/positions", tenant.viewer_token), 404)
    assert_error(api.get("/cameras/7d9f1c2e-0b6a-4e8e-9a53-2f4c1d0e8b71/positions", api.operator_token), 404)
    assert_error(api.get("/cameras/not-a-uuid/positions", api.operator_token), 422)


def test_without_a_token_it_is_401(api, tenant):
    camera = tenant.camera()
    resp = api.get(f"/cameras/{camera['id']}/positions")
    assert resp.status_code == 401
