"""Several nodes on one PostgreSQL database, each asked directly (no balancer): three
`camfleet serve` processes started at the same moment on a fresh database, shared by the tests.

- tokens issued by any node are accepted by every node (one signing key, in the database);
- unique rules hold across nodes: one serial claimed on two nodes at the same moment, one serial
  registered on three at once, one email created on two at once;
- concurrent moves, state changes and renames of one camera on every node leave one consistent
  camera and position history;
- each asynchronous request is carried out by exactly one node's worker;
- a frame request on node A wakes the camera's long-poll on node B (PostgreSQL LISTEN/NOTIFY) and
  is answered with the frame the camera uploads to node C.

Skipped unless $CAMFLEET_TEST_POSTGRES names a throw-away cluster (see postgres_support.py).
"""
import random
import signal
import threading

import pytest
import requests

from conftest import (REQUEST_TIMEOUT, Api, Tenant, assert_error, describe, es256_verify, expect,
                      jwt_parts, make_user, new_id, parse_timestamp, submit_register, unique,
                      unique_email, unique_serial, user_token, wait_request)
from postgres_support import (JPEG_B64, assert_positions_consistent, bearer, create_database,
                              drop_database, finishing_nodes, frame_across_nodes, in_parallel,
                              live_camera, make_nodes, node_log_counts, psql, psql_value,
                              requires_postgres, sql_list, sql_text, start_together,
                              warm_session)

pytestmark = requires_postgres

_SHARED_NODES = []  # the trio's nodes, whose logs join the report of whichever test fails


@pytest.fixture(autouse=True)
def _shared_node_logs_join_failure_reports(request):
    """conftest attaches the logs of the servers whose owner is the failing test: lend it the
    shared nodes for the duration of each test."""
    for node in _SHARED_NODES:
        node.owner = request.node.nodeid
    yield


class Trio:
    def __init__(self, url, nodes, operator):
        self.url = url
        self.nodes = nodes
        self.operator = operator
        self.apis = [Api(node, operator) for node in nodes]


@pytest.fixture(scope="module")
def trio(tmp_path_factory):
    """Three nodes started together on a fresh database (so they race to migrate it and to make
    the signing key), an operator client; SIGTERM must stop each with exit 0 at the end."""
    url = create_database()
    nodes = make_nodes(tmp_path_factory.mktemp("pg-trio"), url, 3, ["--threads", "2"])
    _SHARED_NODES.extend(nodes)
    try:
        start_together(nodes)
        operator = nodes[0].admin_create_client("operator", "trio-operator")
        yield Trio(url, nodes, operator)
        codes = [node.stop(signal.SIGTERM) for node in nodes]
        assert codes == [0, 0, 0], "\n".join(node.log_tail() for node in nodes)
    finally:
        for node in nodes:
            node.kill()
            _SHARED_NODES.remove(node)
        drop_database(url)


def assert_one_row(url, sql):
    assert psql(url, sql) == [("1",)], sql


# ---------------------------------------------------------------------------------------------
# shared signing keys

def test_tokens_of_any_node_are_accepted_by_every_node(trio):
    jwks = [expect(requests.get(node.url + "/.well-known/jwks.json", timeout=10), 200)
            for node in trio.nodes]
    assert jwks[0] == jwks[1] == jwks[2], "every node publishes the same keys"
    assert len(jwks[0]["keys"]) == 1, jwks[0]
    key = jwks[0]["keys"][0]
    assert int(psql_value(trio.url, "SELECT count(*) FROM signing_keys")) == 1

    tokens = []
    for node in trio.nodes:
        api = Api(node, trio.operator)  # a new client: no cached token
        token = api.operator_token
        header, _, _ = jwt_parts(token)
        assert header["kid"] == key["kid"], (header, key)
        assert es256_verify(key, token)
        tokens.append(token)
    for issuer, token in enumerate(tokens, start=1):
        for api in trio.apis:
            resp = api.get("/organisations", token)
            assert resp.status_code == 200, f"token of node {issuer}: {describe(resp)}"

    # a user's token (password grant) from node 2 works on nodes 3 and 1
    tenant = Tenant(trio.apis[0])
    admin = make_user(trio.apis[0], tenant.org_id, "admin")
    admin_token = user_token(trio.apis[1], admin)
    site = expect(trio.apis[2].post("/sites", admin_token, json={"name": unique("site"), "timeZone": "UTC"}), 201)
    assert expect(trio.apis[0].get(f"/sites/{site['id']}", admin_token), 200) == site


