"""Scale-out: PostgreSQL, three camfleet nodes and nginx in front of them
(deploy/nginx-camfleet.conf, rendered with the test's ports and paths).

A mixed workload goes through nginx from several threads; in its middle one node is killed with
SIGKILL while requests are in flight on it and its asynchronous worker is inside a request.
Afterwards every acknowledged (2xx) change is there, through nginx and in the database, and every
asynchronous request has reached a final state (those the dead node had in hand are taken over by
another node once its session ends). Answers that are no acknowledgement (nginx's 502, a POST that died
with the node) may or may not have taken effect, and the checks allow both.

Also checks of the nginx configuration itself, which need only nginx. The workload test is
skipped unless $CAMFLEET_TEST_POSTGRES names a throw-away cluster (see postgres_support.py).
"""
import random
import re
import signal
import threading
import time
import types

import requests

from conftest import (REQUEST_TIMEOUT, Api, Tenant, assert_error, claim_camera, describe, expect,
                      free_port, new_id, submit_register, unique, unique_serial, wait_request)
from postgres_support import (NGINX_CONFIG, Balancer, HeldTransaction, assert_positions_consistent,
                              bearer, create_database, drop_database, finishing_nodes, in_parallel,
                              make_nodes, psql, psql_value, requires_nginx, requires_postgres,
                              sql_list, sql_text, start_together)

WORKERS = 4                   # client threads
OPERATIONS_PER_WORKER = 36    # node 2 dies when half of all operations are done
CAMERAS_PER_WORKER = 6        # registered before the workload, claimed during it
ASYNC_CAMERAS_PER_WORKER = 2  # claimed before; each gets one put-camera-state request (paused)
BURST = 4                     # registrations sent straight to node 2 just before it is killed
HOSTAGES = 6                  # claims through nginx waiting on a row lock when node 2 is killed
ASYNC_TIMEOUT = 30.0          # for every request to be final after the kill


# ---------------------------------------------------------------------------------------------
# the nginx configuration (no PostgreSQL needed)

def nginx_directives(text):
    """(name, arguments) of every directive of an nginx config, comments removed."""
    text = re.sub(r"#[^\n]*", "", text)
    return [(match.group(1), match.group(2).strip())
            for match in re.finditer(r"([a-z_0-9]+)\s+([^;{}]*);", text)]


def seconds(value):
    match = re.fullmatch(r"(\d+)(ms|s|m)?", value)
    assert match, value
    number, unit = int(match.group(1)), match.group(2) or "s"
    return {"ms": number / 1000, "s": number, "m": number * 60}[unit]


def test_nginx_config_proxies_long_polls_and_keeps_node_connections_alive():
    text = NGINX_CONFIG.read_text()
    values = {}
    for name, arguments in nginx_directives(text):
        values.setdefault(name, []).append(arguments)
    # long-polls (30 s) plus a frame wait must not be cut by nginx
    assert seconds(values["proxy_read_timeout"][0]) > 35
    assert seconds(values["proxy_send_timeout"][0]) > 30
    # keep-alive to the nodes: HTTP/1.1, no "Connection: close", an idle pool that nginx drops
    # before camfleet's --connection-timeout (30 s) does
    assert values["proxy_http_version"] == ["1.1"]
    assert 'Connection ""' in values["proxy_set_header"]
    uncommented = re.sub(r"#[^\n]*", "", text)
    upstream = re.search(r"upstream\s+camfleet\s*\{(.*?)\}", uncommented, re.S).group(1)
    upstream_values = dict(nginx_directives(upstream))
    assert int(upstream_values["keepalive"]) >= 8
    assert seconds(upstream_values["keepalive_timeout"]) < 30
    assert len(re.findall(r"^\s*server\s+\S+:\d+", upstream, re.M)) >= 2
    # failover for requests that can be resent, never for POST/PATCH a dead node may have done
    next_upstream = values["proxy_next_upstream"][0].split()
    assert "error" in next_upstream and "timeout" in next_upstream
    assert "non_idempotent" not in next_upstream
    # frames up to camfleet's 2 MiB default upload limit pass
    size = values["client_max_body_size"][0]
    assert size.endswith("m") and int(size[:-1]) >= 3
    # the comments at the top say how to run it
    head = text[:text.index("user ")]
    assert "nginx -c" in head and "--listen" in head and "CAMFLEET_DATABASE" in head


