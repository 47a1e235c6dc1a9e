"""Bad input everywhere: malformed and non-object JSON, wrong types, unknown fields, malformed
UUIDs in the path (422) and in the body (400), the documented order of checks, and that a
rejected request changes nothing."""
import pytest

from conftest import (Tenant, assert_error, assert_oauth_error, expect, new_id,
                      register_camera, unique, unique_email)

MALFORMED_BODIES = [
    b'{"name":',
    b"not json at all",
    b"",
    b'{"name": "x"} trailing',
    b'{"name": NaN}',
    b"{'name': 'single quotes'}",
    b'{"name": "\xff\xfe"}',
]
NON_OBJECT_BODIES = [b"[]", b'["name"]', b'"name"', b"42", b"null", b"true"]

MALFORMED_IDS = ["not-a-uuid", "1234", "0" * 36,
                 "6f1c2d4e-8b7a-4c3d-9e2f-1a2b3c4d5e6",     # one digit short
                 "6f1c2d4e-8b7a-4c3d-9e2f-1a2b3c4d5e6g",    # not hex
                 "6f1c2d4e-8b7a-4c3d-9e2f-1a2b3c4d5e6f0",   # one digit long
                 "6f1c2d4e8b7a-4c3d-9e2f-1a2b-3c4d5e6f"]    # hyphens misplaced


@pytest.fixture(scope="module")
def target(api):
    """One organisation with a site, an admin, a viewer and a running camera, shared by the module
    (every test here is rejected, so nothing may change it)."""
    tenant = Tenant(api)
    camera = tenant.camera(name="Target")
    tenant.admin_token, tenant.viewer_token  # noqa: B018 - log both in once
    return {"tenant": tenant, "camera": camera}


def snapshot(api, target):
    tenant, op = target["tenant"], api.operator_token
    return (
        expect(api.get(f"/cameras/{target['camera']['id']}", op), 200),
        expect(api.get(f"/sites?organisationId={tenant.org_id}", op), 200),
        expect(api.get(f"/users?organisationId={tenant.org_id}", op), 200),
        expect(api.get(f"/users/{tenant.viewer['id']}/sites", op), 200),
        expect(api.get(f"/organisations/{tenant.org_id}", op), 200),
    )


def body_endpoints(target):
    """(method, path) of every endpoint taking a JSON body, with real ids in the path."""
    tenant, camera_id = target["tenant"], target["camera"]["id"]
    return [
        ("POST", "/organisations"),
        ("PATCH", f"/organisations/{tenant.org_id}"),
        ("POST", "/sites"),
        ("PATCH", f"/sites/{tenant.site_id}"),
        ("POST", "/users"),
        ("PATCH", f"/users/{tenant.viewer['id']}"),
        ("PUT", f"/users/{tenant.viewer['id']}/sites"),
        ("POST", "/clients"),
        ("POST", "/cameras"),
        ("PATCH", f"/cameras/{camera_id}"),
        ("POST", f"/cameras/{camera_id}/move"),
        ("POST", "/frame-requests"),
        ("POST", "/register-camera-requests"),
        ("POST", "/put-camera-state-requests"),
    ]


ENDPOINT_NAMES = ["POST organisations", "PATCH organisation", "POST sites", "PATCH site",
                  "POST users", "PATCH user", "PUT user sites", "POST clients", "POST cameras",
                  "PATCH camera", "POST move", "POST frame-requests", "POST register",
                  "POST put-state"]


def send_raw(api, method, path, raw):
    return api.request(method, path, api.operator_token, data=raw,
                       headers={"Content-Type": "application/json"})


# --- malformed and non-object JSON ----------------------------------------------------------------

@pytest.mark.parametrize("index", range(len(ENDPOINT_NAMES)), ids=ENDPOINT_NAMES)
def test_malformed_json_is_400_everywhere_and_changes_nothing(api, target, index):
    method, path = body_endpoints(target)[index]
    before = snapshot(api, target)
    for raw in MALFORMED_BODIES:
        resp = send_raw(api, method, path, raw)
        assert_error(resp, 400)
    assert snapshot(api, target) == before


