"""Fixtures and helpers for the HTTP-level tests of camfleet (docs/API.md is the contract).

One camfleet server per test session (its own port and temp database), bootstrapped with an
operator API client. Tests make fresh organisations (unique names, serials) so they never depend
on each other; tests that stop or restart a server start their own with `start_server`.
The binary comes from $CAMFLEET_BIN (default <repo>/build/camfleet).

The back end: SQLite (a file in each server's work folder) unless $CAMFLEET_TEST_POSTGRES names a
throw-away PostgreSQL cluster (postgres://postgres@127.0.0.1:PORT/postgres, as
`scripts/pg-cluster.sh start DIR` prints it); then every server gets a fresh database of its own
on that cluster, kept across its restarts. Tests are independent, so they may run in parallel
(pytest-xdist: each worker has its own session server).
"""
import base64
import calendar
import json
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("CAMFLEET_BIN", str(REPO / "build" / "camfleet")))
# The cluster every server's fresh database is made on; empty: every server uses SQLite.
POSTGRES_BASE_URL = os.environ.get("CAMFLEET_TEST_POSTGRES", "").strip()
BACKEND = "postgres" if POSTGRES_BASE_URL else "sqlite"

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

CAMERA_KEYS = {
    "id", "serialNumber", "name", "direction1Alias", "direction2Alias", "state",
    "organisationId", "siteId", "cameraPositionId", "claimedAt",
    "isOnline", "lastSeenAt", "lastVideoAt",
    "encodedFramesProportion", "networkTransmitRate", "videoBacklog", "videoUploadLatency",
    "reportedState",
}
METRIC_KEYS = {"encodedFramesProportion", "networkTransmitRate", "videoBacklog",
               "videoUploadLatency"}
ORGANISATION_KEYS = {"id", "name", "createdAt"}
SITE_KEYS = {"id", "organisationId", "name", "timeZone", "createdAt"}
USER_KEYS = {"id", "email", "role", "organisationId", "createdAt"}
CLIENT_KEYS = {"clientId", "name", "role", "organisationId", "createdAt"}
OAUTH_ERROR_KEYS = {"error", "error_description", "code", "message"}

READY_TIMEOUT = 10.0      # seconds to wait for /readyz after start
REQUEST_TIMEOUT = 30.0    # seconds for one HTTP request
POLL_TIMEOUT = 15.0       # seconds to wait for an asynchronous request to finish
FINAL_STATUSES = ("succeeded", "failed")

_UNSET = object()
_SERVERS = []  # every server started in this session, for log tails on failure


# ---------------------------------------------------------------------------------------------
# small helpers

