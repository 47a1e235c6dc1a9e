"""Tokens end with what they stand for (issue 10, item 2): deleting a user or an API client, or
changing a user's role or password, refuses every token issued before the change (401) at once on
the node that made it and within 1 s on every other node of a PostgreSQL deployment; a token
obtained after the change works. Other changes (email, the same role again) keep tokens valid.
The stamps live in the database, so a restart keeps refusing the old tokens.
"""
import time

import pytest

from conftest import (BACKEND, Api, Tenant, assert_error, assert_unauthorized, describe, expect,
                      jwt_parts, make_client, make_user, unique, unique_email)

REFUSAL_WINDOW = 1.0  # seconds: the guarantee, across nodes


def fresh_user_token(api, email, password):
    """A new token by the password grant (Api caches tokens per credentials: this does not)."""
    resp = api.oauth_token({"grant_type": "password", "username": email, "password": password})
    return expect(resp, 200)["access_token"]


def fresh_client_token(api, client):
    resp = api.oauth_token({"grant_type": "client_credentials"},
                           auth=(client["clientId"], client["clientSecret"]))
    return expect(resp, 200)["access_token"]


def assert_revoked(resp):
    assert_unauthorized(resp)
    assert "revoked" in resp.json()["message"], describe(resp)


def refused_within(api, token, path, seconds=REFUSAL_WINDOW):
    """Polls path with token until it is refused with 401 (failing after `seconds`); the time it
    took."""
    started = time.monotonic()
    while True:
        resp = api.get(path, token)
        if resp.status_code == 401:
            assert_revoked(resp)
            return time.monotonic() - started
        assert resp.status_code == 200, describe(resp)
        if time.monotonic() - started > seconds:
            pytest.fail(f"token still accepted {seconds} s after the change: {describe(resp)}")
        time.sleep(0.02)


# ---------------------------------------------------------------------------------------------
# one node: refused at once

def test_deleted_users_token_is_refused_at_once(api, tenant):
    admin = make_user(api, tenant.org_id, "admin")
    token = fresh_user_token(api, admin["email"], admin["password"])
    path = f"/organisations/{tenant.org_id}"
    expect(api.get(path, token), 200)
    expect(api.delete(f"/users/{admin['id']}", api.operator_token), 204)
    assert_revoked(api.get(path, token))


def test_removed_admin_cannot_mint_a_client_with_its_old_token(api, tenant):
    admin = make_user(api, tenant.org_id, "admin")
    token = fresh_user_token(api, admin["email"], admin["password"])
    expect(api.get("/clients", token), 200)
    expect(api.delete(f"/users/{admin['id']}", api.operator_token), 204)
    name = unique("backdoor")
    assert_revoked(api.post("/clients", token, json={"name": name, "role": "admin"}))
    clients = expect(api.get(f"/clients?organisationId={tenant.org_id}", api.operator_token), 200)
    assert [c for c in clients if c["name"] == name] == []


def test_deleted_clients_token_is_refused_at_once(api, tenant):
    client = make_client(api, tenant.org_id, "admin")
    token = fresh_client_token(api, client)
    expect(api.get("/sites", token), 200)
    expect(api.delete(f"/clients/{client['clientId']}", api.operator_token), 204)
    assert_revoked(api.get("/sites", token))
    assert_revoked(api.post("/clients", token, json={"name": unique("c"), "role": "admin"}))


def test_role_change_refuses_the_old_token_and_a_new_token_carries_the_new_role(api, tenant):
    admin = make_user(api, tenant.org_id, "admin")
    old = fresh_user_token(api, admin["email"], admin["password"])
    expect(api.post("/sites", old, json={"name": unique("site"), "timeZone": "UTC"}), 201)
    changed = expect(api.patch(f"/users/{admin['id']}", api.operator_token, json={"role": "viewer"}), 200)
    assert changed["role"] == "viewer"
    assert_revoked(api.post("/sites", old, json={"name": unique("site")}))
    assert_revoked(api.get(f"/users/{admin['id']}", old))
    new = fresh_user_token(api, admin["email"], admin["password"])
    assert jwt_parts(new)[1]["role"] == "viewer"
    assert_error(api.post("/sites", new, json={"name": unique("site")}), 403)
    assert expect(api.get(f"/users/{admin['id']}", new), 200)["role"] == "viewer"


