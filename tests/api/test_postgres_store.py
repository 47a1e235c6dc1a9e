"""The PostgreSQL store (`--database postgres://...`): schema migrations that run once when several
nodes start at the same moment on a fresh database, and an unreachable database answered with
503 JSON errors and `/readyz` 503, with the node reconnecting by itself when the database returns.

Skipped unless $CAMFLEET_TEST_POSTGRES names a throw-away cluster (see postgres_support.py).
"""
import signal
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from conftest import (Api, Tenant, assert_error, describe, expect, new_id, submit_register,
                      unique, unique_serial, wait_request)
from postgres_support import (BASE_URL, JPEG_B64, Node, PrivateCluster, create_database,
                              drop_database, expected_migration_versions, frame_across_nodes,
                              live_camera, make_nodes, psql, requires_postgres, start_together)

pytestmark = requires_postgres

RECONNECT_TIMEOUT = 15.0  # seconds a node may take to answer again once its database is back


@pytest.fixture
def fresh_database():
    """Factory of new empty databases on the shared throw-away cluster; dropped afterwards."""
    made = []

    def make():
        url = create_database(BASE_URL)
        made.append(url)
        return url

    yield make
    for url in made:
        drop_database(url)


@pytest.fixture
def cluster(tmp_path):
    """A started throw-away cluster of the test's own (stopped and started by it); removed
    afterwards, its log kept in tmp_path."""
    private = PrivateCluster()
    try:
        private.start()
        yield private
    finally:
        private.remove(keep_log_in=tmp_path)


@pytest.fixture
def nodes_to_kill():
    """Nodes a test started; killed at the end whatever happened."""
    started = []
    yield started
    for node in started:
        node.kill()


def migration_counts(url):
    rows = psql(url, "SELECT version, count(*) FROM schema_migrations "
                     "GROUP BY version ORDER BY version")
    return [(int(version), int(count)) for version, count in rows]


# ---------------------------------------------------------------------------------------------
# migrations

def test_nodes_started_together_on_a_fresh_database_migrate_it_once(tmp_path, request,
                                                                    fresh_database, nodes_to_kill):
    expected = [(version, 1) for version in expected_migration_versions()]
    for round_number in range(3):
        url = fresh_database()
        nodes = make_nodes(tmp_path / f"round{round_number}", url, 4, ["--threads", "2"],
                           owner=request.node.nodeid)
        nodes_to_kill.extend(nodes)
        start_together(nodes)  # every node ready, none exited
        assert migration_counts(url) == expected, f"round {round_number}"
        for node in nodes:
            assert expect(requests.get(node.url + "/readyz", timeout=5), 200) == {"status": "ready"}
        # the schema works for every node: a client made with the admin command gets a token
        # from each of them and creates an organisation through each
        operator = nodes[0].admin_create_client("operator", unique("op"))
        for node in nodes:
            api = Api(node, operator)
            created = api.post("/organisations", api.operator_token, json={"name": unique("org")})
            expect(created, 201)
        assert len(psql(url, "SELECT id FROM organisations")) == len(nodes)
        for node in nodes:
            assert node.stop(signal.SIGTERM) == 0, node.log_tail()


def test_a_restarted_node_finds_the_schema_and_migrates_nothing_again(
        tmp_path, request, fresh_database, nodes_to_kill):
    url = fresh_database()
    node = Node(tmp_path / "node", url, ["--threads", "2"], owner=request.node.nodeid)
    nodes_to_kill.append(node)
    node.operator_client = node.admin_create_client("operator", "op")
    node.start()
    api = Api(node, node.operator_client)
    org = expect(api.post("/organisations", api.operator_token, json={"name": unique("org")}), 201)
    applied_before = psql(url, "SELECT version, applied_at FROM schema_migrations ORDER BY version")
    assert node.stop(signal.SIGTERM) == 0, node.log_tail()
    node.start()
    api = Api(node, node.operator_client)
    assert expect(api.get(f"/organisations/{org['id']}", api.operator_token), 200) == org
    assert psql(url, "SELECT version, applied_at FROM schema_migrations ORDER BY version") == \
        applied_before


# ---------------------------------------------------------------------------------------------
# an unreachable database

PASSWORD = "pw-" + uuid.uuid4().hex  # in the node's database URL (the cluster trusts, ignores it)


def with_password(url):
    """url with PASSWORD as the user's password."""
    parts = urlsplit(url)
    netloc = f"{parts.username}:{PASSWORD}@{parts.hostname}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def assert_unavailable(resp, port, retry_after="1"):
    """503 with the JSON error body and `Retry-After: 1`, saying nothing of the database's
    internals."""
    body = assert_error(resp, 503)
    assert resp.headers.get("Retry-After") == retry_after, describe(resp)
    message = body["message"].lower()
    for leak in (str(port), "127.0.0.1", "libpq", "postgres", "could not connect", "sqlstate",
                 PASSWORD):
        assert leak not in message, f"503 message leaks internals ({leak!r}): {body['message']!r}"


