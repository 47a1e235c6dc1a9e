"""/sites: create (time zones, organisation rules), read, list filters, patch and delete."""
import time

import pytest

from conftest import (SITE_KEYS, assert_error, assert_recent, assert_uuid, claim_camera, expect,
                      grant_sites, make_site, make_user, new_id, register_camera, unique,
                      user_token)


def test_site_without_time_zone_is_400_saying_why_and_creates_nothing(api, tenant):
    before = expect(api.get("/sites", tenant.admin_token), 200)
    resp = api.post("/sites", tenant.admin_token, json={"name": unique("site")})
    assert_error(resp, 400)
    assert resp.json()["message"] == (
        "field 'timeZone' is required: the site's time zone decides every opening-hours answer (an IANA "
        "time zone such as 'Europe/London', or 'UTC')")
    assert expect(api.get("/sites", tenant.admin_token), 200) == before


def test_operator_creates_site_in_utc(api, tenant):
    name = unique("site")
    before = time.time()
    site = expect(api.post("/sites", api.operator_token,
                           json={"name": name, "timeZone": "UTC", "organisationId": tenant.org_id}), 201)
    after = time.time()
    assert set(site) == SITE_KEYS
    assert_uuid(site["id"])
    assert site["organisationId"] == tenant.org_id
    assert site["name"] == name
    assert site["timeZone"] == "UTC"
    assert_recent(site["createdAt"], before, after)


def test_site_with_iana_time_zone_reads_back(api, tenant):
    site = make_site(api, tenant.org_id, time_zone="Europe/Paris")
    assert site["timeZone"] == "Europe/Paris"
    assert expect(api.get(f"/sites/{site['id']}", api.operator_token), 200) == site


def test_site_with_unknown_time_zone_is_400(api, tenant):
    resp = api.post("/sites", api.operator_token, json={
        "name": unique(), "organisationId": tenant.org_id, "timeZone": "Mars/Olympus_Mons"})
    assert_error(resp, 400, "timeZone")


def test_operator_must_name_the_organisation(api):
    resp = api.post("/sites", api.operator_token, json={"name": unique(), "timeZone": "UTC"})
    assert_error(resp, 400, "organisationId")


def test_operator_creating_site_in_unknown_organisation_is_404(api):
    resp = api.post("/sites", api.operator_token,
                    json={"name": unique(), "timeZone": "UTC", "organisationId": new_id()})
    assert_error(resp, 404)


def test_admin_creates_site_in_its_own_organisation_by_default(api, tenant):
    site = make_site(api, token=tenant.admin_token)
    assert site["organisationId"] == tenant.org_id


def test_admin_creates_site_naming_its_own_organisation(api, tenant):
    site = make_site(api, tenant.org_id, token=tenant.admin_token)
    assert site["organisationId"] == tenant.org_id


def test_admin_creating_site_in_another_organisation_is_404(api, tenant, other_tenant):
    resp = api.post("/sites", tenant.admin_token,
                    json={"name": unique(), "timeZone": "UTC", "organisationId": other_tenant.org_id})
    assert_error(resp, 404)
    listed = expect(api.get(f"/sites?organisationId={other_tenant.org_id}",
                            api.operator_token), 200)
    assert listed == [other_tenant.site]


def test_viewer_cannot_create_site(api, tenant):
    assert_error(api.post("/sites", tenant.viewer_token, json={"name": unique()}), 403)


@pytest.mark.parametrize("body", [
    {},
    {"name": ""},
    {"name": "s" * 201},
    {"name": 7},
    {"name": "ok", "timeZone": 3},
    {"name": "ok", "timeZone": ""},
    {"name": "ok", "organisationId": "not-a-uuid"},
    {"name": "ok", "organisationId": 12},
])
def test_invalid_site_body_is_400(api, tenant, body):
    assert_error(api.post("/sites", tenant.admin_token, json=body), 400)


def test_operator_lists_sites_filtered_by_organisation(api, tenant, other_tenant):
    second = tenant.add_site()
    listed = expect(api.get("/sites", api.operator_token,
                            params={"organisationId": tenant.org_id}), 200)
    assert sorted(listed, key=lambda s: s["id"]) == sorted([tenant.site, second],
                                                           key=lambda s: s["id"])


def test_operator_lists_sites_of_all_organisations(api, tenant, other_tenant):
    listed = expect(api.get("/sites", api.operator_token), 200)
    assert tenant.site in listed and other_tenant.site in listed


def test_admin_lists_only_its_own_organisations_sites(api, tenant, other_tenant):
    second = tenant.add_site()
    listed = expect(api.get("/sites", tenant.admin_token), 200)
    assert sorted(s["id"] for s in listed) == sorted([tenant.site_id, second["id"]])


