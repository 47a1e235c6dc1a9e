"""The access log: what a client sends (path, method, request id) is escaped, so that no request
can write a line of its own, close a quoted value or reach a terminal as an escape sequence."""
import time
import uuid

from conftest import describe


def log_lines_with(server, needle, timeout=5.0):
    """The lines of the server's log that contain needle (waits for the buffered writer)."""
    deadline = time.monotonic() + timeout
    while True:
        text = server.log_path.read_bytes().decode("latin-1")
        found = [line for line in text.split("\n") if needle in line]
        if found or time.monotonic() > deadline:
            return found, text
        time.sleep(0.05)


def test_encoded_newline_in_the_path_cannot_forge_a_log_line(api):
    marker = uuid.uuid4().hex
    forged = f"FAKE-{marker} 2026-01-01T00:00:00.000Z INFO GET /admin 200 0.001ms id=x"
    resp = api.get(f"/x%0a{forged.replace(' ', '%20')}", api.operator_token)
    assert resp.status_code == 404, describe(resp)
    request_id = resp.headers["X-Request-Id"]
    lines, text = log_lines_with(api.server, f"id={request_id}")
    assert len(lines) == 1, text[-2000:]
    assert f" INFO GET /x\\n{forged} 404 " in lines[0], lines[0]
    assert not any(line.startswith("FAKE-") for line in text.split("\n")), text[-2000:]
    assert [line for line in text.split("\n") if marker in line] == lines


def test_quotes_backslashes_and_terminal_escapes_in_the_path_are_escaped(api):
    marker = uuid.uuid4().hex[:12]
    resp = api.get(f"/{marker}%22q%5cb%1b%5b31m%0d%09%7f%c3%a9", api.operator_token)
    assert resp.status_code == 404, describe(resp)
    lines, text = log_lines_with(api.server, f"id={resp.headers['X-Request-Id']}")
    assert len(lines) == 1, text[-2000:]
    assert f" GET /{marker}\\\"q\\\\b\\x1b[31m\\r\\t\\x7f\\xc3\\xa9 404 " in lines[0], lines[0]
    assert "\x1b" not in text and "\r" not in text


def test_a_very_long_path_is_cut_with_the_marker(api):
    marker = uuid.uuid4().hex
    resp = api.get(f"/{marker}" + "%0a" * 2000, api.operator_token)
    assert resp.status_code == 404, describe(resp)
    lines, text = log_lines_with(api.server, f"id={resp.headers['X-Request-Id']}")
    assert len(lines) == 1, text[-2000:]
    path = lines[0].split(" GET ", 1)[1].rsplit(" 404 ", 1)[0]
    assert path.startswith(f"/{marker}\\n\\n")
    assert path.endswith("\\n\\...")
    assert len(path) < 1024
