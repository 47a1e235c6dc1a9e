"""Webhooks (issue 12 §2): subscriptions and who sees them, the checks of their fields and URL,
fan-out of events to the webhooks that may see them, signatures checked by an independent Standard
Webhooks verifier, secret rotation, the delivery log, retry and test. The delivery mechanics
(retries, failures, crashes, several nodes) are in test_webhook_delivery.py.

Most tests share a server of this module that may deliver to 127.0.0.1 (--allow-private-webhooks)
and retries after 1 s, then 1 s; the refusal of private URLs is tested on the session server,
which runs without that flag."""
import base64
import calendar
import json
import re
import time

import pytest

from conftest import Tenant, assert_error, assert_uuid, describe, expect, run_sql
from webhook_support import (DELIVERY_KEYS, WEBHOOK_KEYS, Receiver, SignatureError, deliveries,
                             make_webhook, signatures_of, start_hook_server, verify_signature,
                             wait_delivery)

SECRET_RE = re.compile(r"^whsec_[A-Za-z0-9+/]{43}=$")
LINK_RE = re.compile(r'^<([^>]+)>;\s*rel="next"$')
PUBLIC_URL = "https://1.1.1.1/never-called"  # a public address literal (no DNS needed)


@pytest.fixture(scope="module")
def hooks(tmp_path_factory):
    server, api = start_hook_server(tmp_path_factory.mktemp("webhooks"))
    receiver = Receiver()
    api.receiver = receiver
    yield api
    receiver.close()
    api.session.close()
    code = server.stop()
    assert code in (0, None), f"webhooks server exited {code}\n{server.log_tail()}"


def assert_webhook_shape(webhook, with_secret):
    keys = WEBHOOK_KEYS | ({"secret"} if with_secret else set())
    assert set(webhook) == keys, webhook
    assert_uuid(webhook["id"])
    assert isinstance(webhook["enabled"], bool), webhook
    if with_secret:
        assert SECRET_RE.match(webhook["secret"]), webhook
        assert len(base64.b64decode(webhook["secret"][len("whsec_"):])) == 32


def epoch_of(text):
    """Epoch seconds of an RFC 3339 UTC timestamp with milliseconds."""
    assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", text), text
    return calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")) + int(text[20:23]) / 1000


def receiver_url(hooks):
    """A fresh path on the module's receiver (answers 200)."""
    return hooks.receiver.url()


def camera_event(api, token, camera_id, event_type):
    """The one event of that type of the camera, as GET /events shows it."""
    found = expect(api.get("/events", token, params={"cameraId": camera_id, "type": event_type}),
                   200)
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------------------------------------
# creation: fields, validation, URL checks

def test_operator_creates_a_fleet_webhook_and_an_organisation_webhook(hooks):
    tenant = Tenant(hooks)
    url = receiver_url(hooks)
    before = time.time()
    fleet = make_webhook(hooks, hooks.operator_token, url, ["camera.claimed", "camera.moved"],
                         description="fleet feed")
    assert_webhook_shape(fleet, with_secret=True)
    assert fleet["organisationId"] is None
    assert fleet["url"] == url
    assert fleet["events"] == ["camera.claimed", "camera.moved"]
    assert fleet["description"] == "fleet feed"
    assert fleet["enabled"] is True and fleet["failingSince"] is None
    assert before - 2 <= epoch_of(fleet["createdAt"]) <= time.time() + 2, fleet
    org = make_webhook(hooks, hooks.operator_token, url, organisation_id=tenant.org_id)
    assert org["organisationId"] == tenant.org_id and org["events"] == ["*"]
    assert org["secret"] != fleet["secret"]
    shown = expect(hooks.get(f"/webhooks/{org['id']}", hooks.operator_token), 200)
    assert_webhook_shape(shown, with_secret=False)  # the secret is shown only at creation
    assert shown == {k: v for k, v in org.items() if k != "secret"}
    expect(hooks.delete(f"/webhooks/{fleet['id']}", hooks.operator_token), 204)


