"""Organisation isolation: organisation A's admin user, admin-role API client and viewer can
neither see nor change organisation B's cameras, sites, users, clients and requests (404, never
403 for existence), viewers get 403 on every write, and viewers see only granted sites."""
import pytest

from conftest import (assert_error, expect, grant_sites, make_client, make_user,
                      register_camera, unique, unique_email)

PRINCIPALS = ["admin_user", "admin_client", "viewer"]


@pytest.fixture
def world(api, tenant, other_tenant):
    """Organisation A (tenant) and organisation B (other_tenant) with things in B to attack."""
    b = other_tenant
    camera = b.camera(name="B camera")
    paused = b.camera(name="B paused")
    expect(api.put(f"/cameras/{paused['id']}/state/paused", b.admin_token), 201)
    paused = expect(api.get(f"/cameras/{paused['id']}", api.operator_token), 200)
    state_request = expect(api.post("/put-camera-state-requests", b.admin_token,
                                    json={"cameraId": camera["id"], "newState": "claimed"}), 202)
    client = make_client(api, b.org_id, "viewer")
    tenant.camera(name="A camera")
    return {
        "a": tenant, "b": b, "camera": camera, "paused": paused,
        "user": b.viewer, "admin": b.admin, "client": client,
        "state_request": state_request,
    }


def token_of(world, principal):
    a = world["a"]
    return {"admin_user": lambda: a.admin_token, "admin_client": lambda: a.admin_client_token,
            "viewer": lambda: a.viewer_token}[principal]()


def snapshot(api, world):
    """What B holds, read as the operator."""
    op = api.operator_token
    b = world["b"]
    return {
        "org": expect(api.get(f"/organisations/{b.org_id}", op), 200),
        "site": expect(api.get(f"/sites/{b.site_id}", op), 200),
        "camera": expect(api.get(f"/cameras/{world['camera']['id']}", op), 200),
        "paused": expect(api.get(f"/cameras/{world['paused']['id']}", op), 200),
        "user": expect(api.get(f"/users/{world['user']['id']}", op), 200),
        "user_sites": expect(api.get(f"/users/{world['user']['id']}/sites", op), 200),
        "client": expect(api.get(f"/clients/{world['client']['clientId']}", op), 200),
        "sites": expect(api.get(f"/sites?organisationId={b.org_id}", op), 200),
        "users": expect(api.get(f"/users?organisationId={b.org_id}", op), 200),
    }


# --- reads ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("principal", PRINCIPALS)
def test_other_organisations_camera_reads_are_404(api, world, principal):
    token = token_of(world, principal)
    camera_id = world["camera"]["id"]
    for path in (f"/cameras/{camera_id}", f"/cameras/{camera_id}?includeMetrics=false",
                 f"/cameras/{camera_id}/opening-hours?date=2024-06-01",
                 f"/cameras/{camera_id}/video-upload-metrics"):
        assert_error(api.get(path, token), 404)
    assert_error(api.post("/frame-requests", token, json={"cameraId": camera_id}), 404)
    assert_error(api.post("/frame-requests", token, json={"cameraId": world["paused"]["id"]}),
                 404)


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_other_organisations_cameras_are_absent_from_lists(api, world, principal):
    token = token_of(world, principal)
    b = world["b"]
    listed = expect(api.get("/cameras?state=running&state=paused&state=decommissioned", token),
                    200)
    assert {c["organisationId"] for c in listed} == {world["a"].org_id}
    assert expect(api.get(f"/cameras?siteId={b.site_id}", token), 200) == []
    assert expect(api.get(f"/cameras?userId={world['admin']['id']}", token), 200) == []


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_other_organisation_and_its_sites_are_404(api, world, principal):
    token = token_of(world, principal)
    b = world["b"]
    assert_error(api.get(f"/organisations/{b.org_id}", token), 404)
    assert world["b"].org not in expect(api.get("/organisations", token), 200)
    assert_error(api.get(f"/sites/{b.site_id}", token), 404)
    assert b.site_id not in {s["id"] for s in expect(api.get("/sites", token), 200)}


