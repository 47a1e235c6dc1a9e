"""camfleet under faults: the figures of README "Scale-out on PostgreSQL" (what a client sees).

Two `camfleet serve` nodes on a throw-away PostgreSQL cluster of their own (scripts/pg-cluster.sh)
behind nginx (deploy/nginx-camfleet.conf, as the tests render it), a write load through nginx
(registrations and PATCHes, each client on cameras of its own), then in turn:
  1. node 2 killed with SIGKILL in the middle of the load: every acknowledged write must be in the
     database afterwards; what the clients got meanwhile is counted by status;
  2. the database stopped for BENCH_OUTAGE_SECONDS (10) under the same load: the answers during
     the outage (status, Retry-After, slowest answer) and the time from the database's return to
     the first write acknowledged through nginx;
  3. every pooled session ended with pg_terminate_backend while the database stays up: 503s after.
Prints one table; exits non-zero when an acknowledged write is missing.

Usage: CAMFLEET_BIN=build/camfleet /usr/bin/python3 bench/faults.py
Environment: BENCH_FAULT_CLIENTS (8), BENCH_FAULT_SECONDS (6, the load before and after the kill),
BENCH_OUTAGE_SECONDS (10). Needs postgresql and nginx installed.
"""
import os
import sys
import tempfile
import threading
import time
import types
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "api"))

import requests  # noqa: E402

from conftest import (Api, Tenant, claim_camera, create_postgres_database, expect,  # noqa: E402
                      free_port, new_id, register_cameras, unique_serial)
from postgres_support import (Balancer, PrivateCluster, make_nodes, psql,  # noqa: E402
                              start_together)

CLIENTS = int(os.environ.get("BENCH_FAULT_CLIENTS", "8"))
LOAD_SECONDS = float(os.environ.get("BENCH_FAULT_SECONDS", "6"))
OUTAGE_SECONDS = float(os.environ.get("BENCH_OUTAGE_SECONDS", "10"))
CAMERAS_PER_CLIENT = 4
TIMEOUT = 30


class Client:
    """One load client through nginx: alternately a registration request and a PATCH of one of
    its own cameras (one at a time, so the last acknowledged name is the one to find)."""

    def __init__(self, url, token, operator_token, cameras):
        self.url = url
        self.token = token
        self.operator_token = operator_token
        self.cameras = cameras
        self.session = requests.Session()
        self.acknowledged_names = {}   # camera id -> last name answered 200
        self.attempted_after = {}      # camera id -> names sent after it (any outcome)
        self.acknowledged_registrations = []
        self.statuses = {}
        self.slowest = 0.0
        self.latencies_503 = []
        self.missing_retry_after = 0
        self.first_ack_after = None    # monotonic time of the first 2xx after `since`
        self.since = None

    def count(self, response, elapsed):
        status = response.status_code if response is not None else "error"
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.slowest = max(self.slowest, elapsed)
        if status == 503:
            self.latencies_503.append(elapsed)
            self.missing_retry_after += "Retry-After" not in response.headers
        if (response is not None and 200 <= status < 300 and self.since is not None
                and self.first_ack_after is None):
            self.first_ack_after = time.monotonic()

    def send(self, method, path, token, body):
        started = time.monotonic()
        try:
            response = self.session.request(method, self.url + path, json=body, timeout=TIMEOUT,
                                            headers={"Authorization": f"Bearer {token}"})
        except requests.RequestException:
            response = None
        self.count(response, time.monotonic() - started)
        return response

    def run(self, until, pause=0.0):
        number = 0
        while time.monotonic() < until:
            camera_id = self.cameras[number % len(self.cameras)]
            name = f"n{number}-{new_id()[:8]}"
            self.attempted_after.setdefault(camera_id, []).append(name)
            answer = self.send("PATCH", f"/cameras/{camera_id}", self.token, {"name": name})
            if answer is not None and answer.status_code == 200:
                self.acknowledged_names[camera_id] = name
                self.attempted_after[camera_id] = []
            body = {"cameraId": new_id(), "serialNumber": unique_serial()}
            answer = self.send("POST", "/register-camera-requests", self.operator_token, body)
            if answer is not None and answer.status_code == 202:
                self.acknowledged_registrations.append((answer.json()["id"], body["cameraId"]))
            number += 1
            if pause:
                time.sleep(pause)


def run_clients(clients, seconds, during=None, pause=0.0):
    """Every client for `seconds`; during() runs in this thread meanwhile."""
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=client.run, args=(until, pause)) for client in clients]
    for thread in threads:
        thread.start()
    if during is not None:
        during()
    for thread in threads:
        thread.join()


def percentile(sorted_seconds, percent):
    """The percent-th percentile of sorted_seconds, in milliseconds."""
    index = min(len(sorted_seconds) - 1, int(len(sorted_seconds) * percent / 100))
    return sorted_seconds[index] * 1000


def merged(clients):
    statuses = {}
    for client in clients:
        for status, count in client.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
        client.statuses = {}
    return ", ".join(f"{count} x {status}" for status, count in sorted(statuses.items(), key=str))