def test_admin_gets_its_own_organisation_and_cannot_name_another(hooks):
    tenant, other = Tenant(hooks), Tenant(hooks)
    url = receiver_url(hooks)
    own = make_webhook(hooks, tenant.admin_token, url)
    assert own["organisationId"] == tenant.org_id
    named = make_webhook(hooks, tenant.admin_client_token, url, organisation_id=tenant.org_id)
    assert named["organisationId"] == tenant.org_id
    assert_error(hooks.post("/webhooks", tenant.admin_token, json={
        "url": url, "events": ["*"], "organisationId": other.org_id}), 404)
    assert_error(hooks.post("/webhooks", tenant.viewer_token, json={"url": url, "events": ["*"]}),
                 403)
    assert_error(hooks.post("/webhooks", json={"url": url, "events": ["*"]}), 401)


@pytest.mark.parametrize("events", [[], ["camera.exploded"], ["*", "camera.claimed"],
                                    ["webhook.test"], "*", None, [1], ["*", "*"]],
                         ids=lambda e: json.dumps(e))
def test_bad_events_are_400(api, tenant, events):
    body = {"url": PUBLIC_URL, "events": events}
    assert_error(api.post("/webhooks", tenant.admin_token, json=body), 400, "events")


def test_missing_or_unknown_fields_are_400(api, tenant):
    token = tenant.admin_token
    assert_error(api.post("/webhooks", token, json={"events": ["*"]}), 400, "url")
    assert_error(api.post("/webhooks", token, json={"url": PUBLIC_URL}), 400, "events")
    assert_error(api.post("/webhooks", token, json={"url": PUBLIC_URL, "events": ["*"],
                                                    "secret": "whsec_AAAA"}), 400)
    assert_error(api.post("/webhooks", token, json={"url": PUBLIC_URL, "events": ["*"],
                                                    "description": "d" * 501}), 400)
    assert_error(api.post("/webhooks", token, json={"url": 7, "events": ["*"]}), 400)
    assert_error(api.post("/webhooks", token, data=b"[1]",
                          headers={"Content-Type": "application/json"}), 400)
    assert expect(api.get("/webhooks", token), 200) == []


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://127.1.2.3:8080/hook", "http://10.0.0.1/", "http://172.16.5.4/",
    "http://192.168.1.10/", "http://100.64.0.1/", "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:a9fe:a9fe]/",
    "http://[fd00::1]/", "http://[fe80::1]/", "http://localhost/", "https://224.0.0.1/",
    "http://127.1/", "http://2130706433/", "http://0x7f000001/", "http://[::]/",
    "http://[64:ff9b::a9fe:a9fe]/"])
def test_private_hosts_are_422_without_the_flag(api, tenant, url):
    resp = api.post("/webhooks", tenant.admin_token, json={"url": url, "events": ["*"]})
    assert_error(resp, 422, "--allow-private-webhooks")
    assert expect(api.get("/webhooks", tenant.admin_token), 200) == []


@pytest.mark.parametrize("url,problem", [
    ("ftp://1.1.1.1/hook", "http"), ("file:///etc/passwd", None), ("gopher://1.1.1.1/", "http"),
    ("not a url", None), ("/relative/path", None), ("http://user:secret@1.1.1.1/", "credentials"),
    ("https://token@1.1.1.1/", "credentials"), ("http://camfleet-no-such-host.invalid/", "resolve"),
])
def test_bad_urls_are_422(api, tenant, url, problem):
    resp = api.post("/webhooks", tenant.admin_token, json={"url": url, "events": ["*"]})
    assert_error(resp, 422, problem)


def test_a_public_address_is_accepted_without_the_flag(api, tenant):
    webhook = make_webhook(api, tenant.admin_token, PUBLIC_URL, ["webhook.disabled"])
    assert webhook["url"] == PUBLIC_URL
    resp = api.patch(f"/webhooks/{webhook['id']}", tenant.admin_token,
                     json={"url": "http://10.1.1.1/"})
    assert_error(resp, 422, "private")  # PATCH checks the URL too
    expect(api.delete(f"/webhooks/{webhook['id']}", tenant.admin_token), 204)


