"""Finished asynchronous requests are kept --async-request-retention-days (default 30) after their
creation and then deleted in the background (at start and every 10 minutes): their GET answers 404.
Old requests are planted by moving their creation time back in the database, then the server
restarts (housekeeping runs at start)."""
import subprocess
import time

from conftest import BINARY, Api, expect, run_sql, unique_serial, new_id

DAY_S = 86400


def register(api):
    request = expect(api.post("/register-camera-requests", token=api.operator_token,
                              json={"cameraId": new_id(), "serialNumber": unique_serial()}), 202)
    return request["id"]


def finished(api, request_id):
    answer = api.get(f"/register-camera-requests/{request_id}", token=api.operator_token)
    return answer.status_code == 200 and answer.json()["status"] in ("succeeded", "failed")


def age_request(server, request_id, days):
    run_sql(server.database, f"UPDATE async_requests SET created_at = created_at - {days * DAY_S}"
                             f" WHERE id = '{request_id}';")


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_finished_requests_past_the_retention_are_deleted_and_younger_ones_kept(start_server):
    server = start_server(["--async-request-retention-days", "7"])
    api = Api(server, server.operator_client)
    old, young = register(api), register(api)
    wait_for(lambda: finished(api, old) and finished(api, young))
    age_request(server, old, 8)
    age_request(server, young, 6)

    server.stop()
    server.start()
    api = Api(server, server.operator_client)
    wait_for(lambda: api.get(f"/register-camera-requests/{old}", token=api.operator_token).status_code == 404)
    assert expect(api.get(f"/register-camera-requests/{young}", token=api.operator_token), 200)["id"] == young
    wait_for(lambda: "deleted 1 finished asynchronous requests older than 7 days" in server.log_tail(200))


def test_the_default_retention_is_30_days(start_server):
    server = start_server()
    api = Api(server, server.operator_client)
    kept, dropped = register(api), register(api)
    wait_for(lambda: finished(api, kept) and finished(api, dropped))
    age_request(server, kept, 29)
    age_request(server, dropped, 31)

    server.stop()
    server.start()
    api = Api(server, server.operator_client)
    wait_for(lambda: api.get(f"/register-camera-requests/{dropped}", token=api.operator_token).status_code == 404)
    assert finished(api, kept)


def test_the_retention_must_be_a_whole_number_of_days(tmp_path):
    done = subprocess.run([str(BINARY), "serve", "--async-request-retention-days", "0"], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=30, cwd=tmp_path)
    assert done.returncode == 2, done
    assert "async-request-retention-days" in done.stderr
