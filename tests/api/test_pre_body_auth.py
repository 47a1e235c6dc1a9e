"""Nothing costs memory before authentication: the token and the route's roles are checked from
the headers, and a refused request is answered (and its connection closed) without its body
being read; unauthenticated bodies share a fixed budget; connections per address can be capped."""
import select
import subprocess
import time

import requests

from conftest import BINARY, REQUEST_TIMEOUT, assert_error, check_binary, describe, expect
from raw_http import closed_by_server, connect, read_answer, send_head, try_send

FRAME_LIMIT = 2 * 1024 * 1024  # --max-upload default


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def assert_json_error(answer, status):
    assert answer.status == status, (answer.status, answer.headers, answer.body)
    body = answer.json()
    assert set(body) == {"code", "message"} and body["code"] == status, body


def test_unauthenticated_frame_uploads_get_401_before_the_body_and_cost_no_memory(start_server):
    private = start_server()
    pid = private.process.pid
    before = rss_kib(pid)
    sockets = []
    try:
        for _ in range(20):
            sock = connect(private.port)
            sockets.append(sock)
            send_head(sock, "POST", "/device/frames",
                      {"Content-Type": "image/jpeg", "Content-Length": str(FRAME_LIMIT - 1)})
        for sock in sockets:
            answer = read_answer(sock)  # arrives although no byte of the body was sent
            assert_json_error(answer, 401)
            assert answer.headers["www-authenticate"].startswith("Bearer"), answer.headers
            assert answer.headers["connection"].lower() == "close", answer.headers
        body = b"\xff\xd8" + b"\x00" * (FRAME_LIMIT - 3)
        for sock in sockets:
            try_send(sock, body)
        for sock in sockets:
            assert closed_by_server(sock), "the connection stayed open after the early 401"
    finally:
        for sock in sockets:
            sock.close()
    grown = rss_kib(pid) - before
    assert grown < 8 * 1024, f"RSS grew by {grown} KiB for 20 refused 2 MiB uploads"
    assert expect(requests.get(private.url + "/healthz", timeout=REQUEST_TIMEOUT), 200)


def test_a_bad_token_is_refused_before_the_body(api):
    sock = connect(api.server.port)
    try:
        send_head(sock, "POST", "/organisations", {"Authorization": "Bearer not.a.token",
                                                   "Content-Type": "application/json",
                                                   "Content-Length": "60000"})
        answer = read_answer(sock)
        assert_json_error(answer, 401)
        assert "invalid_token" in answer.headers["www-authenticate"], answer.headers
        assert closed_by_server(sock)
    finally:
        sock.close()


def test_a_viewer_token_on_a_writer_route_gets_403_before_the_body(api, tenant):
    sock = connect(api.server.port)
    try:
        send_head(sock, "PATCH", f"/sites/{tenant.site_id}",
                  {"Authorization": f"Bearer {tenant.viewer_token}",
                   "Content-Type": "application/json", "Content-Length": "1000"})
        answer = read_answer(sock)
        assert_json_error(answer, 403)
        assert "viewer" in answer.json()["message"], answer.body
        assert answer.headers["connection"].lower() == "close", answer.headers
    finally:
        sock.close()


def test_an_admin_token_on_the_device_upload_gets_403_before_the_body(api, tenant):
    sock = connect(api.server.port)
    try:
        send_head(sock, "POST", "/device/frames",
                  {"Authorization": f"Bearer {tenant.admin_token}",
                   "Content-Type": "image/jpeg", "Content-Length": str(FRAME_LIMIT - 1)})
        assert_json_error(read_answer(sock), 403)
    finally:
        sock.close()


def test_the_role_check_before_the_body_keeps_the_handlers_answers(api, tenant):
    """A writer on a writer route goes on to its handler (here: the body is validated)."""
    assert_error(api.patch(f"/sites/{tenant.site_id}", tenant.admin_token, json={"nope": 1}), 400)
    assert_error(api.patch(f"/sites/{tenant.site_id}", tenant.viewer_token, json={"name": "x"}), 403)


def test_refused_requests_without_a_body_keep_the_connection(api):
    session = requests.Session()
    first = session.get(api.base + "/cameras", timeout=REQUEST_TIMEOUT)
    assert first.status_code == 401, describe(first)
    assert first.headers.get("Connection", "").lower() != "close", describe(first)


def test_unauthenticated_bodies_beyond_the_budget_get_503_before_the_body(start_server):
    """--max-body 4 MiB: token requests announcing 4 MiB each, three at once: the server admits
    two (8 MiB: the whole budget) and refuses the third with 503, whichever order it reads them
    in; a small one sent after that is refused at once with Retry-After, and the budget comes back
    when the two end."""
    private = start_server(["--max-body", str(4 * 1024 * 1024)])
    held = []
    try:
        for _ in range(3):
            sock = connect(private.port)
            held.append(sock)
            send_head(sock, "POST", "/oauth/token",
                      {"Content-Type": "application/x-www-form-urlencoded",
                       "Content-Length": str(4 * 1024 * 1024)})
        # once one of the three is answered, the server has read all three heads in turn
        readable, _, _ = select.select(held, [], [], 10.0)
        assert len(readable) == 1, f"{len(readable)} of the three 4 MiB requests were answered"
        assert_json_error(read_answer(readable[0]), 503)
        sock = connect(private.port)
        try:
            send_head(sock, "POST", "/oauth/token",
                      {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "100"})
            refused = read_answer(sock, timeout=5.0)
        finally:
            sock.close()
        assert_json_error(refused, 503)
        assert refused.headers["retry-after"] == "1", refused.headers
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + 5
    while True:
        resp = requests.post(private.url + "/oauth/token", data={"grant_type": "password"},
                             timeout=REQUEST_TIMEOUT)
        if resp.status_code != 503 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert resp.status_code == 400, describe(resp)


def served(port):
    """A new connection answering GET /healthz, kept open; None when the server closes it."""
    sock = connect(port)
    try:
        send_head(sock, "GET", "/healthz", {})
        if read_answer(sock).status == 200:
            return sock
    except OSError:
        pass
    sock.close()
    return None


def test_max_connections_per_address_refuses_more_connections_from_one_address(start_server):
    private = start_server(["--max-connections-per-address", "2"])
    held = []
    deadline = time.monotonic() + 5
    try:
        # Two connections served and held open (retried while the readiness check's connection,
        # closed by the client, may still count for a moment).
        while len(held) < 2:
            sock = served(private.port)
            if sock is not None:
                held.append(sock)
                continue
            assert time.monotonic() < deadline, "two connections from one address not served"
            for sock in held:
                sock.close()
            held = []
            time.sleep(0.1)
        assert served(private.port) is None, "a third connection from the address was served"
    finally:
        for sock in held[1:]:
            sock.close()
    # one of the two closed: a new connection is served again
    deadline = time.monotonic() + 5
    again = served(private.port)
    while again is None and time.monotonic() < deadline:
        time.sleep(0.05)
        again = served(private.port)
    assert again is not None, "no connection served after one of the two closed"
    again.close()
    held[0].close()


def test_max_connections_per_address_rejects_a_bad_value(tmp_path):
    check_binary()
    done = subprocess.run([str(BINARY), "serve", "--max-connections-per-address", "-1",
                           "--database", f"sqlite:{tmp_path / 'x.db'}"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "--max-connections-per-address must be a whole number from 0 to 1000000" in done.stderr
