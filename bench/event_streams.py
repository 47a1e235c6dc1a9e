#!/usr/bin/python3
"""What open event streams cost camfleet (issue 12: "1,000 open streams cost no more than a few
MiB", "no worker thread per open stream"). Starts `camfleet serve` on a temporary SQLite database,
opens BENCH_STREAMS (1000) `GET /events/stream` connections and measures the server's resident
memory (VmRSS) and thread count before and after; then, as the baseline of the same run, the
same number of idle keep-alive connections that made one small request each (libmicrohttpd's
per-connection cost, which any open connection pays). Then it writes one event and checks that
every stream receives it.

Usage: CAMFLEET_BIN=build/camfleet bench/event_streams.py   (BENCH_STREAMS=N, BENCH_SERVER_ARGS)
Prints a table, also written to bench/results/event-streams-latest.txt.
"""
import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

BENCH_DIR = Path(__file__).resolve().parent
BINARY = os.environ.get("CAMFLEET_BIN", str(BENCH_DIR.parent / "build" / "camfleet"))
STREAMS = int(os.environ.get("BENCH_STREAMS", "1000"))
SERVER_ARGS = shlex.split(os.environ.get("BENCH_SERVER_ARGS", ""))
SETTLE = 2.0  # seconds for the server to take every connection before measuring


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def status_field(pid, name):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {name} in /proc/{pid}/status")


def read_head(connection, timeout=5.0):
    """The response head (and whatever body came with it) of an HTTP answer on connection."""
    connection.settimeout(timeout)
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(65536)
        if not chunk:
            raise RuntimeError(f"connection closed before the response head: {received[:200]!r}")
        received += chunk
    return received


def open_connections(port, count, request):
    """count connections that each sent request and read its answer's head; the sockets."""
    sockets = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port))
        connection.sendall(request)
        sockets.append(connection)
    for connection in sockets:
        head = read_head(connection)
        status = head.split(b"\r\n", 1)[0]
        if b" 200 " not in status:
            raise RuntimeError(f"expected 200, got {status!r}")
    return sockets


def measure(server, port, count, request):
    """(RSS growth in KiB, threads before, threads after, the open sockets)."""
    time.sleep(SETTLE)
    rss_before = status_field(server.pid, "VmRSS")
    threads_before = status_field(server.pid, "Threads")
    sockets = open_connections(port, count, request)
    time.sleep(SETTLE)
    rss_after = status_field(server.pid, "VmRSS")
    threads_after = status_field(server.pid, "Threads")
    return rss_after - rss_before, threads_before, threads_after, sockets


class Server:
    """camfleet serve on a new SQLite database, with an operator's token."""

    def __init__(self, workdir, name):
        database = f"sqlite:{workdir / (name + '.db')}"
        created = subprocess.run([BINARY, "admin", "create-client", "--database", database, "--create",
                                  "--role", "operator", "--name", "streams-bench"],
                                 capture_output=True, text=True, check=True)
        client = json.loads(created.stdout.strip().splitlines()[-1])
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(workdir / f"{name}.log", "wb")
        self.process = subprocess.Popen(
            [BINARY, "serve", "--listen", f"127.0.0.1:{self.port}", "--database", database,
             "--allow-private-webhooks", "--max-connections", str(STREAMS + 100)] + SERVER_ARGS,
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        for _ in range(200):
            try:
                if requests.get(self.base + "/readyz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.token = requests.post(self.base + "/oauth/token", timeout=30, data={
            "grant_type": "client_credentials", "client_id": client["clientId"],
            "client_secret": client["clientSecret"]}).json()["access_token"]

    def request(self, path, accept=""):
        return (f"GET {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {self.token}\r\n"
                f"{accept}\r\n").encode()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def events_received(streams, seconds=10.0):
    """How many of the stream sockets receive a webhook.test event within seconds."""
    received = 0
    deadline = time.monotonic() + seconds
    for connection in streams:
        data = b""
        while b"event: webhook.test" not in data and time.monotonic() < deadline:
            connection.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = connection.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            data += chunk
        received += b"event: webhook.test" in data
    return received


def main():
    workdir = Path(tempfile.mkdtemp(prefix="camfleet-streams-bench."))
    # Each measurement on a server of its own: memory freed by one would be reused by the next.
    server = Server(workdir, "idle")
    try:
        idle_kib, _, _, idle_sockets = measure(server.process, server.port, STREAMS,
                                               server.request("/healthz"))
        for connection in idle_sockets:
            connection.close()
    finally:
        server.stop()
    server = Server(workdir, "streams")
    try:
        stream_kib, threads_before, threads_after, streams = measure(
            server.process, server.port, STREAMS,
            server.request("/events/stream", "Accept: text/event-stream\r\n"))
        # One event (a webhook's test event, visible to the operator) reaches every stream.
        auth = {"Authorization": f"Bearer {server.token}"}
        webhook = requests.post(server.base + "/webhooks", headers=auth, timeout=30, json={
            "url": "http://127.0.0.1:9/unused", "events": ["*"]})
        webhook.raise_for_status()
        event = requests.post(f"{server.base}/webhooks/{webhook.json()['id']}/test", headers=auth,
                              timeout=30)
        event.raise_for_status()
        received = events_received(streams)
        for connection in streams:
            connection.close()
    finally:
        server.stop()

    lines = [
        f"camfleet event streams  {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}",
        f"{STREAMS} connections each, SQLite, {os.cpu_count()} cores",
        "",
        f"{'what':<44}{'RSS growth':>12}{'per connection':>16}",
        f"{'idle keep-alive connections (baseline)':<44}{idle_kib / 1024:>9.1f} MiB{idle_kib / STREAMS:>12.1f} KiB",
        f"{'open GET /events/stream':<44}{stream_kib / 1024:>9.1f} MiB{stream_kib / STREAMS:>12.1f} KiB",
        f"{'a stream beyond an idle connection':<44}{(stream_kib - idle_kib) / 1024:>9.1f} MiB"
        f"{(stream_kib - idle_kib) / STREAMS:>12.1f} KiB",
        "",
        f"threads: {threads_before} before the streams, {threads_after} with them open",
        f"one event written: received by {received} of {STREAMS} streams",
    ]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    results = BENCH_DIR / "results"
    results.mkdir(exist_ok=True)
    (results / "event-streams-latest.txt").write_text(text)
    ok = threads_after == threads_before and received == STREAMS
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
