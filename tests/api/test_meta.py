"""Service endpoints and HTTP conventions: health, readiness, metrics, OpenAPI, discovery
documents, unknown routes, wrong methods, body limits and request ids."""
import json
import os
import re
import signal
import subprocess
import time
import uuid

import pytest
import requests

from conftest import (BACKEND, BINARY, REPO, REQUEST_TIMEOUT, Api, admin_create_client,
                      assert_error, assert_oauth_error, b64url_decode, check_binary, describe,
                      expect, free_port, new_database_url, new_id, register_camera, unique)

LABEL_RE = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
SAMPLE_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$")


def parse_metrics(text):
    """[(name, labels dict, value float)] of a Prometheus text exposition."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE_RE.match(line)
        assert match, f"unparsable metrics line {line!r}"
        labels = dict(LABEL_RE.findall(match.group(2) or ""))
        samples.append((match.group(1), labels, float(match.group(3))))
    return samples


def healthz_count(api):
    resp = api.get("/metrics", api.operator_token)
    assert resp.status_code == 200, describe(resp)
    total = 0.0
    for name, labels, value in parse_metrics(resp.text):
        if (name == "camfleet_http_requests_total" and labels.get("route") == "/healthz"
                and labels.get("method") == "GET" and labels.get("code") == "200"):
            total += value
    return total


def allowed_methods(resp):
    allow = resp.headers.get("Allow")
    assert allow, describe(resp)
    return {method.strip().upper() for method in allow.split(",") if method.strip()}


# --- health and readiness ---------------------------------------------------------------------

def test_healthz_is_ok_without_token(api):
    assert expect(api.get("/healthz"), 200) == {"status": "ok"}


def test_readyz_is_ready_without_token(api):
    assert expect(api.get("/readyz"), 200) == {"status": "ready"}


# --- metrics ----------------------------------------------------------------------------------

def test_metrics_is_prometheus_text_with_the_documented_families(api):
    api.get("/healthz")
    resp = api.get("/metrics", api.operator_token)
    assert resp.status_code == 200, describe(resp)
    assert resp.headers.get("Content-Type", "").startswith("text/plain"), describe(resp)
    text = resp.text
    assert "# TYPE camfleet_http_requests_total counter" in text
    assert "# TYPE camfleet_http_request_duration_seconds histogram" in text
    assert "# TYPE camfleet_async_queue_depth gauge" in text
    samples = parse_metrics(text)
    names = {name for name, _, _ in samples}
    assert "camfleet_async_queue_depth" in names
    assert {"camfleet_http_request_duration_seconds_bucket",
            "camfleet_http_request_duration_seconds_sum",
            "camfleet_http_request_duration_seconds_count"} <= names
    for name, labels, value in samples:
        if name == "camfleet_http_requests_total":
            assert {"route", "method", "code"} <= set(labels), labels
        if name == "camfleet_async_queue_depth":
            assert value >= 0


def test_metrics_has_a_duration_histogram_for_the_healthz_route(api):
    api.get("/healthz")
    samples = parse_metrics(api.get("/metrics", api.operator_token).text)
    infinity_buckets = [value for name, labels, value in samples
                        if name == "camfleet_http_request_duration_seconds_bucket"
                        and labels.get("route") == "/healthz" and labels.get("le") == "+Inf"]
    assert infinity_buckets and sum(infinity_buckets) >= 1


def test_metrics_request_counter_counts_each_request(api):
    before = healthz_count(api)
    api.get("/healthz")
    api.get("/healthz")
    # a request is counted when libmicrohttpd reports it complete, a moment after the answer
    deadline = time.monotonic() + 5
    while healthz_count(api) < before + 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert healthz_count(api) == before + 2


def cache_samples(api):
    text = api.get("/metrics", api.operator_token).text
    return {name: value for name, _, value in parse_metrics(text)
            if name.startswith("camfleet_camera_cache_")}


def test_metrics_show_the_camera_cache_on_sqlite_and_none_on_postgres(api):
    """A SQLite server answers GET /cameras/{id} from memory and says how well; PostgreSQL nodes
    keep no such cache, so the families are absent there."""
    camera = register_camera(api)
    before = cache_samples(api)
    if BACKEND != "sqlite":
        assert before == {}
        return
    assert set(before) == {"camfleet_camera_cache_rows", "camfleet_camera_cache_bytes",
                           "camfleet_camera_cache_hits_total", "camfleet_camera_cache_misses_total"}
    for _ in range(3):
        expect(api.get(f"/cameras/{camera['id']}", api.operator_token), 200)
    after = cache_samples(api)
    reads = (after["camfleet_camera_cache_hits_total"] + after["camfleet_camera_cache_misses_total"]
             - before["camfleet_camera_cache_hits_total"] - before["camfleet_camera_cache_misses_total"])
    assert reads >= 3
    assert after["camfleet_camera_cache_hits_total"] >= before["camfleet_camera_cache_hits_total"] + 2
    assert after["camfleet_camera_cache_rows"] >= 1 and after["camfleet_camera_cache_bytes"] > 0


# --- OpenAPI ----------------------------------------------------------------------------------

DOCUMENTED_OPERATIONS = {
    "/oauth/token": {"post"},
    "/.well-known/jwks.json": {"get"},
    "/.well-known/oauth-authorization-server": {"get"},
    "/healthz": {"get"},
    "/readyz": {"get"},
    "/metrics": {"get"},
    "/openapi.json": {"get"},
    "/organisations": {"get", "post"},
    "/organisations/{}": {"get", "patch", "delete"},
    "/sites": {"get", "post"},
    "/sites/{}": {"get", "patch", "delete"},
    "/users": {"get", "post"},
    "/users/{}": {"get", "patch", "delete"},
    "/users/{}/sites": {"get", "put"},
    "/clients": {"get", "post"},
    "/clients/{}": {"get", "delete"},
    "/cameras": {"get", "post"},
    "/cameras/{}": {"get", "patch", "delete"},
    "/cameras/{}/state/{}": {"put"},
    "/cameras/{}/move": {"post"},
    "/cameras/{}/opening-hours": {"get"},
    "/cameras/{}/video-upload-metrics": {"get"},
    "/frame-requests": {"post"},
    "/register-camera-requests": {"post"},
    "/register-camera-requests/{}": {"get"},
    "/put-camera-state-requests": {"post"},
    "/put-camera-state-requests/{}": {"get"},
    "/events": {"get"},
    "/events/stream": {"get"},
    "/webhooks": {"get", "post"},
    "/webhooks/{}": {"get", "patch", "delete"},
    "/webhooks/{}/rotate-secret": {"post"},
    "/webhooks/{}/test": {"post"},
    "/webhooks/{}/deliveries": {"get"},
    "/webhooks/{}/deliveries/{}": {"get"},
    "/webhooks/{}/deliveries/{}/retry": {"post"},
}


def test_openapi_json_is_the_repository_document(api):
    served = expect(api.get("/openapi.json"), 200)
    with open(REPO / "docs" / "openapi.json") as handle:
        assert served == json.load(handle)


def test_openapi_json_is_openapi_3_1_describing_every_documented_operation(api):
    document = expect(api.get("/openapi.json"), 200)
    assert str(document.get("openapi", "")).startswith("3.1"), document.get("openapi")
    assert isinstance(document.get("info"), dict)
    paths = {re.sub(r"\{[^}]*\}", "{}", path): item
             for path, item in document.get("paths", {}).items()}
    missing = []
    for path, methods in DOCUMENTED_OPERATIONS.items():
        for method in methods:
            if method not in paths.get(path, {}):
                missing.append(f"{method.upper()} {path}")
    assert not missing, f"operations missing from openapi.json: {missing}"


def test_openapi_json_cameras_post_uses_the_seed_operation_shape(api):
    document = expect(api.get("/openapi.json"), 200)
    item = {re.sub(r"\{[^}]*\}", "{}", path): value
            for path, value in document["paths"].items()}["/cameras"]
    assert {"201", "400", "401", "403", "404", "409"} <= set(item["post"]["responses"])
    assert "200" in item["get"]["responses"]


# --- discovery documents ------------------------------------------------------------------------

def test_jwks_lists_one_p256_signing_key(api):
    body = expect(api.get("/.well-known/jwks.json"), 200)
    assert set(body) == {"keys"}
    assert isinstance(body["keys"], list) and len(body["keys"]) >= 1
    for key in body["keys"]:
        assert key["kty"] == "EC"
        assert key["crv"] == "P-256"
        assert key["use"] == "sig"
        assert key["alg"] == "ES256"
        assert isinstance(key["kid"], str) and key["kid"]
        assert len(b64url_decode(key["x"])) == 32
        assert len(b64url_decode(key["y"])) == 32
        assert "d" not in key, "the private key must never be published"


def test_oauth_metadata_describes_the_token_endpoint(api):
    body = expect(api.get("/.well-known/oauth-authorization-server"), 200)
    assert body["issuer"] == "camfleet"
    assert isinstance(body["token_endpoint"], str)
    assert body["token_endpoint"].endswith("/oauth/token")
    assert isinstance(body["jwks_uri"], str)
    assert body["jwks_uri"].endswith("/.well-known/jwks.json")
    assert {"client_credentials", "password"} <= set(body["grant_types_supported"])
    assert {"client_secret_basic", "client_secret_post"} <= set(
        body["token_endpoint_auth_methods_supported"])
    assert isinstance(body["response_types_supported"], list)


def test_oauth_metadata_reports_the_configured_issuer(start_server):
    private = start_server(["--issuer", "https://fleet.example.test"])
    resp = requests.get(private.url + "/.well-known/oauth-authorization-server",
                        timeout=REQUEST_TIMEOUT)
    assert expect(resp, 200)["issuer"] == "https://fleet.example.test"


# --- unknown routes, wrong methods ----------------------------------------------------------------

def test_unknown_route_is_404_json(api):
    assert_error(api.get("/no-such-thing", api.operator_token), 404)


def test_unknown_route_under_a_camera_is_404_json(api):
    assert_error(api.get(f"/cameras/{new_id()}/no-such-thing", api.operator_token), 404)


def test_unknown_route_without_token_is_404_json(api):
    assert_error(api.get("/no-such-thing/at/all"), 404)


def test_wrong_method_on_healthz_is_405_with_allow(api):
    resp = api.delete("/healthz")
    assert_error(resp, 405)
    assert allowed_methods(resp) - {"HEAD", "OPTIONS"} == {"GET"}


def test_wrong_method_on_cameras_is_405_with_allow(api):
    resp = api.put("/cameras", api.operator_token, json={})
    assert_error(resp, 405)
    assert allowed_methods(resp) - {"HEAD", "OPTIONS"} == {"GET", "POST"}


def test_wrong_method_on_one_camera_is_405_with_allow(api):
    resp = api.post(f"/cameras/{new_id()}", api.operator_token, json={})
    assert_error(resp, 405)
    assert allowed_methods(resp) - {"HEAD", "OPTIONS"} == {"GET", "PATCH", "DELETE"}


def test_wrong_method_on_frame_requests_is_405_with_allow(api):
    resp = api.get("/frame-requests", api.operator_token)
    assert_error(resp, 405)
    assert allowed_methods(resp) - {"HEAD", "OPTIONS"} == {"POST"}


def test_wrong_method_on_token_endpoint_is_405_with_allow(api):
    resp = api.get("/oauth/token")
    assert_error(resp, 405)
    assert allowed_methods(resp) - {"HEAD", "OPTIONS"} == {"POST"}


# --- body limit ---------------------------------------------------------------------------------

def test_body_over_64_kib_is_413(api):
    body = json.dumps({"name": "x" * (65 * 1024)})
    resp = api.post("/organisations", api.operator_token, data=body,
                    headers={"Content-Type": "application/json"})
    assert_error(resp, 413)


def test_chunked_body_over_64_kib_is_413(api):
    def chunks():
        yield b'{"name": "'
        for _ in range(70):
            yield b"x" * 1024
        yield b'"}'
    resp = api.post("/organisations", api.operator_token, data=chunks(),
                    headers={"Content-Type": "application/json"})
    assert_error(resp, 413)


def test_body_under_64_kib_is_read_and_validated(api):
    body = json.dumps({"name": "x" * (60 * 1024)})
    resp = api.post("/organisations", api.operator_token, data=body,
                    headers={"Content-Type": "application/json"})
    assert_error(resp, 400)


# --- request ids --------------------------------------------------------------------------------

def test_request_id_is_echoed_when_given(api):
    resp = api.get("/healthz", headers={"X-Request-Id": "abc-123-test"})
    assert resp.headers.get("X-Request-Id") == "abc-123-test"


def test_request_id_is_generated_and_differs_between_requests(api):
    first = api.get("/healthz").headers.get("X-Request-Id")
    second = api.get("/healthz").headers.get("X-Request-Id")
    assert first and second and first != second


def test_request_id_is_on_error_responses(api):
    for resp, status in ((api.get("/cameras"), 401),
                         (api.get("/nowhere", api.operator_token), 404),
                         (api.delete("/healthz"), 405),
                         (api.get("/cameras/bad-id", api.operator_token), 422)):
        assert_error(resp, status)
        assert resp.headers.get("X-Request-Id"), describe(resp)
    resp = api.get("/cameras", headers={"X-Request-Id": "err-echo-1"})
    assert_error(resp, 401)
    assert resp.headers.get("X-Request-Id") == "err-echo-1"


def test_request_id_is_on_token_endpoint_responses(api):
    resp = api.oauth_token({"grant_type": "nonsense"})
    assert_oauth_error(resp, 400, "unsupported_grant_type")
    assert resp.headers.get("X-Request-Id")


def test_request_id_is_on_created_responses(api):
    resp = api.post("/organisations", api.operator_token, json={"name": unique("rid-org")},
                    headers={"X-Request-Id": "create-rid-1"})
    expect(resp, 201)
    assert resp.headers.get("X-Request-Id") == "create-rid-1"


def test_body_of_exactly_64_kib_is_read_and_one_byte_more_is_413(api):
    prefix, suffix = b'{"name": "', b'"}'
    filler = 65536 - len(prefix) - len(suffix)
    exact = prefix + b"x" * filler + suffix
    assert len(exact) == 65536
    headers = {"Content-Type": "application/json"}
    assert_error(api.post("/organisations", api.operator_token, data=exact, headers=headers), 400)
    over = prefix + b"x" * (filler + 1) + suffix
    assert_error(api.post("/organisations", api.operator_token, data=over, headers=headers), 413)


def test_body_over_the_limit_on_the_token_endpoint_is_413(api):
    resp = api.post("/oauth/token", data=b"grant_type=client_credentials&pad=" + b"x" * 70000,
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_error(resp, 413)


def test_max_body_option_lowers_the_limit(start_server):
    private = start_server(["--max-body", "2048"])
    private_api = Api(private, private.operator_client)
    token = private_api.operator_token
    small = json.dumps({"name": "fits"})
    expect(private_api.post("/organisations", token, data=small,
                            headers={"Content-Type": "application/json"}), 201)
    big = json.dumps({"name": "x" * 3000})
    assert_error(private_api.post("/organisations", token, data=big,
                                  headers={"Content-Type": "application/json"}), 413)


def test_serve_reads_listen_and_database_from_the_environment(tmp_path):
    check_binary()
    port = free_port()
    database = new_database_url(tmp_path)  # sqlite:TMP/camfleet.db, or a fresh PostgreSQL database
    env = dict(os.environ, CAMFLEET_LISTEN=f"127.0.0.1:{port}", CAMFLEET_DATABASE=database)
    with open(tmp_path / "env-server.log", "wb") as log:
        process = subprocess.Popen([str(BINARY), "serve"], env=env, stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=log)
        try:
            ready = False
            for _ in range(200):  # bounded: ~10 s
                if process.poll() is not None:
                    break
                try:
                    resp = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                    if resp.status_code == 200:
                        ready = True
                        break
                except requests.RequestException:
                    pass
                time.sleep(0.05)
            assert ready, (tmp_path / "env-server.log").read_text(errors="replace")[-2000:]
            if BACKEND == "sqlite":
                assert (tmp_path / "camfleet.db").exists()
            # it serves that database: a client made there gets a token from it
            created = admin_create_client(database, "operator", unique("env"))
            resp = requests.post(f"http://127.0.0.1:{port}/oauth/token",
                                 data={"grant_type": "client_credentials"},
                                 auth=(created["clientId"], created["clientSecret"]),
                                 timeout=REQUEST_TIMEOUT)
            assert resp.status_code == 200, describe(resp)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=15) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def test_metrics_route_labels_are_route_templates_not_raw_paths(api):
    random_path = f"/no-such-{uuid.uuid4().hex}"
    api.get(random_path, api.operator_token)
    api.get(f"/cameras/{new_id()}", api.operator_token)
    api.get(f"/organisations/{new_id()}", api.operator_token)
    samples = parse_metrics(api.get("/metrics", api.operator_token).text)
    routes = {labels.get("route", "") for name, labels, _ in samples
              if name.startswith("camfleet_http_request")}
    assert routes, "no per-route samples"
    for route in routes:
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", route), route
        assert random_path not in route, route


def test_oversized_request_headers_get_a_json_431(api):
    resp = api.get("/healthz", headers={"X-Padding": "a" * 7000})
    assert_error(resp, 431)


def test_headers_beyond_the_connection_buffer_get_431(api):
    # Past libmicrohttpd's per-connection buffer (8 KiB) the library answers 431 itself, before
    # any camfleet code runs, so its body is libmicrohttpd's (not JSON); the status still says why.
    resp = api.get("/healthz", headers={"X-Padding": "a" * 100000})
    assert resp.status_code == 431


def test_head_is_answered_like_get_without_body(api):
    resp = requests.head(api.base + "/healthz", timeout=10)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.content == b""


@pytest.mark.skipif(BACKEND != "sqlite", reason="PostgreSQL is shared by many servers on purpose")
def test_second_server_on_one_sqlite_file_is_refused(start_server, tmp_path):
    """A SQLite database has one server (it keeps camera rows in memory): a second `camfleet
    serve` on the same file exits with a clear error, and the first keeps serving, writes included;
    `camfleet admin` still works beside it."""
    first = start_server()
    api = Api(first, first.operator_client)
    organisation = expect(api.post("/organisations", api.operator_token, json={"name": unique("one")}),
                          201)
    port = free_port()
    done = subprocess.run([str(BINARY), "serve", "--listen", f"127.0.0.1:{port}",
                           "--database", first.database], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode != 0
    assert "in use by another camfleet serve" in done.stderr, done.stderr[-2000:]
    created = admin_create_client(first.database, "operator", unique("beside"))
    resp = requests.post(first.url + "/oauth/token", data={"grant_type": "client_credentials"},
                         auth=(created["clientId"], created["clientSecret"]), timeout=REQUEST_TIMEOUT)
    assert resp.status_code == 200, describe(resp)
    renamed = expect(api.request("PATCH", f"/organisations/{organisation['id']}", api.operator_token,
                                 json={"name": "renamed"}), 200)
    assert renamed["name"] == "renamed"
