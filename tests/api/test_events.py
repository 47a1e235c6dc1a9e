"""The events audit log (issue 12): GET /events — every camera change writes one event with the
actor that made it (user token, API client, the requester of an asynchronous request) and its
data; newest first; the filters, their combinations and their 422s; keyset pages with the Link
header; visibility per role; and the outbox across a `kill -9` (no change without its event, no
event without its change)."""
import calendar
import json
import re
import signal
import threading
import time
from urllib.parse import parse_qs, urlsplit

import requests

from conftest import (METRIC_KEYS, REQUEST_TIMEOUT, Api, assert_camera_shape, assert_error,
                      assert_unauthorized, assert_uuid, claim_camera, describe, expect, grant_sites,
                      make_client, make_org, make_site, make_user, new_id, register_camera,
                      submit_register, user_token, wait_request)

EVENT_KEYS = {"id", "type", "occurredAt", "organisationId", "siteId", "cameraId", "actor", "data"}
OCCURRED_AT_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{3})Z$")
LINK_RE = re.compile(r'^<([^>]+)>;\s*rel="next"$')
EVENT_TYPES = ("camera.registered", "camera.claimed", "camera.updated", "camera.paused",
               "camera.resumed", "camera.moved", "camera.decommissioned")


# --- helpers --------------------------------------------------------------------------------------

