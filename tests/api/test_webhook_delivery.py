"""Webhook deliveries as a receiver lives them (issue 12 §2 "Done when"): retries against a
receiver that fails then recovers (one webhook-id throughout), failure after the last step,
redirects not followed, large answers, a slow receiver beside a fast one, private addresses
refused at delivery time, the outbox across kill -9, disabling a webhook that keeps failing, and
two PostgreSQL nodes delivering each event once. Receivers are http.server threads of this
process (webhook_support.Receiver); every signature is checked by the test's own verifier."""
import json
import signal
import time

import pytest

from conftest import BACKEND, Api, Tenant, assert_error, expect
from postgres_support import (create_database, drop_database, make_nodes, requires_postgres,
                              start_together)
from webhook_support import (Receiver, deliveries, make_webhook, slow_answer, start_hook_server,
                             verify_signature, wait_deliveries, wait_delivery)

HOOK_FLAGS = ["--allow-private-webhooks", "--webhook-retry-schedule", "1,1"]


@pytest.fixture(scope="module")
def hooks(tmp_path_factory):
    server, api = start_hook_server(tmp_path_factory.mktemp("webhook-delivery"))
    yield api
    api.session.close()
    code = server.stop()
    assert code in (0, None), f"webhook-delivery server exited {code}\n{server.log_tail()}"


@pytest.fixture
def receiver():
    instance = Receiver()
    yield instance
    instance.close()


def send_test(api, token, webhook):
    """POST /webhooks/{id}/test; the pending delivery."""
    return expect(api.post(f"/webhooks/{webhook['id']}/test", token), 202)


def assert_signed(webhook, received):
    for item in received:
        assert verify_signature(webhook["secret"], item.headers, item.body) == item.msg_id


# ---------------------------------------------------------------------------------------------
# retries

def test_a_receiver_failing_twice_then_answering_gets_three_attempts_under_one_id(hooks, receiver):
    tenant = Tenant(hooks)
    token = tenant.admin_token
    url = receiver.url([500, 503, 200])
    webhook = make_webhook(hooks, token, url)
    accepted = send_test(hooks, token, webhook)
    first = receiver.wait_for(url, lambda g: len(g) >= 1)
    pending = wait_delivery(hooks, token, webhook["id"], accepted["id"],
                            lambda d: d["attempts"] >= 1)
    if pending["attempts"] == 1:  # between the first and second attempt
        assert pending["status"] == "pending" and pending["responseStatus"] == 500, pending
        assert "500" in pending["error"] and pending["nextAttemptAt"] is not None, pending
    got = receiver.wait_for(url, lambda g: len(g) >= 3)
    assert len(got) == 3 and got[0] is first[0]
    assert {item.msg_id for item in got} == {accepted["eventId"]}
    assert got[0].body == got[1].body == got[2].body
    assert_signed(webhook, got)
    for earlier, later in zip(got, got[1:]):  # 1 s +-10% after each failure
        assert 0.85 <= later.at - earlier.at <= 3.0, [item.at for item in got]
    done = wait_delivery(hooks, token, webhook["id"], accepted["id"],
                         lambda d: d["status"] != "pending")
    assert done["status"] == "succeeded" and done["attempts"] == 3, done
    assert done["responseStatus"] == 200 and done["error"] is None, done
    assert done["nextAttemptAt"] is None, done
    time.sleep(0.3)
    assert len(receiver.received(url)) == 3, "a succeeded delivery is not sent again"
    assert expect(hooks.get(f"/webhooks/{webhook['id']}", token), 200)["failingSince"] is None


def test_a_delivery_failing_after_the_last_step_has_failed(hooks, receiver):
    tenant = Tenant(hooks)
    token = tenant.admin_token
    url = receiver.url([500])
    webhook = make_webhook(hooks, token, url)
    accepted = send_test(hooks, token, webhook)
    done = wait_delivery(hooks, token, webhook["id"], accepted["id"],
                         lambda d: d["status"] != "pending")
    assert done["status"] == "failed" and done["attempts"] == 3, done
    assert done["responseStatus"] == 500 and "500" in done["error"], done
    assert done["nextAttemptAt"] is None, done
    assert len(receiver.received(url)) == 3
    failing = expect(hooks.get(f"/webhooks/{webhook['id']}", token), 200)
    assert failing["failingSince"] is not None and failing["enabled"] is True, failing
    listed = deliveries(hooks, token, webhook["id"], params={"status": "failed"})
    assert [d["id"] for d in listed] == [accepted["id"]]
    # a retry starts the back-off over; the receiver has recovered
    receiver.script("/" + url.split("/", 3)[3], [200])
    expect(hooks.post(f"/webhooks/{webhook['id']}/deliveries/{accepted['id']}/retry", token), 202)
    done = wait_delivery(hooks, token, webhook["id"], accepted["id"],
                         lambda d: d["status"] == "succeeded")
    assert done["attempts"] == 4, done
    assert expect(hooks.get(f"/webhooks/{webhook['id']}", token), 200)["failingSince"] is None