# ---------------------------------------------------------------------------------------------
# unique rules across nodes

def test_one_serial_claimed_on_two_nodes_at_the_same_moment_gives_one_201_and_one_409(trio):
    api1, api2, api3 = trio.apis
    tenant_a, tenant_b = Tenant(api1), Tenant(api2)
    token_a, token_b = tenant_a.admin_token, tenant_b.admin_token
    serials = []
    for index in range(20):  # registrations submitted on every node
        accepted, _, serial = submit_register(trio.apis[index % 3])
        serials.append((accepted["id"], serial))
    for request_id, _ in serials:
        assert wait_request(api3, "register-camera-requests", request_id)["status"] == "succeeded"
    barrier = threading.Barrier(2)

    def claimer(node, token, site_id):
        session = warm_session(node.url)
        answers = []
        for _, serial in serials:
            barrier.wait(timeout=30)
            answers.append(session.post(node.url + "/cameras", headers=bearer(token),
                                        json={"serialNumber": serial, "siteId": site_id},
                                        timeout=REQUEST_TIMEOUT))
        return answers

    answers_a, answers_b = in_parallel([
        lambda: claimer(trio.nodes[0], token_a, tenant_a.site_id),
        lambda: claimer(trio.nodes[1], token_b, tenant_b.site_id)])

    fields = ("organisationId", "siteId", "cameraPositionId", "state")
    winners = []
    for answer_a, answer_b in zip(answers_a, answers_b):
        statuses = sorted([answer_a.status_code, answer_b.status_code])
        assert statuses == [201, 409], (describe(answer_a), describe(answer_b))
        winner, loser, tenant = ((answer_a, answer_b, tenant_a) if answer_a.status_code == 201
                                 else (answer_b, answer_a, tenant_b))
        assert_error(loser, 409)
        camera = winner.json()
        assert (camera["organisationId"], camera["siteId"], camera["state"]) == \
            (tenant.org_id, tenant.site_id, "running")
        seen = expect(api3.get(f"/cameras/{camera['id']}", api3.operator_token), 200)
        assert {k: seen[k] for k in fields} == {k: camera[k] for k in fields}
        winners.append(camera["id"])
    positions = psql(trio.url, f"""
        SELECT camera_id, count(*), count(*) FILTER (WHERE ended_at IS NULL)
        FROM camera_positions WHERE camera_id IN {sql_list(winners)} GROUP BY camera_id""")
    assert sorted(positions) == sorted((camera_id, "1", "1") for camera_id in winners)
    assert_positions_consistent(trio.url)