@requires_nginx
def test_nginx_config_rendered_for_the_tests_passes_nginx_t(tmp_path):
    balancer = Balancer(tmp_path / "nginx", [18081, 18082, 18083])
    code, output = balancer.check()
    assert code == 0, output
    assert balancer.config_path.read_text().count("server 127.0.0.1:1808") == 3


@requires_nginx
def test_nginx_answers_its_own_errors_as_json(tmp_path):
    balancer = Balancer(tmp_path / "nginx", [free_port(), free_port()])  # nobody listens there
    try:
        balancer.start(ready_status=502)
        assert_error(requests.post(balancer.url + "/cameras", json={}, timeout=10), 502)
        assert_error(requests.get(balancer.url + "/cameras", timeout=10), 502)
    finally:
        balancer.stop()


# ---------------------------------------------------------------------------------------------
# what the clients were told

class Ledger:
    """What one client was told: acknowledged changes (2xx), and the cameras whose last change got
    no acknowledgement (nginx's 502/504, or no answer) and so may or may not have happened."""

    def __init__(self):
        self.cameras = {}         # id -> expected {"state", "siteId", "name", "cameraPositionId"}
        self.uncertain = {}       # id -> {field: allowed values ("*": any)}; left alone after
        self.positions = {}       # position id answered by a claim or a move -> (camera, site)
        self.registrations = []   # (request id, camera id, serial) answered 202
        self.state_requests = []  # (request id, camera id) answered 202 (claimed_paused)
        self.sites = {}           # id -> name of the sites answered 201
        self.unacknowledged = []  # what got no acknowledgement
        self.errors = []          # what must not happen

    def claimed(self, camera_id, site_id, name, position_id):
        self.cameras[camera_id] = {"state": "running", "siteId": site_id, "name": name,
                                   "cameraPositionId": position_id}
        self.positions[position_id] = (camera_id, site_id)

    def claim_unacknowledged(self, camera_id, site_id, name):
        self.cameras[camera_id] = {"state": "registered", "siteId": None, "name": None,
                                   "cameraPositionId": None}
        self.quarantine(camera_id, state="running", siteId=site_id, name=name,
                        cameraPositionId="*")

    def quarantine(self, camera_id, **alternatives):
        """The camera's fields are now what was acknowledged or the unacknowledged change."""
        allowed = {field: {value} for field, value in self.cameras[camera_id].items()}
        for field, value in alternatives.items():
            allowed[field].add(value)
        self.uncertain[camera_id] = allowed

    def usable(self):
        return [camera_id for camera_id in self.cameras if camera_id not in self.uncertain]


