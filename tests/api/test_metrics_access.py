"""/metrics: operator tokens only on the API's address; without a token only on the separate
--metrics-listen address, which serves nothing else."""
import time

import requests

from conftest import (REQUEST_TIMEOUT, Api, assert_error, assert_unauthorized, describe,
                      free_port, make_client, client_token)


def test_metrics_without_a_token_is_401(api):
    assert_unauthorized(api.get("/metrics"))


def test_metrics_with_an_admin_token_is_403(api, tenant):
    assert_error(api.get("/metrics", tenant.admin_token), 403, "admin")


def test_metrics_with_a_viewer_token_is_403(api, tenant):
    assert_error(api.get("/metrics", tenant.viewer_token), 403, "viewer")


def test_metrics_with_an_operator_token_is_200(api):
    resp = api.get("/metrics", api.operator_token)
    assert resp.status_code == 200, describe(resp)
    assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4"), describe(resp)
    assert "# TYPE camfleet_http_requests_total counter" in resp.text


def test_metrics_with_an_operator_client_of_its_own_is_200(api):
    operator = make_client(api, None, "operator")
    resp = api.get("/metrics", client_token(api, operator))
    assert resp.status_code == 200, describe(resp)


def test_metrics_listen_serves_metrics_without_a_token_and_nothing_else(start_server):
    port = free_port()
    private = start_server(["--metrics-listen", f"127.0.0.1:{port}"])
    private_api = Api(private, private.operator_client)
    expect_ok = requests.get(private.url + "/healthz", timeout=REQUEST_TIMEOUT)
    assert expect_ok.status_code == 200
    metrics_url = f"http://127.0.0.1:{port}"
    counted = 'camfleet_http_requests_total{route="/healthz",method="GET",code="200"} 1'
    # a request is counted when it completes, just after its answer is sent: poll briefly
    deadline = time.monotonic() + 5
    while True:
        resp = requests.get(metrics_url + "/metrics", timeout=REQUEST_TIMEOUT)
        assert resp.status_code == 200, describe(resp)
        if counted in resp.text.splitlines() or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4"), describe(resp)
    assert resp.headers["X-Content-Type-Options"] == "nosniff", describe(resp)
    assert resp.headers["Cache-Control"] == "no-store", describe(resp)
    assert counted in resp.text.splitlines(), resp.text[:2000]
    for method, path in (("GET", "/healthz"), ("GET", "/cameras"), ("GET", "/openapi.json"),
                         ("POST", "/metrics"), ("GET", "/metrics/x"), ("GET", "/")):
        other = requests.request(method, metrics_url + path, timeout=REQUEST_TIMEOUT)
        assert other.status_code == 404, describe(other)
        assert other.json() == {"code": 404, "message": "this address serves only GET /metrics"}
    # the API's own address still asks for an operator token
    assert_unauthorized(private_api.get("/metrics"))
    assert private_api.get("/metrics", private_api.operator_token).status_code == 200


def test_metrics_listen_is_off_by_default(start_server):
    private = start_server()
    resp = requests.get(private.url + "/metrics", timeout=REQUEST_TIMEOUT)
    assert resp.status_code == 401, describe(resp)