def unique(prefix="t"):
    """A name nobody else in this session uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def unique_email(prefix="user"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.test"


def unique_serial():
    return f"SN-{uuid.uuid4().hex}"


def new_id():
    return str(uuid.uuid4())


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def b64url_encode(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text):
    if isinstance(text, str):
        text = text.encode("ascii")
    return base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))


def jwt_parts(token):
    """(header dict, claims dict, signature bytes) of a compact JWT, without verifying it."""
    header_b64, claims_b64, signature_b64 = token.split(".")
    return (json.loads(b64url_decode(header_b64)), json.loads(b64url_decode(claims_b64)),
            b64url_decode(signature_b64))


def jwt_compose(header, claims, signature=b""):
    """A compact JWT from a header and claims, with the given (probably wrong) signature."""
    def seg(obj):
        return b64url_encode(json.dumps(obj, separators=(",", ":")).encode())
    return f"{seg(header)}.{seg(claims)}.{b64url_encode(signature)}"


def parse_timestamp(text):
    """Epoch seconds of an RFC 3339 UTC timestamp with second precision."""
    assert isinstance(text, str) and TIMESTAMP_RE.match(text), f"bad timestamp {text!r}"
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def assert_uuid(value):
    assert isinstance(value, str) and UUID_RE.match(value), f"not a lowercase UUID: {value!r}"


def assert_recent(text, before, after):
    """The timestamp lies within [before, after] (epoch floats), at second precision."""
    moment = parse_timestamp(text)
    assert int(before) - 1 <= moment <= int(after) + 1, (text, before, after)


def describe(resp):
    """The request and response, for assertion messages."""
    req = resp.request
    body = req.body
    if isinstance(body, bytes):
        body = body[:300]
    elif isinstance(body, str):
        body = body[:300]
    return (f"{req.method} {req.url} body={body!r} -> {resp.status_code} "
            f"headers={dict(resp.headers)} body={resp.text[:600]!r}")


def json_body(resp):
    assert "application/json" in resp.headers.get("Content-Type", ""), describe(resp)
    try:
        return resp.json()
    except ValueError:
        pytest.fail(f"response is not JSON: {describe(resp)}")


def expect(resp, status):
    """Assert the status and return the JSON body (None for 204)."""
    assert resp.status_code == status, describe(resp)
    if status == 204:
        assert resp.content == b"", describe(resp)
        return None
    return json_body(resp)


def assert_error(resp, status, message_contains=None):
    """The response is the error `{"code": status, "message": "<non-empty>"}` and nothing else."""
    assert resp.status_code == status, describe(resp)
    body = json_body(resp)
    assert isinstance(body, dict), describe(resp)
    assert set(body) == {"code", "message"}, describe(resp)
    assert body["code"] == status, describe(resp)
    assert isinstance(body["message"], str) and body["message"].strip(), describe(resp)
    if message_contains is not None:
        assert message_contains.lower() in body["message"].lower(), describe(resp)
    return body


def assert_oauth_error(resp, status, error):
    """An RFC 6749 §5.2 error as camfleet shapes it."""
    assert resp.status_code == status, describe(resp)
    body = json_body(resp)
    assert set(body) == OAUTH_ERROR_KEYS, describe(resp)
    assert body["error"] == error, describe(resp)
    assert body["code"] == status, describe(resp)
    assert isinstance(body["error_description"], str) and body["error_description"], describe(resp)
    assert isinstance(body["message"], str) and body["message"].strip(), describe(resp)
    return body


def assert_unauthorized(resp):
    """401 with `WWW-Authenticate: Bearer ...` and the JSON error body."""
    assert_error(resp, 401)
    challenge = resp.headers.get("WWW-Authenticate", "")
    assert challenge.split(" ")[0].rstrip(",") == "Bearer", describe(resp)


def assert_camera_shape(camera, include_metrics=True):
    expected = CAMERA_KEYS if include_metrics else CAMERA_KEYS - METRIC_KEYS
    assert isinstance(camera, dict) and set(camera) == expected, camera
    assert_uuid(camera["id"])
    assert camera["state"] in ("registered", "running", "paused", "decommissioned"), camera
    assert isinstance(camera["isOnline"], bool), camera
    for key in ("organisationId", "siteId", "cameraPositionId"):
        if camera[key] is not None:
            assert_uuid(camera[key])
    for key in ("claimedAt", "lastSeenAt", "lastVideoAt"):
        if camera[key] is not None:
            parse_timestamp(camera[key])
    for key in METRIC_KEYS & set(camera):
        assert isinstance(camera[key], (int, float)) and not isinstance(camera[key], bool), camera


def assert_never_seen(camera):
    """A camera that never reported: offline, null timestamps, zero metrics."""
    assert camera["isOnline"] is False
    assert camera["lastSeenAt"] is None
    assert camera["lastVideoAt"] is None
    assert camera["reportedState"] is None
    for key in METRIC_KEYS & set(camera):
        assert camera[key] == 0, camera


# ---------------------------------------------------------------------------------------------
# the database of a server (SQLite file, or a fresh database on the PostgreSQL test cluster)

def postgres_database_url(base, name):
    """base (postgres://user@host:port/anything?params) with the database name replaced."""
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def create_postgres_database(base=None):
    """CREATE DATABASE cf_<random hex> on the cluster of base (default $CAMFLEET_TEST_POSTGRES);
    return its URL."""
    base = base or POSTGRES_BASE_URL
    assert base, "no PostgreSQL cluster: set CAMFLEET_TEST_POSTGRES"
    name = f"cf_{uuid.uuid4().hex}"
    cmd = ["psql", base, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", f"CREATE DATABASE {name}"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=60)
    except FileNotFoundError:
        pytest.fail("psql not found (apt-get install postgresql-client)", pytrace=False)
    assert done.returncode == 0, f"{cmd} exited {done.returncode}: {done.stderr[-2000:]}"
    return postgres_database_url(base, name)


def new_database_url(workdir):
    """The --database URL of a new, empty database for this run's back end: sqlite:WORKDIR/
    camfleet.db (created by camfleet on first use), or a fresh PostgreSQL database."""
    if BACKEND == "postgres":
        return create_postgres_database()
    return f"sqlite:{Path(workdir) / 'camfleet.db'}"


def run_sql(database, sql):
    """Run `sql` (one or more statements) directly on a server's database (the URL of
    `Server.database`): for tests that must plant rows the API would refuse to write."""
    if database.startswith("sqlite:"):
        import sqlite3
        connection = sqlite3.connect(database[len("sqlite:"):], timeout=10)
        try:
            connection.executescript(sql)
            connection.commit()
        finally:
            connection.close()
        return
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", database], input=sql.encode(),
                   check=True, stdout=subprocess.DEVNULL, timeout=60)


def admin_create_client(database, role="operator", name=None):
    """Run `camfleet admin create-client --create` on a database (a new one is set up, as the
    README's first command does); return {"clientId", "clientSecret"}."""
    check_binary()
    cmd = [str(BINARY), "admin", "create-client", "--database", database, "--create",
           "--role", role, "--name", name or unique("bootstrap")]
    done = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=60)
    assert done.returncode == 0, f"{cmd} exited {done.returncode}: {done.stderr[-2000:]}"
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one JSON line, got {done.stdout!r}"
    created = json.loads(lines[0])
    assert isinstance(created.get("clientId"), str) and created["clientId"], created
    assert isinstance(created.get("clientSecret"), str) and created["clientSecret"], created
    return created


