"""HTTP/1.1 over a plain socket, for tests that must control what is sent when: headers without
their body, a body sent later or never, connections held open."""
import json
import socket
import time


def connect(port, timeout=5.0):
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.settimeout(timeout)
    return sock


def send_head(sock, method, path, headers):
    """Send the request line and headers (and the blank line), nothing of a body."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lowercase names
        self.body = body

    def json(self):
        return json.loads(self.body)


def read_answer(sock, timeout=5.0):
    """Read one response with a Content-Length body; socket.timeout when none comes in time."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed before a full answer: {data!r}")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return Answer(status, headers, rest[:length])


def closed_by_server(sock, timeout=5.0):
    """True when the server closes the connection (EOF or reset) within timeout."""
    sock.settimeout(timeout)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if sock.recv(65536) == b"":
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False
    return False


def try_send(sock, data):
    """Send data, ignoring a connection the server has closed; the bytes the server accepted
    into the socket are not necessarily read by it."""
    try:
        sock.settimeout(2.0)
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        pass