def test_an_organisation_holds_at_most_100_webhooks(hooks):
    tenant = Tenant(hooks)
    url = receiver_url(hooks)
    token = hooks.operator_token
    for _ in range(100):
        make_webhook(hooks, token, url, ["webhook.disabled"], organisation_id=tenant.org_id)
    resp = hooks.post("/webhooks", token, json={"url": url, "events": ["*"],
                                                "organisationId": tenant.org_id})
    assert_error(resp, 409, "100")
    listed = expect(hooks.get("/webhooks", token, params={"organisationId": tenant.org_id,
                                                         "limit": 1000}), 200)
    assert len(listed) == 100
    # another organisation is not held back by this one
    make_webhook(hooks, Tenant(hooks).admin_token, url, ["webhook.disabled"])


# ---------------------------------------------------------------------------------------------
# reading, changing and deleting: who sees what

def test_admins_see_only_their_organisations_webhooks(hooks):
    tenant, other = Tenant(hooks), Tenant(hooks)
    url = receiver_url(hooks)
    mine = make_webhook(hooks, tenant.admin_token, url, ["camera.paused"])
    theirs = make_webhook(hooks, other.admin_token, url, ["camera.paused"])
    fleet = make_webhook(hooks, hooks.operator_token, url, ["webhook.disabled"])
    try:
        token = tenant.admin_token
        listed = expect(hooks.get("/webhooks", token), 200)
        assert [w["id"] for w in listed] == [mine["id"]]
        assert "secret" not in listed[0]
        # naming another organisation (or none) does not widen an admin's view
        named = expect(hooks.get("/webhooks", token, params={"organisationId": other.org_id}), 200)
        assert [w["id"] for w in named] == [mine["id"]]
        for webhook in (theirs, fleet):
            path = f"/webhooks/{webhook['id']}"
            assert_error(hooks.get(path, token), 404)
            assert_error(hooks.patch(path, token, json={"description": "x"}), 404)
            assert_error(hooks.delete(path, token), 404)
            assert_error(hooks.post(path + "/rotate-secret", token), 404)
            assert_error(hooks.post(path + "/test", token), 404)
            assert_error(hooks.get(path + "/deliveries", token), 404)
        # the viewer may do nothing with webhooks, not even its own organisation's
        viewer = tenant.viewer_token
        assert_error(hooks.get("/webhooks", viewer), 403)
        assert_error(hooks.get(f"/webhooks/{mine['id']}", viewer), 403)
        assert_error(hooks.delete(f"/webhooks/{mine['id']}", viewer), 403)
        # the operator sees all three, and filters by organisation
        operator = hooks.operator_token
        for webhook in (mine, theirs, fleet):
            expect(hooks.get(f"/webhooks/{webhook['id']}", operator), 200)
        filtered = expect(hooks.get("/webhooks", operator,
                                    params={"organisationId": other.org_id}), 200)
        assert [w["id"] for w in filtered] == [theirs["id"]]
        everything = walk_webhooks(hooks, operator, {"limit": 1000})
        assert {mine["id"], theirs["id"], fleet["id"]} <= {w["id"] for w in everything}
        # and nothing changed for the other tenant's admin
        assert expect(hooks.get(f"/webhooks/{theirs['id']}", other.admin_token), 200)["url"] == url
    finally:
        expect(hooks.delete(f"/webhooks/{fleet['id']}", hooks.operator_token), 204)


def next_link(resp):
    link = resp.headers.get("Link")
    if link is None:
        return None
    match = LINK_RE.match(link.strip())
    assert match, f"malformed Link header {link!r}"
    target = match.group(1)
    if target.startswith("http"):
        target = "/" + target.split("/", 3)[3]
    return target


def walk_webhooks(api, token, params):
    resp = api.get("/webhooks", token, params=params)
    found = list(expect(resp, 200))
    link = next_link(resp)
    while link is not None:
        assert link.startswith("/webhooks?"), link
        resp = api.get(link, token)
        found.extend(expect(resp, 200))
        link = next_link(resp)
    return found