def test_a_redirect_is_not_followed_and_counts_as_a_failure(hooks, receiver):
    tenant = Tenant(hooks)
    token = tenant.admin_token
    elsewhere = receiver.url()

    def redirect(handler):
        handler.answer(301, headers=[("Location", elsewhere)])

    url = receiver.url([redirect])
    webhook = make_webhook(hooks, token, url)
    accepted = send_test(hooks, token, webhook)
    done = wait_delivery(hooks, token, webhook["id"], accepted["id"],
                         lambda d: d["status"] != "pending")
    assert done["status"] == "failed" and done["responseStatus"] == 301, done
    assert "301" in done["error"], done
    assert receiver.received(elsewhere) == []


@pytest.mark.parametrize("status,size", [(200, 65537), (200, 1 << 20), (202, 70000), (204, 0)])
def test_a_2xx_answer_of_any_size_succeeds(hooks, receiver, status, size):
    tenant = Tenant(hooks)
    token = tenant.admin_token

    def big(handler):
        try:
            handler.answer(status, body=b"x" * size)
        except OSError:
            pass  # the sender may stop reading after 64 KiB

    url = receiver.url([big])
    webhook = make_webhook(hooks, token, url)
    accepted = send_test(hooks, token, webhook)
    done = wait_delivery(hooks, token, webhook["id"], accepted["id"],
                         lambda d: d["status"] != "pending" or d["attempts"] > 0)
    assert done["status"] == "succeeded" and done["attempts"] == 1, done
    assert done["responseStatus"] == status and done["error"] is None, done
    assert len(receiver.received(url)) == 1


# ---------------------------------------------------------------------------------------------
# a slow receiver, private addresses, crashes, disabling

def rename_camera(api, token, camera_id, times):
    for _ in range(times):
        expect(api.patch(f"/cameras/{camera_id}", token,
                         json={"name": f"cam-{time.monotonic_ns()}"}), 200)


def organisation_event_ids(api, token, expected):
    """The ids of the organisation's events once there are `expected` of them. On PostgreSQL an
    event is listed once every transaction that began before its own has ended (docs/API.md), so
    the newest may show a moment after the change's answer: wait for it, boundedly."""
    deadline = time.monotonic() + 10
    while True:
        ids = {event["id"] for event in expect(api.get("/events", token, params={"limit": 1000}), 200)}
        if len(ids) >= expected or time.monotonic() > deadline:
            assert len(ids) == expected, ids
            return ids
        time.sleep(0.05)


def test_a_slow_receiver_does_not_delay_another_webhooks_deliveries(start_server, receiver):
    # few slots, so that the slow webhook could hog them all if its per-webhook bound failed
    server = start_server(HOOK_FLAGS + ["--webhook-concurrency", "4",
                                        "--webhook-concurrency-per-webhook", "2"])
    api = Api(server, server.operator_client)
    tenant = Tenant(api)
    token = tenant.admin_token
    slow_url = receiver.url([slow_answer(12)])  # longer than the sender's 10 s
    fast_url = receiver.url()
    slow = make_webhook(api, token, slow_url)
    fast = make_webhook(api, token, fast_url)
    try:
        camera = tenant.camera()
        receiver.wait_for(slow_url, lambda g: len(g) >= 1)  # the slow one holds its slots now
        rename_camera(api, token, camera["id"], 5)
        done_at = time.monotonic()
        wanted = organisation_event_ids(api, token, 6)  # claimed, and five updates
        got = receiver.wait_for(fast_url, lambda g: {item.msg_id for item in g} >= wanted,
                                timeout=8.0)
        last = max(item.at for item in got if item.msg_id in wanted)
        assert last - done_at < 3.0, f"the fast webhook waited {last - done_at:.1f} s"
        assert_signed(fast, got)
        assert 1 <= len(receiver.received(slow_url)) <= 2, "at most 2 in flight to one webhook"
        # the slow one's first attempt ends after 10 s, unanswered: a failure to retry
        timed_out = wait_deliveries(api, token, slow["id"],
                                    lambda log: any(d["attempts"] > 0 for d in log))
        tried = [d for d in timed_out if d["attempts"] > 0][0]
        assert tried["status"] == "pending" and tried["responseStatus"] is None, tried
        assert "10000 ms" in tried["error"], tried
    finally:
        expect(api.delete(f"/webhooks/{slow['id']}", token), 204)
    time.sleep(0.5)
    assert server.process.poll() is None, "the server survives a webhook deleted mid-delivery"


