"""GET /cameras/{id} and GET /cameras: metrics flag, state/site/user filters, order,
limit/after pagination with the Link header, and complete unpaginated listings."""
import re
import socket
import threading

import pytest
import requests

from conftest import (METRIC_KEYS, Tenant, assert_camera_shape, assert_error, claim_camera,
                      describe, expect, make_user, grant_sites, new_id, register_camera,
                      register_cameras, user_token)

LINK_RE = re.compile(r'^<([^>]+)>;\s*rel="next"$')


def ids(cameras):
    return [camera["id"] for camera in cameras]


def list_cameras(api, token, **params):
    resp = api.get("/cameras", token, params=params)
    body = expect(resp, 200)
    assert isinstance(body, list), describe(resp)
    return body


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
    assert target.startswith("/cameras?"), link
    return target


def fleet(api, tenant, running=0, paused=0, decommissioned=0, site_id=None):
    """Cameras at a site in the given states; returns {state: [camera, ...]}."""
    made = {"running": [], "paused": [], "decommissioned": []}
    for state, count in (("running", running), ("paused", paused),
                         ("decommissioned", decommissioned)):
        for _ in range(count):
            camera = tenant.camera(site_id=site_id)
            if state == "paused":
                camera = expect(api.put(f"/cameras/{camera['id']}/state/paused",
                                        tenant.admin_token), 201)
            elif state == "decommissioned":
                expect(api.delete(f"/cameras/{camera['id']}", tenant.admin_token), 204)
                camera = expect(api.get(f"/cameras/{camera['id']}", tenant.admin_token), 200)
            made[state].append(camera)
    return made


# --- one camera -----------------------------------------------------------------------------------

def test_get_camera_includes_metrics_by_default(api, tenant):
    camera = tenant.camera()
    read = expect(api.get(f"/cameras/{camera['id']}", tenant.admin_token), 200)
    assert_camera_shape(read, include_metrics=True)


def test_get_camera_with_include_metrics_true_includes_them(api, tenant):
    camera = tenant.camera()
    read = expect(api.get(f"/cameras/{camera['id']}?includeMetrics=true", tenant.admin_token), 200)
    assert_camera_shape(read, include_metrics=True)
    assert read == camera


def test_get_camera_with_include_metrics_false_omits_the_four_metrics(api, tenant):
    camera = tenant.camera()
    read = expect(api.get(f"/cameras/{camera['id']}?includeMetrics=false", tenant.admin_token),
                  200)
    assert_camera_shape(read, include_metrics=False)
    assert read == {key: value for key, value in camera.items() if key not in METRIC_KEYS}


@pytest.mark.parametrize("flag", ["yes", "1", "TRUEISH", ""])
def test_get_camera_with_bad_include_metrics_is_422(api, tenant, flag):
    camera = tenant.camera()
    assert_error(api.get(f"/cameras/{camera['id']}?includeMetrics={flag}", tenant.admin_token),
                 422)


def test_get_camera_with_malformed_id_is_422(api):
    assert_error(api.get("/cameras/not-a-uuid", api.operator_token), 422)


def test_get_unknown_camera_is_404(api):
    assert_error(api.get(f"/cameras/{new_id()}", api.operator_token), 404)


def test_get_camera_by_uppercase_id_answers_lowercase(api, tenant):
    camera = tenant.camera()
    assert expect(api.get(f"/cameras/{camera['id'].upper()}", tenant.admin_token), 200) == camera


def test_viewer_gets_camera_of_a_granted_site(api, tenant):
    camera = tenant.camera()
    assert expect(api.get(f"/cameras/{camera['id']}", tenant.viewer_token), 200) == camera


# --- list filters ---------------------------------------------------------------------------------

