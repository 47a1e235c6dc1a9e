"""/metrics' fleet families (issue 14, point 9): camfleet_cameras{state,online} (with
--metrics-per-organisation also by organisation), camfleet_frame_requests_total{result},
camfleet_heartbeats_total, camfleet_async_requests{kind,status}, camfleet_build_info{version,commit};
long-polls are kept out of the request-latency histogram, in a histogram of their own; and
`promtool check metrics` (Debian's prometheus package) passes on the real output. Each test runs
on a private server so that it knows every camera and request counted."""
import shutil
import subprocess
import time

import pytest

from conftest import BINARY, Api, Tenant, expect, new_id, register_camera, wait_request
from test_device_link import device_for
from test_meta import parse_metrics


def scrape(api):
    resp = api.get("/metrics", api.operator_token)
    assert resp.status_code == 200, resp.text
    return resp.text


def scrape_when(api, ready, timeout=5.0):
    """The metrics once ready(text) holds, or the last scrape after timeout s. A request is counted
    when libmicrohttpd reports it complete, a moment after its client has the answer, so a scrape
    right after a request may not count it yet."""
    deadline = time.monotonic() + timeout
    while True:
        text = scrape(api)
        if ready(text) or time.monotonic() > deadline:
            return text
        time.sleep(0.05)


def values(text, name):
    """{frozenset(labels.items()): value} of metric name."""
    return {frozenset(labels.items()): value for sample, labels, value in parse_metrics(text) if sample == name}


def camera_series(**labels):
    return frozenset(labels.items())


def small_fleet(api):
    """Two registered cameras, and a tenant with a running camera that heartbeats twice (online),
    a paused one and a decommissioned one; the tenant."""
    for _ in range(2):
        register_camera(api)
    tenant = Tenant(api)
    online = tenant.camera()
    device = device_for(api, online["id"], tenant.admin_token)
    for _ in range(2):
        expect(device.heartbeat(), 200)
    paused = tenant.camera()
    expect(api.put(f"/cameras/{paused['id']}/state/paused", tenant.admin_token), 201)
    gone = tenant.camera()
    assert api.delete(f"/cameras/{gone['id']}", tenant.admin_token).status_code == 204
    return tenant, online, paused, device


def test_cameras_are_counted_by_state_and_online(start_server):
    server = start_server()
    api = Api(server, server.operator_client)
    small_fleet(api)
    cameras = values(scrape(api), "camfleet_cameras")
    expected = {(state, online): 0 for state in ("registered", "running", "paused", "decommissioned")
                for online in ("true", "false")}
    expected.update({("registered", "false"): 2, ("running", "true"): 1, ("paused", "false"): 1,
                     ("decommissioned", "false"): 1})
    assert cameras == {camera_series(state=state, online=online): float(count)
                       for (state, online), count in expected.items()}


def test_cameras_per_organisation_when_asked(start_server):
    server = start_server(extra_args=["--metrics-per-organisation"])
    api = Api(server, server.operator_client)
    tenant, _online, _paused, _device = small_fleet(api)
    cameras = values(scrape(api), "camfleet_cameras")
    assert cameras == {
        camera_series(organisation="", state="registered", online="false"): 2.0,
        camera_series(organisation=tenant.org_id, state="running", online="true"): 1.0,
        camera_series(organisation=tenant.org_id, state="paused", online="false"): 1.0,
        camera_series(organisation=tenant.org_id, state="decommissioned", online="false"): 1.0,
    }


def test_frame_requests_heartbeats_and_async_requests_are_counted(start_server):
    server = start_server()
    api = Api(server, server.operator_client)
    tenant, _online, paused, _device = small_fleet(api)
    expect(api.post("/frame-requests", tenant.admin_token, json={"cameraId": paused["id"]}), 409)
    expect(api.post("/frame-requests", tenant.admin_token, json={"cameraId": new_id()}), 404)
    expect(api.post("/frame-requests", tenant.admin_token, json={"cameraId": new_id()}), 404)
    expect(api.post("/frame-requests", tenant.admin_token, json={}), 400)
    text = scrape_when(api, lambda t: sum(values(t, "camfleet_frame_requests_total").values()) >= 4)
    frames = values(text, "camfleet_frame_requests_total")
    assert frames == {camera_series(result="image"): 0.0, camera_series(result="not_found"): 2.0,
                      camera_series(result="not_running"): 1.0, camera_series(result="unavailable"): 0.0,
                      camera_series(result="refused"): 1.0, camera_series(result="error"): 0.0}
    assert values(text, "camfleet_heartbeats_total") == {frozenset(): 2.0}
    registrations = values(text, "camfleet_async_requests")
    # every camera of the fleet was registered through POST /register-camera-requests
    assert registrations[camera_series(kind="register-camera", status="succeeded")] == 5.0
    assert sum(registrations.values()) == 5.0
    assert len(registrations) == 8  # every kind and status, zeros included


def test_async_requests_follow_the_queue(start_server):
    server = start_server()
    api = Api(server, server.operator_client)
    tenant = Tenant(api)
    camera = tenant.camera()
    request = expect(api.post("/put-camera-state-requests", tenant.admin_token,
                              json={"cameraId": camera["id"], "newState": "claimed_paused"}), 202)
    wait_request(api, "put-camera-state-requests", request["id"], tenant.admin_token)
    registrations = values(scrape(api), "camfleet_async_requests")
    assert registrations[camera_series(kind="put-camera-state", status="succeeded")] == 1.0


def test_build_info_names_the_version_and_commit(start_server):
    server = start_server()
    api = Api(server, server.operator_client)
    version_line = subprocess.run([str(BINARY), "--version"], capture_output=True, text=True,
                                  check=True).stdout.strip()
    info = values(scrape(api), "camfleet_build_info")
    assert len(info) == 1
    (labels, value), = info.items()
    labels = dict(labels)
    assert value == 1.0 and set(labels) == {"version", "commit"}
    assert version_line == f"camfleet {labels['version']} (commit {labels['commit']})"
    assert labels["version"] and labels["commit"]


def test_long_polls_have_their_own_histogram(start_server):
    server = start_server()
    api = Api(server, server.operator_client)
    tenant = Tenant(api)
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    expect(device.commands(wait=1), 200)
    series = camera_series(route="/device/commands", method="GET")
    text = scrape_when(api, lambda t: series in values(t, "camfleet_http_long_poll_duration_seconds_count"))
    long_polls = values(text, "camfleet_http_long_poll_duration_seconds_count")
    durations = values(text, "camfleet_http_request_duration_seconds_count")
    assert not [labels for labels in durations if ("route", "/device/commands") in labels]
    assert long_polls.get(series) == 1.0, sorted(long_polls)
    assert "# TYPE camfleet_http_long_poll_duration_seconds histogram" in text


def test_promtool_passes_on_the_real_output(start_server):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool not found (apt-get install prometheus; scripts/install-deps.sh --test)",
                    pytrace=False)
    server = start_server(extra_args=["--metrics-per-organisation"])
    api = Api(server, server.operator_client)
    tenant, _online, paused, device = small_fleet(api)
    expect(device.commands(wait=1), 200)
    expect(api.post("/frame-requests", tenant.admin_token, json={"cameraId": paused["id"]}), 409)
    text = scrape(api)
    for family in ("camfleet_cameras", "camfleet_frame_requests_total", "camfleet_heartbeats_total",
                   "camfleet_async_requests", "camfleet_build_info",
                   "camfleet_http_long_poll_duration_seconds", "camfleet_http_request_duration_seconds"):
        assert f"# TYPE {family} " in text, family
    done = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