@pytest.mark.parametrize("principal", ["admin_user", "admin_client"])
def test_other_organisations_users_and_clients_are_404_to_admins(api, world, principal):
    token = token_of(world, principal)
    assert_error(api.get(f"/users/{world['user']['id']}", token), 404)
    assert_error(api.get(f"/users/{world['user']['id']}/sites", token), 404)
    assert_error(api.get(f"/clients/{world['client']['clientId']}", token), 404)
    assert world["user"]["id"] not in {u["id"] for u in expect(api.get("/users", token), 200)}
    assert world["client"]["clientId"] not in {
        c["clientId"] for c in expect(api.get("/clients", token), 200)}


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_other_organisations_state_request_is_404(api, world, principal):
    token = token_of(world, principal)
    assert_error(api.get(f"/put-camera-state-requests/{world['state_request']['id']}", token), 404)


# --- writes by admins: 404 and nothing changes ----------------------------------------------------

@pytest.mark.parametrize("principal", ["admin_user", "admin_client"])
def test_admin_writes_to_other_organisation_are_404_and_change_nothing(api, world, principal):
    token = token_of(world, principal)
    a, b = world["a"], world["b"]
    camera_id, paused_id = world["camera"]["id"], world["paused"]["id"]
    before = snapshot(api, world)
    attempts = [
        api.put(f"/cameras/{camera_id}/state/paused", token),
        api.put(f"/cameras/{paused_id}/state/running", token),
        api.patch(f"/cameras/{camera_id}", token, json={"name": "stolen"}),
        api.post(f"/cameras/{camera_id}/move", token, json={"siteId": a.site_id}),
        api.delete(f"/cameras/{camera_id}", token),
        api.post("/put-camera-state-requests", token,
                 json={"cameraId": camera_id, "newState": "claimed_paused"}),
        api.post("/cameras", token, json={"serialNumber": register_camera(api)["serialNumber"],
                                          "siteId": b.site_id}),
        api.patch(f"/sites/{b.site_id}", token, json={"name": "stolen"}),
        api.delete(f"/sites/{b.site_id}", token),
        api.post("/sites", token, json={"name": unique(), "timeZone": "UTC", "organisationId": b.org_id}),
        api.patch(f"/users/{world['user']['id']}", token, json={"role": "admin"}),
        api.delete(f"/users/{world['user']['id']}", token),
        api.put(f"/users/{world['user']['id']}/sites", token, json={"siteIds": []}),
        api.post("/users", token, json={"email": unique_email(), "password": "long enough",
                                        "role": "admin", "organisationId": b.org_id}),
        api.delete(f"/clients/{world['client']['clientId']}", token),
        api.post("/clients", token, json={"name": unique(), "role": "admin",
                                          "organisationId": b.org_id}),
    ]
    for resp in attempts:
        assert_error(resp, 404)
    assert snapshot(api, world) == before


def test_admin_cannot_grant_its_viewer_another_organisations_site(api, world):
    a = world["a"]
    resp = api.put(f"/users/{a.viewer['id']}/sites", a.admin_token,
                   json={"siteIds": [world["b"].site_id]})
    assert_error(resp, 404)
    assert expect(api.get(f"/users/{a.viewer['id']}/sites", a.admin_token), 200) == \
        {"siteIds": [a.site_id]}


def test_admin_cannot_move_own_camera_to_other_organisations_site(api, world):
    a = world["a"]
    mine = a.camera()
    assert_error(api.post(f"/cameras/{mine['id']}/move", a.admin_token,
                          json={"siteId": world["b"].site_id}), 404)
    assert expect(api.get(f"/cameras/{mine['id']}", a.admin_token), 200) == mine


# --- viewers: 403 on every write ------------------------------------------------------------------

def test_viewer_writes_are_403_even_inside_its_own_organisation(api, world):
    a = world["a"]
    token = a.viewer_token
    mine = a.camera()
    registered = register_camera(api)
    attempts = [
        api.post("/cameras", token, json={"serialNumber": registered["serialNumber"],
                                          "siteId": a.site_id}),
        api.put(f"/cameras/{mine['id']}/state/paused", token),
        api.patch(f"/cameras/{mine['id']}", token, json={"name": "x"}),
        api.post(f"/cameras/{mine['id']}/move", token, json={"siteId": a.site_id}),
        api.delete(f"/cameras/{mine['id']}", token),
        api.post("/put-camera-state-requests", token,
                 json={"cameraId": mine["id"], "newState": "claimed_paused"}),
        api.post("/register-camera-requests", token,
                 json={"cameraId": registered["id"], "serialNumber": registered["serialNumber"]}),
        api.post("/sites", token, json={"name": unique()}),
        api.patch(f"/sites/{a.site_id}", token, json={"name": "x"}),
        api.delete(f"/sites/{a.site_id}", token),
        api.post("/users", token, json={"email": unique_email(), "password": "long enough",
                                        "role": "viewer"}),
        api.patch(f"/users/{a.admin['id']}", token, json={"role": "viewer"}),
        api.delete(f"/users/{a.admin['id']}", token),
        api.put(f"/users/{a.viewer['id']}/sites", token, json={"siteIds": []}),
        api.post("/clients", token, json={"name": unique(), "role": "viewer"}),
        api.post("/organisations", token, json={"name": unique()}),
        api.patch(f"/organisations/{a.org_id}", token, json={"name": "x"}),
        api.delete(f"/organisations/{a.org_id}", token),
    ]
    for resp in attempts:
        assert_error(resp, 403)
    assert expect(api.get(f"/cameras/{mine['id']}", api.operator_token), 200) == mine