def test_one_serial_registered_on_three_nodes_at_once_lets_exactly_one_request_succeed(trio):
    serials = [unique_serial() for _ in range(8)]
    barrier = threading.Barrier(3)

    def submitter(api):
        session = warm_session(api.base)
        token = api.operator_token
        accepted = []
        for serial in serials:
            camera_id = new_id()
            barrier.wait(timeout=30)
            resp = session.post(api.base + "/register-camera-requests", headers=bearer(token),
                                json={"cameraId": camera_id, "serialNumber": serial},
                                timeout=REQUEST_TIMEOUT)
            accepted.append((expect(resp, 202)["id"], camera_id, serial))
        return accepted

    per_node = in_parallel([lambda api=api: submitter(api) for api in trio.apis])
    request_ids = []
    for index, serial in enumerate(serials):
        finals = []
        for accepted in per_node:
            request_id, _, submitted_serial = accepted[index]
            assert submitted_serial == serial
            request_ids.append(request_id)
            finals.append(wait_request(trio.apis[index % 3], "register-camera-requests",
                                       request_id))
        assert sorted(final["status"] for final in finals) == ["failed", "failed", "succeeded"], \
            finals
        winner = next(final for final in finals if final["status"] == "succeeded")
        camera = expect(trio.apis[(index + 1) % 3].get(f"/cameras/{winner['cameraId']}",
                                                       trio.apis[0].operator_token), 200)
        assert (camera["serialNumber"], camera["state"]) == (serial, "registered")
        assert_one_row(trio.url,
                       f"SELECT count(*) FROM cameras WHERE serial_number = {sql_text(serial)}")
    # each request was carried out by exactly one node's worker: one finished it, and no worker
    # found it finished by another when it came to record its own outcome
    for request_id in request_ids:
        counts = finishing_nodes(trio.nodes, request_id)
        assert sum(counts) == 1, f"request {request_id} finished on nodes {counts}"
        assert node_log_counts(trio.nodes,
                               rf"async: request {request_id} was finished by another") == [0, 0, 0]


def test_one_email_created_on_two_nodes_at_once_gives_one_201_and_one_409(trio):
    tenant = Tenant(trio.apis[0])
    emails = [unique_email("twice") for _ in range(5)]
    barrier = threading.Barrier(2)

    def creator(api):
        session = warm_session(api.base)
        token = api.operator_token
        answers = []
        for email in emails:
            barrier.wait(timeout=30)
            answers.append(session.post(api.base + "/users", headers=bearer(token),
                                        json={"email": email, "password": "pw-" + new_id(),
                                              "role": "viewer", "organisationId": tenant.org_id},
                                        timeout=REQUEST_TIMEOUT))
        return answers

    first, second = in_parallel([lambda: creator(trio.apis[1]), lambda: creator(trio.apis[2])])
    for one, other in zip(first, second):
        assert sorted([one.status_code, other.status_code]) == [201, 409], \
            (describe(one), describe(other))
        assert_error(one if one.status_code == 409 else other, 409)
    for email in emails:
        assert_one_row(trio.url, f"SELECT count(*) FROM users "
                                 f"WHERE lower(email) = lower({sql_text(email)})")


# ---------------------------------------------------------------------------------------------
# concurrent changes of one camera on every node