def test_list_defaults_to_running_and_paused(api, tenant):
    made = fleet(api, tenant, running=2, paused=1, decommissioned=1)
    listed = list_cameras(api, tenant.admin_token, siteId=tenant.site_id)
    assert ids(listed) == sorted(ids(made["running"] + made["paused"]))
    for camera in listed:
        assert_camera_shape(camera)


def test_list_items_equal_the_single_camera_reads(api, tenant):
    made = fleet(api, tenant, running=1, paused=1)
    listed = list_cameras(api, tenant.admin_token, siteId=tenant.site_id)
    expected = sorted(made["running"] + made["paused"], key=lambda c: c["id"])
    assert listed == expected


def test_list_with_running_and_paused_states_equals_the_default(api, tenant):
    fleet(api, tenant, running=1, paused=1, decommissioned=1)
    default = list_cameras(api, tenant.admin_token, siteId=tenant.site_id)
    resp = api.get(f"/cameras?siteId={tenant.site_id}&state=running&state=paused",
                   tenant.admin_token)
    assert expect(resp, 200) == default


def test_list_with_one_state_keeps_only_that_state(api, tenant):
    made = fleet(api, tenant, running=2, paused=1, decommissioned=1)
    for state in ("running", "paused", "decommissioned"):
        listed = list_cameras(api, tenant.admin_token, siteId=tenant.site_id, state=state)
        assert ids(listed) == sorted(ids(made[state])), state
        assert {camera["state"] for camera in listed} == {state}


def test_list_with_all_three_claimed_states(api, tenant):
    made = fleet(api, tenant, running=1, paused=1, decommissioned=1)
    resp = api.get(f"/cameras?siteId={tenant.site_id}&state=running&state=paused"
                   f"&state=decommissioned", tenant.admin_token)
    assert ids(expect(resp, 200)) == sorted(ids(made["running"] + made["paused"]
                                                + made["decommissioned"]))


def test_list_registered_state_shows_registered_cameras_to_operator(api):
    camera = register_camera(api)
    listed = list_cameras(api, api.operator_token, state="registered")
    assert camera["id"] in ids(listed)
    assert {c["state"] for c in listed} == {"registered"}


def test_list_registered_state_is_empty_for_admin(api, tenant):
    register_camera(api)
    tenant.camera()
    assert list_cameras(api, tenant.admin_token, state="registered") == []


@pytest.mark.parametrize("state", ["claimed", "RUNNING", "stopped", ""])
def test_list_with_unknown_state_is_422(api, state):
    assert_error(api.get("/cameras", api.operator_token, params={"state": state}), 422)


def test_list_with_one_unknown_state_among_good_ones_is_422(api):
    assert_error(api.get("/cameras?state=running&state=bogus", api.operator_token), 422)


def test_list_with_include_metrics_false_omits_metrics_on_every_item(api, tenant):
    fleet(api, tenant, running=2)
    listed = list_cameras(api, tenant.admin_token, siteId=tenant.site_id, includeMetrics="false")
    assert len(listed) == 2
    for camera in listed:
        assert_camera_shape(camera, include_metrics=False)


def test_list_with_bad_include_metrics_is_422(api):
    assert_error(api.get("/cameras?includeMetrics=maybe", api.operator_token), 422)


def test_list_with_malformed_site_id_is_422(api):
    assert_error(api.get("/cameras?siteId=nope", api.operator_token), 422)


def test_list_with_malformed_user_id_is_422(api):
    assert_error(api.get("/cameras?userId=nope", api.operator_token), 422)


def test_list_filtered_by_site(api, tenant):
    other_site = tenant.add_site()
    here = fleet(api, tenant, running=2)["running"]
    there = fleet(api, tenant, running=1, site_id=other_site["id"])["running"]
    assert ids(list_cameras(api, tenant.admin_token, siteId=tenant.site_id)) == sorted(ids(here))
    assert ids(list_cameras(api, tenant.admin_token, siteId=other_site["id"])) == ids(there)


def test_list_filtered_by_unknown_site_is_empty(api):
    assert list_cameras(api, api.operator_token, siteId=new_id()) == []