def test_webhook_lists_come_in_id_order_with_next_links(hooks):
    tenant = Tenant(hooks)
    url = receiver_url(hooks)
    made = {make_webhook(hooks, tenant.admin_token, url, ["camera.paused"])["id"] for _ in range(5)}
    resp = hooks.get("/webhooks", tenant.admin_token, params={"limit": 2})
    assert len(expect(resp, 200)) == 2 and next_link(resp) is not None, describe(resp)
    walked = walk_webhooks(hooks, tenant.admin_token, {"limit": 2})
    assert [w["id"] for w in walked] == sorted(made)
    whole = hooks.get("/webhooks", tenant.admin_token, params={"limit": 5})
    assert len(expect(whole, 200)) == 5 and next_link(whole) is None
    for bad in ({"limit": "0"}, {"limit": "x"}, {"after": "nope"}, {"organisationId": "nope"}):
        resp = hooks.get("/webhooks", tenant.admin_token, params=bad)
        assert resp.status_code in (400, 422), describe(resp)


def test_patch_changes_url_events_description_and_enabled(hooks):
    tenant = Tenant(hooks)
    webhook = make_webhook(hooks, tenant.admin_token, receiver_url(hooks), ["camera.paused"])
    path = f"/webhooks/{webhook['id']}"
    token = tenant.admin_token
    new_url = receiver_url(hooks)
    changed = expect(hooks.patch(path, token, json={
        "url": new_url, "events": ["camera.resumed", "camera.claimed"], "description": "ops",
        "enabled": False}), 200)
    assert_webhook_shape(changed, with_secret=False)
    assert changed["url"] == new_url
    assert changed["events"] == ["camera.claimed", "camera.resumed"]  # in type order
    assert changed["description"] == "ops" and changed["enabled"] is False
    assert changed["id"] == webhook["id"] and changed["createdAt"] == webhook["createdAt"]
    assert expect(hooks.get(path, token), 200) == changed
    assert expect(hooks.patch(path, token, json={"events": ["*"]}), 200)["events"] == ["*"]
    for bad in ({"enabled": "yes"}, {"enabled": None}, {"events": []}, {"secret": "whsec_x"},
                {"organisationId": None}, {"url": ""}, {"description": 5}):  # read-only: another value
        resp = hooks.patch(path, token, json=bad)
        assert_error(resp, 400)
    assert_error(hooks.patch(path, token, json={"url": "ftp://1.1.1.1/"}), 422)
    assert expect(hooks.get(path, token), 200)["enabled"] is False  # the refusals changed nothing
    expect(hooks.delete(path, token), 204)
    assert_error(hooks.get(path, token), 404)
    assert_error(hooks.delete(path, token), 404)
    assert_error(hooks.patch(path, token, json={"enabled": True}), 404)


# ---------------------------------------------------------------------------------------------
# fan-out and signatures

def test_the_verifier_refuses_what_it_should():
    """The test's own verifier, on a message signed here: it must not accept everything."""
    import hashlib
    import hmac
    secret = "whsec_" + base64.b64encode(bytes(range(32))).decode()
    body, now = b'{"a":1}', int(time.time())
    mac = hmac.new(bytes(range(32)), f"m1.{now}.".encode() + body, hashlib.sha256).digest()
    good = {"webhook-id": "m1", "webhook-timestamp": str(now),
            "webhook-signature": "v1,bm90IHRoaXMgb25l v1," + base64.b64encode(mac).decode()}
    assert verify_signature(secret, good, body) == "m1"
    for headers, signed_body, at in (
            ({**good, "webhook-id": "m2"}, body, now), (good, body + b" ", now),
            ({**good, "webhook-signature": good["webhook-signature"].replace("v1,", "v2,")},
             body, now),
            (good, body, now + 301), (good, body, now - 301),
            ({k: v for k, v in good.items() if k != "webhook-timestamp"}, body, now)):
        with pytest.raises(SignatureError):
            verify_signature(secret, headers, signed_body, now=at)
    with pytest.raises(SignatureError):
        verify_signature("whsec_" + base64.b64encode(bytes(32)).decode(), good, body)


