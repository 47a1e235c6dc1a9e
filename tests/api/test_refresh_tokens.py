"""Refresh tokens (issue 14, point 12): the password grant also returns an opaque refresh_token;
grant_type=refresh_token exchanges it for a new access token and a new refresh token (rotation,
single use); a used one presented again revokes its whole chain; they end with the user as access
tokens do (deletion, password change, role change); they are bound to the client_id of the
sign-in; they expire after --refresh-token-ttl; failures count like failed passwords. The tests
fail exchanges on purpose, so they run on a server of this module (without the per-address limit,
which test_failed_refreshes_count_like_failed_passwords checks on its own server): the session
server's address never collects failures."""
import re

import pytest

from conftest import (Api, Server, Tenant, assert_oauth_error, describe, expect, jwt_parts,
                      make_org, make_user, run_sql)

TOKEN_KEYS = {"access_token", "token_type", "expires_in", "refresh_token"}
REFRESH_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$")


def sign_in(api, user, **extra):
    resp = api.oauth_token({"grant_type": "password", "username": user["email"],
                            "password": user["password"], **extra})
    return assert_tokens(resp)


def refresh(api, refresh_token, **extra):
    return api.oauth_token({"grant_type": "refresh_token", "refresh_token": refresh_token, **extra})


def assert_tokens(resp):
    body = expect(resp, 200)
    assert set(body) == TOKEN_KEYS, describe(resp)
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600, body
    assert REFRESH_RE.match(body["refresh_token"]), body
    assert "no-store" in resp.headers.get("Cache-Control", ""), describe(resp)
    return body


def assert_refused(resp, description):
    body = assert_oauth_error(resp, 400, "invalid_grant")
    assert description in body["error_description"], describe(resp)


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """This module's server (shadows the session's `api`)."""
    server = Server(tmp_path_factory.mktemp("refresh"), ["--login-failures-per-address", "0"])
    server.operator_client = server.admin_create_client("operator", "refresh-operator")
    server.start()
    client = Api(server, server.operator_client)
    yield client
    client.session.close()
    code = server.stop()
    assert code in (0, None), f"refresh server exited {code}\n{server.log_tail()}"


@pytest.fixture
def tenant(api):
    return Tenant(api)


@pytest.fixture
def viewer(api, tenant):
    return make_user(api, tenant.org_id, "viewer")


def test_a_refresh_token_gives_new_tokens_of_the_same_user_and_rotates(api, tenant, viewer):
    first = sign_in(api, viewer)
    second = assert_tokens(refresh(api, first["refresh_token"]))
    assert second["refresh_token"] != first["refresh_token"]
    claims = jwt_parts(second["access_token"])[1]
    assert (claims["sub"], claims["role"], claims["org"]) == (viewer["id"], "viewer", tenant.org_id)
    me = expect(api.get("/me", second["access_token"]), 200)
    assert me["id"] == viewer["id"] and me["kind"] == "user", me
    # the successor works in turn, and so on
    third = assert_tokens(refresh(api, second["refresh_token"]))
    expect(api.get("/me", third["access_token"]), 200)


def test_a_used_refresh_token_again_revokes_the_whole_chain(api, viewer):
    first = sign_in(api, viewer)
    second = assert_tokens(refresh(api, first["refresh_token"]))
    other_sign_in = sign_in(api, viewer)
    assert_refused(refresh(api, first["refresh_token"]), "already used")
    # the chain's newest token is revoked with it, whoever holds it
    assert_refused(refresh(api, second["refresh_token"]), "unknown or revoked")
    # another sign-in of the same user is its own chain and keeps working
    assert_tokens(refresh(api, other_sign_in["refresh_token"]))


@pytest.mark.parametrize("change", ["delete", "password", "role"])
def test_refresh_tokens_end_with_the_user(api, tenant, change):
    user = make_user(api, tenant.org_id, "admin")
    tokens = sign_in(api, user)
    if change == "delete":
        expect(api.delete(f"/users/{user['id']}", api.operator_token), 204)
    elif change == "password":
        expect(api.patch(f"/users/{user['id']}", api.operator_token,
                         json={"password": "a brand new passphrase"}), 200)
    else:
        expect(api.patch(f"/users/{user['id']}", api.operator_token, json={"role": "viewer"}), 200)
    assert_refused(refresh(api, tokens["refresh_token"]), "unknown or revoked")