def test_list_filtered_by_user_keeps_what_that_viewer_sees(api, tenant):
    other_site = tenant.add_site()
    granted = fleet(api, tenant, running=2)["running"]
    fleet(api, tenant, running=1, site_id=other_site["id"])
    viewer = make_user(api, tenant.org_id, "viewer")
    grant_sites(api, viewer["id"], [tenant.site_id])
    for token in (tenant.admin_token, api.operator_token):
        listed = list_cameras(api, token, userId=viewer["id"])
        assert ids(listed) == sorted(ids(granted))


def test_list_filtered_by_an_admin_user_keeps_the_whole_organisation(api, tenant):
    other_site = tenant.add_site()
    here = fleet(api, tenant, running=1)["running"]
    there = fleet(api, tenant, running=1, site_id=other_site["id"])["running"]
    listed = list_cameras(api, tenant.admin_token, userId=tenant.admin["id"])
    assert ids(listed) == sorted(ids(here + there))


def test_list_filtered_by_user_of_another_organisation_is_empty(api, tenant, other_tenant):
    fleet(api, other_tenant, running=1)
    fleet(api, tenant, running=1)
    assert list_cameras(api, tenant.admin_token, userId=other_tenant.admin["id"]) == []


def test_list_filtered_by_unknown_user_is_empty(api):
    assert list_cameras(api, api.operator_token, userId=new_id()) == []


def test_list_filtered_by_viewer_with_no_grants_is_empty(api, tenant):
    fleet(api, tenant, running=1)
    viewer = make_user(api, tenant.org_id, "viewer")
    assert list_cameras(api, tenant.admin_token, userId=viewer["id"]) == []


def test_admin_list_holds_only_its_organisations_cameras(api, tenant, other_tenant):
    mine = fleet(api, tenant, running=1)["running"]
    fleet(api, other_tenant, running=1)
    listed = list_cameras(api, tenant.admin_token)
    assert ids(listed) == ids(mine)


def test_viewer_list_holds_only_granted_sites_cameras(api, tenant):
    other_site = tenant.add_site()
    granted = fleet(api, tenant, running=1)["running"]
    fleet(api, tenant, running=1, site_id=other_site["id"])
    assert ids(list_cameras(api, tenant.viewer_token)) == ids(granted)


def test_operator_list_spans_organisations(api, tenant, other_tenant):
    mine = fleet(api, tenant, running=1)["running"]
    theirs = fleet(api, other_tenant, running=1)["running"]
    listed = ids(list_cameras(api, api.operator_token))
    assert mine[0]["id"] in listed and theirs[0]["id"] in listed


def test_operator_unfiltered_list_is_sorted_by_id_without_duplicates(api, tenant):
    fleet(api, tenant, running=2)
    listed = ids(list_cameras(api, api.operator_token))
    assert listed == sorted(listed)
    assert len(listed) == len(set(listed))


# --- pagination -----------------------------------------------------------------------------------

def test_limit_pages_follow_the_link_header_until_a_short_page(api, tenant):
    cameras = sorted(ids(fleet(api, tenant, running=5)["running"]))
    resp = api.get("/cameras", tenant.admin_token, params={"siteId": tenant.site_id, "limit": 2})
    assert ids(expect(resp, 200)) == cameras[0:2]
    link = next_link(resp)
    assert link is not None, describe(resp)
    assert f"after={cameras[1]}" in link
    resp = api.get(link, tenant.admin_token)
    assert ids(expect(resp, 200)) == cameras[2:4]
    link = next_link(resp)
    assert link is not None and f"after={cameras[3]}" in link
    resp = api.get(link, tenant.admin_token)
    assert ids(expect(resp, 200)) == cameras[4:5]
    assert next_link(resp) is None, describe(resp)


