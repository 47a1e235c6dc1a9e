"""Error messages that say how to fix the request: an unknown body field suggests the nearest known
one and lists the allowed set; a nested field is named by its path (issue 14 point 4)."""
from conftest import assert_error, make_site, make_user, new_id, unique


def test_unknown_top_level_field_suggests_the_known_one_and_lists_the_allowed(api, tenant):
    resp = api.post("/sites", api.operator_token, json={
        "name": unique("site"), "timezone": "Europe/Paris", "organisationId": tenant.org_id})
    assert_error(resp, 400)
    assert resp.json()["message"] == (
        "unknown field 'timezone' — did you mean 'timeZone'? allowed: name, timeZone, organisationId")


def test_unknown_field_far_from_every_known_one_lists_the_allowed_only(api, tenant):
    camera = new_id()
    resp = api.patch(f"/cameras/{camera}", tenant.admin_token, json={"colour": "red"})
    assert_error(resp, 400)
    assert resp.json()["message"].startswith("unknown field 'colour'; allowed: name, direction1Alias, ")


def test_unknown_field_of_an_interval_is_named_by_its_path(api, tenant):
    site = make_site(api, tenant.org_id)
    body = {"weekly": {"monday": [{"open": "08:00", "close": "12:00"}, {"open": "13:00", "clsoe": "17:00"}]}}
    resp = api.put(f"/sites/{site['id']}/opening-hours", tenant.admin_token, json=body)
    assert_error(resp, 400)
    assert resp.json()["message"] == (
        "unknown field 'weekly.monday[1].clsoe' — did you mean 'close'? allowed: open, close")


def test_unknown_day_suggests_the_lower_case_name(api, tenant):
    site = make_site(api, tenant.org_id)
    resp = api.put(f"/sites/{site['id']}/opening-hours", tenant.admin_token,
                   json={"weekly": {"Monday": []}})
    assert_error(resp, 400)
    assert resp.json()["message"] == (
        "unknown field 'weekly.Monday' — did you mean 'monday'? allowed: monday, tuesday, wednesday, "
        "thursday, friday, saturday, sunday")


def test_unknown_field_of_a_batch_item_is_named_by_its_path(api):
    items = [{"cameraId": new_id(), "serialNumber": unique("sn")} for _ in range(3)]
    items.append({"cameraId": new_id(), "serialnumber": unique("sn")})
    resp = api.post("/register-camera-batches", api.operator_token, json={"cameras": items})
    assert_error(resp, 400)
    assert resp.json()["message"] == (
        "unknown field 'cameras[3].serialnumber' — did you mean 'serialNumber'? allowed: cameraId, serialNumber")


def test_parameter_names_are_quoted_like_field_names(api, tenant):
    resp = api.get("/cameras/not-a-uuid", tenant.admin_token)
    assert_error(resp, 422)
    assert resp.json()["message"].startswith("path parameter 'cameraId' must be a UUID")
    resp = api.get("/cameras?includeMetrics=maybe", tenant.admin_token)
    assert_error(resp, 422)
    assert resp.json()["message"] == "query parameter 'includeMetrics' must be true or false"


def test_an_item_of_a_list_field_is_named_by_its_path(api, tenant):
    user = make_user(api, tenant.org_id, "viewer")
    resp = api.put(f"/users/{user['id']}/sites", tenant.admin_token, json={"siteIds": [tenant.site_id, "nope"]})
    assert_error(resp, 400)
    assert resp.json()["message"] == "field 'siteIds[1]' must be a site id (UUID)"


def test_a_webhook_url_problem_quotes_the_field(api, tenant):
    resp = api.post("/webhooks", tenant.admin_token, json={"url": "ftp://1.1.1.1/hook", "events": ["*"]})
    assert_error(resp, 422)
    assert resp.json()["message"] == "field 'url' must use http or https"