def test_events_fan_out_to_the_enabled_webhooks_that_may_see_them(hooks):
    a, b = Tenant(hooks), Tenant(hooks)
    receiver, operator = hooks.receiver, hooks.operator_token
    urls = {name: receiver.url() for name in ("a_all", "a_paused", "a_disabled", "b_all", "fleet")}
    hooks_made = {
        "a_all": make_webhook(hooks, a.admin_token, urls["a_all"]),
        "a_paused": make_webhook(hooks, a.admin_token, urls["a_paused"], ["camera.paused"]),
        "a_disabled": make_webhook(hooks, a.admin_token, urls["a_disabled"]),
        "b_all": make_webhook(hooks, b.admin_token, urls["b_all"]),
        "fleet": make_webhook(hooks, operator, urls["fleet"]),
    }
    expect(hooks.patch(f"/webhooks/{hooks_made['a_disabled']['id']}", a.admin_token,
                       json={"enabled": False}), 200)
    try:
        camera = a.camera()
        expect(hooks.put(f"/cameras/{camera['id']}/state/paused", a.admin_token), 201)
        events = {kind: camera_event(hooks, operator, camera["id"], kind)
                  for kind in ("camera.registered", "camera.claimed", "camera.paused")}

        def of_camera(got):
            return [item for item in got if json.loads(item.body).get("cameraId") == camera["id"]]

        expected = {"fleet": ["camera.claimed", "camera.paused", "camera.registered"],
                    "a_all": ["camera.claimed", "camera.paused"], "a_paused": ["camera.paused"]}
        for name, types in expected.items():
            got = receiver.wait_for(urls[name], lambda g, n=len(types): len(of_camera(g)) >= n)
            got = of_camera(got)
            assert sorted(json.loads(item.body)["type"] for item in got) == types, name
            for item in got:
                event = json.loads(item.body)
                assert event == events[event["type"]], "the body is the event as GET /events has it"
                assert item.msg_id == event["id"]
                assert verify_signature(hooks_made[name]["secret"], item.headers, item.body)
                assert item.headers.get("Content-Type") == "application/json"
                assert len(signatures_of(item.headers)) == 1
        # deliveries are written with their events: the logs are complete already
        log = deliveries(hooks, a.admin_token, hooks_made["a_all"]["id"])
        assert [d["eventId"] for d in log] == [events["camera.paused"]["id"],
                                               events["camera.claimed"]["id"]]  # newest first
        for delivery in log:
            assert set(delivery) == DELIVERY_KEYS, delivery
            assert delivery["eventType"] == events_by_id(events)[delivery["eventId"]]["type"]
        assert deliveries(hooks, a.admin_token, hooks_made["a_disabled"]["id"]) == []
        assert deliveries(hooks, b.admin_token, hooks_made["b_all"]["id"]) == []
        assert of_camera(receiver.received(urls["b_all"])) == []
        assert receiver.received(urls["a_disabled"]) == []
        for delivery in wait_all_succeeded(hooks, a.admin_token, hooks_made["a_all"]["id"], 2):
            assert delivery["attempts"] == 1 and delivery["responseStatus"] == 200, delivery
            assert delivery["error"] is None and delivery["nextAttemptAt"] is None, delivery
            assert delivery["lastAttemptAt"] is not None, delivery
    finally:
        expect(hooks.delete(f"/webhooks/{hooks_made['fleet']['id']}", operator), 204)


def events_by_id(events):
    return {event["id"]: event for event in events.values()}


def wait_all_succeeded(api, token, webhook_id, count, timeout=15.0):
    deadline = time.monotonic() + timeout
    while True:
        log = deliveries(api, token, webhook_id)
        if len(log) == count and all(d["status"] == "succeeded" for d in log):
            return log
        assert time.monotonic() < deadline, f"not all {count} deliveries succeeded: {log}"
        time.sleep(0.05)


# ---------------------------------------------------------------------------------------------
# test, rotate-secret, retry and the delivery log

