"""GET /events/stream: the events live as Server-Sent Events, resumable with Last-Event-ID,
visible like GET /events, with keep-alive comments, ended cleanly by SIGTERM."""
import json
import queue
import socket
import threading
import time

import requests

from conftest import Api, expect, new_id


def bearer(token):
    return {"Authorization": f"Bearer {token}"}

STREAM_TIMEOUT = 10.0


class Stream:
    """An open event stream read on a thread: messages ({"id", "event", "data"}) and comments."""

    def __init__(self, api, token, query="", last_event_id=None, timeout=STREAM_TIMEOUT):
        headers = bearer(token)
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        self.response = requests.get(f"{api.base}/events/stream{query}", headers=headers, stream=True,
                                      timeout=timeout)
        self.messages = queue.Queue()
        self.comments = queue.Queue()
        self.ended = threading.Event()
        if self.response.status_code == 200:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        message = {}
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line == "":
                    if message:
                        message["data"] = json.loads(message["data"])
                        self.messages.put(message)
                    message = {}
                elif line.startswith(":"):
                    self.comments.put(line[1:].strip())
                else:
                    field, _, value = line.partition(": ")
                    message[field] = value
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError):
            pass
        finally:
            self.ended.set()

    def next(self, timeout=STREAM_TIMEOUT):
        return self.messages.get(timeout=timeout)

    def take(self, count, timeout=STREAM_TIMEOUT):
        return [self.next(timeout) for _ in range(count)]

    def nothing_more(self, wait=1.0):
        try:
            message = self.messages.get(timeout=wait)
        except queue.Empty:
            return True
        raise AssertionError(f"unexpected message {message}")

    def close(self):
        """Closes the connection at once (closing the response alone waits for the reader
        thread's read to time out)."""
        connection = getattr(self.response.raw, "_connection", None)
        sock = getattr(connection, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.response.close()


def test_events_arrive_live_with_id_type_and_json(api, tenant):
    stream = Stream(api, api.operator_token, f"?siteId={tenant.site_id}")
    try:
        assert stream.response.status_code == 200
        assert stream.response.headers["Content-Type"].startswith("text/event-stream")
        assert stream.comments.get(timeout=STREAM_TIMEOUT) == "camfleet events"
        camera = tenant.camera()
        expect(api.put(f"/cameras/{camera['id']}/state/paused", tenant.admin_token), 201)
        claimed, paused = stream.take(2)
        assert [claimed["event"], paused["event"]] == ["camera.claimed", "camera.paused"]
        for message in (claimed, paused):
            assert message["id"] == message["data"]["id"]
            assert message["event"] == message["data"]["type"]
            assert message["data"]["cameraId"] == camera["id"]
            assert message["data"]["actor"] == {"kind": "user", "id": tenant.admin["id"]}
        listed = expect(api.get(f"/events?cameraId={camera['id']}&type=camera.paused", api.operator_token), 200)
        assert listed == [paused["data"]]
    finally:
        stream.close()


def test_last_event_id_resumes_without_loss(api, tenant):
    stream = Stream(api, tenant.admin_token)
    try:
        camera = tenant.camera()
        first = stream.next()
        assert first["event"] == "camera.claimed"
    finally:
        stream.close()
    # while nobody listens
    expect(api.put(f"/cameras/{camera['id']}/state/paused", tenant.admin_token), 201)
    expect(api.put(f"/cameras/{camera['id']}/state/running", tenant.admin_token), 201)
    expect(api.patch(f"/cameras/{camera['id']}", tenant.admin_token, json={"name": "Back door"}), 200)
    resumed = Stream(api, tenant.admin_token, last_event_id=first["id"])
    try:
        missed = resumed.take(3)
        assert [m["event"] for m in missed] == ["camera.paused", "camera.resumed", "camera.updated"]
        assert missed[2]["data"]["data"]["changes"]["name"]["new"] == "Back door"
        resumed.nothing_more(0.5)
    finally:
        resumed.close()


def test_an_unknown_last_event_id_streams_from_now_and_a_malformed_one_is_refused(api, tenant):
    stream = Stream(api, tenant.admin_token, last_event_id=new_id())
    try:
        comments = [stream.comments.get(timeout=STREAM_TIMEOUT) for _ in range(2)]
        assert any("not kept" in comment for comment in comments), comments
        camera = tenant.camera()
        assert stream.next()["data"]["cameraId"] == camera["id"]
    finally:
        stream.close()
    refused = Stream(api, tenant.admin_token, last_event_id="not-an-id")
    assert refused.response.status_code == 422
    assert "Last-Event-ID" in refused.response.json()["message"]


def test_streams_show_what_the_caller_may_see(api, tenant, other_tenant):
    second_site = tenant.add_site()
    viewer = Stream(api, tenant.viewer_token)  # granted tenant.site only
    outsider = Stream(api, other_tenant.admin_token)
    try:
        elsewhere = tenant.camera(site_id=second_site["id"])
        granted = tenant.camera()
        message = viewer.next()
        assert message["data"]["cameraId"] == granted["id"], "the viewer saw a camera of a site not granted"
        viewer.nothing_more(0.5)
        outsider.nothing_more(0.5)
        assert elsewhere["id"] != granted["id"]
    finally:
        viewer.close()
        outsider.close()


def test_a_viewers_stream_names_only_granted_sites_a_camera_came_from(api, tenant):
    hidden_site = tenant.add_site()
    camera = tenant.camera(site_id=hidden_site["id"])
    viewer = Stream(api, tenant.viewer_token, "?type=camera.moved")  # granted tenant.site only
    admin = Stream(api, tenant.admin_token, "?type=camera.moved")
    try:
        expect(api.post(f"/cameras/{camera['id']}/move", tenant.admin_token, json={"siteId": tenant.site_id}), 201)
        seen = viewer.next()["data"]["data"]
        assert (seen["fromSiteId"], seen["toSiteId"]) == (None, tenant.site_id)
        assert admin.next()["data"]["data"]["fromSiteId"] == hidden_site["id"]
    finally:
        viewer.close()
        admin.close()


def test_the_type_filter_applies_to_the_stream(api, tenant):
    stream = Stream(api, tenant.admin_token, "?type=camera.paused&type=camera.resumed")
    try:
        camera = tenant.camera()
        expect(api.put(f"/cameras/{camera['id']}/state/paused", tenant.admin_token), 201)
        expect(api.put(f"/cameras/{camera['id']}/state/running", tenant.admin_token), 201)
        assert [m["event"] for m in stream.take(2)] == ["camera.paused", "camera.resumed"]
        stream.nothing_more(0.5)
    finally:
        stream.close()
    assert Stream(api, tenant.admin_token, "?type=camera.exploded").response.status_code == 422


def test_a_stream_needs_a_token(api):
    response = requests.get(f"{api.base}/events/stream", timeout=STREAM_TIMEOUT)
    assert response.status_code == 401


def test_keep_alive_comments_and_sigterm_ends_open_streams(start_server):
    # a short connection timeout makes the keep-alive come every 2 s (half of it)
    server = start_server(["--connection-timeout", "4"])
    api = Api(server, server.operator_client)
    streams = [Stream(api, api.operator_token) for _ in range(3)]
    try:
        for stream in streams:
            assert stream.comments.get(timeout=STREAM_TIMEOUT) == "camfleet events"
        started = time.monotonic()
        assert streams[0].comments.get(timeout=STREAM_TIMEOUT) == "keep-alive"
        assert time.monotonic() - started < 4.5
        started = time.monotonic()
        server.stop()  # SIGTERM: every open stream ends, the server exits 0 at once
        assert time.monotonic() - started < 5
        assert server.process.returncode == 0
        for stream in streams:
            assert stream.ended.wait(STREAM_TIMEOUT)
    finally:
        for stream in streams:
            stream.close()