@pytest.mark.parametrize("index", range(len(ENDPOINT_NAMES)), ids=ENDPOINT_NAMES)
def test_non_object_json_is_400_everywhere_and_changes_nothing(api, target, index):
    method, path = body_endpoints(target)[index]
    before = snapshot(api, target)
    for raw in NON_OBJECT_BODIES:
        assert_error(send_raw(api, method, path, raw), 400)
    assert snapshot(api, target) == before


# --- unknown fields and wrong types ---------------------------------------------------------------

def unknown_field_cases(target):
    tenant, camera = target["tenant"], target["camera"]
    return [
        ("POST", "/organisations", {"name": unique("never"), "id": new_id()}),
        ("PATCH", f"/organisations/{tenant.org_id}", {"name": "Never", "createdAt": "x"}),
        ("POST", "/sites", {"name": unique("never"), "organisationId": tenant.org_id,
                            "colour": "red"}),
        ("PATCH", f"/sites/{tenant.site_id}", {"name": "Never", "organisationId": new_id()}),
        ("POST", "/users", {"email": unique_email("never"), "password": "long enough",
                            "role": "viewer", "organisationId": tenant.org_id, "admin": True}),
        ("PATCH", f"/users/{tenant.viewer['id']}", {"role": "admin", "organisationId": new_id()}),
        ("PUT", f"/users/{tenant.viewer['id']}/sites", {"siteIds": [], "append": True}),
        ("POST", "/clients", {"name": unique("never"), "role": "viewer",
                              "organisationId": tenant.org_id, "clientId": "mine"}),
        ("POST", "/cameras", {"serialNumber": camera["serialNumber"], "siteId": tenant.site_id,
                              "force": True}),
        ("PATCH", f"/cameras/{camera['id']}", {"name": "Never", "Name": "case matters"}),
        ("POST", f"/cameras/{camera['id']}/move", {"siteId": tenant.site_id, "when": "now"}),
        ("POST", "/frame-requests", {"cameraId": camera["id"], "width": 640}),
        ("POST", "/register-camera-requests", {"cameraId": new_id(), "serialNumber": unique(),
                                               "siteId": tenant.site_id}),
        ("POST", "/put-camera-state-requests", {"cameraId": camera["id"],
                                                "newState": "claimed_paused", "at": 0}),
    ]


@pytest.mark.parametrize("index", range(len(ENDPOINT_NAMES)), ids=ENDPOINT_NAMES)
def test_unknown_field_is_400_and_changes_nothing(api, target, index):
    method, path, body = unknown_field_cases(target)[index]
    before = snapshot(api, target)
    assert_error(api.request(method, path, api.operator_token, json=body), 400)
    assert snapshot(api, target) == before


def test_rejected_organisation_is_not_created(api):
    name = unique("rejected-org")
    assert_error(api.post("/organisations", api.operator_token,
                          json={"name": name, "extra": 1}), 400)
    names = {org["name"] for org in expect(api.get("/organisations", api.operator_token), 200)}
    assert name not in names


def test_rejected_user_is_not_created(api, target):
    tenant = target["tenant"]
    email = unique_email("rejected")
    assert_error(api.post("/users", tenant.admin_token, json={
        "email": email, "password": "long enough", "role": "viewer", "nickname": "x"}), 400)
    resp = api.oauth_token({"grant_type": "password", "username": email,
                            "password": "long enough"})
    assert_oauth_error(resp, 400, "invalid_grant")
    assert email not in {u["email"] for u in expect(api.get("/users", tenant.admin_token), 200)}


@pytest.mark.parametrize("body", [
    {"name": 1}, {"name": True}, {"name": {"first": "x"}}, {"name": ["x"]}, {"name": 1.5},
    {"direction1Alias": 0}, {"direction2Alias": False},
])
def test_wrong_types_in_camera_patch_are_400(api, target, body):
    before = snapshot(api, target)
    camera_id = target["camera"]["id"]
    assert_error(api.patch(f"/cameras/{camera_id}", target["tenant"].admin_token, json=body), 400)
    assert snapshot(api, target) == before