def test_viewer_writes_to_other_organisation_are_403_not_404(api, world):
    token = world["a"].viewer_token
    camera_id = world["camera"]["id"]
    before = snapshot(api, world)
    for resp in (
        api.put(f"/cameras/{camera_id}/state/paused", token),
        api.patch(f"/cameras/{camera_id}", token, json={"name": "x"}),
        api.delete(f"/cameras/{camera_id}", token),
        api.patch(f"/sites/{world['b'].site_id}", token, json={"name": "x"}),
        api.delete(f"/users/{world['user']['id']}", token),
        api.delete(f"/clients/{world['client']['clientId']}", token),
    ):
        assert_error(resp, 403)
    assert snapshot(api, world) == before


# --- viewer visibility ----------------------------------------------------------------------------

def test_viewer_sees_only_cameras_of_granted_sites(api, tenant):
    hidden_site = tenant.add_site()
    visible = tenant.camera()
    hidden = tenant.camera(site_id=hidden_site["id"])
    token = tenant.viewer_token
    assert [c["id"] for c in expect(api.get("/cameras", token), 200)] == [visible["id"]]
    assert expect(api.get(f"/cameras/{visible['id']}", token), 200) == visible
    assert_error(api.get(f"/cameras/{hidden['id']}", token), 404)
    assert_error(api.get(f"/cameras/{hidden['id']}/opening-hours", token), 404)
    assert_error(api.get(f"/cameras/{hidden['id']}/video-upload-metrics", token), 404)
    assert_error(api.post("/frame-requests", token, json={"cameraId": hidden["id"]}), 404)
    assert expect(api.get(f"/cameras?siteId={hidden_site['id']}", token), 200) == []


def test_viewer_sees_a_camera_once_it_moves_to_a_granted_site(api, tenant):
    hidden_site = tenant.add_site()
    camera = tenant.camera(site_id=hidden_site["id"])
    assert_error(api.get(f"/cameras/{camera['id']}", tenant.viewer_token), 404)
    expect(api.post(f"/cameras/{camera['id']}/move", tenant.admin_token,
                    json={"siteId": tenant.site_id}), 201)
    assert expect(api.get(f"/cameras/{camera['id']}", tenant.viewer_token), 200)["siteId"] == \
        tenant.site_id


def test_viewer_loses_sight_when_the_grant_is_removed(api, tenant):
    camera = tenant.camera()
    assert expect(api.get(f"/cameras/{camera['id']}", tenant.viewer_token), 200) == camera
    grant_sites(api, tenant.viewer["id"], [], token=tenant.admin_token)
    assert_error(api.get(f"/cameras/{camera['id']}", tenant.viewer_token), 404)
    assert expect(api.get("/cameras", tenant.viewer_token), 200) == []


def test_viewer_without_grants_sees_no_cameras(api, tenant):
    tenant.camera()
    viewer = make_user(api, tenant.org_id, "viewer")
    token = api.token_for_user(viewer["email"], viewer["password"])
    assert expect(api.get("/cameras", token), 200) == []
    assert expect(api.get("/sites", token), 200) == []


def test_viewer_reads_a_state_request_of_a_camera_on_a_granted_site(api, tenant):
    camera = tenant.camera()
    accepted = expect(api.post("/put-camera-state-requests", tenant.admin_token,
                               json={"cameraId": camera["id"], "newState": "claimed"}), 202)
    expect(api.get(f"/put-camera-state-requests/{accepted['id']}", tenant.viewer_token), 200)
