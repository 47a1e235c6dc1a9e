"""Writes run on the handler pool (http/handler_pool.c), not on libmicrohttpd's threads: a write
that waits for the database (another transaction holds the lock it needs) must not stall the
reads and other requests of the connections its HTTP thread serves. The server runs with one
HTTP thread, so that before the pool the waiting write held the only thread."""
import sqlite3
import threading
import time

import requests

from conftest import Api, Tenant, expect
from postgres_support import HeldTransaction

QUICK = 2.0  # seconds a read may take while the write waits (it answers in milliseconds)


class HeldDatabaseLock:
    """Holds what a PATCH of the camera needs: SQLite's write lock (BEGIN IMMEDIATE on the
    file), or on PostgreSQL the camera's row (SELECT … FOR UPDATE), until release()."""

    def __init__(self, database, camera_id):
        if database.startswith("sqlite:"):
            self.connection = sqlite3.connect(database[len("sqlite:"):], timeout=10,
                                              isolation_level=None)
            self.connection.execute("BEGIN IMMEDIATE")
            self.held = None
        else:
            self.connection = None
            self.held = HeldTransaction(database, [
                f"SELECT id FROM cameras WHERE id = '{camera_id}' FOR UPDATE"])

    def release(self):
        if self.connection is not None:
            self.connection.execute("ROLLBACK")
            self.connection.close()
            self.connection = None
        if self.held is not None:
            self.held.release()
            self.held = None


def test_a_write_waiting_for_the_database_does_not_stall_reads(start_server):
    server = start_server(["--threads", "1"])
    api = Api(server, server.operator_client)
    tenant = Tenant(api)
    waiting_camera = tenant.camera(name="Waits for the lock")
    other_camera = tenant.camera(name="Read meanwhile")
    token = tenant.admin_token

    lock = HeldDatabaseLock(server.database, waiting_camera["id"])
    answers = {}

    def patch():
        answers["patch"] = requests.patch(
            f"{server.url}/cameras/{waiting_camera['id']}", json={"name": "Renamed after the wait"},
            headers={"Authorization": f"Bearer {token}"}, timeout=30)

    writer = threading.Thread(target=patch)
    try:
        writer.start()
        time.sleep(0.5)  # the PATCH is in, waiting for the lock
        assert "patch" not in answers, "the PATCH answered while the lock was held"
        started = time.monotonic()
        read = requests.get(f"{server.url}/cameras/{other_camera['id']}",
                            headers={"Authorization": f"Bearer {token}"}, timeout=QUICK)
        assert read.status_code == 200, read.text
        assert read.json()["name"] == "Read meanwhile"
        sites = requests.get(f"{server.url}/sites", headers={"Authorization": f"Bearer {token}"},
                             timeout=QUICK)
        assert sites.status_code == 200, sites.text
        elapsed = time.monotonic() - started
        assert elapsed < QUICK, f"reads took {elapsed:.2f} s while a write waited"
        assert "patch" not in answers, "the PATCH answered while the lock was held"
    finally:
        lock.release()
        writer.join(timeout=30)
    assert not writer.is_alive(), "the PATCH did not answer after the lock was released"
    assert answers["patch"].status_code == 200, answers["patch"].text
    assert answers["patch"].json()["name"] == "Renamed after the wait"
    got = expect(api.get(f"/cameras/{waiting_camera['id']}", token), 200)
    assert got["name"] == "Renamed after the wait"


def test_writes_on_the_pool_answer_every_status_and_keep_the_connection(api, tenant):
    """A write's answer goes back through the pool for each kind of answer (201 with a body, 204
    without, an error) on one keep-alive connection, which stays usable for the next request."""
    token = tenant.admin_token
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    created = session.post(f"{api.base}/sites", json={"name": "Pool site", "timeZone": "UTC",
                                                      "organisationId": tenant.org_id},
                           headers=headers, timeout=10)
    assert created.status_code == 201, created.text
    assert created.headers["Content-Type"] == "application/json"
    assert created.headers.get("X-Request-Id")
    refused = session.patch(f"{api.base}/sites/{created.json()['id']}", json={"nmae": "typo"},
                            headers=headers, timeout=10)
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == 400
    deleted = session.delete(f"{api.base}/sites/{created.json()['id']}", headers=headers, timeout=10)
    assert deleted.status_code == 204, deleted.text
    assert deleted.content == b""
    gone = session.get(f"{api.base}/sites/{created.json()['id']}", headers=headers, timeout=10)
    assert gone.status_code == 404, gone.text
    session.close()


def test_a_burst_of_writes_larger_than_the_pool_all_answer(start_server):
    """More writes at once than the pool has threads: they queue, none is lost or answered twice."""
    server = start_server(["--threads", "1", "--write-threads", "2"])
    api = Api(server, server.operator_client)
    tenant = Tenant(api)
    cameras = [tenant.camera(name=f"Burst {i}") for i in range(4)]
    token = tenant.admin_token
    results = [None] * 40

    def rename(index):
        session = requests.Session()
        camera = cameras[index % len(cameras)]
        results[index] = session.patch(f"{server.url}/cameras/{camera['id']}",
                                       json={"name": f"Burst renamed {index}"},
                                       headers={"Authorization": f"Bearer {token}"}, timeout=30)
        session.close()

    threads = [threading.Thread(target=rename, args=(i,)) for i in range(len(results))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(result is not None and result.status_code == 200 for result in results), \
        [None if r is None else (r.status_code, r.text) for r in results]
    for index, camera in enumerate(cameras):
        name = expect(api.get(f"/cameras/{camera['id']}", token), 200)["name"]
        assert name.startswith("Burst renamed "), name
        assert int(name.rsplit(" ", 1)[1]) % len(cameras) == index