# ---------------------------------------------------------------------------------------------
# the server process

class Server:
    """One `camfleet serve` process with its own port, database and log file."""

    def __init__(self, workdir, extra_args=(), owner=None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._database = None  # made on first use (see `database`), kept across restarts
        self.log_path = self.workdir / "server.log"
        self.extra_args = list(extra_args)
        self.owner = owner
        self.port = None
        self.process = None
        self._log_file = None
        _SERVERS.append(self)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def database(self):
        """The --database URL: this server's own new database of the run's back end, made on
        first use; a restart reuses it. Assign a URL to use another database instead."""
        if self._database is None:
            self._database = new_database_url(self.workdir)
        return self._database

    @database.setter
    def database(self, url):
        self._database = url

    def admin_create_client(self, role="operator", name=None):
        """Run `camfleet admin create-client`; return {"clientId", "clientSecret"}."""
        return admin_create_client(self.database, role, name)

    def start(self):
        """Start (or restart) on a free port and wait until /readyz answers 200."""
        check_binary()
        assert self.process is None or self.process.poll() is not None, "already running"
        last_error = None
        for _attempt in range(3):  # a port picked free may be taken meanwhile: retry
            self.port = free_port()
            self._log_file = open(self.log_path, "ab")
            self._log_file.write(f"\n===== start on port {self.port} =====\n".encode())
            self._log_file.flush()
            cmd = [str(BINARY), "serve", "--listen", f"127.0.0.1:{self.port}",
                   "--database", self.database] + self.extra_args
            self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                            stdout=self._log_file, stderr=self._log_file)
            try:
                self._wait_ready()
                return self
            except AssertionError as error:
                last_error = error
                self.kill()
        raise AssertionError(f"camfleet did not become ready: {last_error}\n{self.log_tail()}")

    def _wait_ready(self):
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"exited with {self.process.returncode} before ready")
            try:
                resp = requests.get(self.url + "/readyz", timeout=1)
                if resp.status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise AssertionError(f"/readyz not 200 within {READY_TIMEOUT} s")

    def stop(self, sig=signal.SIGTERM, timeout=15.0):
        """Send `sig` and wait for the exit; return the exit code."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"camfleet did not exit within {timeout} s of {sig!r}")
        self._close_log()
        return code

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self._close_log()

    def _close_log(self):
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def log_tail(self, lines=40):
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def check_binary():
    if not (BINARY.is_file() and os.access(BINARY, os.X_OK)):
        pytest.fail(f"camfleet binary not found at {BINARY}: build it or set CAMFLEET_BIN",
                    pytrace=False)


# ---------------------------------------------------------------------------------------------
# the HTTP client

class Api:
    """HTTP client for one server, with cached tokens (argon2 checks are slow)."""

    def __init__(self, server, operator_client):
        self.server = server
        self.operator_client = operator_client
        self.session = requests.Session()
        self._tokens = {}

    @property
    def base(self):
        return self.server.url

    def request(self, method, path, token=None, json=_UNSET, data=None, headers=None,
                params=None, auth=None):
        all_headers = {}
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        if headers:
            all_headers.update(headers)
        kwargs = {}
        if json is not _UNSET:
            kwargs["json"] = json
        return self.session.request(method, self.base + path, headers=all_headers, data=data,
                                    params=params, auth=auth, timeout=REQUEST_TIMEOUT,
                                    allow_redirects=False, **kwargs)

    def get(self, path, token=None, **kwargs):
        return self.request("GET", path, token=token, **kwargs)

    def post(self, path, token=None, **kwargs):
        return self.request("POST", path, token=token, **kwargs)

    def put(self, path, token=None, **kwargs):
        return self.request("PUT", path, token=token, **kwargs)

    def patch(self, path, token=None, **kwargs):
        return self.request("PATCH", path, token=token, **kwargs)

    def delete(self, path, token=None, **kwargs):
        return self.request("DELETE", path, token=token, **kwargs)

    # tokens -----------------------------------------------------------------------------------

    def oauth_token(self, data, auth=None):
        """POST /oauth/token with a form body; the raw response."""
        return self.session.post(self.base + "/oauth/token", data=data, auth=auth,
                                 timeout=REQUEST_TIMEOUT)

    def token_for_client(self, client_id, client_secret):
        key = ("client", client_id, client_secret)
        if key not in self._tokens:
            resp = self.oauth_token({"grant_type": "client_credentials"},
                                    auth=(client_id, client_secret))
            self._tokens[key] = expect(resp, 200)["access_token"]
        return self._tokens[key]

    def token_for_user(self, email, password):
        key = ("user", email, password)
        if key not in self._tokens:
            resp = self.oauth_token({"grant_type": "password", "username": email,
                                     "password": password})
            self._tokens[key] = expect(resp, 200)["access_token"]
        return self._tokens[key]

    @property
    def operator_token(self):
        return self.token_for_client(self.operator_client["clientId"],
                                     self.operator_client["clientSecret"])


# ---------------------------------------------------------------------------------------------
# resource helpers (all return the created resource's JSON; they assert the 201)

def make_org(api, name=None, token=None):
    body = {"name": name or unique("org")}
    return expect(api.post("/organisations", token or api.operator_token, json=body), 201)


def make_site(api, organisation_id=None, name=None, time_zone="UTC", token=None):
    body = {"name": name or unique("site")}
    if organisation_id is not None:
        body["organisationId"] = organisation_id
    if time_zone is not None:  # None: leave timeZone out (refused: a site needs its time zone)
        body["timeZone"] = time_zone
    return expect(api.post("/sites", token or api.operator_token, json=body), 201)


def make_user(api, organisation_id, role, token=None, email=None, password=None):
    """Create a user; the returned dict also holds "password"."""
    password = password or f"pw-{uuid.uuid4().hex}"
    body = {"email": email or unique_email(role), "password": password, "role": role}
    if organisation_id is not None:
        body["organisationId"] = organisation_id
    user = expect(api.post("/users", token or api.operator_token, json=body), 201)
    user["password"] = password
    return user


def user_token(api, user):
    return api.token_for_user(user["email"], user["password"])


def make_client(api, organisation_id, role, token=None, name=None):
    body = {"name": name or unique("client"), "role": role}
    if organisation_id is not None:
        body["organisationId"] = organisation_id
    return expect(api.post("/clients", token or api.operator_token, json=body), 201)


def client_token(api, client):
    return api.token_for_client(client["clientId"], client["clientSecret"])


def grant_sites(api, user_id, site_ids, token=None):
    resp = api.put(f"/users/{user_id}/sites", token or api.operator_token,
                   json={"siteIds": list(site_ids)})
    return expect(resp, 200)


def wait_request(api, kind, request_id, token=None, timeout=POLL_TIMEOUT):
    """Poll GET /<kind>/{id} until succeeded or failed (bounded); return the last body."""
    deadline = time.monotonic() + timeout
    delay = 0.01
    body = None
    while time.monotonic() < deadline:
        body = expect(api.get(f"/{kind}/{request_id}", token or api.operator_token), 200)
        if body["status"] in FINAL_STATUSES:
            return body
        assert body["status"] in ("created", "processing"), body
        time.sleep(delay)
        delay = min(delay * 2, 0.2)
    pytest.fail(f"/{kind}/{request_id} not final within {timeout} s: {body}")


def submit_register(api, camera_id=None, serial=None, token=None):
    """POST /register-camera-requests; return (202 body, camera id, serial)."""
    camera_id = camera_id or new_id()
    serial = serial or unique_serial()
    resp = api.post("/register-camera-requests", token or api.operator_token,
                    json={"cameraId": camera_id, "serialNumber": serial})
    return expect(resp, 202), camera_id, serial


def register_camera(api, camera_id=None, serial=None):
    """Register a camera and wait until it is; return {"id", "serialNumber"}."""
    accepted, camera_id, serial = submit_register(api, camera_id, serial)
    final = wait_request(api, "register-camera-requests", accepted["id"])
    assert final["status"] == "succeeded", final
    return {"id": camera_id, "serialNumber": serial}


def register_cameras(api, count):
    """Register `count` cameras: submit all, then wait for each."""
    submitted = [submit_register(api) for _ in range(count)]
    cameras = []
    for accepted, camera_id, serial in submitted:
        final = wait_request(api, "register-camera-requests", accepted["id"])
        assert final["status"] == "succeeded", final
        cameras.append({"id": camera_id, "serialNumber": serial})
    return cameras


def claim_camera(api, token, serial, site_id, name=_UNSET):
    body = {"serialNumber": serial, "siteId": site_id}
    if name is not _UNSET:
        body["name"] = name
    return expect(api.post("/cameras", token, json=body), 201)


class Tenant:
    """A fresh organisation with one site; admin and viewer (granted that site) made on demand."""

    def __init__(self, api):
        self.api = api
        self.org = make_org(api)
        self.org_id = self.org["id"]
        self.site = make_site(api, self.org_id)
        self.site_id = self.site["id"]
        self._admin = None
        self._viewer = None
        self._admin_client = None

    @property
    def admin(self):
        if self._admin is None:
            self._admin = make_user(self.api, self.org_id, "admin")
        return self._admin

    @property
    def admin_token(self):
        return user_token(self.api, self.admin)

    @property
    def viewer(self):
        """A viewer of the organisation granted the tenant's first site."""
        if self._viewer is None:
            self._viewer = make_user(self.api, self.org_id, "viewer")
            grant_sites(self.api, self._viewer["id"], [self.site_id])
        return self._viewer

    @property
    def viewer_token(self):
        return user_token(self.api, self.viewer)

    @property
    def admin_client(self):
        if self._admin_client is None:
            self._admin_client = make_client(self.api, self.org_id, "admin")
        return self._admin_client

    @property
    def admin_client_token(self):
        return client_token(self.api, self.admin_client)

    def add_site(self, **kwargs):
        return make_site(self.api, self.org_id, **kwargs)

    def camera(self, site_id=None, name=_UNSET, token=None):
        """A newly registered camera claimed by this organisation (running)."""
        registered = register_camera(self.api)
        return claim_camera(self.api, token or self.admin_token, registered["serialNumber"],
                            site_id or self.site_id, name=name)