def lost_writes(database, clients):
    """Acknowledged writes not in the database: PATCHes whose camera shows neither the
    acknowledged name nor a later attempt, registrations whose camera does not exist (after the
    worker finished them), and how many of each were checked."""
    names = dict(psql(database, "SELECT id, coalesce(name, '') FROM cameras"))
    lost_patches = checked_patches = lost_registrations = checked_registrations = 0
    for client in clients:
        for camera_id, name in client.acknowledged_names.items():
            checked_patches += 1
            if names.get(camera_id) not in [name] + client.attempted_after.get(camera_id, []):
                lost_patches += 1
        for _, camera_id in client.acknowledged_registrations:
            checked_registrations += 1
    deadline = time.monotonic() + 60
    pending = None
    while time.monotonic() < deadline:
        pending = int(psql(database, "SELECT count(*) FROM async_requests WHERE status IN"
                                     " ('created', 'processing')")[0][0])
        if pending == 0:
            break
        time.sleep(0.5)
    registered = {row[0] for row in psql(database, "SELECT id FROM cameras")}
    for client in clients:
        lost_registrations += sum(1 for _, camera_id in client.acknowledged_registrations
                                  if camera_id not in registered)
    return lost_patches, checked_patches, lost_registrations, checked_registrations, pending


def main():
    workdir = Path(tempfile.mkdtemp(prefix="camfleet-faults-"))
    cluster = PrivateCluster()
    nodes, balancer = [], None
    rows = []
    total_lost = 0
    try:
        base = cluster.start()
        database = create_postgres_database(base)
        balancer_port = free_port()
        nodes = make_nodes(workdir, database, 2, ["--threads", "4", "--public-url",
                                                  f"http://127.0.0.1:{balancer_port}"])
        operator = nodes[0].admin_create_client("operator", "faults-operator")
        start_together(nodes)
        balancer = Balancer(workdir / "nginx", [node.port for node in nodes], port=balancer_port).start()
        api = Api(types.SimpleNamespace(url=balancer.url), operator)
        tenant = Tenant(api)
        token = tenant.admin_token
        clients = []
        for _ in range(CLIENTS):
            cameras = [claim_camera(api, token, camera["serialNumber"], tenant.site_id)["id"]
                       for camera in register_cameras(api, CAMERAS_PER_CLIENT)]
            clients.append(Client(balancer.url, token, api.operator_token, cameras))

        # 1. a node killed under load
        def kill_node_2():
            time.sleep(LOAD_SECONDS / 2)
            nodes[1].process.kill()
        run_clients(clients, LOAD_SECONDS, kill_node_2)
        rows.append(("node 2 killed (SIGKILL) under load", merged(clients)))
        nodes[1].start()
        lost = lost_writes(database, clients)
        total_lost += lost[0] + lost[2]
        rows.append(("acknowledged writes lost", f"{lost[0]} of {lost[1]} cameras' last PATCH, "
                     f"{lost[2]} of {lost[3]} registrations ({lost[4]} still pending)"))

        # 2. the database stopped under load
        for client in clients:
            client.slowest = 0.0

        def outage():
            time.sleep(1)
            cluster.stop()
            time.sleep(OUTAGE_SECONDS)
            cluster.start()
            back = time.monotonic()
            for client in clients:
                client.since = back
            outage.back = back
        run_clients(clients, OUTAGE_SECONDS + 4, outage, pause=0.01)
        during = merged(clients)
        recovery = [client.first_ack_after - outage.back for client in clients if client.first_ack_after]
        rows.append((f"database stopped {OUTAGE_SECONDS:g} s under load", during))
        latencies = sorted(latency for c in clients for latency in c.latencies_503) or [0.0]
        rows.append(("503 answered in (median, p99, max)",
                     f"{percentile(latencies, 50):.1f}, {percentile(latencies, 99):.1f},"
                     f" {latencies[-1] * 1000:.0f} ms; without Retry-After: "
                     f"{sum(c.missing_retry_after for c in clients)}"))
        if recovery:
            rows.append(("first write acknowledged after the database is back",
                         f"{min(recovery):.2f}-{max(recovery):.2f} s (per client)"))
        ready = [expect(requests.get(node.url + "/readyz", timeout=TIMEOUT), 200) for node in nodes]
        assert len(ready) == 2

        # 3. every pooled session ended while the database is up
        psql(database, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name"
                       " = 'camfleet' AND datname = current_database()")
        run_clients(clients, 2)
        rows.append(("pooled sessions ended (pg_terminate_backend)", merged(clients)))
        lost = lost_writes(database, clients)
        total_lost += lost[0] + lost[2]
        rows.append(("acknowledged writes lost (all phases)", f"{lost[0]} of {lost[1]} cameras' last PATCH, "
                     f"{lost[2]} of {lost[3]} registrations ({lost[4]} still pending)"))
    finally:
        if balancer is not None:
            balancer.stop()
        for node in nodes:
            node.kill()
        cluster.remove(workdir)
    width = max(len(label) for label, _ in rows)
    print(f"camfleet faults: 2 nodes behind nginx, {CLIENTS} clients (PATCH + registration each)")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    return 1 if total_lost else 0


if __name__ == "__main__":
    sys.exit(main())
