"""Connections (README "Connections and open files"): a connection that sends no complete request
head within --header-timeout is closed, whether it sends nothing or dribbles bytes; kept-alive
clients, slow bodies, event streams and device long-polls are not cut by it; the soft open-file
limit is raised to the hard one at start and the default --max-connections is derived from it."""
import re
import resource
import subprocess
import time

import requests

import raw_http
from conftest import (BINARY, READY_TIMEOUT, Api, Tenant, check_binary, expect, free_port,
                      new_database_url)
from test_device_link import device_for
from test_event_stream import Stream

CLOSE_BOUND = 10.0  # generous: a 1-2 s header timeout closes well within it


def test_a_connection_that_sends_nothing_is_closed_after_the_header_timeout(start_server):
    server = start_server(["--header-timeout", "1"])
    sock = raw_http.connect(server.port)
    try:
        assert raw_http.closed_by_server(sock, timeout=CLOSE_BOUND)
    finally:
        sock.close()
    assert requests.get(server.url + "/healthz", timeout=5).status_code == 200


def test_a_partial_head_is_closed_even_when_bytes_keep_trickling_in(start_server):
    # libmicrohttpd's own idle timeout (--connection-timeout 30) restarts with every byte: the
    # header timeout counts from the accept, however the bytes arrive
    server = start_server(["--header-timeout", "2"])
    sock = raw_http.connect(server.port)
    try:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        closed = False
        while not closed and time.monotonic() - started < CLOSE_BOUND:
            raw_http.try_send(sock, b"X")
            closed = raw_http.closed_by_server(sock, timeout=0.3)
        assert closed, "a dribbling connection outlived the header timeout"
    finally:
        sock.close()


def test_a_kept_alive_client_waiting_less_than_the_connection_timeout_is_not_closed(start_server):
    server = start_server(["--header-timeout", "1", "--connection-timeout", "30"])
    sock = raw_http.connect(server.port)
    try:
        raw_http.send_head(sock, "GET", "/healthz", {})
        assert raw_http.read_answer(sock).status == 200
        time.sleep(3)  # three header timeouts, well under the connection timeout
        raw_http.send_head(sock, "GET", "/healthz", {})
        assert raw_http.read_answer(sock).status == 200
    finally:
        sock.close()


def test_a_slow_body_is_not_cut_by_the_header_timeout(start_server):
    server = start_server(["--header-timeout", "1"])
    body = b"grant_type=client_credentials&client_id=nobody&client_secret=wrong"
    sock = raw_http.connect(server.port, timeout=15)
    try:
        raw_http.send_head(sock, "POST", "/oauth/token", {
            "Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(body))})
        for index in range(0, len(body), 20):  # the body over about 2 s
            time.sleep(0.5)
            sock.sendall(body[index:index + 20])
        answer = raw_http.read_answer(sock, timeout=15)
        assert answer.status in (400, 401), answer.body  # answered, not closed
    finally:
        sock.close()


def test_an_event_stream_is_not_cut_by_the_header_timeout(start_server):
    # keep-alive comments every 2 s (half the connection timeout)
    server = start_server(["--header-timeout", "1", "--connection-timeout", "4"])
    api = Api(server, server.operator_client)
    stream = Stream(api, api.operator_token)
    try:
        assert stream.response.status_code == 200
        assert stream.comments.get(timeout=10) == "camfleet events"
        for _ in range(2):  # about 4 s: four header timeouts
            assert stream.comments.get(timeout=10) == "keep-alive"
        assert not stream.ended.is_set()
    finally:
        stream.close()


def test_a_device_long_poll_is_not_cut_by_the_header_timeout(start_server):
    server = start_server(["--header-timeout", "1"])
    api = Api(server, server.operator_client)
    tenant = Tenant(api)
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    assert expect(device.commands(4), 200) == {"commands": []}


# ---------------------------------------------------------------------------------------------
# the open-file limit and the connection limit derived from it

# Deterministic settings: 2 + 8 + 6 database connections (+1 listening), 256 webhook deliveries.
FIXED_THREADS = ["--threads", "2", "--write-threads", "8", "--webhook-concurrency", "256"]
RESERVED_FILES = 3 + 64 + (2 + 8 + 6 + 1) * 3 + 256 * 2 + (2 + 1) * 2  # http/connection_budget.c


def run_with_open_file_limit(tmp_path, soft, hard, extra_args=()):
    """Start camfleet serve under RLIMIT_NOFILE (soft, hard); (process, port, log path) once
    /readyz answers, or (process, None, log path) when it exited first."""
    check_binary()
    port = free_port()
    log_path = tmp_path / "server.log"
    log = open(log_path, "wb")
    cmd = [str(BINARY), "serve", "--listen", f"127.0.0.1:{port}",
           "--database", new_database_url(tmp_path)] + FIXED_THREADS + list(extra_args)
    process = subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard)))
    log.close()
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return process, None, log_path
        try:
            if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process, port, log_path
        except requests.RequestException:
            pass
        time.sleep(0.05)
    process.kill()
    raise AssertionError(f"not ready in time:\n{log_path.read_text(errors='replace')[-2000:]}")