# ---------------------------------------------------------------------------------------------
# fixtures

@pytest.fixture(scope="session")
def server(tmp_path_factory):
    instance = Server(tmp_path_factory.mktemp("camfleet-session"))
    instance.operator_client = instance.admin_create_client("operator", "session-operator")
    instance.start()
    yield instance
    code = instance.stop()
    assert code in (0, None), f"session server exited {code} on SIGTERM\n{instance.log_tail()}"


@pytest.fixture(scope="session")
def api(server):
    client = Api(server, server.operator_client)
    yield client
    client.session.close()


@pytest.fixture
def tenant(api):
    return Tenant(api)


@pytest.fixture
def other_tenant(api):
    return Tenant(api)


@pytest.fixture
def start_server(tmp_path, request):
    """Factory for a private server (own port, database, log) that the test may stop."""
    started = []

    def start(extra_args=(), bootstrap=True, name="private"):
        instance = Server(tmp_path / name, extra_args, owner=request.node.nodeid)
        if bootstrap:
            instance.operator_client = instance.admin_create_client("operator", "private-op")
        instance.start()
        started.append(instance)
        return instance

    yield start
    for instance in started:
        instance.kill()


def describe_backend():
    if BACKEND == "postgres":
        return (f"camfleet back end: PostgreSQL (a fresh database per server on "
                f"{POSTGRES_BASE_URL})")
    return "camfleet back end: SQLite (a database file per server)"


