"""On PostgreSQL several nodes write events at once, so an event's seq is not its commit order.
Readers see an event only once every transaction older than its writer has ended: a transaction
that took a lower seq and is still open holds back the events written after it, so no event can
commit behind a cursor (a page boundary, a stream's Last-Event-ID) that already passed it."""
import time

from conftest import expect, new_id
from postgres_support import HeldTransaction, requires_postgres
from test_event_stream import Stream

pytestmark = requires_postgres


def test_an_open_transaction_holds_back_the_events_written_after_it(api, server, tenant):
    camera = tenant.camera()
    stream = Stream(api, tenant.admin_token, f"?cameraId={camera['id']}")
    held = HeldTransaction(server.database, [
        "INSERT INTO events(id, type, type_bit, occurred_at_ms, organisation_id, site_id, camera_id,"
        f" actor_kind, data_json) VALUES ('{new_id()}', 'camera.updated', 4, 0, NULL, NULL, NULL,"
        " 'system', '{}')"])
    try:
        expect(api.put(f"/cameras/{camera['id']}/state/paused", tenant.admin_token), 201)
        stream.nothing_more(1.5)
        listed = expect(api.get(f"/events?cameraId={camera['id']}", tenant.admin_token), 200)
        assert [event["type"] for event in listed] == ["camera.claimed"]
        held.release()  # its lower seq is gone for good: now the later event is safe to show
        assert stream.next()["event"] == "camera.paused"
        deadline = time.monotonic() + 5
        while [e["type"] for e in expect(api.get(f"/events?cameraId={camera['id']}", tenant.admin_token), 200)] \
                != ["camera.paused", "camera.claimed"]:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        held.release()
        stream.close()


def test_a_transaction_in_another_database_holds_nothing_back(api, tenant):
    from postgres_support import BASE_URL
    camera = tenant.camera()
    held = HeldTransaction(BASE_URL, ["CREATE TEMP TABLE held_elsewhere (x int)",
                                      "INSERT INTO held_elsewhere VALUES (1)"])
    try:
        expect(api.put(f"/cameras/{camera['id']}/state/paused", tenant.admin_token), 201)
        listed = expect(api.get(f"/events?cameraId={camera['id']}", tenant.admin_token), 200)
        assert [event["type"] for event in listed] == ["camera.paused", "camera.claimed"]
    finally:
        held.release()