def test_test_sends_a_webhook_test_event_to_that_webhook_only(hooks):
    tenant = Tenant(hooks)
    receiver, token = hooks.receiver, tenant.admin_token
    url, other_url = receiver.url(), receiver.url()
    webhook = make_webhook(hooks, token, url)
    other = make_webhook(hooks, token, other_url)
    fleet = make_webhook(hooks, hooks.operator_token, receiver.url())
    accepted = expect(hooks.post(f"/webhooks/{webhook['id']}/test", token), 202)
    assert set(accepted) == DELIVERY_KEYS, accepted
    assert accepted["status"] == "pending" and accepted["eventType"] == "webhook.test", accepted
    assert accepted["attempts"] == 0 and accepted["responseStatus"] is None, accepted
    got = receiver.wait_for(url, lambda g: len(g) >= 1)
    event = json.loads(got[0].body)
    assert event["id"] == accepted["eventId"] == got[0].msg_id
    assert event["type"] == "webhook.test" and event["organisationId"] == tenant.org_id, event
    assert event["data"] == {"webhookId": webhook["id"], "url": url}, event
    assert verify_signature(webhook["secret"], got[0].headers, got[0].body) == event["id"]
    done = wait_delivery(hooks, token, webhook["id"], accepted["id"],
                         lambda d: d["status"] == "succeeded")
    assert done["attempts"] == 1 and done["responseStatus"] == 200 and done["error"] is None, done
    assert done["lastAttemptAt"] is not None and done["nextAttemptAt"] is None, done
    # the audit log has it, as it was delivered
    logged = expect(hooks.get("/events", token, params={"type": "webhook.test"}), 200)
    assert logged == [event]
    assert deliveries(hooks, token, other["id"]) == []
    assert receiver.received(other_url) == []
    fleet_log = deliveries(hooks, hooks.operator_token, fleet["id"])
    expect(hooks.delete(f"/webhooks/{fleet['id']}", hooks.operator_token), 204)
    assert accepted["eventId"] not in {d["eventId"] for d in fleet_log}, "not even to the fleet's"


def test_a_rotated_secret_signs_beside_the_previous_one(hooks):
    tenant = Tenant(hooks)
    receiver, token = hooks.receiver, tenant.admin_token
    url = receiver.url()
    webhook = make_webhook(hooks, token, url)
    rotated = expect(hooks.post(f"/webhooks/{webhook['id']}/rotate-secret", token), 200)
    assert_webhook_shape(rotated, with_secret=True)
    assert rotated["secret"] != webhook["secret"]
    assert {k: v for k, v in rotated.items() if k != "secret"} == \
        {k: v for k, v in webhook.items() if k != "secret"}
    assert "secret" not in expect(hooks.get(f"/webhooks/{webhook['id']}", token), 200)

    expect(hooks.post(f"/webhooks/{webhook['id']}/test", token), 202)
    first = receiver.wait_for(url, lambda g: len(g) >= 1)[0]
    signatures = signatures_of(first.headers)
    assert len(signatures) == 2, first.headers.get("webhook-signature")
    assert verify_signature(rotated["secret"], first.headers, first.body)
    assert verify_signature(webhook["secret"], first.headers, first.body)
    only_new = {**dict(first.headers.items()), "webhook-signature": signatures[0]}
    assert verify_signature(rotated["secret"], only_new, first.body)  # the new one comes first

    again = expect(hooks.post(f"/webhooks/{webhook['id']}/rotate-secret", token), 200)
    expect(hooks.post(f"/webhooks/{webhook['id']}/test", token), 202)
    second = receiver.wait_for(url, lambda g: len(g) >= 2)[1]
    assert len(signatures_of(second.headers)) == 2
    assert verify_signature(again["secret"], second.headers, second.body)
    assert verify_signature(rotated["secret"], second.headers, second.body)
    with pytest.raises(SignatureError):  # two rotations ago: no longer signs
        verify_signature(webhook["secret"], second.headers, second.body)


def test_retry_sends_a_delivery_again_under_the_same_id(hooks):
    tenant = Tenant(hooks)
    receiver, token = hooks.receiver, tenant.admin_token
    url = receiver.url()
    webhook = make_webhook(hooks, token, url)
    accepted = expect(hooks.post(f"/webhooks/{webhook['id']}/test", token), 202)
    base = f"/webhooks/{webhook['id']}/deliveries/{accepted['id']}"
    wait_delivery(hooks, token, webhook["id"], accepted["id"], lambda d: d["status"] == "succeeded")
    retried = expect(hooks.post(base + "/retry", token), 202)
    assert retried["id"] == accepted["id"] and retried["status"] == "pending", retried
    got = receiver.wait_for(url, lambda g: len(g) >= 2)
    assert [item.msg_id for item in got] == [accepted["eventId"]] * 2
    assert got[0].body == got[1].body
    done = wait_delivery(hooks, token, webhook["id"], accepted["id"],
                         lambda d: d["status"] == "succeeded" and d["attempts"] == 2)
    assert done["eventId"] == accepted["eventId"], done

    other = make_webhook(hooks, token, receiver.url())
    assert_error(hooks.post(f"/webhooks/{other['id']}/deliveries/{accepted['id']}/retry", token),
                 404)
    assert_error(hooks.get(f"/webhooks/{other['id']}/deliveries/{accepted['id']}", token), 404)
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_error(hooks.post(f"/webhooks/{webhook['id']}/deliveries/{unknown}/retry", token), 404)
    assert_error(hooks.get(f"/webhooks/{webhook['id']}/deliveries/{unknown}", token), 404)

    expect(hooks.patch(f"/webhooks/{webhook['id']}", token, json={"enabled": False}), 200)
    assert_error(hooks.post(base + "/retry", token), 409)
    assert_error(hooks.post(f"/webhooks/{webhook['id']}/test", token), 409)
    expect(hooks.patch(f"/webhooks/{webhook['id']}", token, json={"enabled": True}), 200)
    expect(hooks.post(base + "/retry", token), 202)