def test_password_change_refuses_the_old_token_and_signing_in_right_after_works(api, tenant):
    admin = make_user(api, tenant.org_id, "admin")
    old = fresh_user_token(api, admin["email"], admin["password"])
    expect(api.get("/users", old), 200)
    new_password = "a brand new passphrase"
    expect(api.patch(f"/users/{admin['id']}", api.operator_token, json={"password": new_password}), 200)
    assert_revoked(api.get("/users", old))
    # the same second as the change, most likely: the millisecond issue time tells them apart
    new = fresh_user_token(api, admin["email"], new_password)
    assert isinstance(jwt_parts(new)[1]["iat_ms"], int)
    expect(api.get("/users", new), 200)
    resp = api.oauth_token({"grant_type": "password", "username": admin["email"],
                            "password": admin["password"]})
    assert resp.status_code in (400, 401), describe(resp)


def test_admin_changing_its_own_password_ends_its_own_older_tokens(api, tenant):
    admin = make_user(api, tenant.org_id, "admin")
    token = fresh_user_token(api, admin["email"], admin["password"])
    expect(api.patch(f"/users/{admin['id']}", token, json={"password": "another passphrase!"}), 200)
    assert_revoked(api.get("/users", token))
    expect(api.get("/users", fresh_user_token(api, admin["email"], "another passphrase!")), 200)


def test_email_change_or_the_same_role_again_keeps_tokens_valid(api, tenant):
    admin = make_user(api, tenant.org_id, "admin")
    token = fresh_user_token(api, admin["email"], admin["password"])
    expect(api.patch(f"/users/{admin['id']}", api.operator_token, json={"email": unique_email("moved")}), 200)
    expect(api.patch(f"/users/{admin['id']}", api.operator_token, json={"role": "admin"}), 200)
    expect(api.get("/users", token), 200)


def test_a_change_refuses_only_that_subjects_tokens(api, tenant):
    first = make_user(api, tenant.org_id, "admin")
    second = make_user(api, tenant.org_id, "admin")
    first_token = fresh_user_token(api, first["email"], first["password"])
    second_token = fresh_user_token(api, second["email"], second["password"])
    expect(api.delete(f"/users/{first['id']}", api.operator_token), 204)
    assert_revoked(api.get("/users", first_token))
    expect(api.get("/users", second_token), 200)


def test_a_failed_change_refuses_nothing(api, tenant, other_tenant):
    """An admin of another organisation cannot delete the user (404): its tokens stay valid."""
    admin = make_user(api, tenant.org_id, "admin")
    token = fresh_user_token(api, admin["email"], admin["password"])
    assert_error(api.delete(f"/users/{admin['id']}", other_tenant.admin_token), 404)
    assert_error(api.patch(f"/users/{admin['id']}", other_tenant.admin_token,
                           json={"password": "not your user at all"}), 404)
    expect(api.get("/users", token), 200)


def test_revocations_survive_a_restart(start_server):
    server = start_server()
    api = Api(server, server.operator_client)
    tenant = Tenant(api)
    deleted = make_user(api, tenant.org_id, "admin")
    demoted = make_user(api, tenant.org_id, "admin")
    deleted_token = fresh_user_token(api, deleted["email"], deleted["password"])
    demoted_token = fresh_user_token(api, demoted["email"], demoted["password"])
    expect(api.delete(f"/users/{deleted['id']}", api.operator_token), 204)
    expect(api.patch(f"/users/{demoted['id']}", api.operator_token, json={"role": "viewer"}), 200)
    assert server.stop() == 0
    server.start()
    assert_revoked(api.get("/sites", deleted_token))
    assert_revoked(api.get("/sites", demoted_token))
    expect(api.get("/sites", fresh_user_token(api, demoted["email"], demoted["password"])), 200)


