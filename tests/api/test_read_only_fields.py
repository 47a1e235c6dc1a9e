"""What a GET answers can be sent back (issue 14 point 5): every PATCH and PUT accepts the
read-only fields of its resource with their current values and changes nothing else; a read-only
field with another value is 400 "field '<name>' is read-only: ..." and changes nothing."""
import pytest

from conftest import assert_error, expect, grant_sites, make_user
from test_device_link import device_for
from webhook_support import make_webhook

PUBLIC_URL = "https://1.1.1.1/never-called"  # a public address literal: never delivered to here


def assert_read_only(resp, name):
    assert_error(resp, 400)
    assert resp.json()["message"] == f"field '{name}' is read-only: leave it out or send its current value"


def round_trip(api, token, path, method="patch", status=200):
    """GET path, send the answer back with method; the answer and a new GET equal the first."""
    before = expect(api.get(path, token), 200)
    after = expect(getattr(api, method)(path, token, json=before), status)
    assert after == before
    assert expect(api.get(path, token), 200) == before
    return before


def test_organisation_sent_back_changes_nothing(api, tenant):
    path = f"/organisations/{tenant.org_id}"
    before = round_trip(api, api.operator_token, path)
    assert_read_only(api.patch(path, api.operator_token, json={**before, "name": "Renamed", "id": "x"}), "id")
    assert_read_only(api.patch(path, api.operator_token, json={"createdAt": "2020-01-01T00:00:00Z"}), "createdAt")
    assert expect(api.get(path, api.operator_token), 200) == before


def test_site_sent_back_changes_nothing(api, tenant):
    site = tenant.add_site(time_zone="Europe/Paris")
    path = f"/sites/{site['id']}"
    before = round_trip(api, tenant.admin_token, path)
    changed = expect(api.patch(path, tenant.admin_token, json={**before, "name": "Renamed"}), 200)
    assert changed == {**before, "name": "Renamed"}
    resp = api.patch(path, tenant.admin_token, json={**changed, "name": "Never", "organisationId": site["id"]})
    assert_read_only(resp, "organisationId")
    assert expect(api.get(path, tenant.admin_token), 200) == changed


def test_user_sent_back_changes_nothing_and_keeps_its_tokens(api, tenant):
    user = make_user(api, tenant.org_id, "viewer")
    path = f"/users/{user['id']}"
    before = round_trip(api, tenant.admin_token, path)
    assert_read_only(api.patch(path, tenant.admin_token, json={**before, "id": tenant.org_id}), "id")
    assert expect(api.get(path, tenant.admin_token), 200) == before


def test_user_sites_sent_back_change_nothing(api, tenant):
    user = make_user(api, tenant.org_id, "viewer")
    grant_sites(api, user["id"], [tenant.site_id])
    round_trip(api, tenant.admin_token, f"/users/{user['id']}/sites", method="put")


def test_camera_sent_back_changes_nothing(api, tenant):
    camera = tenant.camera(name="Entrance")
    path = f"/cameras/{camera['id']}"
    before = round_trip(api, tenant.admin_token, path)
    assert_read_only(api.patch(path, tenant.admin_token, json={**before, "state": "paused"}), "state")
    assert_read_only(api.patch(path, tenant.admin_token, json={"name": "Never", "siteId": None}), "siteId")
    assert expect(api.get(path, tenant.admin_token), 200) == before
    renamed = expect(api.patch(path, tenant.admin_token, json={**before, "name": "Exit"}), 200)
    assert renamed == {**before, "name": "Exit"}


def test_camera_status_the_camera_changes_is_accepted_as_it_was_read(api, tenant):
    camera = tenant.camera()
    device = device_for(api, camera["id"], tenant.admin_token)
    path = f"/cameras/{camera['id']}"
    read = expect(api.get(path, tenant.admin_token), 200)
    expect(device.heartbeat(state="running"), 200)  # the status moves on between the GET and the PATCH
    after = expect(api.patch(path, tenant.admin_token, json={**read, "direction1Alias": "In"}), 200)
    assert after["direction1Alias"] == "In"
    assert (after["isOnline"], after["reportedState"]) == (True, "running")


def test_camera_sent_to_its_state_changes_only_the_state(api, tenant):
    camera = tenant.camera()
    path = f"/cameras/{camera['id']}"
    before = expect(api.get(path, tenant.admin_token), 200)
    paused = expect(api.put(f"{path}/state/paused", tenant.admin_token, json=before), 201)
    assert paused == {**before, "state": "paused"}


def test_weekly_opening_hours_sent_back_change_nothing(api, tenant):
    path = f"/sites/{tenant.site_id}/opening-hours"
    expect(api.put(path, tenant.admin_token,
                   json={"weekly": {"monday": [{"open": "08:30", "close": "12:00"}]}}), 200)
    round_trip(api, tenant.admin_token, path, method="put")


def test_exception_sent_back_changes_nothing(api, tenant):
    path = f"/sites/{tenant.site_id}/opening-hours/exceptions/2026-12-24"
    expect(api.put(path, tenant.admin_token, json={"intervals": [{"open": "09:00", "close": "13:00"}]}), 200)
    before = round_trip(api, tenant.admin_token, path, method="put")
    assert before["date"] == "2026-12-24"
    assert_read_only(api.put(path, tenant.admin_token, json={**before, "date": "2026-12-25", "intervals": []}),
                     "date")
    assert expect(api.get(path, tenant.admin_token), 200) == before
    assert_error(api.get(f"/sites/{tenant.site_id}/opening-hours/exceptions/2026-12-25", tenant.admin_token), 404)


def test_webhook_sent_back_changes_nothing(api, tenant):
    webhook = make_webhook(api, tenant.admin_token, PUBLIC_URL, ["webhook.disabled"], description="BI feed")
    path = f"/webhooks/{webhook['id']}"
    before = round_trip(api, tenant.admin_token, path)
    assert "secret" not in before
    assert_read_only(api.patch(path, tenant.admin_token, json={**before, "createdAt": "2020-01-01T00:00:00.000Z"}),
                     "createdAt")
    assert expect(api.get(path, tenant.admin_token), 200) == before
    expect(api.delete(path, tenant.admin_token), 204)


@pytest.mark.parametrize("body,message", [
    ({"created_at": "x"}, "unknown field 'created_at' — did you mean 'createdAt'? allowed: name, timeZone; "
                          "read-only: id, organisationId, createdAt"),
    ({"colour": "red"}, "unknown field 'colour'; allowed: name, timeZone; read-only: id, organisationId, createdAt"),
])
def test_an_unknown_field_of_a_change_lists_the_writable_and_read_only_fields(api, tenant, body, message):
    resp = api.patch(f"/sites/{tenant.site_id}", tenant.admin_token, json=body)
    assert_error(resp, 400)
    assert resp.json()["message"] == message
