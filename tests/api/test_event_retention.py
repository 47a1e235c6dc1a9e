"""Events are kept --event-retention-days (default 90) and deleted in the background: at start
and every few minutes. Old events are planted by moving existing events' times back in the
database (the API cannot write the past), then the server restarts."""
import time

from conftest import Api, expect, make_org, make_site, run_sql, unique_serial, wait_request, new_id

DAY_MS = 86400 * 1000


def register_and_claim(api, site_id):
    camera_id, serial = new_id(), unique_serial()
    token = api.operator_token
    request = expect(api.post("/register-camera-requests", token=token,
                              json={"cameraId": camera_id, "serialNumber": serial}), 202)
    wait_request(api, "register-camera-requests", request["id"])
    expect(api.post("/cameras", token=token, json={"serialNumber": serial, "siteId": site_id}), 201)
    return camera_id


def events_of(api, camera_id):
    return expect(api.get(f"/events?cameraId={camera_id}", token=api.operator_token), 200)


def age_events(server, camera_id, days):
    run_sql(server.database, f"UPDATE events SET occurred_at_ms = occurred_at_ms - {days * DAY_MS}"
                             f" WHERE camera_id = '{camera_id}';")


def restarted_api(server):
    server.stop()
    server.start()
    return Api(server, server.operator_client)


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_events_past_the_retention_are_deleted_and_younger_ones_kept(start_server):
    server = start_server(["--event-retention-days", "30"])
    api = Api(server, server.operator_client)
    site = make_site(api, make_org(api)["id"])
    old_camera = register_and_claim(api, site["id"])
    young_camera = register_and_claim(api, site["id"])
    assert [e["type"] for e in events_of(api, old_camera)] == ["camera.claimed", "camera.registered"]
    age_events(server, old_camera, 31)
    age_events(server, young_camera, 29)

    api = restarted_api(server)
    wait_for(lambda: events_of(api, old_camera) == [])
    assert [e["type"] for e in events_of(api, young_camera)] == ["camera.claimed", "camera.registered"]
    # the log writer is a thread of its own: the line may land a moment after the delete commits
    wait_for(lambda: "deleted 2 events older than 30 days" in server.log_tail(200))


def test_the_default_retention_is_90_days(start_server):
    server = start_server()
    api = Api(server, server.operator_client)
    site = make_site(api, make_org(api)["id"])
    kept, dropped = register_and_claim(api, site["id"]), register_and_claim(api, site["id"])
    age_events(server, kept, 89)
    age_events(server, dropped, 91)

    api = restarted_api(server)
    wait_for(lambda: events_of(api, dropped) == [])
    assert len(events_of(api, kept)) == 2


def test_retention_must_be_a_whole_number_of_days(start_server, tmp_path):
    import subprocess
    from conftest import BINARY
    done = subprocess.run([str(BINARY), "serve", "--event-retention-days", "0"], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=30, cwd=tmp_path)
    assert done.returncode == 2, done
    assert "event-retention-days" in done.stderr
