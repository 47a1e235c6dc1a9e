"""POST /oauth/token (client_credentials, password), the token it issues, and how protected
endpoints treat missing, malformed, forged and expired tokens."""
import base64
import hashlib
import hmac
import time

import pytest
import requests

from conftest import (REQUEST_TIMEOUT, Api, assert_oauth_error, assert_unauthorized,
                      b64url_decode, b64url_encode, describe, es256_verify, expect, jwt_compose,
                      jwt_parts, make_client, make_user, unique_email)

TOKEN_KEYS = {"access_token", "token_type", "expires_in"}


def assert_token_response(resp, expires_in=3600, keys=TOKEN_KEYS):
    body = expect(resp, 200)
    assert set(body) == keys, describe(resp)
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == expires_in
    assert isinstance(body["access_token"], str) and body["access_token"].count(".") == 2
    assert "no-store" in resp.headers.get("Cache-Control", ""), describe(resp)
    return body["access_token"]


def operator_credentials(api):
    return api.operator_client["clientId"], api.operator_client["clientSecret"]


# --- client_credentials ---------------------------------------------------------------------------

def test_client_credentials_with_basic_auth_issues_a_bearer_token(api):
    resp = api.oauth_token({"grant_type": "client_credentials"}, auth=operator_credentials(api))
    token = assert_token_response(resp)
    expect(api.get("/organisations", token), 200)


def test_client_credentials_with_form_fields_issues_a_bearer_token(api):
    client_id, secret = operator_credentials(api)
    resp = api.oauth_token({"grant_type": "client_credentials", "client_id": client_id,
                            "client_secret": secret})
    token = assert_token_response(resp)
    expect(api.get("/organisations", token), 200)


def test_operator_token_has_the_documented_header_and_claims(api):
    client_id, secret = operator_credentials(api)
    before = time.time()
    token = assert_token_response(api.oauth_token({"grant_type": "client_credentials"},
                                                  auth=(client_id, secret)))
    after = time.time()
    header, claims, signature = jwt_parts(token)
    assert header["alg"] == "ES256"
    assert header["typ"] == "JWT"
    assert isinstance(header["kid"], str) and header["kid"]
    assert len(signature) == 64
    assert claims["iss"] == "camfleet"
    assert claims["aud"] == "camfleet" or claims["aud"] == ["camfleet"]
    assert claims["sub"] == client_id
    assert claims["role"] == "operator"
    assert "org" not in claims
    assert isinstance(claims["iat"], int) and isinstance(claims["exp"], int)
    assert int(before) - 1 <= claims["iat"] <= int(after) + 1
    assert claims["exp"] == claims["iat"] + 3600
    assert isinstance(claims["jti"], str) and claims["jti"]


def test_each_token_has_its_own_jti(api):
    first = api.oauth_token({"grant_type": "client_credentials"}, auth=operator_credentials(api))
    second = api.oauth_token({"grant_type": "client_credentials"}, auth=operator_credentials(api))
    assert jwt_parts(assert_token_response(first))[1]["jti"] != \
        jwt_parts(assert_token_response(second))[1]["jti"]


def test_token_signature_verifies_with_the_published_jwks_key(api):
    token = api.operator_token
    header, _, _ = jwt_parts(token)
    keys = expect(api.get("/.well-known/jwks.json"), 200)["keys"]
    matching = [key for key in keys if key["kid"] == header["kid"]]
    assert len(matching) == 1, (header, keys)
    assert es256_verify(matching[0], token)


def test_admin_client_token_carries_role_and_organisation(api, tenant):
    client = make_client(api, tenant.org_id, "admin")
    resp = api.oauth_token({"grant_type": "client_credentials"},
                           auth=(client["clientId"], client["clientSecret"]))
    _, claims, _ = jwt_parts(assert_token_response(resp))
    assert claims["sub"] == client["clientId"]
    assert claims["role"] == "admin"
    assert claims["org"] == tenant.org_id


# --- password -------------------------------------------------------------------------------------

def test_password_grant_issues_a_token_for_the_user(api, tenant):
    user = make_user(api, tenant.org_id, "viewer")
    resp = api.oauth_token({"grant_type": "password", "username": user["email"],
                            "password": user["password"]})
    token = assert_token_response(resp, keys=TOKEN_KEYS | {"refresh_token"})  # test_refresh_tokens.py
    _, claims, _ = jwt_parts(token)
    assert claims["sub"] == user["id"]
    assert claims["role"] == "viewer"
    assert claims["org"] == tenant.org_id
    expect(api.get("/organisations", token), 200)