def test_delivery_log_filters_by_status_and_pages_newest_first(hooks):
    tenant = Tenant(hooks)
    receiver, token = hooks.receiver, tenant.admin_token
    url = receiver.url()
    webhook = make_webhook(hooks, token, url)
    made = []
    for _ in range(3):
        made.append(expect(hooks.post(f"/webhooks/{webhook['id']}/test", token), 202)["id"])
        time.sleep(0.002)  # distinct creation times
    wait_all_succeeded(hooks, token, webhook["id"], 3)
    path = f"/webhooks/{webhook['id']}/deliveries"
    assert [d["id"] for d in expect(hooks.get(path, token), 200)] == made[::-1]
    assert len(expect(hooks.get(path, token, params={"status": "succeeded"}), 200)) == 3
    assert expect(hooks.get(path, token, params={"status": "failed"}), 200) == []
    both = expect(hooks.get(path, token, params=[("status", "pending"), ("status", "failed")]), 200)
    assert both == []
    resp = hooks.get(path, token, params={"limit": 2})
    page = expect(resp, 200)
    assert [d["id"] for d in page] == made[:0:-1]
    link = resp.headers.get("Link")
    assert link is not None and 'rel="next"' in link, describe(resp)
    target = LINK_RE.match(link.strip()).group(1)
    target = "/" + target.split("/", 3)[3] if target.startswith("http") else target
    assert target.startswith(path + "?"), target
    assert [d["id"] for d in expect(hooks.get(target, token), 200)] == made[:1]
    for bad in ({"status": "done"}, {"limit": "0"}, {"after": "x"}):
        resp = hooks.get(path, token, params=bad)
        assert resp.status_code in (400, 422), describe(resp)
    assert_error(hooks.get(path, tenant.viewer_token), 403)


def test_the_previous_secret_stops_signing_when_its_day_is_over(hooks):
    tenant = Tenant(hooks)
    receiver, token = hooks.receiver, tenant.admin_token
    url = receiver.url()
    webhook = make_webhook(hooks, token, url)
    rotated = expect(hooks.post(f"/webhooks/{webhook['id']}/rotate-secret", token), 200)
    # 24 h later (planted: the previous secret's end moved to the past)
    run_sql(hooks.server.database, "UPDATE webhooks SET previous_secret_until_ms = "
            f"{int(time.time() * 1000) - 1} WHERE id = '{webhook['id']}'")
    expect(hooks.post(f"/webhooks/{webhook['id']}/test", token), 202)
    got = receiver.wait_for(url, lambda g: len(g) >= 1)[0]
    assert len(signatures_of(got.headers)) == 1, got.headers.get("webhook-signature")
    assert verify_signature(rotated["secret"], got.headers, got.body)
    with pytest.raises(SignatureError):
        verify_signature(webhook["secret"], got.headers, got.body)


def test_patch_of_one_field_leaves_the_others_as_they_were(hooks):
    tenant = Tenant(hooks)
    token = tenant.admin_token
    url = receiver_url(hooks)
    webhook = make_webhook(hooks, token, url, ["camera.paused"], description="keep me")
    shown = {k: v for k, v in webhook.items() if k != "secret"}
    path = f"/webhooks/{webhook['id']}"
    new_url = receiver_url(hooks)
    for change in ({"enabled": False}, {"enabled": True}, {"events": ["camera.moved"]},
                   {"description": "changed"}, {"url": new_url}, {}):
        shown.update(change)
        assert expect(hooks.patch(path, token, json=change), 200) == shown, change
        assert expect(hooks.get(path, token), 200) == shown, change