def test_full_last_page_links_to_an_empty_page(api, tenant):
    cameras = sorted(ids(fleet(api, tenant, running=4)["running"]))
    resp = api.get("/cameras", tenant.admin_token, params={"siteId": tenant.site_id, "limit": 2})
    resp = api.get(next_link(resp), tenant.admin_token)
    assert ids(expect(resp, 200)) == cameras[2:4]
    link = next_link(resp)
    assert link is not None
    resp = api.get(link, tenant.admin_token)
    assert expect(resp, 200) == []
    assert next_link(resp) is None


def test_after_starts_past_the_given_id(api, tenant):
    cameras = sorted(ids(fleet(api, tenant, running=4)["running"]))
    resp = api.get("/cameras", tenant.admin_token,
                   params={"siteId": tenant.site_id, "limit": 10, "after": cameras[1]})
    assert ids(expect(resp, 200)) == cameras[2:]
    assert next_link(resp) is None


def test_next_link_keeps_the_filters(api, tenant):
    made = fleet(api, tenant, running=2, paused=3)
    paused = sorted(ids(made["paused"]))
    resp = api.get("/cameras", tenant.admin_token, params={
        "siteId": tenant.site_id, "state": "paused", "includeMetrics": "false", "limit": 2})
    first = expect(resp, 200)
    assert ids(first) == paused[:2]
    resp = api.get(next_link(resp), tenant.admin_token)
    second = expect(resp, 200)
    assert ids(second) == paused[2:]
    for camera in first + second:
        assert_camera_shape(camera, include_metrics=False)


def test_limit_of_1000_is_accepted(api, tenant):
    cameras = ids(fleet(api, tenant, running=1)["running"])
    resp = api.get("/cameras", tenant.admin_token, params={"siteId": tenant.site_id,
                                                           "limit": 1000})
    assert ids(expect(resp, 200)) == cameras
    assert next_link(resp) is None


@pytest.mark.parametrize("limit", ["0", "1001", "-1", "abc", "2.5", "", "5abc", "1e2", "0x10",
                                   "99999999999999999999"])
def test_bad_limit_is_422(api, limit):
    assert_error(api.get(f"/cameras?limit={limit}", api.operator_token), 422)


def test_malformed_after_is_422(api):
    assert_error(api.get("/cameras?limit=5&after=not-a-uuid", api.operator_token), 422)


