"""Health alerts (issue 12 part 3, README "Health alerts"): camera.offline once a running camera
has been offline for --offline-alert-after during its site's opening hours (none while closed, one
at the next opening), camera.online when it is back, nothing for paused cameras, one site.offline
instead of one camera.offline per camera when a whole site drops, site.online when it comes back,
and on PostgreSQL each alert emitted once by two nodes.

The servers here run with a 2 s online window and a 2 s alert delay; cameras heartbeat through the
real device API (tests/api/test_device_link.py's device client)."""
import contextlib
import datetime
import threading
import time

import pytest

from conftest import BACKEND, Api, Server, Tenant, expect, parse_timestamp
from test_device_link import Device, issue_credentials

WINDOW_S = 2
DELAY_S = 2
ALERT_ARGS = ["--online-window", str(WINDOW_S), "--offline-alert-after", str(DELAY_S)]
SYSTEM = {"kind": "system", "id": None}
ALERT_TYPES = ("camera.offline", "camera.online", "site.offline", "site.online")


@pytest.fixture(scope="module")
def alerts_server(tmp_path_factory):
    instance = Server(tmp_path_factory.mktemp("camfleet-alerts"), ALERT_ARGS)
    instance.operator_client = instance.admin_create_client("operator", "alerts-operator")
    instance.start()
    yield instance
    code = instance.stop()
    assert code in (0, None), f"alerts server exited {code} on SIGTERM\n{instance.log_tail()}"


@pytest.fixture(scope="module")
def alerts_api(alerts_server):
    client = Api(alerts_server, alerts_server.operator_client)
    yield client
    client.session.close()


@pytest.fixture
def alerts_tenant(alerts_api):
    return Tenant(alerts_api)


def device_for(api, camera_id):
    return Device(api.base, camera_id, issue_credentials(api, camera_id))


def alert_events(api, **filters):
    """The alert events matching filters (cameraId, siteId), oldest first."""
    params = [("limit", 1000)] + [(key, value) for key, value in filters.items()]
    params += [("type", kind) for kind in ALERT_TYPES]
    events = expect(api.get("/events", api.operator_token, params=params), 200)
    return list(reversed(events))


def wait_for(api, event_type, timeout=15.0, **filters):
    """Polls until an event of event_type matches filters; returns the alert events then."""
    deadline = time.monotonic() + timeout
    while True:
        events = alert_events(api, **filters)
        if any(event["type"] == event_type for event in events):
            return events
        assert time.monotonic() < deadline, f"no {event_type} within {timeout} s: {events}"
        time.sleep(0.25)


def types(events):
    return [event["type"] for event in events]


def heartbeat(device, **fields):
    return expect(device.heartbeat(**fields), 200)


def occurred_s(event):
    """An event's occurredAt (RFC 3339 with milliseconds) in epoch seconds, as a float."""
    text = event["occurredAt"]
    whole, millis = text[:19], text[20:23]
    return parse_timestamp(whole + "Z") + int(millis) / 1000


