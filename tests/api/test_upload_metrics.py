"""Video upload reports kept bounded (issue 13): each report adds to its camera's UTC hour bucket
in its own transaction; GET /cameras/{id}/video-upload-metrics answers the part of a window before
the last 48 hours from whole hour buckets (docs/API.md); housekeeping deletes raw reports after 48
hours and buckets after --upload-metrics-retention-days; a claim forgets them. Old rows are planted
with SQL (the API cannot write the past), then the server restarts: its camera cache forgets the
planted claim time and housekeeping runs at start."""
import sqlite3
import subprocess
import time

from conftest import BINARY, Api, Tenant, expect, run_sql
from test_device_link import device_for

HOUR = 3600
DAY = 86400


def hour_start(t):
    return t - t % HOUR


def at(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def query(database, sql):
    """The rows of a SELECT run directly on the server's database, as tuples of ints and floats."""
    if database.startswith("sqlite:"):
        connection = sqlite3.connect(database[len("sqlite:"):], timeout=10)
        try:
            return [tuple(row) for row in connection.execute(sql).fetchall()]
        finally:
            connection.close()
    done = subprocess.run(["psql", "-q", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1", database, "-c", sql],
                          check=True, capture_output=True, text=True, timeout=60)
    return [tuple(float(v) if "." in v else int(v) for v in line.split("|"))
            for line in done.stdout.splitlines() if line]


def buckets_of(server, camera_id):
    return query(server.database, "SELECT hour_start, bytes, seconds, reports FROM video_upload_hours"
                                  f" WHERE camera_id = '{camera_id}' ORDER BY hour_start")


def raw_times_of(server, camera_id):
    return [row[0] for row in query(server.database, "SELECT uploaded_at FROM video_uploads"
                                                     f" WHERE camera_id = '{camera_id}' ORDER BY uploaded_at")]


def move_claim_back(server, camera_id, seconds):
    run_sql(server.database, f"UPDATE cameras SET claimed_at = claimed_at - {seconds} WHERE id = '{camera_id}';")


def plant_bucket(server, camera_id, hour, size, seconds):
    run_sql(server.database, "INSERT INTO video_upload_hours(camera_id, hour_start, bytes, seconds, reports)"
                             f" VALUES ('{camera_id}', {hour}, {size}, {seconds}, 1);")


def plant_report(server, camera_id, uploaded_at, size, seconds):
    run_sql(server.database, "INSERT INTO video_uploads(camera_id, uploaded_at, bytes, seconds)"
                             f" VALUES ('{camera_id}', {uploaded_at}, {size}, {seconds});")


def restarted(server):
    server.stop()
    server.start()
    return Api(server, server.operator_client)


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def metrics(api, token, camera_id, **window):
    params = {key: at(value) for key, value in window.items()}
    return expect(api.get(f"/cameras/{camera_id}/video-upload-metrics", token, params=params), 200)


def live_camera(api):
    tenant = Tenant(api)
    camera = tenant.camera()
    return tenant, camera, device_for(api, camera["id"], tenant.admin_token)


def test_reports_add_to_the_bucket_of_their_utc_hour(start_server):
    server = start_server()
    api = Api(server, server.operator_client)
    _tenant, camera, device = live_camera(api)
    move_claim_back(server, camera["id"], 3 * HOUR)
    claimed = int(query(server.database, f"SELECT claimed_at FROM cameras WHERE id = '{camera['id']}'")[0][0])
    boundary = hour_start(int(time.time())) - HOUR  # two hour boundaries, both after the claim
    for offset, size in ((-1, 1), (0, 10), (1799, 100), (HOUR - 1, 1000), (HOUR, 10000)):
        expect(device.video_upload(bytes=size, seconds=size / 4, uploadedAt=at(boundary + offset)), 201)
    expect(device.video_upload(bytes=7, seconds=7, uploadedAt=at(claimed - 1)), 201)  # before the claim

    assert buckets_of(server, camera["id"]) == [
        (boundary - HOUR, 1, 0.25, 1), (boundary, 1110, 277.5, 3), (boundary + HOUR, 10000, 2500, 1)]
    assert len(raw_times_of(server, camera["id"])) == 6  # raw reports are kept as before


def test_a_window_older_than_48_hours_counts_whole_hour_buckets_then_raw_reports(start_server):
    server = start_server()
    api = Api(server, server.operator_client)
    tenant, camera, device = live_camera(api)
    expect(device.video_upload(bytes=7, seconds=0.5), 201)  # now: a raw report and its bucket
    now = int(time.time())
    five_days = hour_start(now - 5 * DAY)
    three_days = hour_start(now - 3 * DAY)
    move_claim_back(server, camera["id"], 10 * DAY)
    plant_bucket(server, camera["id"], five_days, 100, 1.5)
    plant_bucket(server, camera["id"], five_days + HOUR, 200, 2.5)
    plant_bucket(server, camera["id"], three_days, 400, 4)
    api = restarted(server)
    token = tenant.admin_token

    # from inside a bucket's hour: that bucket counts in full; the recent part is read report by report
    assert metrics(api, token, camera["id"], **{"from": five_days + 1800}) == {"uploadSize": 707, "uploadTime": 8.5}
    assert metrics(api, token, camera["id"], **{"from": five_days + HOUR, "to": five_days + HOUR + 1}) == \
        {"uploadSize": 200, "uploadTime": 2.5}
    assert metrics(api, token, camera["id"], **{"from": five_days, "to": five_days + 2 * HOUR}) == \
        {"uploadSize": 300, "uploadTime": 4}
    assert metrics(api, token, camera["id"], **{"from": three_days - 60, "to": now + 60}) == \
        {"uploadSize": 407, "uploadTime": 4.5}
    assert metrics(api, token, camera["id"], **{"from": now - 72 * HOUR + 2 * HOUR, "to": now - 50 * HOUR}) == \
        {"uploadSize": 0, "uploadTime": 0}
    assert metrics(api, token, camera["id"], **{"from": five_days + 1800, "to": five_days + 1800}) == \
        {"uploadSize": 0, "uploadTime": 0}
    # within the last 48 hours: raw reports only, as before
    assert metrics(api, token, camera["id"]) == {"uploadSize": 7, "uploadTime": 0.5}
    assert metrics(api, token, camera["id"], **{"from": now - 47 * HOUR}) == {"uploadSize": 7, "uploadTime": 0.5}


def test_housekeeping_deletes_raw_reports_after_48_hours_and_buckets_after_the_retention(start_server):
    server = start_server(["--upload-metrics-retention-days", "10"])
    api = Api(server, server.operator_client)
    _tenant, camera, _device = live_camera(api)
    now = int(time.time())
    plant_report(server, camera["id"], now - 49 * HOUR, 1, 1)
    plant_report(server, camera["id"], now - 47 * HOUR, 2, 2)
    plant_bucket(server, camera["id"], hour_start(now - 11 * DAY), 1, 1)
    plant_bucket(server, camera["id"], hour_start(now - 9 * DAY), 2, 2)

    restarted(server)
    wait_for(lambda: len(raw_times_of(server, camera["id"])) == 1 and len(buckets_of(server, camera["id"])) == 1)
    assert raw_times_of(server, camera["id"]) == [now - 47 * HOUR]
    assert [row[0] for row in buckets_of(server, camera["id"])] == [hour_start(now - 9 * DAY)]
    wait_for(lambda: "deleted 1 hourly video upload totals older than 10 days" in server.log_tail(200))
    assert "deleted 1 video upload reports older than 48 hours" in server.log_tail(200)


def test_the_default_bucket_retention_is_400_days(start_server):
    server = start_server()
    api = Api(server, server.operator_client)
    _tenant, camera, _device = live_camera(api)
    now = int(time.time())
    plant_bucket(server, camera["id"], hour_start(now - 401 * DAY), 1, 1)
    plant_bucket(server, camera["id"], hour_start(now - 399 * DAY), 2, 2)
    restarted(server)
    wait_for(lambda: len(buckets_of(server, camera["id"])) == 1)
    assert [row[0] for row in buckets_of(server, camera["id"])] == [hour_start(now - 399 * DAY)]


def test_a_claim_forgets_the_buckets_and_decommissioning_keeps_them(api, server):
    previous, current = Tenant(api), Tenant(api)
    camera = previous.camera()
    device = device_for(api, camera["id"], previous.admin_token)
    expect(device.video_upload(bytes=5000, seconds=50), 201)
    assert [row[1:] for row in buckets_of(server, camera["id"])] == [(5000, 50, 1)]
    expect(api.delete(f"/cameras/{camera['id']}", previous.admin_token), 204)
    assert [row[1:] for row in buckets_of(server, camera["id"])] == [(5000, 50, 1)]

    expect(api.post("/cameras", current.admin_token,
                    json={"serialNumber": camera["serialNumber"], "siteId": current.site_id}), 201)
    assert buckets_of(server, camera["id"]) == []
    assert raw_times_of(server, camera["id"]) == []


def test_the_migration_fills_buckets_from_existing_reports(start_server):
    """A database from before the buckets: its raw reports (from the claim on) become buckets."""
    server = start_server()
    api = Api(server, server.operator_client)
    tenant, camera, device = live_camera(api)
    move_claim_back(server, camera["id"], 30 * HOUR)
    now = int(time.time())
    hour = hour_start(now - 20 * HOUR)
    for uploaded_at, size in ((hour + 5, 1), (hour + HOUR - 1, 2), (hour + HOUR, 4), (now - 40 * HOUR, 8)):
        plant_report(server, camera["id"], uploaded_at, size, size / 2)
    version = 11 if server.database.startswith("sqlite:") else 9
    server.stop()
    run_sql(server.database, f"DROP TABLE video_upload_hours; DROP INDEX video_uploads_by_time;"
                             f" DELETE FROM schema_migrations WHERE version = {version};")
    server.start()
    assert buckets_of(server, camera["id"]) == [(hour, 3, 1.5, 2), (hour + HOUR, 4, 2, 1)]  # not before the claim
    api = Api(server, server.operator_client)
    assert metrics(api, tenant.admin_token, camera["id"], **{"from": now - 3 * DAY}) == \
        {"uploadSize": 7, "uploadTime": 3.5}


def test_the_retention_must_be_at_least_3_days(tmp_path):
    done = subprocess.run([str(BINARY), "serve", "--upload-metrics-retention-days", "2"], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=30, cwd=tmp_path)
    assert done.returncode == 2, done
    assert "upload-metrics-retention-days" in done.stderr