class Worker:
    """A client thread: a fixed schedule of operations on its own cameras through nginx, each
    answer checked against what it was told before (only this thread changes these cameras)."""

    SCHEDULE = ("claim", "read", "rename", "register", "move", "list_site", "set_state",
                "request_pause", "claim", "read", "move", "create_site")

    def __init__(self, index, base, tokens, tenant, sites, serials, async_cameras, progress):
        self.index = index
        self.ledger = Ledger()
        self.base = base
        self.token, self.operator_token = tokens
        self.org_id = tenant.org_id
        self.sites = sites
        self.unclaimed = list(serials)  # (camera id, serial)
        self.async_cameras = list(async_cameras)
        self.progress = progress
        self.rng = random.Random(1000 + index)
        self.session = requests.Session()

    def run(self):
        for step in range(OPERATIONS_PER_WORKER):
            getattr(self, self.SCHEDULE[(step + self.index) % len(self.SCHEDULE)])()
            self.progress()
        return self.ledger

    def send(self, method, path, token=None, **kwargs):
        try:
            return self.session.request(method, self.base + path, timeout=REQUEST_TIMEOUT,
                                        headers=bearer(token or self.token), **kwargs)
        except requests.RequestException as error:
            self.ledger.unacknowledged.append(f"{method} {path}: no answer ({error})")
            return None

    def error(self, text):
        self.ledger.errors.append(text)

    def unacknowledged(self, resp, what):
        """True (and noted) when resp is no acknowledgement: nginx's 502/504 or no answer."""
        if resp is not None and resp.status_code not in (502, 504):
            return False
        if resp is not None:
            body = resp.json()
            if set(body) != {"code", "message"} or body["code"] != resp.status_code:
                self.error(f"nginx error not JSON: {describe(resp)}")
            self.ledger.unacknowledged.append(f"{what}: {resp.status_code}")
        return True

    def pick_camera(self):
        usable = self.ledger.usable()
        return self.rng.choice(usable) if usable else None

    # operations ---------------------------------------------------------------------------------

    def claim(self):
        if not self.unclaimed:
            return self.read()
        camera_id, serial = self.unclaimed.pop()
        site_id = self.rng.choice(self.sites)
        name = f"w{self.index}-{serial[-6:]}"
        resp = self.send("POST", "/cameras",
                         json={"serialNumber": serial, "siteId": site_id, "name": name})
        if self.unacknowledged(resp, f"claim {camera_id}"):
            return self.ledger.claim_unacknowledged(camera_id, site_id, name)
        if resp.status_code != 201:
            return self.error(f"claim: {describe(resp)}")
        body = resp.json()
        if (body["id"], body["state"], body["siteId"], body["organisationId"], body["name"]) != \
                (camera_id, "running", site_id, self.org_id, name):
            return self.error(f"claim answered {body}")
        self.ledger.claimed(camera_id, site_id, name, body["cameraPositionId"])

    def rename(self):
        camera_id = self.pick_camera()
        if camera_id is None:
            return self.claim()
        name = f"renamed-{new_id()[:8]}"
        resp = self.send("PATCH", f"/cameras/{camera_id}", json={"name": name})
        if self.unacknowledged(resp, f"rename {camera_id}"):
            return self.ledger.quarantine(camera_id, name=name)
        if resp.status_code != 200 or resp.json()["name"] != name:
            return self.error(f"rename: {describe(resp)}")
        self.ledger.cameras[camera_id]["name"] = name

    def move(self):
        camera_id = self.pick_camera()
        if camera_id is None:
            return self.claim()
        site_id = self.rng.choice(self.sites)
        resp = self.send("POST", f"/cameras/{camera_id}/move", json={"siteId": site_id})
        if self.unacknowledged(resp, f"move {camera_id}"):
            return self.ledger.quarantine(camera_id, siteId=site_id, cameraPositionId="*")
        if resp.status_code != 201 or resp.json()["siteId"] != site_id:
            return self.error(f"move: {describe(resp)}")
        position_id = resp.json()["cameraPositionId"]
        self.ledger.cameras[camera_id].update(siteId=site_id, cameraPositionId=position_id)
        self.ledger.positions[position_id] = (camera_id, site_id)

    def set_state(self):
        camera_id = self.pick_camera()
        if camera_id is None:
            return self.claim()
        state = "paused" if self.ledger.cameras[camera_id]["state"] == "running" else "running"
        resp = self.send("PUT", f"/cameras/{camera_id}/state/{state}")
        # PUT is idempotent: nginx resends it to another node, so it is always answered
        if resp is None or resp.status_code != 201 or resp.json()["state"] != state:
            return self.error(f"PUT state: {describe(resp) if resp is not None else 'no answer'}")
        self.ledger.cameras[camera_id]["state"] = state

    def read(self):
        """GET one of this worker's cameras: through any node it shows every acknowledged change."""
        camera_id = self.pick_camera()
        if camera_id is None:
            return self.list_site()
        resp = self.send("GET", f"/cameras/{camera_id}", params={"includeMetrics": "false"})
        if resp is None or resp.status_code != 200:
            return self.error(f"GET camera: {describe(resp) if resp is not None else 'no answer'}")
        expected = self.ledger.cameras[camera_id]
        got = {field: resp.json()[field] for field in expected}
        if got != expected:
            self.error(f"GET {camera_id} read {got}, acknowledged {expected}")

    def list_site(self):
        site_id = self.rng.choice(self.sites)
        resp = self.send("GET", "/cameras", params={"siteId": site_id, "includeMetrics": "false"})
        if resp is None or resp.status_code != 200:
            return self.error(f"GET list: {describe(resp) if resp is not None else 'no answer'}")
        listed = {camera["id"] for camera in resp.json()}
        for camera_id in self.ledger.usable():
            expected = self.ledger.cameras[camera_id]
            if (expected["siteId"] == site_id) != (camera_id in listed):
                self.error(f"list of site {site_id}: camera {camera_id} (acknowledged {expected}) "
                           f"{'missing' if camera_id not in listed else 'listed'}")

    def register(self):
        camera_id, serial = new_id(), unique_serial()
        resp = self.send("POST", "/register-camera-requests", token=self.operator_token,
                         json={"cameraId": camera_id, "serialNumber": serial})
        if self.unacknowledged(resp, f"register {camera_id}"):
            return
        if resp.status_code != 202 or resp.json()["status"] != "created":
            return self.error(f"register: {describe(resp)}")
        self.ledger.registrations.append((resp.json()["id"], camera_id, serial))

    def request_pause(self):
        if not self.async_cameras:
            return self.register()
        camera_id = self.async_cameras.pop()
        resp = self.send("POST", "/put-camera-state-requests",
                         json={"cameraId": camera_id, "newState": "claimed_paused"})
        if self.unacknowledged(resp, f"pause request {camera_id}"):
            return
        if resp.status_code != 202:
            return self.error(f"put-camera-state request: {describe(resp)}")
        self.ledger.state_requests.append((resp.json()["id"], camera_id))

    def create_site(self):
        name = unique("site")
        resp = self.send("POST", "/sites", json={"name": name, "timeZone": "UTC"})
        if self.unacknowledged(resp, f"site {name}"):
            return
        if resp.status_code != 201:
            return self.error(f"create site: {describe(resp)}")
        self.ledger.sites[resp.json()["id"]] = name