def wait_until_ready(node, timeout=RECONNECT_TIMEOUT):
    """Poll /readyz until 200; the seconds it took."""
    started = time.monotonic()
    deadline = started + timeout
    last = None
    while time.monotonic() < deadline:
        last = requests.get(node.url + "/readyz", timeout=5)
        if last.status_code == 200:
            return time.monotonic() - started
        assert_error(last, 503)
        time.sleep(0.1)
    pytest.fail(f"/readyz not 200 within {timeout} s of the database's return: "
                f"{last.status_code} {last.text!r}\n{node.log_tail()}")


def test_unreachable_database_is_503_and_the_node_reconnects_without_restart(
        tmp_path, request, cluster, nodes_to_kill):
    node = Node(tmp_path / "node", with_password(cluster.url), ["--threads", "2"],
                owner=request.node.nodeid)
    nodes_to_kill.append(node)
    node.operator_client = node.admin_create_client("operator", "op")
    node.start()
    pid = node.process.pid
    api = Api(node, node.operator_client)
    token = api.operator_token  # tokens are checked without the database
    before = expect(api.post("/organisations", token, json={"name": unique("org")}), 201)

    cluster.stop()
    # at once, without waiting: the database is gone
    assert_unavailable(requests.get(node.url + "/readyz", timeout=10), cluster.port)
    assert expect(requests.get(node.url + "/healthz", timeout=10), 200) == {"status": "ok"}
    assert_unavailable(api.get("/organisations", token), cluster.port)
    assert_unavailable(api.get(f"/organisations/{before['id']}", token), cluster.port)
    lost_name = unique("org-during-outage")
    assert_unavailable(api.post("/organisations", token, json={"name": lost_name}),
                       cluster.port)
    assert_unavailable(api.post("/register-camera-requests", token,
                                json={"cameraId": new_id(), "serialNumber": unique_serial()}),
                       cluster.port)
    assert_unavailable(api.oauth_token({"grant_type": "client_credentials"},
                                       auth=(node.operator_client["clientId"],
                                             node.operator_client["clientSecret"])),
                       cluster.port)
    # still 503 a little later (no cached "ready"), and every answer came promptly
    started = time.monotonic()
    assert_unavailable(requests.get(node.url + "/readyz", timeout=10), cluster.port)
    assert time.monotonic() - started < 5, "a 503 should not wait for the database"

    cluster.start()  # the same port
    wait_until_ready(node)
    assert node.process.poll() is None and node.process.pid == pid, "the node was restarted"
    names = [org["name"] for org in expect(api.get("/organisations", token), 200)]
    assert before["name"] in names
    assert lost_name not in names, "a request answered 503 must change nothing"
    assert expect(api.get(f"/organisations/{before['id']}", token), 200) == before
    expect(api.post("/organisations", token, json={"name": unique("org-after")}), 201)
    # new tokens again, and the asynchronous worker works again
    fresh = Api(node, node.operator_client)
    accepted, camera_id, _ = submit_register(fresh)
    final = wait_request(fresh, "register-camera-requests", accepted["id"], timeout=20)
    assert final["status"] == "succeeded", final
    assert expect(fresh.get(f"/cameras/{camera_id}", fresh.operator_token), 200)["state"] == \
        "registered"
    assert node.stop(signal.SIGTERM) == 0, node.log_tail()
    log = node.log_text()
    assert " ERROR " in log, "the outage is logged as an error"
    assert PASSWORD not in log, "the log shows the database password"


def test_after_two_outages_nodes_still_wake_each_other(tmp_path, request, cluster, nodes_to_kill):
    """Reconnection is not a one-off, and covers the cross-node listener too: after two outages
    in a row (no restart), a frame request on node 1 still reaches the camera's long-poll on node
    2, and the upload to node 2 still answers it."""
    nodes = [Node(tmp_path / f"node{i}", cluster.url, ["--threads", "2", "--frame-wait", "2"],
                  owner=request.node.nodeid)
             for i in (1, 2)]
    nodes_to_kill.extend(nodes)
    operator = nodes[0].admin_create_client("operator", "op")
    for node in nodes:
        node.start()
    apis = [Api(node, operator) for node in nodes]
    token = apis[0].operator_token
    for outage in range(2):
        cluster.stop()
        for api in apis:
            assert_unavailable(api.get("/organisations", token), cluster.port)
        cluster.start()
        for node in nodes:
            wait_until_ready(node)
        for api in apis:
            created = api.post("/organisations", token, json={"name": unique(f"org{outage}")})
            expect(created, 201)
    tenant = Tenant(apis[0])
    camera_id, device_token = live_camera(apis[0], tenant, token_node=nodes[1],
                                          heartbeat_node=nodes[1])
    # /readyz answers 200 only once the node's cross-node listener is connected again, so the
    # first frame request after both nodes are ready must already get the frame
    resp, device_log = frame_across_nodes(nodes[0], tenant.admin_token, nodes[1], nodes[1],
                                          camera_id, device_token)
    assert resp.status_code == 200, f"no frame across nodes after the outages: {describe(resp)} {device_log}"
    assert resp.json()["image"] == JPEG_B64
    assert [node.process.poll() for node in nodes] == [None, None]
