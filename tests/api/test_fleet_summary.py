"""GET /fleet-summary: the counts the dashboard shows (cameras, online, offline, paused, in all and per
site) over exactly the cameras GET /cameras shows the caller by default — running and paused, in
its scope — from one aggregate query, so that a dashboard never reads the whole fleet to count it."""
from conftest import assert_error, claim_camera, expect, grant_sites, make_user, register_camera, user_token

from test_device_link import device_for


def summary(api, token):
    return expect(api.get("/fleet-summary", token), 200)


def counts(cameras, online, offline, paused, site_id=None):
    body = {"cameras": cameras, "online": online, "offline": offline, "paused": paused}
    return body if site_id is None else {"siteId": site_id, **body}


def empty():
    return {**counts(0, 0, 0, 0), "sites": []}


def set_state(api, token, camera_id, new_state):
    return expect(api.put(f"/cameras/{camera_id}/state/{new_state}", token), 201)


def counted_like_the_list(api, token):
    """The summary the dashboard used to compute from GET /cameras (every camera, no metrics)."""
    cameras = expect(api.get("/cameras", token, params={"includeMetrics": "false"}), 200)
    per_site = {}
    for camera in cameras:
        key = "paused" if camera["state"] == "paused" else "online" if camera["isOnline"] else "offline"
        site = per_site.setdefault(camera["siteId"], counts(0, 0, 0, 0, camera["siteId"]))
        site[key] += 1
        site["cameras"] += 1
    sites = [per_site[site_id] for site_id in sorted(per_site)]
    totals = {key: sum(site[key] for site in sites) for key in ("cameras", "online", "offline", "paused")}
    return {**totals, "sites": sites}


def fleet_of(api, tenant):
    """Two sites of tenant: the first with an online, a never-seen and a paused camera, the second
    with one shut down (offline), one decommissioned (not counted); the sites sorted by id."""
    token = tenant.admin_token
    second = tenant.add_site()
    online = tenant.camera()
    expect(device_for(api, online["id"], token).heartbeat(), 200)
    tenant.camera()  # claimed, never seen: offline
    paused = tenant.camera()
    expect(device_for(api, paused["id"], token).heartbeat(), 200)
    set_state(api, token, paused["id"], "paused")  # paused, though it beats
    shut_down = tenant.camera(site_id=second["id"])
    expect(device_for(api, shut_down["id"], token).heartbeat(status="shutting_down"), 200)
    gone = tenant.camera(site_id=second["id"])
    expect(api.delete(f"/cameras/{gone['id']}", token), 204)
    first_site = counts(3, 1, 1, 1, tenant.site_id)
    second_site = counts(1, 0, 1, 0, second["id"])
    return second, sorted([first_site, second_site], key=lambda site: site["siteId"])


def test_counts_after_claims_pause_and_heartbeats(api, tenant):
    assert summary(api, tenant.admin_token) == empty()
    _, sites = fleet_of(api, tenant)
    body = summary(api, tenant.admin_token)
    assert body == {**counts(4, 1, 2, 1), "sites": sites}
    assert body == counted_like_the_list(api, tenant.admin_token)
    assert summary(api, tenant.admin_client_token) == body


def test_a_pause_and_a_resume_move_a_camera_between_the_counts(api, tenant):
    camera = tenant.camera()
    expect(device_for(api, camera["id"], tenant.admin_token).heartbeat(), 200)
    assert summary(api, tenant.admin_token) == {**counts(1, 1, 0, 0), "sites": [counts(1, 1, 0, 0, tenant.site_id)]}
    set_state(api, tenant.admin_token, camera["id"], "paused")
    assert summary(api, tenant.admin_token) == {**counts(1, 0, 0, 1), "sites": [counts(1, 0, 0, 1, tenant.site_id)]}
    set_state(api, tenant.admin_token, camera["id"], "running")
    assert summary(api, tenant.admin_token) == {**counts(1, 1, 0, 0), "sites": [counts(1, 1, 0, 0, tenant.site_id)]}


def test_another_tenant_sees_none_of_it_whatever_its_role(api, tenant, other_tenant):
    fleet_of(api, tenant)
    for token in (other_tenant.admin_token, other_tenant.admin_client_token, other_tenant.viewer_token):
        assert summary(api, token) == empty()


def test_a_viewer_counts_only_its_granted_sites_as_granted_now(api, tenant):
    second, sites = fleet_of(api, tenant)
    first_site = next(site for site in sites if site["siteId"] == tenant.site_id)
    second_site = next(site for site in sites if site["siteId"] == second["id"])
    viewer = tenant.viewer  # granted the first site
    token = user_token(api, viewer)
    body = summary(api, token)
    assert body == {**{key: first_site[key] for key in ("cameras", "online", "offline", "paused")},
                    "sites": [first_site]}
    assert body == counted_like_the_list(api, token)
    grant_sites(api, viewer["id"], [second["id"]])
    assert summary(api, token)["sites"] == [second_site]
    grant_sites(api, viewer["id"], [])
    assert summary(api, token) == empty()


def test_an_earlier_organisation_no_longer_counts_a_camera_claimed_by_another(api, tenant, other_tenant):
    camera = tenant.camera()
    expect(api.delete(f"/cameras/{camera['id']}", tenant.admin_token), 204)
    claim_camera(api, other_tenant.admin_token, camera["serialNumber"], other_tenant.site_id)
    assert summary(api, tenant.admin_token) == empty()
    assert summary(api, other_tenant.admin_token) == {**counts(1, 0, 1, 0),
                                                       "sites": [counts(1, 0, 1, 0, other_tenant.site_id)]}


def test_the_operator_counts_every_organisation_but_no_registered_camera(start_server):
    from conftest import Api, Tenant
    server = start_server()
    private = Api(server, server.operator_client)
    try:
        register_camera(private)  # registered, unclaimed: GET /cameras does not show it by default
        assert summary(private, private.operator_token) == empty()
        first, second = Tenant(private), Tenant(private)
        first.camera()
        camera = second.camera()
        expect(device_for(private, camera["id"], second.admin_token).heartbeat(), 200)
        expected = sorted([counts(1, 0, 1, 0, first.site_id), counts(1, 1, 0, 0, second.site_id)],
                          key=lambda site: site["siteId"])
        body = summary(private, private.operator_token)
        assert body == {**counts(2, 1, 1, 0), "sites": expected}
        assert body == counted_like_the_list(private, private.operator_token)
    finally:
        private.session.close()


def test_a_device_may_not_read_it_and_no_query_parameter_is_taken(api, tenant):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    assert_error(device.request("GET", "/fleet-summary"), 403)
    assert_error(api.get("/fleet-summary?siteId=" + tenant.site_id, tenant.admin_token), 400, "siteId")
    viewer = make_user(api, tenant.org_id, "viewer")  # granted nothing
    assert summary(api, user_token(api, viewer)) == empty()
