"""Helpers for the PostgreSQL and scale-out tests (test_postgres_*.py): fresh databases on the
throw-away cluster named by $CAMFLEET_TEST_POSTGRES, psql, several camfleet nodes on one database,
a throw-away cluster of a test's own (scripts/pg-cluster.sh) and nginx in front of the nodes
(deploy/nginx-camfleet.conf, rendered with the test's ports and paths).

The tests are skipped, saying why, unless CAMFLEET_TEST_POSTGRES is set, e.g.
  bash scripts/pg-cluster.sh start /tmp/pg   # prints postgres://postgres@127.0.0.1:PORT/postgres
  CAMFLEET_TEST_POSTGRES=postgres://postgres@127.0.0.1:PORT/postgres python3 -m pytest tests/api
"""
import base64
import os
import re
import selectors
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from conftest import (BINARY, POSTGRES_BASE_URL, REPO, REQUEST_TIMEOUT, Server,
                      check_binary, create_postgres_database, expect, free_port,
                      postgres_database_url)

BASE_URL = POSTGRES_BASE_URL
requires_postgres = pytest.mark.skipif(
    not BASE_URL,
    reason="PostgreSQL tests need CAMFLEET_TEST_POSTGRES=postgres://postgres@127.0.0.1:PORT/"
           "postgres (a throw-away cluster: bash scripts/pg-cluster.sh start DIR prints one)")

PG_CLUSTER_SCRIPT = REPO / "scripts" / "pg-cluster.sh"
NGINX_CONFIG = REPO / "deploy" / "nginx-camfleet.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
requires_nginx = pytest.mark.skipif(not os.access(NGINX, os.X_OK),
                                    reason="nginx is not installed (apt-get install nginx-light)")

NODE_READY_TIMEOUT = 20.0  # several nodes (sanitizer builds) starting at once on one database
JPEG = (Path(__file__).parent / "data" / "frame.jpg").read_bytes()
JPEG_B64 = base64.b64encode(JPEG).decode("ascii")
HEARTBEAT = {"encodedFramesProportion": 0.9, "networkTransmitRate": 250000, "videoBacklog": 1,
             "videoUploadLatency": 1.5}


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def in_parallel(functions, timeout=120.0):
    """Run each function in its own thread; their results in order (re-raises the first error)."""
    results = [None] * len(functions)
    errors = []

    def run(index, function):
        try:
            results[index] = function()
        except BaseException as error:  # noqa: BLE001 - re-raised below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index, function), daemon=True)
               for index, function in enumerate(functions)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
        assert not thread.is_alive(), f"a thread did not finish within {timeout} s"
    if errors:
        raise errors[0]
    return results


# ---------------------------------------------------------------------------------------------
# databases

def psql(url, sql, timeout=30):
    """Run one SQL text with psql (-tA, stop on error); the result rows as tuples of strings."""
    done = subprocess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql],
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"psql {sql!r} exited {done.returncode}: {done.stderr[-2000:]}"
    return [tuple(line.split("|")) for line in done.stdout.splitlines() if line != ""]


def psql_value(url, sql):
    """The single value a query answers."""
    rows = psql(url, sql)
    assert len(rows) == 1 and len(rows[0]) == 1, (sql, rows)
    return rows[0][0]


def sql_text(value):
    """A SQL string literal (for ids the tests made themselves; psql -c has no parameters)."""
    return "'" + str(value).replace("'", "''") + "'"


def sql_list(values):
    return "(" + ", ".join(sql_text(v) for v in values) + ")"


def create_database(base=None):
    """A new empty database on the cluster of base (default $CAMFLEET_TEST_POSTGRES); its URL."""
    return create_postgres_database(base)