def test_error_message_names_the_offending_field(api, target):
    resp = api.patch(f"/cameras/{target['camera']['id']}", target["tenant"].admin_token,
                     json={"direction1Alias": 12})
    assert_error(resp, 400, "direction1Alias")
    resp = api.post("/cameras", target["tenant"].admin_token,
                    json={"serialNumber": "x", "siteId": target["tenant"].site_id,
                          "colour": "red"})
    assert_error(resp, 400, "colour")


# --- malformed UUIDs in the path: 422 -------------------------------------------------------------

PATH_TEMPLATES = [
    ("GET", "/organisations/{}", None),
    ("PATCH", "/organisations/{}", {"name": "x"}),
    ("DELETE", "/organisations/{}", None),
    ("GET", "/sites/{}", None),
    ("PATCH", "/sites/{}", {"name": "x"}),
    ("DELETE", "/sites/{}", None),
    ("GET", "/users/{}", None),
    ("PATCH", "/users/{}", {"role": "viewer"}),
    ("DELETE", "/users/{}", None),
    ("GET", "/users/{}/sites", None),
    ("PUT", "/users/{}/sites", {"siteIds": []}),
    ("GET", "/cameras/{}", None),
    ("PATCH", "/cameras/{}", {"name": "x"}),
    ("DELETE", "/cameras/{}", None),
    ("PUT", "/cameras/{}/state/paused", None),
    ("POST", "/cameras/{}/move", {"siteId": "60189e9c-7d12-438c-b9ca-6998d9c364b1"}),
    ("GET", "/cameras/{}/opening-hours", None),
    ("GET", "/cameras/{}/video-upload-metrics", None),
    ("GET", "/register-camera-requests/{}", None),
    ("GET", "/put-camera-state-requests/{}", None),
]


@pytest.mark.parametrize("method,template,body", PATH_TEMPLATES,
                         ids=[f"{m} {t}" for m, t, _ in PATH_TEMPLATES])
def test_malformed_uuid_in_path_is_422(api, method, template, body):
    for bad in MALFORMED_IDS:
        kwargs = {} if body is None else {"json": body}
        assert_error(api.request(method, template.format(bad), api.operator_token, **kwargs), 422)


def test_malformed_uuid_in_path_wins_over_a_bad_body(api):
    resp = api.patch("/cameras/not-a-uuid", api.operator_token, json={"name": 5, "bogus": 1})
    assert_error(resp, 422)


def test_uppercase_uuid_in_path_is_not_malformed(api, target):
    camera = target["camera"]
    assert expect(api.get(f"/cameras/{camera['id'].upper()}", api.operator_token), 200) == \
        snapshot(api, target)[0]


# --- malformed UUIDs in the body: 400 -------------------------------------------------------------

def body_uuid_cases(target, bad):
    tenant, camera = target["tenant"], target["camera"]
    return [
        ("POST", "/sites", {"name": unique(), "timeZone": "UTC", "organisationId": bad}),
        ("POST", "/users", {"email": unique_email(), "password": "long enough",
                            "role": "viewer", "organisationId": bad}),
        ("PUT", f"/users/{tenant.viewer['id']}/sites", {"siteIds": [tenant.site_id, bad]}),
        ("POST", "/clients", {"name": unique(), "role": "viewer", "organisationId": bad}),
        ("POST", "/cameras", {"serialNumber": camera["serialNumber"], "siteId": bad}),
        ("POST", f"/cameras/{camera['id']}/move", {"siteId": bad}),
        ("POST", "/frame-requests", {"cameraId": bad}),
        ("POST", "/register-camera-requests", {"cameraId": bad, "serialNumber": unique()}),
        ("POST", "/put-camera-state-requests", {"cameraId": bad, "newState": "claimed"}),
    ]


