"""Two nodes on one PostgreSQL database under faults (issue 15), each asked directly:

- pooled connections the server ended (pg_terminate_backend, as after idle_session_timeout, a
  proxy's idle cut or a failover) cost no request a 503, and /readyz stays 200 meanwhile;
- device credentials revoked or rotated on node 1 refuse the old token on node 2 straight after
  the 204 (heartbeats and video uploads), and so do a deleted user's and client's tokens for writes;
- a state request whose camera row another transaction holds locked holds up no request for
  another camera, and is carried out, once, after the lock goes.

Skipped unless $CAMFLEET_TEST_POSTGRES names a throw-away cluster (see postgres_support.py).
"""
import os
import signal
import threading
import time

import pytest
import requests

from conftest import (REQUEST_TIMEOUT, Api, Tenant, expect, make_client, make_user, new_id,
                      submit_register, unique, user_token, client_token, wait_request)
from postgres_support import (HEARTBEAT, HeldTransaction, bearer, create_database, drop_database,
                              finishing_nodes, in_parallel, live_camera, make_nodes, psql,
                              psql_value, requires_postgres, sql_text, start_together,
                              warm_session)

pytestmark = requires_postgres

_SHARED_NODES = []  # the pair's nodes, whose logs join the report of whichever test fails


@pytest.fixture(autouse=True)
def _shared_node_logs_join_failure_reports(request):
    for node in _SHARED_NODES:
        node.owner = request.node.nodeid
    yield


class Pair:
    def __init__(self, url, nodes, operator):
        self.url = url
        self.nodes = nodes
        self.operator = operator
        self.apis = [Api(node, operator) for node in nodes]


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """Two nodes on a fresh database with 4 HTTP threads each; SIGTERM stops each with exit 0."""
    url = create_database()
    nodes = make_nodes(tmp_path_factory.mktemp("pg-faults"), url, 2, ["--threads", "4"])
    _SHARED_NODES.extend(nodes)
    try:
        start_together(nodes)
        operator = nodes[0].admin_create_client("operator", "faults-operator")
        yield Pair(url, nodes, operator)
        codes = [node.stop(signal.SIGTERM) for node in nodes]
        assert codes == [0, 0], "\n".join(node.log_tail() for node in nodes)
    finally:
        for node in nodes:
            node.kill()
            _SHARED_NODES.remove(node)
        drop_database(url)


def terminate_camfleet_sessions(url, listener_too):
    """pg_terminate_backend of every camfleet session on the database (the pooled ones, and the
    cross-node listeners when listener_too); how many were ended."""
    listener = "" if listener_too else " AND query <> 'LISTEN camfleet'"
    ended = psql(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name ="
                      f" 'camfleet' AND datname = current_database(){listener}")
    return len(ended)


def statuses(results):
    counts = {}
    for status in results:
        counts[status] = counts.get(status, 0) + 1
    return counts


# ---------------------------------------------------------------------------------------------
# 1. connections the server ended

def patch_burst(api, token, camera_id, clients, each):
    """clients concurrent sessions, each sending `each` PATCHes of the camera's name one after the
    other; every status code."""
    def client(number):
        session = warm_session(api.base)
        codes = []
        for attempt in range(each):
            answer = session.patch(f"{api.base}/cameras/{camera_id}", headers=bearer(token),
                                   json={"name": f"cam {number}-{attempt}"}, timeout=REQUEST_TIMEOUT)
            codes.append(answer.status_code)
        return codes
    return [code for codes in in_parallel([lambda n=n: client(n) for n in range(clients)])
            for code in codes]


def readyz_during(nodes, work):
    """Runs work() while polling every node's /readyz; (work's result, every /readyz status)."""
    seen = []
    stop = []

    def poll():
        sessions = [requests.Session() for _ in nodes]
        while not stop:
            for node, session in zip(nodes, sessions):
                seen.append(session.get(node.url + "/readyz", timeout=REQUEST_TIMEOUT).status_code)
            time.sleep(0.005)

    def run():
        try:
            return work()
        finally:
            stop.append(True)

    result, _ = in_parallel([run, poll])
    return result, seen