def test_concurrent_moves_state_changes_and_renames_on_every_node_leave_one_consistent_camera(trio):
    tenant = Tenant(trio.apis[0])
    sites = [tenant.site_id] + [tenant.add_site()["id"] for _ in range(3)]
    camera = tenant.camera()
    camera_id = camera["id"]
    token = tenant.admin_token
    path = f"/cameras/{camera_id}"
    operations = 12

    def refused_as_changed_meanwhile(resp):
        assert_error(resp, 409)  # "the camera changed while this request was being carried out"

    def mover(node, seed):
        rng = random.Random(seed)
        session = warm_session(node.url)
        done = []
        for _ in range(operations):
            site_id = rng.choice(sites)
            resp = session.post(node.url + path + "/move", headers=bearer(token),
                                json={"siteId": site_id}, timeout=REQUEST_TIMEOUT)
            if resp.status_code == 201:
                assert resp.json()["siteId"] == site_id, describe(resp)
                done.append((resp.json()["cameraPositionId"], site_id))
            else:
                refused_as_changed_meanwhile(resp)
        return done

    def state_changer(node, seed):
        rng = random.Random(seed)
        session = warm_session(node.url)
        done = []
        for _ in range(operations):
            state = rng.choice(["running", "paused"])
            resp = session.put(node.url + path + f"/state/{state}", headers=bearer(token),
                               timeout=REQUEST_TIMEOUT)
            if resp.status_code == 201:
                assert resp.json()["state"] == state, describe(resp)
                done.append(state)
            else:
                refused_as_changed_meanwhile(resp)
        return done

    def renamer(node, seed):
        session = warm_session(node.url)
        done = []
        for index in range(operations):
            name = f"cam-{seed}-{index}"
            resp = session.patch(node.url + path, headers=bearer(token), json={"name": name},
                                 timeout=REQUEST_TIMEOUT)
            if resp.status_code == 200:
                assert resp.json()["name"] == name, describe(resp)
                done.append(name)
            else:
                refused_as_changed_meanwhile(resp)
        return done

    functions = []
    for index, node in enumerate(trio.nodes):
        functions += [lambda n=node, s=index: mover(n, s),
                      lambda n=node, s=index: state_changer(n, s),
                      lambda n=node, s=index: renamer(n, s)]
    results = in_parallel(functions)
    moves = [move for result in results[0::3] for move in result]
    states = [state for result in results[1::3] for state in result]
    names = [name for result in results[2::3] for name in result]
    assert moves and states and names, "some of each kind of change must get through"

    seen = [expect(api.get(path, token), 200) for api in trio.apis]
    assert seen[0] == seen[1] == seen[2], "every node reads the same camera"
    final = seen[0]
    move_positions = dict(moves)
    assert len(move_positions) == len(moves), "every 201 move made a position of its own"
    all_positions = {camera["cameraPositionId"]: camera["siteId"], **move_positions}
    assert final["cameraPositionId"] in all_positions
    assert final["siteId"] == all_positions[final["cameraPositionId"]]
    assert final["state"] in set(states) | {"running"}
    assert final["name"] in names

    rows = psql(trio.url, f"SELECT id, site_id, ended_at IS NULL FROM camera_positions "
                          f"WHERE camera_id = {sql_text(camera_id)}")
    assert {row[0]: row[1] for row in rows} == all_positions, \
        "positions: the claim's and one per 201 move"
    assert [row[0] for row in rows if row[2] == "t"] == [final["cameraPositionId"]], \
        "exactly one open position: the camera's"
    assert psql(trio.url, f"SELECT camera_position_id, site_id, state, name FROM cameras "
                          f"WHERE id = {sql_text(camera_id)}") == \
        [(final["cameraPositionId"], final["siteId"], final["state"], final["name"])]
    assert_positions_consistent(trio.url)


# ---------------------------------------------------------------------------------------------
# a frame request on node A, the camera's long-poll on node B, its upload to node C

def test_frame_request_on_one_node_wakes_the_long_poll_on_another_and_gets_the_upload_to_a_third(
        trio):
    node_a, node_b, node_c = trio.nodes
    tenant = Tenant(trio.apis[0])
    camera_id, device_token = live_camera(trio.apis[0], tenant, token_node=node_b,
                                          heartbeat_node=node_c)
    resp, device_log = frame_across_nodes(node_a, tenant.admin_token, node_b, node_c, camera_id,
                                          device_token)
    assert resp.status_code == 200, f"device saw {device_log}; {describe(resp)}"
    body = resp.json()
    assert set(body) == {"image", "timestamp"}
    assert body["image"] == JPEG_B64
    assert len(device_log["uploads"]) == 1
    assert body["timestamp"] == device_log["uploads"][0]["timestamp"]
    captures = [command for command in device_log["commands"] if command["type"] == "capture-frame"]
    assert len(captures) == 1, device_log
    parse_timestamp(captures[0]["requestedAt"])
    # the frame is now stored: node B answers it at once, and no new command is queued
    again = requests.post(node_b.url + "/frame-requests", json={"cameraId": camera_id},
                          headers=bearer(tenant.admin_token), timeout=REQUEST_TIMEOUT)
    assert expect(again, 200) == body
    commands = requests.get(node_b.url + "/device/commands", params={"wait": 0},
                            headers=bearer(device_token), timeout=REQUEST_TIMEOUT)
    assert expect(commands, 200) == {"commands": []}
