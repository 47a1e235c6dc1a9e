"""Orphaned asynchronous requests (issue 13): a request a dead process had in hand is taken again
at once, never while its first taker still works on it. The worker carries requests out in the
transaction that took them (on PostgreSQL holding their rows locked), so a kill -9 rolls the
attempt back and leaves them waiting; requests an older version left "processing" are taken at
start-up on SQLite (the server lock proves the old process gone)."""
import signal
import time
import uuid

import pytest
import requests

from conftest import (BACKEND, REQUEST_TIMEOUT, Api, expect, new_id, run_sql, submit_register,
                      unique_serial, wait_request)
from postgres_support import (HeldTransaction, create_database, drop_database, finishing_nodes,
                              make_nodes, psql_value, requires_postgres, sql_text, start_together)

STALE_SECONDS = 5  # jobs/async_worker.c: PostgreSQL takes an older version's "processing" after this


def registered_event_counts(api, camera_ids):
    """How many camera.registered events each camera has."""
    counts = {camera_id: 0 for camera_id in camera_ids}
    for camera_id in camera_ids:
        body = expect(api.get("/events", api.operator_token,
                              params={"cameraId": camera_id, "type": "camera.registered"}), 200)
        counts[camera_id] = len(body)
    return counts


@pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite: one server per file, so no staleness to wait")
def test_a_request_left_processing_is_taken_at_start_up_on_sqlite(start_server):
    """A row marked processing (as an older version's crash left it), touched a day in the future so
    that no staleness rule could ever take it: the restarted server takes it at once."""
    private = start_server()
    assert private.stop(signal.SIGTERM) == 0
    request_id, camera_id, serial = new_id(), new_id(), unique_serial()
    future = int(time.time()) + 86400
    run_sql(private.database,
            "INSERT INTO async_requests(id, kind, status, message, camera_id, serial_number, created_at,"
            " updated_at, requester_kind, seq) VALUES"
            f" ({sql_text(request_id)}, 'register-camera', 'processing', 'accepted',"
            f" {sql_text(camera_id)}, {sql_text(serial)}, {future}, {future}, 'system',"
            " (SELECT IFNULL(MAX(rowid), 0) + 1 FROM async_requests))")
    private.start()
    api = Api(private, private.operator_client)
    final = wait_request(api, "register-camera-requests", request_id)
    assert final["status"] == "succeeded", final
    assert expect(api.get(f"/cameras/{camera_id}", api.operator_token), 200)["serialNumber"] == serial


def test_requests_in_flight_at_kill_9_are_carried_out_once_after_restart(start_server):
    """Many requests, the server killed while its worker carries them out: after the restart every
    one succeeds, and each camera has exactly one camera.registered event."""
    private = start_server()
    api = Api(private, private.operator_client)
    session = requests.Session()
    headers = {"Authorization": f"Bearer {api.operator_token}"}
    submitted = []
    for _ in range(200):
        camera_id, serial = new_id(), unique_serial()
        resp = session.post(private.url + "/register-camera-requests", headers=headers,
                            json={"cameraId": camera_id, "serialNumber": serial},
                            timeout=REQUEST_TIMEOUT)
        submitted.append((expect(resp, 202)["id"], camera_id, serial))
    private.stop(signal.SIGKILL)
    private.start()
    api = Api(private, private.operator_client)
    for request_id, camera_id, serial in submitted:
        final = wait_request(api, "register-camera-requests", request_id)
        assert final["status"] == "succeeded", final
    counts = registered_event_counts(api, [camera_id for _, camera_id, _ in submitted])
    assert set(counts.values()) == {1}, {k: v for k, v in counts.items() if v != 1}


# --- PostgreSQL: held while worked on, taken over when the node dies ------------------------------

def workers_waiting_on_camera_inserts(url):
    return int(psql_value(url, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                               " AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO cameras%'"))


def wait_for_waiting_workers(url, count, timeout=10.0):
    deadline = time.monotonic() + timeout
    while workers_waiting_on_camera_inserts(url) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workers_waiting_on_camera_inserts(url) == count


@requires_postgres
def test_a_request_being_carried_out_is_never_taken_by_another_node(tmp_path, request):
    """Node A's worker waits inside a registration (an open transaction inserted its camera). Node
    B, started meanwhile, carries out other requests but never takes A's, however long A works
    (past the old 5 s staleness); once A is killed, B takes it over and finishes it, once."""
    url = create_database()
    node_a, node_b = make_nodes(tmp_path, url, 2, owner=request.node.nodeid)
    held = None
    try:
        operator = node_a.admin_create_client("operator", "orphans-operator")
        start_together([node_a])
        api_a = Api(node_a, operator)
        camera_id, serial = new_id(), unique_serial()
        held = HeldTransaction(url, [
            "INSERT INTO cameras (id, serial_number, state, registered_at) VALUES "
            f"({sql_text(camera_id)}, {sql_text('held-' + str(uuid.uuid4()))}, 'registered', 0)"])
        accepted, _, _ = submit_register(api_a, camera_id=camera_id, serial=serial)
        wait_for_waiting_workers(url, 1)

        start_together([node_b])
        api_b = Api(node_b, operator)
        other, _, _ = submit_register(api_b)
        assert wait_request(api_b, "register-camera-requests", other["id"])["status"] == "succeeded"
        time.sleep(STALE_SECONDS + 1)  # a staleness rule would have handed it to B by now
        assert workers_waiting_on_camera_inserts(url) == 1
        assert expect(api_b.get(f"/register-camera-requests/{accepted['id']}", api_b.operator_token),
                      200)["status"] == "created"

        node_a.process.kill()  # SIGKILL
        node_a.process.wait(timeout=10)
        held.release()
        held = None
        final = wait_request(api_b, "register-camera-requests", accepted["id"])
        # the held insert rolled back, so the camera is free for the request again
        assert final["status"] == "succeeded", final
        assert finishing_nodes([node_a, node_b], accepted["id"]) == [0, 1]
        assert registered_event_counts(api_b, [camera_id]) == {camera_id: 1}
    finally:
        if held is not None:
            held.release()
        for node in (node_a, node_b):
            node.kill()
        drop_database(url)