def occurred_ms(event):
    """Epoch milliseconds of an event's occurredAt (RFC 3339, UTC, milliseconds)."""
    match = OCCURRED_AT_RE.match(event["occurredAt"])
    assert match, f"occurredAt is not RFC 3339 with milliseconds: {event['occurredAt']!r}"
    seconds = calendar.timegm(time.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S"))
    return seconds * 1000 + int(match.group(2))


def assert_event_shape(event):
    assert isinstance(event, dict) and set(event) == EVENT_KEYS, event
    assert_uuid(event["id"])
    assert event["type"] in EVENT_TYPES, event
    occurred_ms(event)
    for key in ("organisationId", "siteId", "cameraId"):
        if event[key] is not None:
            assert_uuid(event[key])
    assert set(event["actor"]) == {"kind", "id"}, event
    assert event["actor"]["kind"] in ("user", "client", "device", "system"), event
    assert isinstance(event["data"], dict), event
    assert_camera_shape(event["data"]["camera"], include_metrics=False)
    assert event["data"]["camera"]["id"] == event["cameraId"], event


def list_events(api, token, params=None):
    """GET /events (params: a dict or a list of pairs, for a repeated type); the 200 response."""
    resp = api.get("/events", token, params=params)
    body = expect(resp, 200)
    assert isinstance(body, list), describe(resp)
    for event in body:
        assert_event_shape(event)
    return resp


def events_of(api, token, params=None):
    """One page of GET /events, checked, as a list."""
    return list_events(api, token, params).json()


def camera_events(api, camera_id, token=None):
    """Every event of one camera (newest first), as the operator (or token) sees them."""
    return events_of(api, token or api.operator_token, {"cameraId": camera_id, "limit": 1000})


def next_link(resp):
    """The path of the rel="next" link, or None."""
    link = resp.headers.get("Link")
    if link is None:
        return None
    match = LINK_RE.match(link.strip())
    assert match, f"malformed Link header {link!r}"
    target = match.group(1)
    if target.startswith("http://") or target.startswith("https://"):
        target = "/" + target.split("/", 3)[3]
    assert target.startswith("/events?"), link
    return target


def walk_pages(api, token, params):
    """Follows the Link headers from the first page; returns (every event, the pages' sizes)."""
    resp = list_events(api, token, params)
    found, sizes = list(resp.json()), [len(resp.json())]
    link = next_link(resp)
    while link is not None:
        assert len(sizes) < 100, "the Link headers do not end"
        resp = api.get(link, token)
        page = expect(resp, 200)
        for event in page:
            assert_event_shape(event)
        query = parse_qs(urlsplit(link).query)
        assert query["after"] == [found[-1]["id"]], link
        found.extend(page)
        sizes.append(len(page))
        link = next_link(resp)
    return found, sizes


def types(events):
    return [event["type"] for event in events]


def ids(events):
    return [event["id"] for event in events]


def without_metrics(camera):
    return {key: value for key, value in camera.items() if key not in METRIC_KEYS}


def read_camera(api, camera_id, token=None):
    return expect(api.get(f"/cameras/{camera_id}", token or api.operator_token,
                          params={"includeMetrics": "false"}), 200)


def set_state(api, token, camera_id, state):
    return expect(api.put(f"/cameras/{camera_id}/state/{state}", token), 201)


def submit_state(api, token, camera_id, new_state):
    """POST /put-camera-state-requests and wait until it succeeded."""
    accepted = expect(api.post("/put-camera-state-requests", token,
                               json={"cameraId": camera_id, "newState": new_state}), 202)
    final = wait_request(api, "put-camera-state-requests", accepted["id"], token)
    assert final["status"] == "succeeded", final


def now_ms():
    return int(time.time() * 1000)


def assert_newest(api, camera_id, event_type, actor, count, before_ms, token=None):
    """The camera has count events, the newest of event_type by actor, made in [before_ms, now]."""
    found = camera_events(api, camera_id, token)
    assert len(found) == count, types(found)
    newest = found[0]
    assert newest["type"] == event_type, newest
    assert newest["actor"] == actor, newest
    assert newest["cameraId"] == camera_id, newest
    assert before_ms - 1 <= occurred_ms(newest) <= now_ms() + 1, (newest, before_ms)
    return newest


def user_actor(user):
    return {"kind": "user", "id": user["id"]}


def client_actor(client):
    return {"kind": "client", "id": client["clientId"]}


# --- each action, its event and actor -------------------------------------------------------------

def test_registration_event_names_the_api_client_that_asked(api):
    before = now_ms()
    camera = register_camera(api)
    event = assert_newest(api, camera["id"], "camera.registered",
                          client_actor(api.operator_client), 1, before)
    assert event["organisationId"] is None and event["siteId"] is None
    assert event["data"] == {"camera": read_camera(api, camera["id"])}
    assert event["data"]["camera"]["state"] == "registered"


def test_registration_event_names_the_operator_user_that_asked(api):
    operator = make_user(api, None, "operator")
    token = user_token(api, operator)
    before = now_ms()
    accepted, camera_id, _ = submit_register(api, token=token)
    assert wait_request(api, "register-camera-requests", accepted["id"])["status"] == "succeeded"
    assert_newest(api, camera_id, "camera.registered", user_actor(operator), 1, before)


def test_claim_event_by_a_user_token(api, tenant):
    registered = register_camera(api)
    before = now_ms()
    camera = claim_camera(api, tenant.admin_token, registered["serialNumber"], tenant.site_id,
                          name="Entrance")
    event = assert_newest(api, camera["id"], "camera.claimed", user_actor(tenant.admin), 2, before)
    assert (event["organisationId"], event["siteId"]) == (tenant.org_id, tenant.site_id)
    assert event["data"] == {"camera": without_metrics(camera)}


def test_claim_event_by_an_api_client(api, tenant):
    registered = register_camera(api)
    before = now_ms()
    camera = claim_camera(api, tenant.admin_client_token, registered["serialNumber"],
                          tenant.site_id)
    event = assert_newest(api, camera["id"], "camera.claimed", client_actor(tenant.admin_client),
                          2, before)
    assert event["data"] == {"camera": without_metrics(camera)}


def test_update_event_names_exactly_the_changed_fields(api, tenant):
    camera = tenant.camera(name="Old name")
    before = now_ms()
    patched = expect(api.patch(f"/cameras/{camera['id']}", tenant.admin_token,
                               json={"name": "New name", "direction1Alias": "In",
                                     "direction2Alias": None}), 200)
    event = assert_newest(api, camera["id"], "camera.updated", user_actor(tenant.admin), 3, before)
    assert event["data"] == {
        "camera": without_metrics(patched),
        "changes": {"name": {"old": "Old name", "new": "New name"},
                    "direction1Alias": {"old": None, "new": "In"}},
    }
    before = now_ms()
    patched = expect(api.patch(f"/cameras/{camera['id']}", tenant.admin_client_token,
                               json={"name": None, "direction1Alias": "In",
                                     "direction2Alias": ""}), 200)
    event = assert_newest(api, camera["id"], "camera.updated",
                          client_actor(tenant.admin_client), 4, before)
    assert event["data"] == {
        "camera": without_metrics(patched),
        "changes": {"name": {"old": "New name", "new": None},
                    "direction2Alias": {"old": None, "new": ""}},
    }


def test_patch_that_changes_nothing_writes_no_event(api, tenant):
    camera = tenant.camera(name="Same")
    expect(api.patch(f"/cameras/{camera['id']}", tenant.admin_token, json={}), 200)
    expect(api.patch(f"/cameras/{camera['id']}", tenant.admin_token,
                     json={"name": "Same", "direction1Alias": None}), 200)
    assert types(camera_events(api, camera["id"])) == ["camera.claimed", "camera.registered"]


def test_pause_and_resume_events_by_put_state(api, tenant):
    camera = tenant.camera()
    before = now_ms()
    paused = set_state(api, tenant.admin_token, camera["id"], "paused")
    event = assert_newest(api, camera["id"], "camera.paused", user_actor(tenant.admin), 3, before)
    assert event["data"] == {"camera": without_metrics(paused)}
    assert event["data"]["camera"]["state"] == "paused"
    set_state(api, tenant.admin_token, camera["id"], "paused")  # already paused: no change
    assert len(camera_events(api, camera["id"])) == 3
    before = now_ms()
    running = set_state(api, api.operator_token, camera["id"], "running")
    event = assert_newest(api, camera["id"], "camera.resumed", client_actor(api.operator_client),
                          4, before)
    assert event["data"] == {"camera": without_metrics(running)}


def test_pause_and_resume_events_by_state_requests_name_the_requester(api, tenant):
    camera = tenant.camera()
    before = now_ms()
    submit_state(api, tenant.admin_token, camera["id"], "claimed_paused")
    event = assert_newest(api, camera["id"], "camera.paused", user_actor(tenant.admin), 3, before)
    assert event["data"]["camera"] == read_camera(api, camera["id"])
    before = now_ms()
    submit_state(api, tenant.admin_client_token, camera["id"], "claimed")
    event = assert_newest(api, camera["id"], "camera.resumed", client_actor(tenant.admin_client),
                          4, before)
    assert event["data"]["camera"]["state"] == "running"


def test_move_event_names_both_sites_and_the_new_position(api, tenant):
    camera = tenant.camera(name="Mover")
    target = tenant.add_site()
    before = now_ms()
    moved = expect(api.post(f"/cameras/{camera['id']}/move", tenant.admin_token,
                            json={"siteId": target["id"]}), 201)
    event = assert_newest(api, camera["id"], "camera.moved", user_actor(tenant.admin), 3, before)
    assert event["siteId"] == target["id"] and event["organisationId"] == tenant.org_id
    assert moved["cameraPositionId"] != camera["cameraPositionId"]
    assert event["data"] == {"camera": without_metrics(moved), "fromSiteId": tenant.site_id,
                             "toSiteId": target["id"],
                             "cameraPositionId": moved["cameraPositionId"]}


def test_decommission_event(api, tenant):
    camera = tenant.camera()
    before = now_ms()
    expect(api.delete(f"/cameras/{camera['id']}", tenant.admin_client_token), 204)
    event = assert_newest(api, camera["id"], "camera.decommissioned",
                          client_actor(tenant.admin_client), 3, before)
    assert (event["organisationId"], event["siteId"]) == (tenant.org_id, tenant.site_id)
    assert event["data"] == {"camera": read_camera(api, camera["id"])}
    assert event["data"]["camera"]["state"] == "decommissioned"


def test_refused_changes_write_no_event(api, tenant, other_tenant):
    camera = tenant.camera()
    assert_error(api.put(f"/cameras/{camera['id']}/state/paused", tenant.viewer_token), 403)
    assert_error(api.patch(f"/cameras/{camera['id']}", other_tenant.admin_token,
                           json={"name": "x"}), 404)
    assert_error(api.post(f"/cameras/{camera['id']}/move", tenant.admin_token,
                          json={"siteId": other_tenant.site_id}), 404)
    assert_error(api.post("/cameras", tenant.admin_token,
                          json={"serialNumber": camera["serialNumber"],
                                "siteId": tenant.site_id}), 409)
    expect(api.delete(f"/cameras/{camera['id']}", tenant.admin_token), 204)
    assert_error(api.put(f"/cameras/{camera['id']}/state/running", tenant.admin_token), 422)
    assert_error(api.delete(f"/cameras/{camera['id']}", tenant.admin_token), 422)
    assert types(camera_events(api, camera["id"])) == \
        ["camera.decommissioned", "camera.claimed", "camera.registered"]


# --- order and filters ----------------------------------------------------------------------------

def test_events_are_newest_first_across_cameras(api, tenant):
    first, second = tenant.camera(), tenant.camera()
    token = tenant.admin_token
    set_state(api, token, first["id"], "paused")
    set_state(api, token, second["id"], "paused")
    set_state(api, token, first["id"], "running")
    expect(api.patch(f"/cameras/{second['id']}", token, json={"name": "Second"}), 200)
    expect(api.delete(f"/cameras/{first['id']}", token), 204)
    found = events_of(api, token, {"siteId": tenant.site_id})
    assert [(event["type"], event["cameraId"]) for event in found] == [
        ("camera.decommissioned", first["id"]), ("camera.updated", second["id"]),
        ("camera.resumed", first["id"]), ("camera.paused", second["id"]),
        ("camera.paused", first["id"]), ("camera.claimed", second["id"]),
        ("camera.claimed", first["id"])]
    times = [occurred_ms(event) for event in found]
    assert times == sorted(times, reverse=True)
    assert len(set(ids(found))) == len(found)


def test_filter_by_one_type_and_by_repeated_types(api, tenant):
    camera = tenant.camera()
    token = tenant.admin_token
    for state in ("paused", "running", "paused"):
        set_state(api, token, camera["id"], state)
    every = camera_events(api, camera["id"])
    assert types(every) == ["camera.paused", "camera.resumed", "camera.paused", "camera.claimed",
                            "camera.registered"]
    paused = events_of(api, token, {"cameraId": camera["id"], "type": "camera.paused"})
    assert ids(paused) == [every[0]["id"], every[2]["id"]]
    both = events_of(api, token, [("cameraId", camera["id"]), ("type", "camera.resumed"),
                                  ("type", "camera.claimed")])
    assert ids(both) == [every[1]["id"], every[3]["id"]]
    assert events_of(api, token, {"cameraId": camera["id"], "type": "camera.moved"}) == []
    assert events_of(api, token, [("cameraId", camera["id"]), ("type", "camera.offline"),
                                  ("type", "webhook.test")]) == []


def test_filter_by_camera_and_by_site_and_both(api, tenant):
    other_site = tenant.add_site()
    here = tenant.camera()
    there = tenant.camera(site_id=other_site["id"])
    token = tenant.admin_token
    set_state(api, token, here["id"], "paused")
    set_state(api, token, there["id"], "paused")
    at_site = events_of(api, token, {"siteId": tenant.site_id})
    assert [(e["type"], e["cameraId"]) for e in at_site] == \
        [("camera.paused", here["id"]), ("camera.claimed", here["id"])]
    at_other = events_of(api, token, {"siteId": other_site["id"]})
    assert [(e["type"], e["cameraId"]) for e in at_other] == \
        [("camera.paused", there["id"]), ("camera.claimed", there["id"])]
    assert events_of(api, token, {"cameraId": there["id"]}) == at_other
    assert events_of(api, token, {"siteId": tenant.site_id, "cameraId": there["id"]}) == []
    assert events_of(api, token, {"siteId": other_site["id"], "cameraId": there["id"],
                                  "type": "camera.claimed"}) == at_other[1:]
    assert events_of(api, token, {"cameraId": new_id()}) == []
    assert events_of(api, token, {"siteId": new_id()}) == []


def wait_for_early_in_a_second():
    """Sleeps until the wall clock's milliseconds are below 300, so that what follows at once
    happens within one second."""
    while time.time() % 1 >= 0.3:
        time.sleep(0.02)


def test_filter_by_since_keeps_events_at_or_after_it(api, tenant):
    camera = tenant.camera()
    token = tenant.admin_token
    wait_for_early_in_a_second()
    set_state(api, token, camera["id"], "paused")
    set_state(api, token, camera["id"], "running")
    set_state(api, token, camera["id"], "paused")
    every = camera_events(api, camera["id"], token)
    assert len({occurred_ms(event) // 1000 for event in every[:3]}) == 1, "not within one second"
    for index, event in enumerate(every):
        since = events_of(api, token, {"cameraId": camera["id"], "since": event["occurredAt"]})
        expected = [e for e in every if occurred_ms(e) >= occurred_ms(event)]
        assert ids(since) == ids(expected), (index, event["occurredAt"], types(since))
    assert events_of(api, token, {"cameraId": camera["id"], "since": "2000-01-01T00:00:00Z"}) \
        == every
    assert events_of(api, token, {"cameraId": camera["id"], "since": "2100-01-01T00:00:00Z"}) \
        == []
    # the newest event's second, without a fraction and in another zone's notation
    second = occurred_ms(every[0]) // 1000
    local = time.strftime("%Y-%m-%dT%H:%M:%S+02:00", time.gmtime(second + 2 * 3600))
    expected = [e for e in every if occurred_ms(e) >= second * 1000]
    assert len(expected) >= 3
    assert ids(events_of(api, token, {"cameraId": camera["id"], "since": local})) == ids(expected)


def test_default_limit_is_100_and_1000_is_allowed(api, tenant):
    camera = tenant.camera()
    token = tenant.admin_token
    for _ in range(50):
        set_state(api, token, camera["id"], "paused")
        set_state(api, token, camera["id"], "running")
    resp = list_events(api, token, {"cameraId": camera["id"]})
    assert len(resp.json()) == 100
    link = next_link(resp)
    assert link is not None
    query = parse_qs(urlsplit(link).query)
    assert query == {"cameraId": [camera["id"]], "limit": ["100"], "after": [resp.json()[-1]["id"]]}
    rest = expect(api.get(link, token), 200)
    assert types(rest) == ["camera.claimed"] and next_link(api.get(link, token)) is None
    full = list_events(api, token, {"cameraId": camera["id"], "limit": 1000})
    assert len(full.json()) == 101 and next_link(full) is None
    assert ids(full.json()) == ids(resp.json()) + ids(rest)


# --- 422 for bad query values ---------------------------------------------------------------------

def test_unknown_type_is_422_naming_it_and_the_known_ones(api):
    for bad in ("camera.exploded", "", "CAMERA.PAUSED", "camera.paused,camera.resumed"):
        body = assert_error(api.get("/events", api.operator_token,
                                    params=[("type", "camera.paused"), ("type", bad)]), 422)
        assert "type" in body["message"] and f"'{bad}'" in body["message"], body
        assert "camera.registered" in body["message"] and "camera.decommissioned" in \
            body["message"], body


def test_malformed_camera_site_and_after_ids_are_422(api):
    for name in ("cameraId", "siteId", "after"):
        for bad in ("xyz", "", "12345678-1234-1234-1234-12345678901g", new_id() + "0"):
            body = assert_error(api.get("/events", api.operator_token, params={name: bad}), 422)
            assert f"query parameter '{name}' must be a UUID" in body["message"], (name, bad, body)


def test_malformed_since_is_422(api):
    for bad in ("yesterday", "", "2026-12-01", "2026-12-01T08:00Z", "2026-13-01T08:00:00Z",
                "2026-12-01T25:00:00Z", "2026-12-01T08:00:00", "1764576000"):
        body = assert_error(api.get("/events", api.operator_token, params={"since": bad}), 422)
        assert "query parameter 'since' must be an RFC 3339 time" in body["message"], (bad, body)


def test_limit_out_of_range_or_not_a_number_is_422(api):
    for bad in ("0", "1001", "-1", "abc", "", "1.5", "10000", " 5"):
        body = assert_error(api.get("/events", api.operator_token, params={"limit": bad}), 422)
        assert "query parameter 'limit' must be an integer from 1 to 1000" in body["message"], \
            (bad, body)


def test_unknown_after_id_lists_nothing(api, tenant):
    tenant.camera()
    resp = list_events(api, tenant.admin_token, {"after": new_id()})
    assert resp.json() == [] and next_link(resp) is None


def test_events_need_a_token(api):
    assert_unauthorized(api.get("/events"))


# --- pages ----------------------------------------------------------------------------------------

def test_walking_the_pages_lists_every_event_once_in_order(api, tenant):
    camera = tenant.camera()
    token = tenant.admin_token
    for state in ("paused", "running") * 5:
        set_state(api, token, camera["id"], state)
    every = camera_events(api, camera["id"], token)
    assert len(every) == 11  # claimed and ten state changes (an admin sees no registration)
    for limit, sizes in ((1, [1] * 11), (4, [4, 4, 3]), (5, [5, 5, 1]), (11, [11]), (12, [11])):
        found, page_sizes = walk_pages(api, token, {"cameraId": camera["id"], "limit": limit})
        assert ids(found) == ids(every), limit
        assert page_sizes == sizes, limit


def test_an_exactly_full_last_page_has_no_link(api, tenant):
    camera = tenant.camera()
    for state in ("paused", "running", "paused"):
        set_state(api, tenant.admin_token, camera["id"], state)
    found, sizes = walk_pages(api, tenant.admin_token, {"cameraId": camera["id"], "limit": 2})
    assert sizes == [2, 2] and len(set(ids(found))) == 4


def test_the_link_keeps_every_filter_including_repeated_types(api, tenant):
    camera = tenant.camera()
    token = tenant.admin_token
    for state in ("paused", "running") * 3:
        set_state(api, token, camera["id"], state)
    expect(api.patch(f"/cameras/{camera['id']}", token, json={"name": "Counted"}), 200)
    params = [("type", "camera.paused"), ("type", "camera.resumed"), ("cameraId", camera["id"]),
              ("siteId", tenant.site_id), ("since", "2000-01-01T00:00:00Z"), ("limit", "2")]
    resp = list_events(api, token, params)
    query = parse_qs(urlsplit(next_link(resp)).query)
    assert query["type"] == ["camera.paused", "camera.resumed"]
    assert query["cameraId"] == [camera["id"]] and query["siteId"] == [tenant.site_id]
    assert query["since"] == ["2000-01-01T00:00:00Z"] and query["limit"] == ["2"]
    found, sizes = walk_pages(api, token, params)
    assert types(found) == ["camera.resumed", "camera.paused"] * 3 and sizes == [2, 2, 2]


def test_pages_are_stable_while_new_events_arrive(api, tenant):
    camera = tenant.camera()
    token = tenant.admin_token
    for state in ("paused", "running", "paused"):
        set_state(api, token, camera["id"], state)
    before = camera_events(api, camera["id"], token)
    first = list_events(api, token, {"cameraId": camera["id"], "limit": 2})
    set_state(api, token, camera["id"], "running")  # newer than the walk: not on later pages
    rest = expect(api.get(next_link(first), token), 200)
    assert ids(first.json()) + ids(rest) == ids(before)


# --- who sees what --------------------------------------------------------------------------------

def test_operator_sees_every_organisations_events(api, tenant, other_tenant):
    mine, theirs = tenant.camera(), other_tenant.camera()
    for camera in (mine, theirs):
        found = camera_events(api, camera["id"])
        assert types(found) == ["camera.claimed", "camera.registered"]


def test_admin_sees_only_its_organisations_events(api, tenant, other_tenant):
    camera = tenant.camera()
    set_state(api, tenant.admin_token, camera["id"], "paused")
    other_tenant.camera()
    for token in (tenant.admin_token, tenant.admin_client_token):
        found, _ = walk_pages(api, token, {"limit": 1000})
        assert found and all(event["organisationId"] == tenant.org_id for event in found)
        assert types(camera_events(api, camera["id"], token)) == \
            ["camera.paused", "camera.claimed"]  # the registration has no organisation
    for token in (other_tenant.admin_token, other_tenant.admin_client_token):
        assert events_of(api, token, {"cameraId": camera["id"]}) == []
        assert events_of(api, token, {"siteId": tenant.site_id}) == []
        found, _ = walk_pages(api, token, {"limit": 1000})
        assert all(event["organisationId"] == other_tenant.org_id for event in found)


def test_a_reclaimed_camera_shows_each_organisation_its_own_events(api, tenant, other_tenant):
    camera = tenant.camera()
    expect(api.delete(f"/cameras/{camera['id']}", tenant.admin_token), 204)
    claim_camera(api, other_tenant.admin_token, camera["serialNumber"], other_tenant.site_id)
    assert types(camera_events(api, camera["id"], tenant.admin_token)) == \
        ["camera.decommissioned", "camera.claimed"]
    assert types(camera_events(api, camera["id"], other_tenant.admin_token)) == \
        ["camera.claimed"]
    assert types(camera_events(api, camera["id"])) == \
        ["camera.claimed", "camera.decommissioned", "camera.claimed", "camera.registered"]


def test_viewer_sees_only_events_of_its_granted_sites(api, tenant):
    other_site = tenant.add_site()
    here = tenant.camera()
    there = tenant.camera(site_id=other_site["id"])
    set_state(api, tenant.admin_token, there["id"], "paused")
    found = events_of(api, tenant.viewer_token)
    assert [(e["type"], e["cameraId"]) for e in found] == [("camera.claimed", here["id"])]
    assert events_of(api, tenant.viewer_token, {"cameraId": there["id"]}) == []
    assert events_of(api, tenant.viewer_token, {"siteId": other_site["id"]}) == []
    # a viewer API client is not limited to sites: it sees its whole organisation
    viewer_client = make_client(api, tenant.org_id, "viewer")
    client_token = api.token_for_client(viewer_client["clientId"], viewer_client["clientSecret"])
    assert len(events_of(api, client_token)) == 3


def test_viewer_keeps_the_events_of_a_camera_at_its_site_not_those_after_it_moved(api, tenant):
    other_site = tenant.add_site()
    camera = tenant.camera()
    token = tenant.admin_token
    set_state(api, token, camera["id"], "paused")
    visible = events_of(api, tenant.viewer_token, {"cameraId": camera["id"]})
    assert types(visible) == ["camera.paused", "camera.claimed"]
    expect(api.post(f"/cameras/{camera['id']}/move", token, json={"siteId": other_site["id"]}), 201)
    set_state(api, token, camera["id"], "running")
    expect(api.patch(f"/cameras/{camera['id']}", token, json={"name": "Elsewhere"}), 200)
    assert events_of(api, tenant.viewer_token, {"cameraId": camera["id"]}) == visible
    assert events_of(api, tenant.viewer_token) == visible
    assert types(camera_events(api, camera["id"], token)) == \
        ["camera.updated", "camera.resumed", "camera.moved", "camera.paused", "camera.claimed"]


def test_a_viewer_sees_where_a_camera_came_from_only_when_that_site_is_granted_too(api, tenant):
    """A camera moved into a granted site from one that is not: the viewer sees the move, but its
    fromSiteId is null (the site it cannot read stays unnamed); from a granted site, it is named."""
    hidden_site, second_granted = tenant.add_site(), tenant.add_site()
    grant_sites(api, tenant.viewer["id"], [tenant.site_id, second_granted["id"]], tenant.admin_token)
    camera = tenant.camera(site_id=hidden_site["id"])
    token = tenant.admin_token
    expect(api.post(f"/cameras/{camera['id']}/move", token, json={"siteId": tenant.site_id}), 201)
    expect(api.post(f"/cameras/{camera['id']}/move", token, json={"siteId": second_granted["id"]}), 201)
    seen = events_of(api, tenant.viewer_token, {"cameraId": camera["id"], "type": "camera.moved"})
    assert [(e["data"]["fromSiteId"], e["data"]["toSiteId"]) for e in seen] == \
        [(tenant.site_id, second_granted["id"]), (None, tenant.site_id)]
    # the admin sees every site, and so every origin
    full = events_of(api, token, {"cameraId": camera["id"], "type": "camera.moved"})
    assert [e["data"]["fromSiteId"] for e in full] == [tenant.site_id, hidden_site["id"]]
    assert str(hidden_site["id"]) not in json.dumps(seen)


def test_a_viewer_without_grants_sees_nothing_and_no_reader_gets_403(api, tenant):
    tenant.camera()
    ungranted = make_user(api, tenant.org_id, "viewer")
    assert events_of(api, user_token(api, ungranted)) == []
    operator = make_user(api, None, "operator")
    for token in (api.operator_token, user_token(api, operator), tenant.admin_token,
                  tenant.admin_client_token, tenant.viewer_token):
        list_events(api, token, {"limit": 1})


# --- the outbox across kill -9 --------------------------------------------------------------------

STATE_EVENT = {"paused": "camera.paused", "running": "camera.resumed"}


class StateStream(threading.Thread):
    """Pauses and resumes its cameras in turn, one request at a time, until the server dies:
    `acknowledged[camera id]` holds the states answered 201, `in_flight` the one sent last
    without an answer (it may or may not have been carried out)."""

    def __init__(self, base, token, cameras):
        super().__init__(daemon=True)
        self.base, self.token, self.cameras = base, token, cameras
        self.acknowledged = {camera["id"]: [] for camera in cameras}
        self.in_flight = None  # (camera id, state)
        self.unexpected = None

    def count(self):
        return sum(len(states) for states in self.acknowledged.values())

    def run(self):
        session = requests.Session()
        headers = {"Authorization": f"Bearer {self.token}"}
        state = {camera["id"]: "running" for camera in self.cameras}
        try:
            while True:
                for camera in self.cameras:
                    target = "paused" if state[camera["id"]] == "running" else "running"
                    self.in_flight = (camera["id"], target)
                    try:
                        resp = session.put(f"{self.base}/cameras/{camera['id']}/state/{target}",
                                           headers=headers, timeout=REQUEST_TIMEOUT)
                    except requests.RequestException:
                        return  # the server is gone: in_flight stays unanswered
                    if resp.status_code != 201:
                        self.unexpected = describe(resp)
                        return
                    self.acknowledged[camera["id"]].append(target)
                    state[camera["id"]] = target
                    self.in_flight = None
        finally:
            session.close()


def test_outbox_after_kill_9_each_acknowledged_change_has_exactly_one_event(start_server):
    """Three clients pause and resume six cameras until the server is killed (SIGKILL) under
    them. After a restart each camera's events are exactly its acknowledged changes, in order,
    plus one for the change in flight at the kill if and only if that change was carried out
    (the camera's final state says which); the newest event shows the final state."""
    private = start_server()
    api = Api(private, private.operator_client)
    site = make_site(api, make_org(api)["id"])
    token = api.operator_token
    cameras = []
    for _ in range(6):
        registered = register_camera(api)
        cameras.append(claim_camera(api, token, registered["serialNumber"], site["id"]))
    streams = [StateStream(private.url, token, cameras[i::3]) for i in range(3)]
    for stream in streams:
        stream.start()
    deadline = time.monotonic() + 10
    while sum(stream.count() for stream in streams) < 60 and time.monotonic() < deadline:
        time.sleep(0.01)
    private.stop(signal.SIGKILL)
    for stream in streams:
        stream.join(timeout=REQUEST_TIMEOUT)
        assert not stream.is_alive()
        assert stream.unexpected is None, stream.unexpected
    assert sum(stream.count() for stream in streams) >= 60, "too few changes before the kill"

    private.start()
    api = Api(private, private.operator_client)
    for stream in streams:
        for camera in stream.cameras:
            acknowledged = stream.acknowledged[camera["id"]]
            final = read_camera(api, camera["id"])["state"]
            changes = list(acknowledged)
            last_acknowledged = acknowledged[-1] if acknowledged else "running"
            if final != last_acknowledged:  # the unanswered change was carried out
                assert stream.in_flight == (camera["id"], final), (camera["id"], final)
                changes.append(final)
            found = camera_events(api, camera["id"])
            assert len(set(ids(found))) == len(found)
            assert types(found) == [STATE_EVENT[state] for state in reversed(changes)] + \
                ["camera.claimed", "camera.registered"], (camera["id"], acknowledged, final)
            assert found[0]["data"]["camera"]["state"] == final