def test_password_grant_with_wrong_password_is_invalid_grant(api, tenant):
    user = make_user(api, tenant.org_id, "admin")
    resp = api.oauth_token({"grant_type": "password", "username": user["email"],
                            "password": user["password"] + "x"})
    assert_oauth_error(resp, 400, "invalid_grant")


def test_password_grant_with_unknown_user_is_invalid_grant(api):
    resp = api.oauth_token({"grant_type": "password", "username": unique_email("nobody"),
                            "password": "whatever-password"})
    assert_oauth_error(resp, 400, "invalid_grant")


def test_password_grant_without_password_is_invalid_request(api, tenant):
    resp = api.oauth_token({"grant_type": "password", "username": tenant.admin["email"]})
    assert_oauth_error(resp, 400, "invalid_request")


def test_password_grant_without_username_is_invalid_request(api):
    resp = api.oauth_token({"grant_type": "password", "password": "whatever-password"})
    assert_oauth_error(resp, 400, "invalid_request")


# --- client errors --------------------------------------------------------------------------------

def assert_invalid_client(resp):
    assert_oauth_error(resp, 401, "invalid_client")
    assert resp.headers.get("WWW-Authenticate") == 'Basic realm="camfleet"', describe(resp)


def test_unknown_client_with_basic_auth_is_invalid_client(api):
    resp = api.oauth_token({"grant_type": "client_credentials"},
                           auth=("no-such-client", "no-such-secret"))
    assert_invalid_client(resp)


def test_wrong_secret_with_basic_auth_is_invalid_client(api):
    client_id, secret = operator_credentials(api)
    resp = api.oauth_token({"grant_type": "client_credentials"}, auth=(client_id, secret + "x"))
    assert_invalid_client(resp)


def test_wrong_secret_with_form_fields_is_invalid_client(api):
    client_id, secret = operator_credentials(api)
    resp = api.oauth_token({"grant_type": "client_credentials", "client_id": client_id,
                            "client_secret": "x" + secret})
    assert_invalid_client(resp)


def test_unsupported_grant_type_is_rejected(api):
    resp = api.oauth_token({"grant_type": "authorization_code", "code": "abc"},
                           auth=operator_credentials(api))
    assert_oauth_error(resp, 400, "unsupported_grant_type")


def test_missing_grant_type_is_invalid_request(api):
    resp = api.oauth_token({"username": "a@example.test"}, auth=operator_credentials(api))
    assert_oauth_error(resp, 400, "invalid_request")


# --- tokens on protected endpoints ----------------------------------------------------------------

def test_missing_token_is_401_with_bearer_challenge(api):
    assert_unauthorized(api.get("/cameras"))


def test_garbage_token_is_401(api):
    assert_unauthorized(api.get("/cameras", "not-a-jwt"))


def test_garbage_three_part_token_is_401(api):
    assert_unauthorized(api.get("/cameras", "aaa.bbb.ccc"))


def test_empty_bearer_is_401(api):
    assert_unauthorized(api.get("/cameras", headers={"Authorization": "Bearer "}))


def test_basic_credentials_on_a_protected_endpoint_are_401(api):
    client_id, secret = operator_credentials(api)
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    assert_unauthorized(api.get("/cameras", headers={"Authorization": f"Basic {raw}"}))


def test_alg_none_token_is_401(api):
    header, claims, _ = jwt_parts(api.operator_token)
    forged = jwt_compose({"alg": "none", "typ": "JWT"}, claims)
    assert_unauthorized(api.get("/cameras", forged))
    forged_with_kid = jwt_compose({"alg": "none", "typ": "JWT", "kid": header["kid"]}, claims)
    assert_unauthorized(api.get("/cameras", forged_with_kid))


def test_hs256_token_signed_with_the_public_key_is_401(api):
    header, claims, _ = jwt_parts(api.operator_token)
    keys = expect(api.get("/.well-known/jwks.json"), 200)["keys"]
    secret = b64url_decode(keys[0]["x"]) + b64url_decode(keys[0]["y"])
    forged_header = {"alg": "HS256", "typ": "JWT", "kid": header["kid"]}
    unsigned = jwt_compose(forged_header, claims).rsplit(".", 1)[0]
    signature = hmac.new(secret, unsigned.encode(), hashlib.sha256).digest()
    assert_unauthorized(api.get("/cameras", f"{unsigned}.{b64url_encode(signature)}"))