def test_pages_of_the_operator_list_cover_it_exactly(api, tenant):
    fleet(api, tenant, running=3)
    everything = ids(list_cameras(api, api.operator_token))
    collected = []
    path = "/cameras?limit=7"
    for _ in range(len(everything) // 7 + 3):  # bounded
        resp = api.get(path, api.operator_token)
        collected += ids(expect(resp, 200))
        path = next_link(resp)
        if path is None:
            break
    assert path is None
    assert collected == everything


# --- large listing --------------------------------------------------------------------------------

def test_listing_1500_cameras_without_limit_returns_every_row(api, tenant):
    registered = register_cameras(api, 1500)
    token = api.operator_token
    for camera in registered:
        claim_camera(api, token, camera["serialNumber"], tenant.site_id)
    resp = api.get("/cameras", tenant.admin_token, params={"siteId": tenant.site_id})
    listed = expect(resp, 200)
    assert len(listed) == 1500
    assert ids(listed) == sorted(camera["id"] for camera in registered)
    assert resp.headers.get("Link") is None
    # requests asks for gzip: the streamed listing comes compressed, and inflates to the same rows
    assert resp.headers.get("Content-Encoding") == "gzip", resp.headers
    assert resp.headers.get("Vary") == "Accept-Encoding"
    plain = api.get("/cameras", tenant.admin_token, params={"siteId": tenant.site_id},
                    headers={"Accept-Encoding": "identity"})
    assert plain.headers.get("Content-Encoding") is None
    assert plain.json() == listed
    wire = requests.get(f"{api.base}/cameras", params={"siteId": tenant.site_id}, stream=True,
                        headers={"Authorization": f"Bearer {tenant.admin_token}",
                                 "Accept-Encoding": "gzip"}, timeout=30)
    compressed = wire.raw.read(decode_content=False)  # the bytes as sent
    assert 0 < len(compressed) < len(plain.content) / 4, (len(compressed), len(plain.content))
    page = api.get("/cameras", tenant.admin_token, params={"siteId": tenant.site_id, "limit": 100},
                   headers={"Accept-Encoding": "br;q=1, gzip;q=0.5"})
    assert page.headers.get("Content-Encoding") == "gzip"
    assert page.json() == listed[:100]
    refused = api.get("/cameras", tenant.admin_token, params={"siteId": tenant.site_id, "limit": 100},
                      headers={"Accept-Encoding": "gzip;q=0"})
    assert refused.headers.get("Content-Encoding") is None
    assert refused.json() == listed[:100]
    for camera in listed:
        assert_camera_shape(camera)
        assert camera["siteId"] == tenant.site_id and camera["state"] == "running"
    viewer_listing = list_cameras(api, user_token(api, tenant.viewer), includeMetrics="false")
    assert ids(viewer_listing) == ids(listed)
    # clients that hang up in the middle of the stream must not disturb the server
    for _ in range(5):
        with socket.create_connection(("127.0.0.1", api.server.port), timeout=10) as raw:
            raw.sendall(f"GET /cameras?siteId={tenant.site_id} HTTP/1.1\r\n"
                        f"Host: camfleet\r\nAuthorization: Bearer {tenant.admin_token}\r\n"
                        f"\r\n".encode())
            assert raw.recv(4096).startswith(b"HTTP/1.1 200")
    expect(api.get("/healthz"), 200)
    assert len(list_cameras(api, tenant.admin_token, siteId=tenant.site_id)) == 1500


def test_after_any_uuid_starts_past_it_even_if_no_camera_has_it(api, tenant):
    cameras = sorted(ids(fleet(api, tenant, running=6)["running"]))
    cursor = new_id()
    resp = api.get("/cameras", tenant.admin_token,
                   params={"siteId": tenant.site_id, "limit": 100, "after": cursor})
    assert ids(expect(resp, 200)) == [camera for camera in cameras if camera > cursor]


def test_concurrent_reads_of_many_cameras_each_get_their_own_camera(api, tenant):
    """Many GET /cameras/{id} at once, for different cameras, some unknown, from several callers
    (on PostgreSQL they are read in batches: each answer must still be its own camera)."""
    cameras = [claim_camera(api, tenant.admin_token, camera["serialNumber"], tenant.site_id,
                            name=f"concurrent-{index}")
               for index, camera in enumerate(register_cameras(api, 12))]
    unknown = [new_id() for _ in range(4)]
    other = Tenant(api)  # a camera of another organisation: 404 for this tenant, as if unknown
    foreign = claim_camera(api, other.admin_token, register_camera(api)["serialNumber"],
                           other.site_id)
    wanted = [(camera["id"], 200, camera) for camera in cameras] + \
        [(camera_id, 404, None) for camera_id in unknown] + [(foreign["id"], 404, None)]
    failures = []

    def reader(offset):
        session = requests.Session()
        for round_ in range(5):
            for index in range(len(wanted)):
                camera_id, status, camera = wanted[(index + offset + round_) % len(wanted)]
                resp = session.get(f"{api.base}/cameras/{camera_id}", timeout=30,
                                   headers={"Authorization": f"Bearer {tenant.admin_token}"})
                if resp.status_code != status:
                    failures.append(describe(resp))
                elif status == 200 and (resp.json()["id"] != camera_id or
                                        resp.json()["name"] != camera["name"]):
                    failures.append(f"asked {camera_id}, got {resp.text[:200]}")

    threads = [threading.Thread(target=reader, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == [], failures[:5]