def test_viewer_lists_only_granted_sites(api, tenant):
    tenant.add_site()
    assert expect(api.get("/sites", tenant.viewer_token), 200) == [tenant.site]


def test_viewer_reads_a_granted_site(api, tenant):
    assert expect(api.get(f"/sites/{tenant.site_id}", tenant.viewer_token), 200) == tenant.site


def test_viewer_reading_a_site_not_granted_is_404(api, tenant):
    hidden = tenant.add_site()
    assert_error(api.get(f"/sites/{hidden['id']}", tenant.viewer_token), 404)


def test_admin_reading_another_organisations_site_is_404(api, tenant, other_tenant):
    assert_error(api.get(f"/sites/{other_tenant.site_id}", tenant.admin_token), 404)


def test_unknown_site_is_404(api):
    assert_error(api.get(f"/sites/{new_id()}", api.operator_token), 404)


def test_malformed_site_id_is_422(api):
    assert_error(api.get("/sites/12345", api.operator_token), 422)


def test_admin_patches_site_name_and_time_zone(api, tenant):
    patched = expect(api.patch(f"/sites/{tenant.site_id}", tenant.admin_token,
                               json={"name": "Renamed", "timeZone": "America/New_York"}), 200)
    assert patched == {**tenant.site, "name": "Renamed", "timeZone": "America/New_York"}
    assert expect(api.get(f"/sites/{tenant.site_id}", tenant.admin_token), 200) == patched


def test_patching_only_the_name_keeps_the_time_zone(api, tenant):
    site = tenant.add_site(time_zone="Asia/Tokyo")
    patched = expect(api.patch(f"/sites/{site['id']}", tenant.admin_token,
                               json={"name": "Only name"}), 200)
    assert patched == {**site, "name": "Only name"}


def test_patching_site_with_unknown_time_zone_is_400_and_changes_nothing(api, tenant):
    resp = api.patch(f"/sites/{tenant.site_id}", tenant.admin_token,
                     json={"name": "Should not stick", "timeZone": "Nowhere/Land"})
    assert_error(resp, 400)
    assert expect(api.get(f"/sites/{tenant.site_id}", tenant.admin_token), 200) == tenant.site


def test_viewer_cannot_patch_site(api, tenant):
    assert_error(api.patch(f"/sites/{tenant.site_id}", tenant.viewer_token, json={"name": "x"}),
                 403)


def test_admin_patching_another_organisations_site_is_404(api, tenant, other_tenant):
    resp = api.patch(f"/sites/{other_tenant.site_id}", tenant.admin_token, json={"name": "x"})
    assert_error(resp, 404)
    assert expect(api.get(f"/sites/{other_tenant.site_id}", api.operator_token), 200) == \
        other_tenant.site


def test_admin_deletes_empty_site(api, tenant):
    site = tenant.add_site()
    expect(api.delete(f"/sites/{site['id']}", tenant.admin_token), 204)
    assert_error(api.get(f"/sites/{site['id']}", tenant.admin_token), 404)


def test_deleting_site_with_running_camera_is_conflict(api, tenant):
    tenant.camera()
    assert_error(api.delete(f"/sites/{tenant.site_id}", tenant.admin_token), 409)
    assert expect(api.get(f"/sites/{tenant.site_id}", tenant.admin_token), 200) == tenant.site


def test_deleting_site_with_paused_camera_is_conflict_naming_the_way_out(api, tenant):
    camera = tenant.camera()
    expect(api.put(f"/cameras/{camera['id']}/state/paused", tenant.admin_token), 201)
    resp = api.delete(f"/sites/{tenant.site_id}", tenant.admin_token)
    assert_error(resp, 409)
    assert resp.json()["message"] == ("running or paused cameras are placed at this site; move them to another "
                                      "site or decommission them first")
    assert expect(api.get(f"/sites/{tenant.site_id}", tenant.admin_token), 200) == tenant.site


def position_rows(api, camera_id):
    """(id, site_id) of the camera's positions, read from the server's database directly (the
    API has no position history endpoint)."""
    database = api.server.database
    sql = f"SELECT id, site_id FROM camera_positions WHERE camera_id = '{camera_id}' ORDER BY started_at, id"
    if database.startswith("sqlite:"):
        import sqlite3
        connection = sqlite3.connect(database[len("sqlite:"):], timeout=10)
        try:
            return [tuple(row) for row in connection.execute(sql)]
        finally:
            connection.close()
    import subprocess
    out = subprocess.run(["psql", "-At", "-F", " ", "-c", sql, database], check=True, capture_output=True,
                         timeout=60).stdout.decode()
    return [tuple(line.split(" ")) for line in out.splitlines() if line]


