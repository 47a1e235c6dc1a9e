"""Absolute URLs come from --public-url (or CAMFLEET_PUBLIC_URL, default http:// + the listen
address), never from the Host header a client sends."""
import subprocess

import pytest
import requests

from conftest import BINARY, REQUEST_TIMEOUT, check_binary, describe, expect

METADATA = "/.well-known/oauth-authorization-server"


def metadata(base, host=None):
    headers = {"Host": host} if host else {}
    return expect(requests.get(base + METADATA, headers=headers, timeout=REQUEST_TIMEOUT), 200)


def test_a_forged_host_header_is_not_reflected_by_default(api):
    body = metadata(api.base, host="evil.example:666")
    assert body["token_endpoint"] == f"http://127.0.0.1:{api.server.port}/oauth/token"
    assert body["jwks_uri"] == f"http://127.0.0.1:{api.server.port}/.well-known/jwks.json"
    assert "evil" not in str(body)


def test_public_url_builds_every_absolute_url(start_server):
    private = start_server(["--public-url", "https://api.example.com/camfleet/"])
    body = metadata(private.url, host="evil.example")
    assert body["token_endpoint"] == "https://api.example.com/camfleet/oauth/token"
    assert body["jwks_uri"] == "https://api.example.com/camfleet/.well-known/jwks.json"
    assert "evil" not in str(body)


def test_public_url_comes_from_the_environment(start_server, monkeypatch):
    monkeypatch.setenv("CAMFLEET_PUBLIC_URL", "https://env.example.com")
    private = start_server()
    body = metadata(private.url)
    assert body["token_endpoint"] == "https://env.example.com/oauth/token"


def test_the_option_wins_over_the_environment(start_server, monkeypatch):
    monkeypatch.setenv("CAMFLEET_PUBLIC_URL", "https://env.example.com")
    private = start_server(["--public-url", "http://option.example.com:8080"])
    assert metadata(private.url)["jwks_uri"] == "http://option.example.com:8080/.well-known/jwks.json"


@pytest.mark.parametrize("value, reason", [
    ("ftp://api.example.com", "the scheme must be http:// or https://"),
    ("api.example.com", "the scheme must be http:// or https://"),
    ("https://", "a host is required after the scheme"),
    ("https://api.example.com/?a=1", "a query (?) or fragment (#) is not allowed"),
    ("https://api.example.com/#x", "a query (?) or fragment (#) is not allowed"),
    ("https://user@api.example.com", "user information (user@) is not allowed"),
])
def test_an_unusable_public_url_stops_serve_with_the_reason(tmp_path, value, reason):
    check_binary()
    done = subprocess.run([str(BINARY), "serve", "--public-url", value,
                           "--database", f"sqlite:{tmp_path / 'x.db'}"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2, done.stderr
    assert f"--public-url '{value}' is not usable: {reason}" in done.stderr


def test_list_links_stay_relative(api, tenant):
    """The Link header of paginated lists is a relative reference: no host in it at all."""
    tenant.camera()
    tenant.camera()
    resp = requests.get(api.base + "/cameras", params={"limit": 1},
                        headers={"Authorization": f"Bearer {tenant.admin_token}",
                                 "Host": "evil.example"}, timeout=REQUEST_TIMEOUT)
    assert resp.status_code == 200, describe(resp)
    assert resp.headers["Link"].startswith("</cameras?limit=1&after="), describe(resp)