# ---------------------------------------------------------------------------------------------
# killing node 2 in the middle, with work in hand

class NodeKiller:
    """Kills node 2 while:
    - asynchronous workers are inside requests: registrations are sent straight to node 2 (whose
      worker is woken at once) of cameras whose rows an open transaction has already inserted, so
      a worker that takes them waits inside its batch, holding their rows locked; the kill waits
      until every request of the burst is held by some worker;
    - claims through nginx wait on every node for camera rows that transaction has locked.
    Then the transaction is rolled back: the live nodes go on, and whatever node 2 held is free
    again once its session ends, for another node to take over."""

    def __init__(self, url, nodes, balancer, tokens, tenant, hostages):
        self.url = url
        self.nodes = nodes
        self.victim = nodes[1]
        self.balancer = balancer
        self.admin_token, self.operator_token = tokens
        self.site_id = tenant.site_id
        self.hostages = hostages   # registered cameras (id, serial) to claim during the kill
        self.ledger = Ledger()     # what the hostage claims were told
        self.registrations = []    # (request id, camera id, serial) of the burst, answered 202
        self.processing = []       # the requests workers held at the kill (the burst)

    def kill(self):
        burst = [(new_id(), unique_serial()) for _ in range(BURST)]
        held = HeldTransaction(self.url, [
            f"INSERT INTO cameras (id, serial_number, state, registered_at) "
            f"VALUES ({sql_text(camera_id)}, {sql_text(serial)}, 'registered', 0)"
            for camera_id, serial in burst] + [
            f"SELECT id FROM cameras WHERE id IN {sql_list(c for c, _ in self.hostages)} "
            f"FOR UPDATE"])
        try:
            self.send_burst(burst)
            self.wait_for_workers_inside()
            claims = [self.claim_in_thread(camera_id, serial)
                      for camera_id, serial in self.hostages]
            self.wait_for_claims_to_wait()
            self.victim.process.kill()  # SIGKILL
            self.victim.process.wait(timeout=10)
        finally:
            held.release()
        for camera_id, box, thread in claims:
            thread.join(REQUEST_TIMEOUT + 5)
            assert not thread.is_alive()
            self.note_claim(camera_id, box.get("resp"))

    def send_burst(self, burst):
        session = requests.Session()
        for camera_id, serial in burst:
            resp = session.post(self.victim.url + "/register-camera-requests",
                                headers=bearer(self.operator_token), timeout=REQUEST_TIMEOUT,
                                json={"cameraId": camera_id, "serialNumber": serial})
            self.registrations.append((expect(resp, 202)["id"], camera_id, serial))

    def wait_for_workers_inside(self):
        """Until every request of the burst is held by a worker's transaction (a probe that skips
        locked rows finds none of them free) and a worker waits inside its batch; or until every
        node's worker waits inside a batch, when the last requests of the burst arrived after the
        workers took theirs: those stay free for a live node to take after the release (each is
        still checked to be finished once, never by node 2)."""
        ids = sql_list(request_id for request_id, _, _ in self.registrations)
        deadline = time.monotonic() + 10
        free = waiting = None
        while time.monotonic() < deadline:
            free = psql(self.url, f"SELECT id FROM async_requests WHERE id IN {ids} "
                                  f"AND status = 'created' FOR UPDATE SKIP LOCKED")
            waiting = int(psql_value(self.url, "SELECT count(*) FROM pg_stat_activity "
                                               "WHERE datname = current_database() "
                                               "AND wait_event_type = 'Lock' "
                                               "AND query LIKE 'INSERT INTO cameras%'"))
            if (not free and waiting >= 1) or waiting >= len(self.nodes):
                break
            time.sleep(0.05)
        assert (not free and waiting >= 1) or waiting >= len(self.nodes), \
            f"burst requests not held: {free}, {waiting} waiting"
        self.processing = [request_id for request_id, _, _ in self.registrations]

    def claim_in_thread(self, camera_id, serial):
        box = {}

        def claim():
            try:
                box["resp"] = requests.post(self.balancer.url + "/cameras",
                                            headers=bearer(self.admin_token),
                                            json={"serialNumber": serial, "siteId": self.site_id},
                                            timeout=REQUEST_TIMEOUT)
            except requests.RequestException:
                box["resp"] = None

        thread = threading.Thread(target=claim, daemon=True)
        thread.start()
        return camera_id, box, thread

    def wait_for_claims_to_wait(self):
        """Until most claims wait on their row in the database (bounded: a node thread busy with
        one claim may hold up another before it reaches the database)."""
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            waiting = int(psql_value(self.url, "SELECT count(*) FROM pg_stat_activity "
                                               "WHERE datname = current_database() "
                                               "AND wait_event_type = 'Lock'"))
            if waiting >= len(self.nodes) + HOSTAGES - 2:
                return
            time.sleep(0.05)

    def note_claim(self, camera_id, resp):
        if resp is not None and resp.status_code == 201:
            self.ledger.claimed(camera_id, self.site_id, None, resp.json()["cameraPositionId"])
        elif resp is None or resp.status_code == 502:  # it waited on node 2
            assert resp is None or set(resp.json()) == {"code", "message"}, describe(resp)
            self.ledger.unacknowledged.append(f"claim {camera_id}")
            self.ledger.claim_unacknowledged(camera_id, self.site_id, None)
        else:
            self.ledger.errors.append(f"claim during the kill: {describe(resp)}")