def test_a_private_address_is_refused_at_delivery_time(start_server, receiver):
    server = start_server(HOOK_FLAGS)
    api = Api(server, server.operator_client)
    tenant = Tenant(api)
    token = tenant.admin_token
    url = receiver.url()
    webhook = make_webhook(api, token, url)
    assert server.stop() == 0, server.log_tail()
    server.extra_args = ["--webhook-retry-schedule", "1,1"]  # the same database, no flag
    server.start()
    api = Api(server, server.operator_client)
    token = api.token_for_user(tenant.admin["email"], tenant.admin["password"])
    accepted = send_test(api, token, webhook)
    tried = wait_delivery(api, token, webhook["id"], accepted["id"], lambda d: d["attempts"] >= 1)
    error = (tried["error"] or "").lower()
    assert "private" in error or "--allow-private-webhooks" in error, tried
    assert tried["responseStatus"] is None, tried
    done = wait_delivery(api, token, webhook["id"], accepted["id"],
                         lambda d: d["status"] != "pending")
    assert done["status"] == "failed" and done["attempts"] == 3, done
    assert receiver.received(url) == [], "no connection reached the receiver"
    # and a new webhook to that address is refused outright
    resp = api.post("/webhooks", token, json={"url": url, "events": ["*"]})
    assert_error(resp, 422, "--allow-private-webhooks")


def test_deliveries_survive_kill_9_and_are_all_delivered_after_restart(start_server):
    server = start_server(["--allow-private-webhooks", "--webhook-retry-schedule", "1,1,1,1,1"])
    api = Api(server, server.operator_client)
    tenant = Tenant(api)
    token = tenant.admin_token
    down = Receiver()
    port, path = down.port, "/hook/outbox"
    webhook = make_webhook(api, token, down.url(path=path))
    down.close()  # the receiver is down: every attempt is refused
    camera = tenant.camera()
    rename_camera(api, token, camera["id"], 9)
    wanted = organisation_event_ids(api, token, 10)
    server.process.send_signal(signal.SIGKILL)  # right after the changes were acknowledged
    server.process.wait(timeout=10)
    back = Receiver(port=port)
    try:
        server.start()
        api = Api(server, server.operator_client)
        token = api.token_for_user(tenant.admin["email"], tenant.admin["password"])
        # a delivery claimed just before the kill waits out its lease (10 s + 20 s)
        got = back.wait_for(f"http://127.0.0.1:{port}{path}",
                            lambda g: {item.msg_id for item in g} >= wanted, timeout=45.0)
        assert {item.msg_id for item in got} == wanted
        assert_signed(webhook, got)
        log = wait_deliveries(api, token, webhook["id"],
                              lambda d: len(d) == 10 and all(x["status"] == "succeeded" for x in d))
        assert {d["eventId"] for d in log} == wanted
    finally:
        back.close()


def test_deliveries_in_flight_at_kill_9_are_sent_again_after_restart(start_server, receiver):
    """The receiver is slow: deliveries are on the wire when the node dies. Their leases (the
    sender's 10 s plus 20 s) must run out before a node takes them again, so this test waits."""
    server = start_server(["--allow-private-webhooks", "--webhook-retry-schedule", "1,1,1,1,1"])
    api = Api(server, server.operator_client)
    tenant = Tenant(api)
    token = tenant.admin_token
    url = receiver.url([slow_answer(5)] * 8 + [200])  # the first 8 (the per-webhook bound) hang
    webhook = make_webhook(api, token, url)
    camera = tenant.camera()
    rename_camera(api, token, camera["id"], 9)
    wanted = organisation_event_ids(api, token, 10)
    receiver.wait_for(url, lambda g: len(g) >= 8)  # 8 on the wire, 2 waiting for a slot
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(timeout=10)
    killed_at = time.monotonic()
    server.start()
    api = Api(server, server.operator_client)
    token = api.token_for_user(tenant.admin["email"], tenant.admin["password"])
    log = wait_deliveries(api, token, webhook["id"],
                          lambda d: len(d) == 10 and all(x["status"] == "succeeded" for x in d),
                          timeout=45.0)
    assert {d["eventId"] for d in log} == wanted
    answered = [item for item in receiver.received(url)[8:]]
    assert {item.msg_id for item in answered} == wanted, "each is sent again and answered"
    assert_signed(webhook, answered)
    assert time.monotonic() - killed_at < 40


