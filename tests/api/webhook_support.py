"""Helpers for the webhook tests (test_webhooks.py, test_webhook_delivery.py): a receiver (an
http.server in a thread of the test process, one path per webhook, each path answering as the test
scripts it), a Standard Webhooks verifier written from the specification (standardwebhooks.com:
whsec_ secrets, HMAC-SHA256 of "id.timestamp.body", several space-separated "v1,<base64>"
signatures, constant-time comparison, 5 minutes of timestamp tolerance), and polling helpers.
Nothing here comes from the server: the verifier is the independent check of its signatures."""
import base64
import hashlib
import hmac
import http.server
import threading
import time
import uuid

from conftest import Api, Server, expect

TOLERANCE_SECONDS = 5 * 60
DELIVERY_KEYS = {"id", "eventId", "eventType", "status", "attempts", "createdAt", "lastAttemptAt",
                 "nextAttemptAt", "responseStatus", "error"}
WEBHOOK_KEYS = {"id", "url", "events", "description", "organisationId", "enabled", "createdAt",
                "failingSince"}
WAIT_SECONDS = 15.0


# ---------------------------------------------------------------------------------------------
# the verifier

class SignatureError(Exception):
    pass


def verify_signature(secret, headers, body, now=None):
    """Verify a delivery as a Standard Webhooks receiver would; return the message id. Raises
    SignatureError for a missing header, a stale or future timestamp, or no matching v1 signature.
    headers: a mapping with case-insensitive keys (http.server's message) or a plain dict."""
    msg_id = headers.get("webhook-id")
    timestamp_text = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not msg_id or not timestamp_text or not signatures:
        raise SignatureError("missing webhook-id, webhook-timestamp or webhook-signature")
    if not secret.startswith("whsec_"):
        raise SignatureError("the secret is not a whsec_ secret")
    key = base64.b64decode(secret[len("whsec_"):], validate=True)
    try:
        timestamp = int(timestamp_text)
    except ValueError:
        raise SignatureError(f"webhook-timestamp is no integer: {timestamp_text!r}") from None
    now = time.time() if now is None else now
    if timestamp < now - TOLERANCE_SECONDS:
        raise SignatureError("message timestamp too old")
    if timestamp > now + TOLERANCE_SECONDS:
        raise SignatureError("message timestamp too new")
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    for item in signatures.split(" "):
        version, _, signature = item.partition(",")
        if version != "v1":
            continue
        if hmac.compare_digest(signature.encode(), expected):
            return msg_id
    raise SignatureError("no signature matches")


def signatures_of(headers):
    """The "v1,..." items of a webhook-signature header, in order."""
    return headers.get("webhook-signature", "").split(" ")


# ---------------------------------------------------------------------------------------------
# the receiver

class Received:
    """One request the receiver got."""

    def __init__(self, path, headers, body):
        self.path = path
        self.headers = headers
        self.body = body
        self.at = time.monotonic()

    @property
    def msg_id(self):
        return self.headers.get("webhook-id")


class _BackloggedServer(http.server.ThreadingHTTPServer):
    """A threaded receiver whose listen backlog takes a burst of parallel deliveries: the sender
    opens up to --webhook-concurrency-per-webhook (64) connections per webhook per node, and
    socketserver's default backlog of 5 would refuse some (failed attempts, retried later)."""
    request_queue_size = 512


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread. Each path answers by its script: a list of
    answers used in turn (the last one repeats), each an int status or a callable
    (handler) -> None that answers itself; unscripted paths answer 200. port: 0 for any free one,
    or the port of a receiver closed before (to bring a "down" receiver back)."""

    def __init__(self, port=0):
        self.lock = threading.Lock()
        self.requests = []
        self.scripts = {}
        self.counts = {}
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.requests.append(Received(self.path, self.headers, body))
                    index = receiver.counts.get(self.path, 0)
                    receiver.counts[self.path] = index + 1
                    script = receiver.scripts.get(self.path, [200])
                    answer = script[min(index, len(script) - 1)]
                if callable(answer):
                    answer(self)
                else:
                    self.answer(answer)

            def answer(self, status, body=b"ok", headers=()):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = _BackloggedServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, script=None, path=None):
        """A new path (or the given one) on this receiver, answering by script, as a full URL."""
        path = path or f"/hook/{uuid.uuid4().hex[:12]}"
        if script is not None:
            self.script(path, script)
        return f"http://127.0.0.1:{self.port}{path}"

    def script(self, path, answers):
        with self.lock:
            self.scripts[path] = list(answers)

    def received(self, url):
        """Every request that came to url's path, in arrival order."""
        path = "/" + url.split("/", 3)[3]
        with self.lock:
            return [item for item in self.requests if item.path == path]

    def wait_for(self, url, predicate, timeout=WAIT_SECONDS):
        """Poll until predicate(requests to url) is true; return those requests."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.received(url)
            if predicate(got):
                return got
            if time.monotonic() > deadline:
                raise AssertionError(f"{url}: condition not met within {timeout} s; got "
                                     f"{[(r.msg_id, r.body[:200]) for r in got]}")
            time.sleep(0.05)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def slow_answer(seconds, status=200):
    """An answer that sleeps before answering (a slow receiver)."""
    def answer(handler):
        time.sleep(seconds)
        try:
            handler.answer(status)
        except OSError:
            pass  # the sender gave up and closed
    return answer


# ---------------------------------------------------------------------------------------------
# servers and API helpers

def start_hook_server(workdir, extra_args=(), owner=None):
    """A server that may deliver to 127.0.0.1, retries after 1 s then 1 s, and its Api."""
    server = Server(workdir, ["--allow-private-webhooks", "--webhook-retry-schedule", "1,1",
                              *extra_args], owner=owner)
    server.operator_client = server.admin_create_client("operator", "hooks-operator")
    server.start()
    return server, Api(server, server.operator_client)


def make_webhook(api, token, url, events=("*",), organisation_id=None, **fields):
    body = {"url": url, "events": list(events), **fields}
    if organisation_id is not None:
        body["organisationId"] = organisation_id
    return expect(api.post("/webhooks", token, json=body), 201)


def deliveries(api, token, webhook_id, params=None):
    return expect(api.get(f"/webhooks/{webhook_id}/deliveries", token, params=params), 200)


def wait_delivery(api, token, webhook_id, delivery_id, predicate, timeout=WAIT_SECONDS):
    """Poll GET /webhooks/{id}/deliveries/{deliveryId} until predicate(body); return the body."""
    deadline = time.monotonic() + timeout
    while True:
        body = expect(api.get(f"/webhooks/{webhook_id}/deliveries/{delivery_id}", token), 200)
        if predicate(body):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"delivery {delivery_id} not as expected within {timeout} s: "
                                 f"{body}")
        time.sleep(0.05)


def wait_deliveries(api, token, webhook_id, predicate, timeout=WAIT_SECONDS, params=None):
    """Poll the webhook's delivery log until predicate(list); return the list."""
    deadline = time.monotonic() + timeout
    while True:
        body = deliveries(api, token, webhook_id, params={"limit": 1000, **(params or {})})
        if predicate(body):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"deliveries of {webhook_id} not as expected within "
                                 f"{timeout} s: {body}")
        time.sleep(0.05)