def drop_database(url):
    """Drop a database made by create_database (best effort: the cluster is throw-away)."""
    name = urlsplit(url).path.lstrip("/")
    base = postgres_database_url(url, "postgres")
    subprocess.run(["psql", base, "-X", "-q", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                   capture_output=True, text=True, timeout=30)


def expected_migration_versions():
    """The versions of src/store/postgres/migrations/NNN_name.sql, in order."""
    folder = REPO / "src" / "store" / "postgres" / "migrations"
    versions = sorted(int(re.match(r"(\d+)_", path.name).group(1)) for path in folder.glob("*.sql"))
    assert versions, f"no migrations in {folder}"
    return versions


class HeldTransaction:
    """A psql session that runs statements in a transaction and keeps it open until release()
    rolls it back: rows it inserted hold up every other insert of the same keys meanwhile."""

    def __init__(self, url, statements, timeout=10.0):
        self.process = subprocess.Popen(["psql", url, "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        body = "".join(statement.rstrip(";") + ";\n" for statement in statements)
        self.process.stdin.write(f"BEGIN;\n{body}SELECT 'held';\n")
        self.process.stdin.flush()
        deadline = time.monotonic() + timeout
        received = b""
        descriptor = self.process.stdout.fileno()  # read raw: no buffered lines hidden from select
        with selectors.DefaultSelector() as selector:
            selector.register(descriptor, selectors.EVENT_READ)
            while b"held\n" not in received:  # the rows the statements answer, then "held"
                remaining = deadline - time.monotonic()
                readable = remaining > 0 and selector.select(remaining)
                chunk = os.read(descriptor, 65536) if readable else b""
                if chunk == b"":
                    self.process.kill()
                    errors = self.process.stderr.read()[-1000:]
                    raise AssertionError(f"transaction not held within {timeout} s: "
                                         f"{received[-500:]!r} {errors}")
                received += chunk

    def release(self):
        if self.process.poll() is None:
            self.process.stdin.write("ROLLBACK;\n")
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class PrivateCluster:
    """A throw-away PostgreSQL cluster of one test (scripts/pg-cluster.sh), stopped and started
    on the same port; never the shared one. Its files live in a folder of its own under /tmp, not
    in the test's tmp_path: another pytest session resets /tmp/pytest-of-USER to mode 0700, which
    would lock out the postgres user that runs the server."""

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="camfleet-pg-"))
        self.port = None
        self.url = None

    def _run(self, *args):
        done = subprocess.run(["bash", str(PG_CLUSTER_SCRIPT), *args], capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, (f"pg-cluster.sh {' '.join(args)} exited {done.returncode}: "
                                      f"{done.stderr[-2000:]}\n{self.log_tail()}")
        return done.stdout.strip()

    def start(self):
        """Start (creating it the first time); later starts reuse the first port."""
        args = ["start", str(self.directory)] + ([str(self.port)] if self.port else [])
        url = self._run(*args).splitlines()[-1]
        assert url.startswith("postgres://"), url
        self.url = url
        self.port = urlsplit(url).port
        return url

    def stop(self):
        self._run("stop", str(self.directory))

    def remove(self, keep_log_in):
        """Stop it if it runs and delete its files, keeping its log as keep_log_in/postgres.log."""
        subprocess.run(["bash", str(PG_CLUSTER_SCRIPT), "stop", str(self.directory)],
                       capture_output=True, timeout=120)
        try:
            shutil.copyfile(self.directory / "server.log", Path(keep_log_in) / "postgres.log")
        except OSError:
            pass
        shutil.rmtree(self.directory, ignore_errors=True)

    def log_tail(self, lines=20):
        try:
            text = (self.directory / "server.log").read_text(errors="replace")
        except OSError:
            return "(no PostgreSQL log)"
        return "\n".join(text.splitlines()[-lines:])


# ---------------------------------------------------------------------------------------------
# camfleet nodes

class Node(Server):
    """A `camfleet serve` process on a PostgreSQL database (conftest's Server with a postgres://
    URL), which can also be launched without waiting so that several start at the same moment."""

    def __init__(self, workdir, database, extra_args=(), owner=None):
        super().__init__(workdir, extra_args, owner=owner)
        self.database = database

    def launch(self):
        """Start the process on a free port; do not wait (see wait_ready)."""
        check_binary()
        assert self.process is None or self.process.poll() is not None, "already running"
        self.port = free_port()
        self._log_file = open(self.log_path, "ab")
        self._log_file.write(f"\n===== start on port {self.port} =====\n".encode())
        self._log_file.flush()
        cmd = [str(BINARY), "serve", "--listen", f"127.0.0.1:{self.port}",
               "--database", self.database] + self.extra_args
        self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self._log_file,
                                        stderr=self._log_file)

    def wait_ready(self, timeout=NODE_READY_TIMEOUT):
        """Wait for /readyz 200; fail (never retry: a crash at start is what the tests look for)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            assert code is None, \
                f"node on port {self.port} exited {code} before ready\n{self.log_tail()}"
            try:
                if requests.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise AssertionError(f"node on port {self.port} not ready within {timeout} s\n"
                             f"{self.log_tail()}")

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


def make_nodes(workdir, database, count, extra_args=(), owner=None, prefix="node"):
    return [Node(Path(workdir) / f"{prefix}{i + 1}", database, extra_args, owner)
            for i in range(count)]


def start_together(nodes, timeout=NODE_READY_TIMEOUT):
    """Launch every node back to back (a few milliseconds apart), then wait until all are ready."""
    for node in nodes:
        node.launch()
    for node in nodes:
        node.wait_ready(timeout)
    return nodes


# ---------------------------------------------------------------------------------------------
# nginx

def render_nginx_config(template_text, listen_port, node_ports, prefix):
    """deploy/nginx-camfleet.conf with the test's listen port, nodes and paths under prefix."""
    prefix = Path(prefix)
    text = template_text

    def replace_once(pattern, replacement):
        nonlocal text
        text, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
        assert count == 1, f"nginx config: no line matches {pattern!r}"

    user = "user root root;" if os.geteuid() == 0 else ""
    replace_once(r"^\s*user\s+[^;]*;", user)
    replace_once(r"^\s*pid\s+[^;]*;", f"pid {prefix / 'nginx.pid'};")
    replace_once(r"^\s*error_log\s+[^;]*;", f"error_log {prefix / 'error.log'} warn;")
    replace_once(r"^(\s*)access_log\s+\S+(\s+camfleet;)",
                 rf"\1access_log {prefix / 'access.log'}\2")
    replace_once(r"^(\s*)listen\s+[^;]*;", rf"\1listen 127.0.0.1:{listen_port};")
    # the upstream's server lines: keep the parameters of the first, one line per test node
    servers = re.findall(r"^(\s*)server\s+[\w.\-\[\]:]+:\d+([^;]*);", text, flags=re.MULTILINE)
    assert servers, "nginx config: no upstream server lines"
    indent, parameters = servers[0]
    lines = "".join(f"{indent}server 127.0.0.1:{port}{parameters};\n" for port in node_ports)
    text, count = re.subn(r"(?:^\s*server\s+[\w.\-\[\]:]+:\d+[^;]*;[^\n]*\n)+", lines, text,
                          count=1, flags=re.MULTILINE)
    assert count == 1, "nginx config: upstream server lines are not together"
    temp_paths = "".join(f"    {kind}_temp_path {prefix / kind};\n"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    replace_once(r"^http\s*\{\n", "http {\n" + temp_paths)
    return text


class Balancer:
    """nginx with a rendered copy of deploy/nginx-camfleet.conf, in the foreground."""

    def __init__(self, workdir, node_ports, port=None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()  # given when the nodes must know it (--public-url)
        self.config_path = self.workdir / "nginx.conf"
        self.config_path.write_text(render_nginx_config(NGINX_CONFIG.read_text(), self.port,
                                                        node_ports, self.workdir))
        self.error_log = self.workdir / "error.log"
        self.access_log = self.workdir / "access.log"
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def check(self):
        """nginx -t on the rendered file; (exit code, output)."""
        done = subprocess.run([NGINX, "-t", "-c", str(self.config_path), "-p", str(self.workdir),
                               "-g", "daemon off;"], capture_output=True, text=True, timeout=30)
        return done.returncode, done.stdout + done.stderr

    def start(self, timeout=10.0, ready_status=200):
        """nginx -t, then run it until GET /healthz through it answers ready_status."""
        code, output = self.check()
        assert code == 0, f"nginx -t failed:\n{output}\n{self.config_path.read_text()}"
        out = open(self.workdir / "nginx.stderr", "ab")
        self.process = subprocess.Popen([NGINX, "-c", str(self.config_path),
                                         "-p", str(self.workdir), "-g", "daemon off;"],
                                        stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, \
                f"nginx exited {self.process.returncode}\n{self.log_tail()}"
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == ready_status:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise AssertionError(f"nginx not answering {ready_status} within {timeout} s\n"
                             f"{self.log_tail()}")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log_tail(self, lines=30):
        parts = []
        for path in (self.workdir / "nginx.stderr", self.error_log):
            try:
                parts.append("\n".join(path.read_text(errors="replace").splitlines()[-lines:]))
            except OSError:
                pass
        return "\n".join(parts) or "(no nginx log)"

    def upstreams_used(self):
        """The node addresses ($upstream_addr) that answered requests, from the access log."""
        used = set()
        for line in self.access_log.read_text(errors="replace").splitlines():
            match = re.search(r" node=(.*?) node_status=", line)
            if match:
                used.update(re.findall(r"[\d.]+:\d+", match.group(1)))
        return used


# ---------------------------------------------------------------------------------------------
# a camera talking to several nodes

def live_camera(api, tenant, token_node, heartbeat_node):
    """A new running camera of tenant with device credentials (issued through api), its device
    token from token_node and one heartbeat on heartbeat_node (so it is online);
    (camera id, device token)."""
    camera_id = tenant.camera()["id"]
    issued = api.post(f"/cameras/{camera_id}/device-credentials", api.operator_token)
    credentials = expect(issued, 201)
    answer = requests.post(token_node.url + "/oauth/token",
                           data={"grant_type": "client_credentials"},
                           auth=(credentials["clientId"], credentials["clientSecret"]),
                           timeout=REQUEST_TIMEOUT)
    token = expect(answer, 200)["access_token"]
    beat = expect(requests.post(heartbeat_node.url + "/device/heartbeat", json=HEARTBEAT,
                                headers=bearer(token), timeout=REQUEST_TIMEOUT), 200)
    assert beat["desiredState"] == "running", beat
    return camera_id, token


def frame_across_nodes(requester_node, requester_token, poll_node, upload_node, camera_id,
                       device_token, seconds=20.0):
    """One frame request on requester_node while the camera long-polls poll_node for commands and
    uploads its frame (data/frame.jpg) to upload_node when told to capture. The two start
    together, in no set order: a capture relayed to a node before the camera's long-poll arrives
    waits there for it (until the frame wait ends), so the request must succeed either way.
    Returns (the frame request's response, {"commands": [...], "uploads": [201 bodies]})."""
    deadline = time.monotonic() + seconds
    device_log = {"commands": [], "uploads": []}
    device_headers = bearer(device_token)
    answered = threading.Event()

    def camera_side():
        session = requests.Session()
        while time.monotonic() < deadline and not answered.is_set():
            resp = session.get(poll_node.url + "/device/commands", params={"wait": 2},
                               headers=device_headers, timeout=REQUEST_TIMEOUT)
            commands = expect(resp, 200)["commands"]
            device_log["commands"] += commands
            if any(command["type"] == "capture-frame" for command in commands):
                upload = session.post(upload_node.url + "/device/frames", data=JPEG,
                                      headers={**device_headers, "Content-Type": "image/jpeg"},
                                      timeout=REQUEST_TIMEOUT)
                device_log["uploads"].append(expect(upload, 201))
                return

    def requester():
        try:
            return requests.post(requester_node.url + "/frame-requests",
                                 json={"cameraId": camera_id}, headers=bearer(requester_token),
                                 timeout=REQUEST_TIMEOUT)
        finally:
            answered.set()

    _, resp = in_parallel([camera_side, requester], timeout=seconds + 45)
    return resp, device_log


# ---------------------------------------------------------------------------------------------
# what the nodes did (their logs) and what the database holds

def warm_session(base):
    """A session with its connection already open (so that barrier-released requests race)."""
    session = requests.Session()
    expect(session.get(base + "/healthz", timeout=REQUEST_TIMEOUT), 200)
    return session


def node_log_counts(nodes, pattern):
    """How many lines of each node's log match pattern."""
    regex = re.compile(pattern)
    return [sum(1 for line in node.log_text().splitlines() if regex.search(line)) for node in nodes]


def finishing_nodes(nodes, request_id, timeout=5.0):
    """How many times each node's worker logged finishing the request (polled: the line is written
    just after the final status is committed)."""
    pattern = rf"async: request {request_id} \(.*\) (succeeded|failed): "
    deadline = time.monotonic() + timeout
    counts = node_log_counts(nodes, pattern)
    while sum(counts) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
        counts = node_log_counts(nodes, pattern)
    return counts


def assert_positions_consistent(url):
    """Every claimed (running or paused) camera has exactly one open position and it is the
    camera's camera_position_id, at the camera's site; registered cameras have none."""
    bad = psql(url, """
        WITH open_positions AS (
            SELECT camera_id, count(*) AS open_count, min(id) AS id, min(site_id) AS site_id
            FROM camera_positions WHERE ended_at IS NULL GROUP BY camera_id)
        SELECT c.id, c.camera_position_id, c.site_id, o.open_count, o.id, o.site_id
        FROM cameras c LEFT JOIN open_positions o ON o.camera_id = c.id
        WHERE c.state IN ('running', 'paused')
          AND (o.open_count IS DISTINCT FROM 1 OR c.camera_position_id IS DISTINCT FROM o.id
               OR c.site_id IS DISTINCT FROM o.site_id)""")
    assert bad == [], f"cameras whose position history is inconsistent: {bad}"
    registered_with_positions = psql(url, """
        SELECT c.id FROM cameras c WHERE c.state = 'registered'
          AND EXISTS (SELECT 1 FROM camera_positions p WHERE p.camera_id = c.id)""")
    assert registered_with_positions == [], registered_with_positions
    backwards = psql(url, "SELECT id FROM camera_positions WHERE ended_at < started_at")
    assert backwards == [], backwards