@contextlib.contextmanager
def kept_online(device):
    """Heartbeats every half second (well within the window) while the block runs."""
    stop = threading.Event()

    def beat():
        while not stop.is_set():
            heartbeat(device)
            stop.wait(0.5)

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def rfc3339(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def last_seen(api, camera_id):
    camera = expect(api.get(f"/cameras/{camera_id}", api.operator_token), 200)
    return int(parse_timestamp(camera["lastSeenAt"]))


def test_offline_alert_during_opening_hours_then_online_on_return(alerts_api, alerts_tenant):
    camera = alerts_tenant.camera()
    device = device_for(alerts_api, camera["id"])
    heartbeat(device)
    seen = last_seen(alerts_api, camera["id"])
    events = wait_for(alerts_api, "camera.offline", cameraId=camera["id"])
    assert types(events) == ["camera.offline"]
    offline = events[0]
    assert offline["actor"] == SYSTEM
    assert offline["cameraId"] == camera["id"] and offline["siteId"] == alerts_tenant.site_id
    assert offline["data"]["camera"]["id"] == camera["id"]
    assert offline["data"]["camera"]["isOnline"] is False
    assert offline["data"]["offlineSince"] == rfc3339(seen + WINDOW_S)
    assert "reminder" not in offline["data"]
    assert occurred_s(offline) >= seen + WINDOW_S + DELAY_S

    heartbeat(device)
    events = wait_for(alerts_api, "camera.online", cameraId=camera["id"])
    assert types(events) == ["camera.offline", "camera.online"]
    online = events[1]
    assert online["actor"] == SYSTEM
    assert online["data"]["camera"]["isOnline"] is True
    assert online["data"]["offlineSince"] == rfc3339(seen + WINDOW_S)


def test_shutting_down_is_offline_at_once(alerts_api, alerts_tenant):
    camera = alerts_tenant.camera()
    device = device_for(alerts_api, camera["id"])
    heartbeat(device, status="shutting_down")
    seen = last_seen(alerts_api, camera["id"])
    events = wait_for(alerts_api, "camera.offline", cameraId=camera["id"])
    assert events[0]["data"]["offlineSince"] == rfc3339(seen)
    assert occurred_s(events[0]) >= seen + DELAY_S


def test_never_seen_camera_does_not_alert(alerts_api, alerts_tenant):
    camera = alerts_tenant.camera()
    time.sleep(WINDOW_S + DELAY_S + 3)
    assert alert_events(alerts_api, cameraId=camera["id"]) == []


def test_paused_camera_does_not_alert(alerts_api, alerts_tenant):
    camera = alerts_tenant.camera()
    device = device_for(alerts_api, camera["id"])
    heartbeat(device)
    expect(alerts_api.put(f"/cameras/{camera['id']}/state/paused", alerts_tenant.admin_token), 201)
    heartbeat(device)
    time.sleep(WINDOW_S + DELAY_S + 3)
    assert alert_events(alerts_api, cameraId=camera["id"]) == []


def test_pausing_an_alerted_camera_closes_its_alert_silently(alerts_api, alerts_tenant):
    camera = alerts_tenant.camera()
    device = device_for(alerts_api, camera["id"])
    heartbeat(device)
    wait_for(alerts_api, "camera.offline", cameraId=camera["id"])
    expect(alerts_api.put(f"/cameras/{camera['id']}/state/paused", alerts_tenant.admin_token), 201)
    heartbeat(device)
    time.sleep(3)
    assert types(alert_events(alerts_api, cameraId=camera["id"])) == ["camera.offline"]


def test_whole_site_down_is_one_site_offline_then_site_online(alerts_api, alerts_tenant):
    site = alerts_tenant.add_site()
    cameras = [alerts_tenant.camera(site_id=site["id"]) for _ in range(2)]
    devices = [device_for(alerts_api, camera["id"]) for camera in cameras]
    for device in devices:
        heartbeat(device)
    events = wait_for(alerts_api, "site.offline", siteId=site["id"])
    assert types(events) == ["site.offline"]
    down = events[0]
    assert down["actor"] == SYSTEM and down["siteId"] == site["id"] and down["cameraId"] is None
    assert sorted(down["data"]["cameraIds"]) == sorted(camera["id"] for camera in cameras)
    parse_timestamp(down["data"]["offlineSince"])

    with kept_online(devices[0]):
        events = wait_for(alerts_api, "site.online", siteId=site["id"])
        assert types(events) == ["site.offline", "site.online"]
        up = events[1]
        assert up["actor"] == SYSTEM and up["cameraId"] is None
        assert sorted(up["data"]["cameraIds"]) == sorted(camera["id"] for camera in cameras)
        assert up["data"]["offlineSince"] == down["data"]["offlineSince"]
        # the camera still down alerts on its own once the delay has passed again
        events = wait_for(alerts_api, "camera.offline", siteId=site["id"])
    assert types(events) == ["site.offline", "site.online", "camera.offline"]
    assert events[2]["cameraId"] == cameras[1]["id"]


def test_no_alert_while_closed_and_one_at_the_next_opening(alerts_api, alerts_tenant):
    """The site (UTC) is closed but for an exception opening at the next whole minute."""
    now = datetime.datetime.now(datetime.timezone.utc)
    if now.second > 50:  # leave the camera time to become due while still closed
        time.sleep(61 - now.second)
        now = datetime.datetime.now(datetime.timezone.utc)
    opening = (now + datetime.timedelta(minutes=1)).replace(second=0, microsecond=0)
    open_minute = opening.hour * 60 + opening.minute
    close_minute = min(open_minute + 10, 1440)
    site = alerts_tenant.add_site(time_zone="UTC")
    body = {"intervals": [{"open": f"{open_minute // 60:02d}:{open_minute % 60:02d}",
                           "close": f"{close_minute // 60:02d}:{close_minute % 60:02d}"}]}
    expect(alerts_api.put(f"/sites/{site['id']}/opening-hours/exceptions/{opening.date().isoformat()}",
                          alerts_tenant.admin_token, json=body), 200)
    camera = alerts_tenant.camera(site_id=site["id"])
    device = device_for(alerts_api, camera["id"])
    heartbeat(device)
    time.sleep(WINDOW_S + DELAY_S + 2)
    assert alert_events(alerts_api, cameraId=camera["id"]) == []
    events = wait_for(alerts_api, "camera.offline", timeout=75.0, cameraId=camera["id"])
    assert types(events) == ["camera.offline"]
    assert occurred_s(events[0]) >= opening.timestamp()


@pytest.mark.skipif(BACKEND != "postgres", reason="two nodes share a database on PostgreSQL only")
def test_two_postgres_nodes_emit_each_alert_once(tmp_path):
    from postgres_support import create_database, drop_database, make_nodes, start_together

    url = create_database()
    nodes = make_nodes(tmp_path, url, 2, ALERT_ARGS + ["--threads", "2"])
    try:
        start_together(nodes)
        operator = nodes[0].admin_create_client("operator", "alerts-pair-operator")
        apis = [Api(node, operator) for node in nodes]
        tenant = Tenant(apis[0])
        # one camera per site (no whole-site alerts), each heartbeating through either node
        cameras = [tenant.camera(site_id=tenant.add_site()["id"]) for _ in range(8)]
        devices = [device_for(apis[i % 2], camera["id"]) for i, camera in enumerate(cameras)]
        for device in devices:
            heartbeat(device)
        for camera in cameras:
            wait_for(apis[0], "camera.offline", cameraId=camera["id"])
        for device in devices:
            heartbeat(device)
        for camera in cameras:
            wait_for(apis[1], "camera.online", cameraId=camera["id"])
        time.sleep(3)  # a second emission would have come by now
        for camera in cameras:
            # each camera goes offline again after its last heartbeat (and may alert again): a
            # second emission of one alert would show as the same type twice in a row
            seen = types(alert_events(apis[1], cameraId=camera["id"]))
            assert seen[:2] == ["camera.offline", "camera.online"], seen
            assert all(a != b for a, b in zip(seen, seen[1:])), seen
        complaints = [node.log_path.read_text().count("health alerts:") for node in nodes]
        assert complaints == [0, 0], "\n".join(node.log_tail() for node in nodes)
    finally:
        for node in nodes:
            node.kill()
        drop_database(url)


def test_reminders_repeat_camera_offline_while_offline(start_server):
    server = start_server(ALERT_ARGS + ["--offline-reminder-after", "2"])
    api = Api(server, server.operator_client)
    tenant = Tenant(api)
    camera = tenant.camera()
    device = device_for(api, camera["id"])
    heartbeat(device)
    seen = last_seen(api, camera["id"])
    deadline = time.monotonic() + 20
    while len(alert_events(api, cameraId=camera["id"])) < 3:
        assert time.monotonic() < deadline, alert_events(api, cameraId=camera["id"])
        time.sleep(0.25)
    first, second, third = alert_events(api, cameraId=camera["id"])[:3]
    assert types([first, second, third]) == ["camera.offline"] * 3
    assert "reminder" not in first["data"]
    assert second["data"]["reminder"] is True and third["data"]["reminder"] is True
    assert {event["data"]["offlineSince"] for event in (first, second, third)} == {rfc3339(seen + WINDOW_S)}
    assert occurred_s(second) - occurred_s(first) >= 2