def test_token_with_tampered_claims_is_401(api, tenant):
    header, claims, signature = jwt_parts(tenant.admin_token)
    claims["role"] = "operator"
    claims.pop("org", None)
    assert_unauthorized(api.get("/organisations", jwt_compose(header, claims, signature)))


def test_token_with_extended_expiry_is_401(api):
    header, claims, signature = jwt_parts(api.operator_token)
    claims["exp"] += 86400
    assert_unauthorized(api.get("/cameras", jwt_compose(header, claims, signature)))


def test_token_with_wrong_signature_is_401(api):
    head, body, signature_b64 = api.operator_token.split(".")
    signature = bytearray(b64url_decode(signature_b64))
    signature[10] ^= 0x01
    assert_unauthorized(api.get("/cameras", f"{head}.{body}.{b64url_encode(bytes(signature))}"))


def test_token_with_truncated_signature_is_401(api):
    head, body, signature_b64 = api.operator_token.split(".")
    assert_unauthorized(api.get("/cameras", f"{head}.{body}.{signature_b64[:20]}"))


def test_token_of_another_camfleet_instance_is_401(api, start_server):
    other = start_server()
    other_api = Api(other, other.operator_client)
    foreign = other_api.operator_token
    expect(other_api.get("/organisations", foreign), 200)
    assert_unauthorized(api.get("/organisations", foreign))


def test_expired_token_is_401(start_server):
    private = start_server(["--token-ttl", "1"])
    private_api = Api(private, private.operator_client)
    client_id = private.operator_client["clientId"]
    resp = private_api.oauth_token({"grant_type": "client_credentials"},
                                   auth=(client_id, private.operator_client["clientSecret"]))
    token = assert_token_response(resp, expires_in=1)
    _, claims, _ = jwt_parts(token)
    assert claims["exp"] == claims["iat"] + 1
    for _ in range(100):  # bounded: at most ~10 s
        if time.time() >= claims["exp"] + 2:
            break
        time.sleep(0.1)
    assert_unauthorized(private_api.get("/organisations", token))


def test_configured_issuer_is_the_token_iss(start_server):
    private = start_server(["--issuer", "https://issuer.example.test"])
    private_api = Api(private, private.operator_client)
    _, claims, _ = jwt_parts(private_api.operator_token)
    assert claims["iss"] == "https://issuer.example.test"
    assert claims["aud"] == "camfleet" or claims["aud"] == ["camfleet"]
    expect(private_api.get("/organisations", private_api.operator_token), 200)


def test_token_endpoint_needs_no_bearer_token(api):
    resp = requests.post(api.base + "/oauth/token", data={"grant_type": "client_credentials"},
                         auth=operator_credentials(api), timeout=REQUEST_TIMEOUT)
    assert_token_response(resp)


@pytest.mark.parametrize("path", ["/organisations", "/sites", "/users", "/clients", "/cameras"])
def test_every_resource_collection_requires_a_token(api, path):
    assert_unauthorized(api.get(path))


def test_bearer_scheme_is_case_insensitive(api):
    resp = api.get("/organisations", headers={"Authorization": f"bearer {api.operator_token}"})
    expect(resp, 200)


def test_json_body_on_the_token_endpoint_is_invalid_request(api):
    client_id, secret = operator_credentials(api)
    resp = api.post("/oauth/token", json={"grant_type": "client_credentials",
                                          "client_id": client_id, "client_secret": secret})
    assert_oauth_error(resp, 400, "invalid_request")


def test_client_created_by_the_cli_while_serving_gets_a_token_at_once(api, server):
    created = server.admin_create_client("operator", "made-while-serving")
    resp = api.oauth_token({"grant_type": "client_credentials"},
                           auth=(created["clientId"], created["clientSecret"]))
    token = assert_token_response(resp)
    expect(api.get("/organisations", token), 200)


def test_token_stays_valid_across_a_restart(start_server):
    private = start_server()
    token = Api(private, private.operator_client).operator_token
    keys_before = expect(requests.get(private.url + "/.well-known/jwks.json",
                                      timeout=REQUEST_TIMEOUT), 200)
    assert private.stop() == 0
    private.start()
    restarted = Api(private, private.operator_client)
    expect(restarted.get("/organisations", token), 200)
    assert expect(restarted.get("/.well-known/jwks.json"), 200) == keys_before