# ---------------------------------------------------------------------------------------------
# the test

@requires_postgres
@requires_nginx
def test_workload_through_nginx_survives_a_node_killed_in_the_middle(tmp_path, request):
    url = create_database()
    # four HTTP threads a node: while the kill is staged, requests of the workload that wait on
    # rows the held transaction locked may occupy two of node 2's threads for its whole length,
    # and the burst sent straight to node 2 must still find a thread
    # the balancer's address is the nodes' public URL (the metadata names it, not Host)
    balancer_port = free_port()
    public_url = f"http://127.0.0.1:{balancer_port}"
    nodes = make_nodes(tmp_path, url, 3, ["--threads", "4", "--public-url", public_url],
                       owner=request.node.nodeid)
    balancer = None
    try:
        operator = nodes[0].admin_create_client("operator", "scaleout-operator")
        # node 1 first (it makes the schema and the signing key), then the other two: nodes
        # starting together on a fresh database are test_postgres_cross_node.py's to prove
        start_together(nodes[:1])
        start_together(nodes[1:])
        balancer = Balancer(tmp_path / "nginx", [node.port for node in nodes],
                            port=balancer_port).start()
        api = Api(types.SimpleNamespace(url=balancer.url), operator)  # everything through nginx
        check_what_nginx_passes_on(balancer)
        run_workload_and_check(api, url, nodes, balancer)
    finally:
        if balancer is not None:
            balancer.stop()
        for node in nodes:
            node.kill()
        drop_database(url)