# ---------------------------------------------------------------------------------------------
# two PostgreSQL nodes: a change on node A refuses the old token on node B within 1 s

from postgres_support import (create_database, drop_database, make_nodes, psql,  # noqa: E402
                              requires_postgres, sql_text, start_together)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """Nodes A and B on one fresh database, and an Api (operator) on each."""
    if BACKEND != "postgres":
        pytest.skip("needs CAMFLEET_TEST_POSTGRES")
    url = create_database()
    nodes = make_nodes(tmp_path_factory.mktemp("pg-revocation"), url, 2, ["--threads", "2"])
    try:
        start_together(nodes)
        operator = nodes[0].admin_create_client("operator", "revocation-operator")
        yield url, [Api(node, operator) for node in nodes]
        assert [node.stop() for node in nodes] == [0, 0], "\n".join(n.log_tail() for n in nodes)
    finally:
        for node in nodes:
            node.kill()
        drop_database(url)


def warmed_on(api_b, token, path):
    """The token works on node B (and sits in B's verified-token cache from now on)."""
    expect(api_b.get(path, token), 200)
    return token


@requires_postgres
@pytest.mark.parametrize("change", ["delete user", "role change", "password change"])
def test_user_change_on_node_a_refuses_the_old_token_on_node_b_within_1s(pair, change):
    _, (a, b) = pair
    tenant = Tenant(a)
    user = make_user(a, tenant.org_id, "admin")
    token = warmed_on(b, fresh_user_token(b, user["email"], user["password"]), "/users")
    password = user["password"]
    if change == "delete user":
        expect(a.delete(f"/users/{user['id']}", a.operator_token), 204)
    elif change == "role change":
        expect(a.patch(f"/users/{user['id']}", a.operator_token, json={"role": "viewer"}), 200)
    else:
        password = "the new passphrase"
        expect(a.patch(f"/users/{user['id']}", a.operator_token, json={"password": password}), 200)
    assert_revoked(a.get("/users", token))  # at once on the node that made the change
    refused_within(b, token, "/users")  # a path that answers 200 whatever the change, until refused
    if change != "delete user":
        expect(b.get(f"/users/{user['id']}", fresh_user_token(b, user["email"], password)), 200)


@requires_postgres
def test_client_deleted_on_node_a_is_refused_on_node_b_within_1s(pair):
    _, (a, b) = pair
    tenant = Tenant(a)
    client = make_client(a, tenant.org_id, "admin")
    token = warmed_on(b, fresh_client_token(b, client), "/sites")
    expect(a.delete(f"/clients/{client['clientId']}", a.operator_token), 204)
    refused_within(b, token, "/sites")
    assert_revoked(b.post("/clients", token, json={"name": unique("c"), "role": "admin"}))


@requires_postgres
def test_a_revocation_whose_message_was_lost_still_applies_within_1s(pair):
    """A row written without any cross-node message (as when a node's listener was reconnecting):
    each node's poll of the table picks it up."""
    url, (a, b) = pair
    tenant = Tenant(a)
    user = make_user(a, tenant.org_id, "admin")
    token = fresh_user_token(a, user["email"], user["password"])
    for api in (a, b):
        warmed_on(api, token, "/users")
    psql(url, "INSERT INTO token_revocations(subject_id, valid_from_ms, changed_at_ms) VALUES ("
              f"{sql_text(user['id'])}, (extract(epoch from clock_timestamp()) * 1000)::bigint + 1,"
              " (extract(epoch from clock_timestamp()) * 1000)::bigint)")
    for api in (a, b):
        refused_within(api, token, "/users")
    expect(b.get("/users", fresh_user_token(b, user["email"], user["password"])), 200)