def test_deleting_site_whose_cameras_are_all_decommissioned_keeps_their_history(api, tenant):
    site = tenant.add_site(time_zone="Europe/London")
    first = tenant.camera(site_id=site["id"])
    second = tenant.camera(site_id=site["id"])
    viewer = make_user(api, tenant.org_id, "viewer")
    grant_sites(api, viewer["id"], [tenant.site_id, site["id"]])
    expect(api.put(f"/sites/{site['id']}/opening-hours", tenant.admin_token,
                   json={"weekly": {"monday": [{"open": "08:00", "close": "18:00"}]}}), 200)
    expect(api.put(f"/sites/{site['id']}/opening-hours/exceptions/2026-12-25", tenant.admin_token,
                   json={"intervals": []}), 200)
    expect(api.delete(f"/cameras/{first['id']}", tenant.admin_token), 204)
    assert_error(api.delete(f"/sites/{site['id']}", tenant.admin_token), 409)  # second still runs
    expect(api.delete(f"/cameras/{second['id']}", tenant.admin_token), 204)
    expect(api.get(f"/cameras/{first['id']}", tenant.admin_token), 200)  # the row in memory, if any

    expect(api.delete(f"/sites/{site['id']}", tenant.admin_token), 204)

    assert_error(api.get(f"/sites/{site['id']}", tenant.admin_token), 404)
    assert_error(api.get(f"/sites/{site['id']}/opening-hours", tenant.admin_token), 404)
    assert expect(api.get(f"/users/{viewer['id']}/sites", tenant.admin_token), 200) == \
        {"siteIds": [tenant.site_id]}
    for camera in (first, second):
        after = expect(api.get(f"/cameras/{camera['id']}", tenant.admin_token), 200)
        assert after["state"] == "decommissioned"
        assert after["siteId"] is None  # its site is gone; organisation and position stay
        assert after["organisationId"] == tenant.org_id
        assert after["cameraPositionId"] == camera["cameraPositionId"]
        assert position_rows(api, camera["id"]) == [(camera["cameraPositionId"], site["id"])]
        events = expect(api.get("/events", tenant.admin_token, params={"cameraId": camera["id"]}), 200)
        assert [event["type"] for event in events] == ["camera.updated", "camera.decommissioned", "camera.claimed"]
        released = events[0]  # the camera as the deletion left it, the change naming the site
        assert released["siteId"] is None and released["data"]["camera"]["siteId"] is None
        assert released["data"]["changes"] == {"siteId": {"old": site["id"], "new": None}}
        assert released["actor"]["kind"] == "user"
        assert all(event["siteId"] == site["id"] for event in events[1:])
    # the camera can be claimed again, elsewhere: a new position beside the kept one
    again = claim_camera(api, tenant.admin_token, first["serialNumber"], tenant.site_id)
    assert again["siteId"] == tenant.site_id
    assert sorted(position_rows(api, first["id"])) == sorted([(first["cameraPositionId"], site["id"]),
                                                              (again["cameraPositionId"], tenant.site_id)])


def test_deleting_site_after_camera_moved_away_succeeds(api, tenant):
    camera = tenant.camera()
    other_site = tenant.add_site()
    expect(api.post(f"/cameras/{camera['id']}/move", tenant.admin_token,
                    json={"siteId": other_site["id"]}), 201)
    expect(api.delete(f"/sites/{tenant.site_id}", tenant.admin_token), 204)


def test_deleting_a_granted_site_removes_the_grant(api, tenant):
    site = tenant.add_site()
    viewer = make_user(api, tenant.org_id, "viewer")
    grant_sites(api, viewer["id"], [tenant.site_id, site["id"]])
    expect(api.delete(f"/sites/{site['id']}", tenant.admin_token), 204)
    assert expect(api.get(f"/users/{viewer['id']}/sites", tenant.admin_token), 200) == \
        {"siteIds": [tenant.site_id]}


def test_viewer_cannot_delete_site(api, tenant):
    assert_error(api.delete(f"/sites/{tenant.site_id}", tenant.viewer_token), 403)


def test_admin_deleting_another_organisations_site_is_404(api, tenant, other_tenant):
    assert_error(api.delete(f"/sites/{other_tenant.site_id}", tenant.admin_token), 404)
    expect(api.get(f"/sites/{other_tenant.site_id}", api.operator_token), 200)


def test_deleting_unknown_site_is_404(api):
    assert_error(api.delete(f"/sites/{new_id()}", api.operator_token), 404)


def test_claim_to_a_new_site_of_a_new_organisation_works_end_to_end(api, tenant):
    site = make_site(api, token=tenant.admin_token, time_zone="Australia/Sydney")
    camera = register_camera(api)
    claimed = claim_camera(api, user_token(api, tenant.admin), camera["serialNumber"], site["id"])
    assert claimed["siteId"] == site["id"]
    assert claimed["organisationId"] == tenant.org_id