def test_pending_deliveries_wait_while_disabled_and_go_when_enabled_again(hooks):
    tenant = Tenant(hooks)
    receiver, token = hooks.receiver, tenant.admin_token
    url = receiver.url([500, 200])
    webhook = make_webhook(hooks, token, url)
    accepted = expect(hooks.post(f"/webhooks/{webhook['id']}/test", token), 202)
    receiver.wait_for(url, lambda g: len(g) >= 1)
    expect(hooks.patch(f"/webhooks/{webhook['id']}", token, json={"enabled": False}), 200)
    failed_once = wait_delivery(hooks, token, webhook["id"], accepted["id"],
                                lambda d: d["attempts"] == 1)
    assert failed_once["status"] == "pending", failed_once
    time.sleep(1.5)  # past the 1 s step: a disabled webhook is not sent to
    assert len(receiver.received(url)) == 1
    assert wait_delivery(hooks, token, webhook["id"], accepted["id"],
                         lambda d: True)["attempts"] == 1
    expect(hooks.patch(f"/webhooks/{webhook['id']}", token, json={"enabled": True}), 200)
    done = wait_delivery(hooks, token, webhook["id"], accepted["id"],
                         lambda d: d["status"] == "succeeded")
    assert done["attempts"] == 2, done
    got = receiver.received(url)
    assert len(got) == 2 and got[0].msg_id == got[1].msg_id == accepted["eventId"]


def test_deleting_a_webhook_deletes_its_deliveries(hooks):
    tenant = Tenant(hooks)
    token = tenant.admin_token
    webhook = make_webhook(hooks, token, hooks.receiver.url())
    accepted = expect(hooks.post(f"/webhooks/{webhook['id']}/test", token), 202)
    expect(hooks.delete(f"/webhooks/{webhook['id']}", token), 204)
    assert_error(hooks.get(f"/webhooks/{webhook['id']}/deliveries", token), 404)
    assert_error(hooks.get(f"/webhooks/{webhook['id']}/deliveries/{accepted['id']}", token), 404)
    # the webhook.test event stays in the audit log
    logged = expect(hooks.get("/events", token, params={"type": "webhook.test"}), 200)
    assert [event["id"] for event in logged] == [accepted["eventId"]]


def test_an_organisations_webhooks_go_with_it(hooks):
    operator = hooks.operator_token
    org = expect(hooks.post("/organisations", operator, json={"name": f"gone-{time.time_ns()}"}),
                 201)
    webhook = make_webhook(hooks, operator, receiver_url(hooks), organisation_id=org["id"])
    expect(hooks.post(f"/webhooks/{webhook['id']}/test", operator), 202)
    expect(hooks.delete(f"/organisations/{org['id']}", operator), 204)
    assert_error(hooks.get(f"/webhooks/{webhook['id']}", operator), 404)
    assert expect(hooks.get("/webhooks", operator, params={"organisationId": org["id"]}), 200) == []
    # and none can be made for it any more
    resp = hooks.post("/webhooks", operator, json={"url": receiver_url(hooks), "events": ["*"],
                                                   "organisationId": org["id"]})
    assert_error(resp, 404)


def test_a_description_holds_500_characters_of_any_script(hooks):
    tenant = Tenant(hooks)
    token = tenant.admin_token
    for text in ("d" * 500, "é" * 500, "気" * 500, "🎥" * 500):
        webhook = make_webhook(hooks, token, receiver_url(hooks), description=text)
        assert webhook["description"] == text
        changed = expect(hooks.patch(f"/webhooks/{webhook['id']}", token,
                                     json={"description": text[:250]}), 200)
        assert changed["description"] == text[:250]
        resp = hooks.post("/webhooks", token, json={"url": receiver_url(hooks), "events": ["*"],
                                                    "description": text + text[0]})
        assert_error(resp, 400, "500 characters")