def test_a_webhook_failing_for_disable_after_is_disabled_with_an_event(start_server, receiver):
    server = start_server(["--allow-private-webhooks", "--webhook-retry-schedule", "1,1,1,1,1",
                           "--webhook-disable-after", "2"])
    api = Api(server, server.operator_client)
    tenant = Tenant(api)
    token = tenant.admin_token
    url = receiver.url([500])
    watcher_url = receiver.url()
    webhook = make_webhook(api, token, url)
    watcher = make_webhook(api, token, watcher_url, ["webhook.disabled"])
    accepted = send_test(api, token, webhook)
    deadline = time.monotonic() + 15
    while True:
        shown = expect(api.get(f"/webhooks/{webhook['id']}", token), 200)
        if not shown["enabled"]:
            break
        assert time.monotonic() < deadline, f"not disabled: {shown}"
        time.sleep(0.1)
    assert shown["failingSince"] is not None, shown
    events = expect(api.get("/events", token, params={"type": "webhook.disabled"}), 200)
    assert len(events) == 1, events
    event = events[0]
    assert event["organisationId"] == tenant.org_id, event
    assert event["data"] == {"webhookId": webhook["id"], "url": url,
                             "failingSince": shown["failingSince"]}, event
    got = receiver.wait_for(watcher_url, lambda g: len(g) >= 1)
    assert json.loads(got[0].body) == event
    assert verify_signature(watcher["secret"], got[0].headers, got[0].body) == event["id"]
    attempts = len(receiver.received(url))
    assert 2 <= attempts <= 5, attempts
    time.sleep(1.5)
    assert len(receiver.received(url)) == attempts, "a disabled webhook gets no more attempts"
    assert_error(api.post(f"/webhooks/{webhook['id']}/test", token), 409)
    assert_error(api.post(f"/webhooks/{webhook['id']}/deliveries/{accepted['id']}/retry", token),
                 409)
    enabled = expect(api.patch(f"/webhooks/{webhook['id']}", token, json={"enabled": True}), 200)
    assert enabled["enabled"] is True and enabled["failingSince"] is None, enabled


# ---------------------------------------------------------------------------------------------
# two PostgreSQL nodes

@requires_postgres
def test_two_postgres_nodes_deliver_each_event_once(tmp_path, receiver):
    assert BACKEND == "postgres"
    url = create_database()
    nodes = make_nodes(tmp_path / "pg-webhooks", url, 2, HOOK_FLAGS)
    try:
        start_together(nodes)
        operator = nodes[0].admin_create_client("operator", "webhook-nodes")
        apis = [Api(node, operator) for node in nodes]
        tenant = Tenant(apis[0])
        token = tenant.admin_token
        hook_urls = [receiver.url(), receiver.url()]
        webhooks = [make_webhook(apis[i], token, hook_url) for i, hook_url in enumerate(hook_urls)]
        cameras = [tenant.camera() for _ in range(5)]
        for round_number in range(10):  # the changes come to both nodes, which both send
            for index, camera in enumerate(cameras):
                api = apis[(round_number + index) % 2]
                expect(api.patch(f"/cameras/{camera['id']}", token,
                                 json={"name": f"r{round_number}-{index}"}), 200)
        wanted = organisation_event_ids(apis[0], token, 55)  # 5 claimed, 50 updated
        for hook_url in hook_urls:
            receiver.wait_for(hook_url, lambda g: {item.msg_id for item in g} >= wanted,
                              timeout=20)
        time.sleep(1.5)  # time for a second sending, if any node were to make one
        for webhook, hook_url in zip(webhooks, hook_urls):
            got = receiver.received(hook_url)
            counts = {}
            for item in got:
                counts[item.msg_id] = counts.get(item.msg_id, 0) + 1
            assert {msg_id: n for msg_id, n in counts.items() if n != 1} == {}
            assert set(counts) == wanted
            assert_signed(webhook, got)
            # the receiver has them all; each outcome is written in its sender's next round
            log = wait_deliveries(apis[1], token, webhook["id"],
                                  lambda log: len(log) == 55 and all(d["status"] != "pending" for d in log))
            assert all(d["status"] == "succeeded" and d["attempts"] == 1 for d in log), \
                [d for d in log if d["status"] != "succeeded" or d["attempts"] != 1]
        codes = [node.stop(signal.SIGTERM) for node in nodes]
        assert codes == [0, 0], "\n".join(node.log_tail() for node in nodes)
    finally:
        for node in nodes:
            node.kill()
        drop_database(url)