def check_what_nginx_passes_on(balancer):
    """The metadata names the public URL (the balancer's), whatever Host the client sends, and
    request ids join nginx's log and theirs."""
    for host in (None, "evil.example"):
        headers = {"Host": host} if host else {}
        metadata = requests.get(balancer.url + "/.well-known/oauth-authorization-server",
                                headers=headers, timeout=10)
        assert expect(metadata, 200)["token_endpoint"] == balancer.url + "/oauth/token"
    given = requests.get(balancer.url + "/healthz", headers={"X-Request-Id": "mine-42"}, timeout=10)
    assert given.headers.get("X-Request-Id") == "mine-42", describe(given)
    made = requests.get(balancer.url + "/healthz", timeout=10).headers.get("X-Request-Id", "")
    assert re.fullmatch(r"[0-9a-f]{32}", made), made  # nginx's $request_id, passed to the node
    deadline = time.monotonic() + 5  # nginx writes its access log line as the request ends
    while f"id={made}" not in balancer.access_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert f"id={made}" in balancer.access_log.read_text()


def register_all(api, count):
    """Register count cameras through api; [(camera id, serial)]."""
    submitted = [submit_register(api) for _ in range(count)]
    for accepted, _, _ in submitted:
        final = wait_request(api, "register-camera-requests", accepted["id"])
        assert final["status"] == "succeeded", final
    return [(camera_id, serial) for _, camera_id, serial in submitted]


def run_workload_and_check(api, url, nodes, balancer):
    operator_token = api.operator_token
    tenant = Tenant(api)
    sites = [tenant.site_id] + [tenant.add_site()["id"] for _ in range(2)]
    admin_token = tenant.admin_token
    tokens = (admin_token, operator_token)
    pools = [register_all(api, CAMERAS_PER_WORKER + ASYNC_CAMERAS_PER_WORKER)
             for _ in range(WORKERS)]
    async_cameras = [[claim_camera(api, admin_token, serial, tenant.site_id)["id"]
                      for _, serial in pool[CAMERAS_PER_WORKER:]] for pool in pools]
    killer = NodeKiller(url, nodes, balancer, tokens, tenant, register_all(api, HOSTAGES))

    lock = threading.Lock()
    done = {"operations": 0}
    total = WORKERS * OPERATIONS_PER_WORKER

    def progress():
        with lock:
            done["operations"] += 1
            middle = done["operations"] == total // 2
        if middle:  # exactly one worker gets here; the others go on meanwhile
            killer.kill()

    workers = [Worker(index, balancer.url, tokens, tenant, sites, pools[index][:CAMERAS_PER_WORKER],
                      async_cameras[index], progress) for index in range(WORKERS)]
    ledgers = in_parallel([worker.run for worker in workers], timeout=180) + [killer.ledger]
    assert nodes[1].process.poll() is not None and killer.processing, "node 2 was not killed"
    errors = [error for ledger in ledgers for error in ledger.errors]
    assert errors == [], "\n".join(errors[:20])

    check_asynchronous_requests(api, url, nodes, ledgers, killer, tokens)
    cameras = check_acknowledged_changes(api, url, ledgers, admin_token)
    assert_positions_consistent(url)

    # the balancer spread the work over all three nodes
    used = balancer.upstreams_used()
    assert {f"127.0.0.1:{node.port}" for node in nodes} <= used, used

    # the killed node comes back on the same database and sees the same data; all stop cleanly
    nodes[1].start()
    some_camera = next(iter(cameras))
    assert expect(Api(nodes[1], None).get(f"/cameras/{some_camera}", admin_token), 200) == \
        expect(api.get(f"/cameras/{some_camera}", admin_token), 200)
    for node in nodes:
        assert node.stop(signal.SIGTERM) == 0, node.log_tail()
    unacknowledged = sum(len(ledger.unacknowledged) for ledger in ledgers)
    uncertain = sum(len(ledger.uncertain) for ledger in ledgers)
    print(f"scale-out workload: {total} operations, node 2 killed after {total // 2}, "
          f"{unacknowledged} unacknowledged ({len(killer.ledger.unacknowledged)} of {HOSTAGES} "
          f"claims waiting at the kill), {uncertain} cameras left uncertain")


