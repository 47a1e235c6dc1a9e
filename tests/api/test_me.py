"""GET /me (issue 14, point 12): the caller's identity as its token stands for it — kind (user,
client, device), id, role, organisation, the user's email, the sites a viewer is limited to (null
for a caller that reaches every site of its organisation or of the fleet) and when the token
expires. Every role may ask, devices included; without a token it is 401."""
import calendar
import time

from conftest import (assert_unauthorized, expect, grant_sites, jwt_parts, make_client, make_user)
from test_device_link import device_for

ME_KEYS = {"kind", "id", "role", "organisationId", "email", "grantedSiteIds", "tokenExpiresAt"}


def me(api, token):
    body = expect(api.get("/me", token), 200)
    assert set(body) == ME_KEYS, body
    expires = calendar.timegm(time.strptime(body["tokenExpiresAt"], "%Y-%m-%dT%H:%M:%SZ"))
    assert expires == jwt_parts(token)[1]["exp"], body
    return body


def test_a_viewer_user_sees_its_granted_sites(api, tenant):
    second = tenant.add_site()
    viewer = make_user(api, tenant.org_id, "viewer")
    grant_sites(api, viewer["id"], [second["id"], tenant.site_id])
    body = me(api, api.token_for_user(viewer["email"], viewer["password"]))
    assert body["kind"] == "user" and body["id"] == viewer["id"] and body["role"] == "viewer", body
    assert body["organisationId"] == tenant.org_id and body["email"] == viewer["email"], body
    assert body["grantedSiteIds"] == sorted([second["id"], tenant.site_id]), body


def test_a_viewer_without_grants_has_an_empty_list(api, tenant):
    viewer = make_user(api, tenant.org_id, "viewer")
    assert me(api, api.token_for_user(viewer["email"], viewer["password"]))["grantedSiteIds"] == []


def test_an_admin_user_reaches_every_site_of_its_organisation(api, tenant):
    body = me(api, tenant.admin_token)
    assert (body["kind"], body["id"], body["role"]) == ("user", tenant.admin["id"], "admin"), body
    assert body["grantedSiteIds"] is None and body["email"] == tenant.admin["email"], body


def test_clients_and_the_operator(api, tenant):
    client = make_client(api, tenant.org_id, "viewer")
    body = me(api, api.token_for_client(client["clientId"], client["clientSecret"]))
    assert body == {**body, "kind": "client", "id": client["clientId"], "role": "viewer",
                    "organisationId": tenant.org_id, "email": None, "grantedSiteIds": None}
    operator = me(api, api.operator_token)
    assert operator["kind"] == "client" and operator["role"] == "operator", operator
    assert operator["organisationId"] is None and operator["id"] == api.operator_client["clientId"]


def test_a_device_sees_itself(api, tenant):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    resp = device.request("GET", "/me")
    body = expect(resp, 200)
    assert body["kind"] == "device" and body["id"] == camera["id"] and body["role"] == "device", body
    assert body["grantedSiteIds"] is None and body["email"] is None, body


def test_without_a_token_it_is_401(api):
    assert_unauthorized(api.get("/me"))