def pytest_report_header(config):
    return [describe_backend(), f"camfleet binary: {BINARY}"]


def pytest_terminal_summary(terminalreporter):
    """Say the back end also under -q, where pytest prints no header."""
    if terminalreporter.verbosity < 0:
        terminalreporter.write_line(describe_backend())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, attach the tail of the relevant server logs to the report."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for instance in _SERVERS:
            if instance.owner in (None, item.nodeid):
                label = "session" if instance.owner is None else "private"
                report.sections.append((f"camfleet {label} server log ({instance.log_path})",
                                        instance.log_tail()))


# ---------------------------------------------------------------------------------------------
# ES256 verification in plain Python (P-256 ECDSA over SHA-256), to check tokens against JWKS

_P256_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
_P256_A = _P256_P - 3
_P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
_P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_P256_G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
           0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)


def _point_add(p1, p2):
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2 and (y1 + y2) % _P256_P == 0:
        return None
    if p1 == p2:
        slope = (3 * x1 * x1 + _P256_A) * pow(2 * y1, -1, _P256_P)
    else:
        slope = (y2 - y1) * pow(x2 - x1, -1, _P256_P)
    x3 = (slope * slope - x1 - x2) % _P256_P
    return (x3, (slope * (x1 - x3) - y1) % _P256_P)


def _point_mul(scalar, point):
    result = None
    while scalar:
        if scalar & 1:
            result = _point_add(result, point)
        point = _point_add(point, point)
        scalar >>= 1
    return result


def es256_verify(jwk, token):
    """True when the compact JWT `token` carries a valid ES256 signature by the JWK `jwk`."""
    import hashlib
    header_b64, claims_b64, signature_b64 = token.split(".")
    signature = b64url_decode(signature_b64)
    if len(signature) != 64:
        return False
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    if not (1 <= r < _P256_N and 1 <= s < _P256_N):
        return False
    qx = int.from_bytes(b64url_decode(jwk["x"]), "big")
    qy = int.from_bytes(b64url_decode(jwk["y"]), "big")
    assert (qy * qy - (qx ** 3 + _P256_A * qx + _P256_B)) % _P256_P == 0, "key not on P-256"
    digest = hashlib.sha256(f"{header_b64}.{claims_b64}".encode("ascii")).digest()
    e = int.from_bytes(digest, "big")
    w = pow(s, -1, _P256_N)
    point = _point_add(_point_mul(e * w % _P256_N, _P256_G), _point_mul(r * w % _P256_N, (qx, qy)))
    return point is not None and point[0] % _P256_N == r