def check_asynchronous_requests(api, url, nodes, ledgers, killer, tokens):
    """Every request (acknowledged or not) reaches a final state, every acknowledged one the
    outcome it should have, and the one node 2 had in hand was finished by another node."""
    admin_token, operator_token = tokens
    deadline = time.monotonic() + ASYNC_TIMEOUT
    pending = None
    while time.monotonic() < deadline:
        pending = psql(url, "SELECT id, kind, status, updated_at FROM async_requests "
                            "WHERE status NOT IN ('succeeded', 'failed')")
        if not pending:
            break
        time.sleep(0.2)
    assert pending == [], f"asynchronous requests not final within {ASYNC_TIMEOUT} s: {pending}"

    registrations = [entry for ledger in ledgers for entry in ledger.registrations]
    registrations += killer.registrations
    state_requests = [entry for ledger in ledgers for entry in ledger.state_requests]
    assert registrations and state_requests, "the workload must have had asynchronous requests"
    for request_id, camera_id, serial in registrations:
        final = expect(api.get(f"/register-camera-requests/{request_id}", operator_token), 200)
        assert (final["status"], final["cameraId"], final["serialNumber"]) == \
            ("succeeded", camera_id, serial), final
        camera = expect(api.get(f"/cameras/{camera_id}", operator_token), 200)
        assert (camera["serialNumber"], camera["state"]) == (serial, "registered")
    for request_id, camera_id in state_requests:
        final = expect(api.get(f"/put-camera-state-requests/{request_id}", admin_token), 200)
        assert (final["status"], final["cameraId"]) == ("succeeded", camera_id), final
        assert expect(api.get(f"/cameras/{camera_id}", admin_token), 200)["state"] == "paused"

    # each request workers held at the kill was finished once, by node 1 or node 3: so any node 2
    # held was taken over
    for request_id in killer.processing:
        counts = finishing_nodes(nodes, request_id)
        assert counts[1] == 0 and counts[0] + counts[2] == 1, (request_id, counts)


def check_acknowledged_changes(api, url, ledgers, admin_token):
    """Every acknowledged change is there, through nginx and in the database; a camera whose last
    change got no acknowledgement holds either value. Returns the acknowledged cameras."""
    cameras, uncertain, positions, sites = {}, {}, {}, {}
    for ledger in ledgers:
        cameras.update({k: v for k, v in ledger.cameras.items() if k not in ledger.uncertain})
        uncertain.update(ledger.uncertain)
        positions.update(ledger.positions)
        sites.update(ledger.sites)
    assert len(cameras) >= WORKERS, "most claims must have been acknowledged"
    for camera_id, expected in cameras.items():
        body = expect(api.get(f"/cameras/{camera_id}", admin_token), 200)
        assert {field: body[field] for field in expected} == expected, camera_id

    rows = psql(url, f"SELECT id, state, site_id, name, camera_position_id FROM cameras "
                     f"WHERE id IN {sql_list(list(cameras) + list(uncertain))}")
    stored = {row[0]: {"state": row[1], "siteId": row[2] or None, "name": row[3] or None,
                       "cameraPositionId": row[4] or None} for row in rows}
    for camera_id, expected in cameras.items():
        assert stored[camera_id] == expected, camera_id
    for camera_id, allowed in uncertain.items():
        for field, values in allowed.items():
            assert "*" in values or stored[camera_id][field] in values, \
                (camera_id, field, stored[camera_id], values)
    position_rows = psql(url, f"SELECT id, camera_id, site_id FROM camera_positions "
                              f"WHERE id IN {sql_list(positions)}")
    assert {row[0]: (row[1], row[2]) for row in position_rows} == positions, \
        "every acknowledged position"
    for site_id, name in sites.items():
        assert expect(api.get(f"/sites/{site_id}", admin_token), 200)["name"] == name
    return cameras