@pytest.mark.parametrize("bad", MALFORMED_IDS)
def test_malformed_uuid_in_body_is_400_and_changes_nothing(api, target, bad):
    before = snapshot(api, target)
    for method, path, body in body_uuid_cases(target, bad):
        assert_error(api.request(method, path, api.operator_token, json=body), 400)
    assert snapshot(api, target) == before


# --- order of checks: 401, 403, 422 (path), 400 (body), 404, 409/422 ---------------------------

def test_missing_token_wins_over_everything(api):
    assert_error(api.patch("/cameras/not-a-uuid", json={"bogus": 1}), 401)
    assert_error(api.post("/cameras", data=b"{broken", headers={"Content-Type":
                                                                   "application/json"}), 401)


def test_role_is_checked_before_the_path_uuid(api, target):
    viewer = target["tenant"].viewer_token
    assert_error(api.patch("/cameras/not-a-uuid", viewer, json={"name": "x"}), 403)
    assert_error(api.delete("/cameras/not-a-uuid", viewer), 403)
    assert_error(api.put("/cameras/not-a-uuid/state/paused", viewer), 403)


def test_role_is_checked_before_the_body(api, target):
    viewer = target["tenant"].viewer_token
    assert_error(api.post("/cameras", viewer, data=b"{broken",
                          headers={"Content-Type": "application/json"}), 403)
    assert_error(api.post("/organisations", target["tenant"].admin_token, json={"name": 5}), 403)


def test_body_is_checked_before_visibility(api, target, other_tenant):
    admin = target["tenant"].admin_token
    assert_error(api.patch(f"/cameras/{new_id()}", admin, json={"name": 5}), 400)
    theirs = other_tenant.camera()
    assert_error(api.patch(f"/cameras/{theirs['id']}", admin, json={"name": 5}), 400)
    assert_error(api.post(f"/cameras/{new_id()}/move", admin, json={"siteId": "bad"}), 400)


def test_body_is_checked_before_state(api, target):
    camera = register_camera(api)
    assert_error(api.patch(f"/cameras/{camera['id']}", api.operator_token,
                           json={"name": "n" * 201}), 400)
    resp = api.post("/cameras", api.operator_token,
                    json={"serialNumber": target["camera"]["serialNumber"], "siteId": "bad"})
    assert_error(resp, 400)


def test_visibility_is_checked_before_state(api, target, other_tenant):
    theirs = other_tenant.camera()
    expect(api.delete(f"/cameras/{theirs['id']}", other_tenant.admin_token), 204)
    admin = target["tenant"].admin_token
    assert_error(api.delete(f"/cameras/{theirs['id']}", admin), 404)
    assert_error(api.put(f"/cameras/{theirs['id']}/state/paused", admin), 404)
    assert_error(api.patch(f"/cameras/{theirs['id']}", admin, json={"name": "x"}), 404)


# --- bytes that are not UTF-8 ---------------------------------------------------------------------

def test_invalid_utf8_in_an_unknown_path_is_404_json(api):
    assert_error(api.get("/%FF", api.operator_token), 404)
    assert_error(api.get("/no-such/%C3%28", api.operator_token), 404)


def test_invalid_utf8_under_a_camera_path_is_404_json(api):
    assert_error(api.get("/cameras/%FF/x", api.operator_token), 404)


def test_invalid_utf8_in_the_state_query_is_422(api):
    assert_error(api.get("/cameras?state=%FF", api.operator_token), 422)


def test_invalid_utf8_in_other_queries_is_422(api, target):
    camera_id = target["camera"]["id"]
    for path in ("/cameras?includeMetrics=%FF", "/cameras?limit=%FF", "/cameras?siteId=%FF",
                 f"/cameras/{camera_id}/opening-hours?date=%FF",
                 f"/cameras/{camera_id}/video-upload-metrics?from=%FF"):
        assert_error(api.get(path, api.operator_token), 422)