def test_pooled_connections_the_server_ended_cost_no_request_a_503_and_readyz_stays_200(pair):
    api1, api2 = pair.apis
    tenant = Tenant(api1)
    token = tenant.admin_token
    camera_id, device_token = live_camera(api1, tenant, pair.nodes[0], pair.nodes[1])
    for api in pair.apis:  # every connection of each pool in use at once, so each is opened
        assert set(patch_burst(api, token, camera_id, 8, 1)) == {200}

    for round_number, listener_too in enumerate((False, True, False, True)):
        ended = terminate_camfleet_sessions(pair.url, listener_too)
        assert ended >= 4, f"round {round_number}: only {ended} camfleet sessions to end"

        def burst():
            work = [lambda api=api: patch_burst(api, token, camera_id, 8, 10) for api in pair.apis]
            work += [lambda node=node: [requests.post(node.url + "/device/heartbeat", json=HEARTBEAT,
                                                      headers=bearer(device_token),
                                                      timeout=REQUEST_TIMEOUT).status_code
                                        for _ in range(10)] for node in pair.nodes]
            return [code for codes in in_parallel(work) for code in codes]

        codes, ready = readyz_during(pair.nodes, burst)
        assert statuses(codes) == {200: 2 * 80 + 2 * 10}, f"round {round_number}: {statuses(codes)}"
        assert set(ready) == {200}, f"round {round_number}: /readyz answered {statuses(ready)}"

    # the async worker and the cross-node listener work on as before
    terminate_camfleet_sessions(pair.url, True)
    accepted = expect(api2.post("/put-camera-state-requests", token,
                                json={"cameraId": camera_id, "newState": "claimed_paused"}), 202)
    final = wait_request(api2, "put-camera-state-requests", accepted["id"], token)
    assert final["status"] == "succeeded", final
    beat = expect(requests.post(pair.nodes[0].url + "/device/heartbeat", json=HEARTBEAT,
                                headers=bearer(device_token), timeout=REQUEST_TIMEOUT), 200)
    assert beat["desiredState"] == "paused", beat


# ---------------------------------------------------------------------------------------------
# 2. revocation across nodes

def flood_after(start, url, token, clients, each, make_request):
    """clients threads with a session to url each, waiting on start, then sending `each` requests
    (make_request(session, url, token)) one after the other; a callable giving every status."""
    sessions = [warm_session(url) for _ in range(clients)]

    def client(session):
        assert start.wait(30), "never started"
        return [make_request(session, url, token).status_code for _ in range(each)]

    return lambda: [code for codes in in_parallel([lambda s=s: client(s) for s in sessions])
                    for code in codes]


def heartbeat(session, url, token):
    return session.post(url + "/device/heartbeat", json=HEARTBEAT, headers=bearer(token),
                        timeout=REQUEST_TIMEOUT)


def video_upload(session, url, token):
    return session.post(url + "/device/video-uploads", json={"bytes": 1000, "seconds": 2.5},
                        headers=bearer(token), timeout=REQUEST_TIMEOUT)


class ListenersPaused:
    """The cross-node listeners' PostgreSQL sessions of the database stopped (SIGSTOP) until the
    block ends: the nodes' messages are late, as over a slow link, so that what holds must hold by
    the database alone. Needs the right to signal the server's processes (root, or the user that
    runs the cluster); without it, messages come as fast as they do."""

    def __init__(self, url):
        self.url = url
        self.pids = []

    def __enter__(self):
        rows = psql(self.url, "SELECT pid FROM pg_stat_activity WHERE application_name = 'camfleet'"
                              " AND datname = current_database() AND query = 'LISTEN camfleet'")
        for (pid,) in rows:
            try:
                os.kill(int(pid), signal.SIGSTOP)
                self.pids.append(int(pid))
            except PermissionError:
                break
        return self

    def __exit__(self, *exc):
        for pid in self.pids:
            os.kill(pid, signal.SIGCONT)


def after_the_answer(url, change, floods):
    """Runs change() (the revocation on node 1) and the floods (on node 2), which start the moment
    change has its answer, with the listeners paused; (change's response, each flood's statuses)."""
    start = threading.Event()
    prepared = [flood(start) for flood in floods]

    def revoke():
        try:
            return change()
        finally:
            start.set()

    with ListenersPaused(url):
        results = in_parallel([revoke] + prepared)
    return results[0], results[1:]


def test_device_credentials_revoked_or_rotated_on_one_node_refuse_the_old_token_on_the_other_at_once(pair):
    api1, _ = pair.apis
    node1, node2 = pair.nodes
    tenant = Tenant(api1)
    accepted = {"heartbeats": 0, "uploads": 0}
    for attempt in range(4):
        camera_id, token = live_camera(api1, tenant, node2, node2)  # node 2 has checked the token
        expect(video_upload(requests.Session(), node2.url, token), 201)
        floods = [lambda start: flood_after(start, node2.url, token, 20, 5, heartbeat),
                  lambda start: flood_after(start, node2.url, token, 20, 1, video_upload)]
        path = f"/cameras/{camera_id}/device-credentials"
        if attempt % 2 == 0:
            change, status = (lambda: api1.delete(path, api1.operator_token)), 204
        else:
            change, status = (lambda: api1.post(path, api1.operator_token)), 201
        answer, (beats, uploads) = after_the_answer(pair.url, change, floods)
        expect(answer, status)
        assert set(beats) <= {200, 401} and set(uploads) <= {201, 401}, (beats, uploads)
        accepted["heartbeats"] += beats.count(200)
        accepted["uploads"] += uploads.count(201)
        assert int(psql_value(pair.url, "SELECT count(*) FROM video_uploads WHERE camera_id = "
                                        f"{sql_text(camera_id)}")) == 1 + uploads.count(201)
    assert accepted == {"heartbeats": 0, "uploads": 0}, \
        f"accepted with the old token after the change was answered: {accepted}"


