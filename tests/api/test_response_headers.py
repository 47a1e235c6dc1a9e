"""Every API answer says `X-Content-Type-Options: nosniff` and `Cache-Control: no-store` (the
JWKS keeps its own caching), successes, errors and unknown paths alike."""
import pytest

from conftest import describe, new_id


def assert_hardened(resp):
    assert resp.headers.get("X-Content-Type-Options") == "nosniff", describe(resp)
    assert resp.headers.get("Cache-Control") == "no-store", describe(resp)


def test_a_success_is_not_sniffed_or_stored(api, tenant):
    camera = tenant.camera()
    resp = api.get(f"/cameras/{camera['id']}", tenant.admin_token)
    assert resp.status_code == 200, describe(resp)
    assert_hardened(resp)


def test_the_health_and_openapi_documents_are_not_sniffed_or_stored(api):
    for path in ("/healthz", "/openapi.json"):
        resp = api.get(path)
        assert resp.status_code == 200, describe(resp)
        assert_hardened(resp)


def test_an_error_is_not_sniffed_or_stored(api):
    resp = api.get(f"/cameras/{new_id()}", api.operator_token)
    assert resp.status_code == 404, describe(resp)
    assert_hardened(resp)
    resp = api.get("/cameras")
    assert resp.status_code == 401, describe(resp)
    assert_hardened(resp)


def test_an_unknown_path_is_not_sniffed_or_stored(api):
    resp = api.get("/no-such-thing")
    assert resp.status_code == 404, describe(resp)
    assert_hardened(resp)


def test_a_token_answer_is_not_sniffed_or_stored(api):
    resp = api.oauth_token({"grant_type": "client_credentials"},
                           auth=(api.operator_client["clientId"], api.operator_client["clientSecret"]))
    assert resp.status_code == 200, describe(resp)
    assert_hardened(resp)


def test_the_jwks_keeps_its_own_cache_control_and_is_not_sniffed(api):
    resp = api.get("/.well-known/jwks.json")
    assert resp.status_code == 200, describe(resp)
    assert resp.headers.get("X-Content-Type-Options") == "nosniff", describe(resp)
    assert resp.headers.get("Cache-Control") == "public, max-age=300", describe(resp)


@pytest.mark.parametrize("size", [7000, 9000])
def test_oversized_headers_get_431_and_the_json_shape_where_camfleet_answers(api, size):
    """Up to the connection buffer (8 KiB) camfleet answers the JSON error; beyond it
    libmicrohttpd answers 431 itself (documented in docs/API.md)."""
    resp = api.get("/healthz", headers={"X-Padding": "a" * size})
    assert resp.status_code == 431, describe(resp)
    if size < 8000:
        assert resp.json() == {"code": 431, "message": "request headers exceed the limit of 6144 bytes"}
        assert_hardened(resp)