def stop(process):
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=15)


def test_the_soft_limit_is_raised_and_the_connection_limit_derived_from_it(tmp_path):
    process, port, log_path = run_with_open_file_limit(tmp_path, 256, 2048)
    try:
        assert port is not None, log_path.read_text(errors="replace")
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
        with open(f"/proc/{process.pid}/limits") as limits:
            line = next(line for line in limits if line.startswith("Max open files"))
        assert line.split()[3:5] == ["2048", "2048"], line
    finally:
        stop(process)
    log = log_path.read_text(errors="replace")
    assert "open files: soft limit raised from 256 to the hard limit 2048" in log, log
    expected = 2048 - RESERVED_FILES
    assert f"connections: at most {expected} (derived from the open-file limit 2048" in log, log
    assert re.search(rf"camfleet listening on .* at most {expected} connections, header timeout 10 s", log), log


def test_a_low_hard_limit_derives_a_smaller_connection_limit(tmp_path):
    process, port, log_path = run_with_open_file_limit(tmp_path, 1024, 1024)
    try:
        assert port is not None, log_path.read_text(errors="replace")
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
    finally:
        stop(process)
    log = log_path.read_text(errors="replace")
    assert f"connections: at most {1024 - RESERVED_FILES} (derived from the open-file limit 1024" in log, log


def test_an_explicit_connection_limit_above_the_open_file_limit_is_refused(tmp_path):
    process, port, log_path = run_with_open_file_limit(tmp_path, 1024, 1024, ["--max-connections", "5000"])
    stop(process)
    assert port is None and process.returncode == 2, log_path.read_text(errors="replace")
    log = log_path.read_text(errors="replace")
    assert "--max-connections 5000 does not fit in the open-file limit 1024" in log, log
    assert f"give at most {1024 - RESERVED_FILES}" in log, log


def test_an_explicit_connection_limit_that_fits_is_kept(tmp_path):
    process, port, log_path = run_with_open_file_limit(tmp_path, 1024, 1024, ["--max-connections", "100"])
    stop(process)
    assert port is not None, log_path.read_text(errors="replace")
    log = log_path.read_text(errors="replace")
    assert f"connections: at most 100 (--max-connections; the open-file limit 1024 holds up to " \
           f"{1024 - RESERVED_FILES})" in log, log


def test_a_limit_too_low_for_the_reserve_is_refused(tmp_path):
    process, port, log_path = run_with_open_file_limit(tmp_path, 256, 256)
    stop(process)
    assert port is None and process.returncode == 2, log_path.read_text(errors="replace")
    assert "leaves no room for connections" in log_path.read_text(errors="replace")