def rename_site(site_id):
    def make_request(session, url, token):
        return session.patch(f"{url}/sites/{site_id}", json={"name": unique("site")},
                             headers=bearer(token), timeout=REQUEST_TIMEOUT)
    return make_request


def test_a_user_or_client_revoked_on_one_node_cannot_write_on_the_other_straight_after(pair):
    api1, api2 = pair.apis
    node2 = pair.nodes[1]
    tenant = Tenant(api1)
    site_id = tenant.site_id
    changed, deleted = (make_user(api1, tenant.org_id, "admin") for _ in range(2))
    clients = [make_client(api1, tenant.org_id, "admin") for _ in range(2)]
    # (the change that ends the subject's tokens, its status, a token node 2 has used)
    subjects = [((f"/users/{changed['id']}", {"password": f"pw-{new_id()}"}), 200, user_token(api2, changed)),
                ((f"/users/{deleted['id']}", None), 204, user_token(api2, deleted))]
    subjects += [((f"/clients/{client['clientId']}", None), 204, client_token(api2, client))
                 for client in clients]
    accepted = []
    for (path, body), status, token in subjects:
        expect(rename_site(site_id)(requests.Session(), node2.url, token), 200)
        if body is not None:
            change = (lambda p=path, b=body: api1.patch(p, api1.operator_token, json=b))
        else:
            change = (lambda p=path: api1.delete(p, api1.operator_token))
        flood = [lambda start, t=token: flood_after(start, node2.url, t, 20, 3, rename_site(site_id))]
        answer, (codes,) = after_the_answer(pair.url, change, flood)
        expect(answer, status)
        assert set(codes) <= {200, 401}, codes
        accepted.append(codes.count(200))
    assert accepted == [0] * len(subjects), f"writes accepted after the revocation was answered: {accepted}"


# ---------------------------------------------------------------------------------------------
# 3. a camera row held by another transaction

LOCK_WAITS = ("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'camfleet'"
              " AND datname = current_database() AND wait_event_type = 'Lock'")


def wait_for_lock_waiters(url, count, timeout=1.5):
    """Until `count` camfleet sessions wait for a lock, or timeout (fixed code: none ever waits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if int(psql_value(url, LOCK_WAITS)) >= count:
            return
        time.sleep(0.05)


def request_status(api, token, request_id):
    return expect(api.get(f"/put-camera-state-requests/{request_id}", token), 200)["status"]


def test_a_state_request_for_a_camera_row_held_elsewhere_holds_up_no_other_request(pair):
    api1, api2 = pair.apis
    tenant = Tenant(api1)
    token = tenant.admin_token
    held_ids = [tenant.camera()["id"] for _ in range(2)]
    free_ids = [tenant.camera()["id"] for _ in range(2)]

    def submit_state(api, camera_id):
        return expect(api.post("/put-camera-state-requests", token,
                               json={"cameraId": camera_id, "newState": "claimed_paused"}), 202)["id"]

    held = HeldTransaction(pair.url, [f"SELECT id FROM cameras WHERE id IN ({sql_text(held_ids[0])},"
                                      f" {sql_text(held_ids[1])}) FOR UPDATE"])
    try:
        # one request per held camera, each taken by a node's worker while the row is held
        stuck = []
        for number, api in enumerate(pair.apis):
            stuck.append(submit_state(api, held_ids[number]))
            wait_for_lock_waiters(pair.url, number + 1)
        # requests for other cameras, on both nodes: carried out while the rows are still held
        others = [("put-camera-state-requests", api, submit_state(api, camera_id))
                  for api, camera_id in zip(pair.apis, free_ids)]
        for api in pair.apis:
            for _ in range(2):
                accepted, _, _ = submit_register(api)
                others.append(("register-camera-requests", api, accepted["id"]))
        for kind, api, request_id in others:
            final = wait_request(api, kind, request_id, api.operator_token, timeout=5.0)
            assert final["status"] == "succeeded", final
        assert [request_status(api1, token, request_id) for request_id in stuck] == ["created", "created"]
        assert int(psql_value(pair.url, LOCK_WAITS)) == 0, "a camfleet session waits for the held rows"
    finally:
        held.release()
    for request_id in stuck:
        final = wait_request(api2, "put-camera-state-requests", request_id, token, timeout=10.0)
        assert final["status"] == "succeeded", final
        assert sum(finishing_nodes(pair.nodes, request_id)) == 1, "carried out once, by one node"
    for camera_id in held_ids:
        assert expect(api1.get(f"/cameras/{camera_id}", token), 200)["state"] == "paused"
