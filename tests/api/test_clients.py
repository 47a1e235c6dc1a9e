"""/clients: API clients with a secret shown once, roles per creator, listing and deletion."""
import time

import pytest

from conftest import (CLIENT_KEYS, assert_error, assert_oauth_error, assert_recent, expect,
                      jwt_parts, make_client, new_id, unique)


def credentials_grant(api, client):
    return api.oauth_token({"grant_type": "client_credentials"},
                           auth=(client["clientId"], client["clientSecret"]))


def test_operator_creates_admin_client_with_secret_shown_once(api, tenant):
    name = unique("client")
    before = time.time()
    client = expect(api.post("/clients", api.operator_token, json={
        "name": name, "role": "admin", "organisationId": tenant.org_id}), 201)
    after = time.time()
    assert set(client) == CLIENT_KEYS | {"clientSecret"}
    assert isinstance(client["clientId"], str) and client["clientId"]
    assert isinstance(client["clientSecret"], str) and len(client["clientSecret"]) >= 16
    assert client["name"] == name
    assert client["role"] == "admin"
    assert client["organisationId"] == tenant.org_id
    assert_recent(client["createdAt"], before, after)
    read = expect(api.get(f"/clients/{client['clientId']}", api.operator_token), 200)
    assert read == {key: client[key] for key in CLIENT_KEYS}


def test_created_client_obtains_a_token_with_its_role(api, tenant):
    client = make_client(api, tenant.org_id, "viewer")
    _, claims, _ = jwt_parts(expect(credentials_grant(api, client), 200)["access_token"])
    assert claims["sub"] == client["clientId"]
    assert claims["role"] == "viewer"
    assert claims["org"] == tenant.org_id


def test_operator_creates_operator_client_without_organisation(api):
    client = make_client(api, None, "operator")
    assert client["organisationId"] is None
    _, claims, _ = jwt_parts(expect(credentials_grant(api, client), 200)["access_token"])
    assert claims["role"] == "operator" and "org" not in claims


def test_two_clients_get_different_ids_and_secrets(api, tenant):
    first = make_client(api, tenant.org_id, "viewer")
    second = make_client(api, tenant.org_id, "viewer")
    assert first["clientId"] != second["clientId"]
    assert first["clientSecret"] != second["clientSecret"]


def test_admin_creates_viewer_client_in_its_own_organisation(api, tenant):
    client = make_client(api, None, "viewer", token=tenant.admin_token)
    assert client["organisationId"] == tenant.org_id
    assert client["role"] == "viewer"


def test_admin_creates_admin_client_naming_its_own_organisation(api, tenant):
    client = make_client(api, tenant.org_id, "admin", token=tenant.admin_token)
    assert client["organisationId"] == tenant.org_id


def test_admin_cannot_create_operator_client(api, tenant):
    assert_error(api.post("/clients", tenant.admin_token,
                          json={"name": unique(), "role": "operator"}), 403)


def test_admin_creating_client_in_another_organisation_is_404(api, tenant, other_tenant):
    resp = api.post("/clients", tenant.admin_token, json={
        "name": unique(), "role": "viewer", "organisationId": other_tenant.org_id})
    assert_error(resp, 404)


def test_viewer_cannot_create_client(api, tenant):
    assert_error(api.post("/clients", tenant.viewer_token,
                          json={"name": unique(), "role": "viewer"}), 403)


def test_operator_creating_client_in_unknown_organisation_is_404(api):
    assert_error(api.post("/clients", api.operator_token, json={
        "name": unique(), "role": "admin", "organisationId": new_id()}), 404)


@pytest.mark.parametrize("body", [
    {"role": "viewer"},
    {"name": "c"},
    {"name": "", "role": "viewer"},
    {"name": "c" * 201, "role": "viewer"},
    {"name": "c", "role": "king"},
    {"name": 1, "role": "viewer"},
    {"name": "c", "role": "viewer", "clientSecret": "chosen"},
])
def test_invalid_client_body_is_400(api, tenant, body):
    assert_error(api.post("/clients", tenant.admin_token, json=body), 400)


def test_operator_lists_clients_including_the_bootstrap_client(api, tenant):
    made = make_client(api, tenant.org_id, "viewer")
    listed = expect(api.get("/clients", api.operator_token), 200)
    ids = {c["clientId"] for c in listed}
    assert api.operator_client["clientId"] in ids
    assert made["clientId"] in ids
    for client in listed:
        assert set(client) == CLIENT_KEYS, "a listed client must not show its secret"


def test_admin_lists_only_its_own_organisations_clients(api, tenant, other_tenant):
    mine = make_client(api, tenant.org_id, "viewer")
    make_client(api, other_tenant.org_id, "viewer")
    listed = expect(api.get("/clients", tenant.admin_token), 200)
    assert [c["clientId"] for c in listed] == [mine["clientId"]]
    assert listed[0] == {key: mine[key] for key in CLIENT_KEYS}


def test_admin_reading_another_organisations_client_is_404(api, tenant, other_tenant):
    theirs = make_client(api, other_tenant.org_id, "admin")
    assert_error(api.get(f"/clients/{theirs['clientId']}", tenant.admin_token), 404)


def test_unknown_client_is_404(api):
    assert_error(api.get(f"/clients/{new_id()}", api.operator_token), 404)


def test_delete_client_then_it_is_gone_and_cannot_get_tokens(api, tenant):
    client = make_client(api, tenant.org_id, "viewer")
    expect(api.delete(f"/clients/{client['clientId']}", tenant.admin_token), 204)
    assert_error(api.get(f"/clients/{client['clientId']}", tenant.admin_token), 404)
    resp = credentials_grant(api, client)
    assert_oauth_error(resp, 401, "invalid_client")


def test_token_issued_before_deletion_is_refused(api, tenant):
    """Deleting a client ends its tokens at once (see test_token_revocation.py)."""
    client = make_client(api, tenant.org_id, "admin")
    token = expect(credentials_grant(api, client), 200)["access_token"]
    assert expect(api.get("/organisations", token), 200) == [tenant.org]
    expect(api.delete(f"/clients/{client['clientId']}", api.operator_token), 204)
    assert_error(api.get("/organisations", token), 401, "revoked")


def test_admin_deleting_another_organisations_client_is_404(api, tenant, other_tenant):
    theirs = make_client(api, other_tenant.org_id, "viewer")
    assert_error(api.delete(f"/clients/{theirs['clientId']}", tenant.admin_token), 404)
    expect(api.get(f"/clients/{theirs['clientId']}", api.operator_token), 200)


def test_viewer_cannot_delete_client(api, tenant):
    client = make_client(api, tenant.org_id, "viewer")
    assert_error(api.delete(f"/clients/{client['clientId']}", tenant.viewer_token), 403)