def test_an_email_change_keeps_refresh_tokens(api, tenant, viewer):
    tokens = sign_in(api, viewer)
    expect(api.patch(f"/users/{viewer['id']}", api.operator_token,
                     json={"email": f"renamed-{viewer['email']}"}), 200)
    assert_tokens(refresh(api, tokens["refresh_token"]))


def test_a_refresh_token_is_bound_to_the_client_id_of_the_sign_in(api, viewer):
    tokens = sign_in(api, viewer, client_id="fleet-dashboard")
    assert_refused(refresh(api, tokens["refresh_token"]), "another client_id")
    assert_refused(refresh(api, tokens["refresh_token"], client_id="bi-export"), "another client_id")
    # a refusal for the wrong client does not use the token up
    renewed = assert_tokens(refresh(api, tokens["refresh_token"], client_id="fleet-dashboard"))
    without = sign_in(api, viewer)
    assert_refused(refresh(api, without["refresh_token"], client_id="fleet-dashboard"),
                   "another client_id")
    assert_tokens(refresh(api, renewed["refresh_token"], client_id="fleet-dashboard"))


def test_an_expired_refresh_token_is_refused(api, viewer):
    tokens = sign_in(api, viewer)
    token_id = tokens["refresh_token"].split(".")[0]
    # expire it in the database rather than by waiting: the lifetime is checked against the row
    run_sql(api.server.database,
            f"UPDATE refresh_tokens SET expires_at = expires_at - 2592001 WHERE id = '{token_id}'")
    assert_refused(refresh(api, tokens["refresh_token"]), "expired")


def test_malformed_unknown_and_forged_refresh_tokens_are_refused(api, viewer):
    tokens = sign_in(api, viewer)
    token_id, secret = tokens["refresh_token"].split(".")
    forged = token_id + "." + ("A" if secret[0] != "A" else "B") + secret[1:]
    for text in ("not-a-token", tokens["refresh_token"] + "x", forged,
                 "00000000-0000-4000-8000-000000000000." + secret):
        assert_refused(refresh(api, text), "unknown or revoked")
    # none of those used the real one up
    assert_tokens(refresh(api, tokens["refresh_token"]))
    assert_oauth_error(api.oauth_token({"grant_type": "refresh_token"}), 400, "invalid_request")


def test_failed_refreshes_count_like_failed_passwords(start_server):
    server = start_server(["--login-failures-per-address", "3"])
    api = Api(server, server.operator_client)
    user = make_user(api, make_org(api)["id"], "viewer")
    tokens = sign_in(api, user)
    token_id = tokens["refresh_token"].split(".")[0]
    for _ in range(4):
        refresh(api, token_id + "." + "A" * 43)
    locked = refresh(api, tokens["refresh_token"])
    assert locked.status_code == 429, describe(locked)
    assert int(locked.headers["Retry-After"]) >= 1


def test_refresh_tokens_can_be_turned_off(start_server):
    server = start_server(["--refresh-token-ttl", "0"])
    api = Api(server, server.operator_client)
    user = make_user(api, make_org(api)["id"], "viewer")
    body = expect(api.oauth_token({"grant_type": "password", "username": user["email"],
                                   "password": user["password"]}), 200)
    assert "refresh_token" not in body, body
    assert_oauth_error(refresh(api, "00000000-0000-4000-8000-000000000000." + "A" * 43), 400,
                       "unsupported_grant_type")
    metadata = expect(api.get("/.well-known/oauth-authorization-server"), 200)
    assert "refresh_token" not in metadata["grant_types_supported"], metadata


def test_the_metadata_lists_the_refresh_token_grant(api):
    metadata = expect(api.get("/.well-known/oauth-authorization-server"), 200)
    assert metadata["grant_types_supported"] == ["client_credentials", "password", "refresh_token"]
    client = api.operator_client  # only the password grant hands refresh tokens out
    body = expect(api.oauth_token({"grant_type": "client_credentials"},
                                  auth=(client["clientId"], client["clientSecret"])), 200)
    assert "refresh_token" not in body, body

