"""Strict query strings (issue 14, point 1): every operation takes only the query parameters the
OpenAPI document lists for it; any other gets 400 naming it (and those the operation takes) and
changes nothing, so a typo such as ?siteld= can never select the whole fleet. And the filters
people reach for on GET /cameras: serialNumber (exact), isOnline, q (name or serial, any case)."""
import json
import re
from pathlib import Path

import pytest

from conftest import assert_error, expect, new_id

from test_device_link import device_for

OPENAPI = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text())
PLACEHOLDERS = {"date": "2026-03-01", "newState": "running"}


def documented_operations():
    """(method, path pattern, [query parameter names]) of every operation in the document."""
    components = OPENAPI.get("components", {}).get("parameters", {})
    operations = []
    for path, item in sorted(OPENAPI["paths"].items()):
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method == "parameters":
                continue
            names = []
            for parameter in shared + operation.get("parameters", []):
                if "$ref" in parameter:
                    parameter = components[parameter["$ref"].split("/")[-1]]
                if parameter.get("in") == "query":
                    names.append(parameter["name"])
            operations.append((method.upper(), path, names))
    return operations


def concrete(path):
    return re.sub(r"\{(\w+)\}", lambda m: PLACEHOLDERS.get(m.group(1), new_id()), path)


OPERATIONS = documented_operations()


@pytest.mark.parametrize("method,path,names", OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_an_undocumented_query_parameter_is_refused_naming_it(api, method, path, names):
    token = api.operator_token
    resp = api.request(method, concrete(path) + "?bogusParam=1", token)
    if path.startswith("/device/"):  # device routes admit the device role only: 403 comes first
        assert resp.status_code == 403, resp.text
        return
    assert_error(resp, 400, "bogusParam")
    message = resp.json()["message"]
    assert f"{method} {path}" in message, message
    if names:
        for name in names:
            assert name in message, (name, message)
    else:
        assert "takes no query parameters" in message, message


@pytest.mark.parametrize("method,path,names", [op for op in OPERATIONS if op[2]],
                         ids=[f"{m} {p}" for m, p, n in OPERATIONS if n])
def test_every_documented_query_parameter_is_known(api, method, path, names):
    token = api.operator_token
    for name in names:
        resp = api.request(method, concrete(path), token, params={name: "x"})
        if resp.status_code == 400:  # a bad value is 422; an unknown name would be 400
            assert "unknown query parameter" not in resp.text, (name, resp.text)


def test_the_typo_that_once_listed_the_whole_fleet(api, tenant):
    tenant.camera()
    resp = api.get("/cameras", tenant.admin_token, params={"siteld": tenant.site_id})
    assert_error(resp, 400, "'siteld'")
    assert "siteId" in resp.json()["message"]


def test_authentication_comes_before_the_query_check(api):
    resp = api.get("/cameras", None, params={"siteld": new_id()})
    assert resp.status_code == 401, resp.text


def test_a_refused_write_changes_nothing(api, tenant):
    camera = tenant.camera(name="Kept")
    resp = api.request("PATCH", f"/cameras/{camera['id']}?siteld=x", tenant.admin_token,
                       json={"name": "Changed"})
    assert_error(resp, 400, "siteld")
    assert expect(api.get(f"/cameras/{camera['id']}", tenant.admin_token), 200)["name"] == "Kept"
    resp = api.request("DELETE", f"/cameras/{camera['id']}?force=true", tenant.admin_token)
    assert_error(resp, 400, "force")
    assert expect(api.get(f"/cameras/{camera['id']}", tenant.admin_token), 200)["state"] == "running"


def test_serial_number_filter_is_exact(api, tenant):
    first, second = tenant.camera(), tenant.camera()
    token = tenant.admin_token
    found = expect(api.get("/cameras", token, params={"serialNumber": first["serialNumber"]}), 200)
    assert [c["id"] for c in found] == [first["id"]]
    prefix = first["serialNumber"][:-1]
    assert expect(api.get("/cameras", token, params={"serialNumber": prefix}), 200) == []
    assert second["id"] not in [c["id"] for c in found]
    assert_error(api.get("/cameras", token, params={"serialNumber": ""}), 422, "serialNumber")
    assert_error(api.get("/cameras", token, params={"serialNumber": "x" * 129}), 422, "serialNumber")


def test_is_online_filter(api, tenant):
    online, offline = tenant.camera(), tenant.camera()
    device = device_for(api, online["id"], tenant.admin_token)
    expect(device.heartbeat(), 200)
    token = tenant.admin_token
    site = {"siteId": tenant.site_id}
    on = [c["id"] for c in expect(api.get("/cameras", token, params={**site, "isOnline": "true"}), 200)]
    off = [c["id"] for c in expect(api.get("/cameras", token, params={**site, "isOnline": "false"}), 200)]
    assert on == [online["id"]]
    assert off == [offline["id"]]
    every = expect(api.get("/cameras", token, params=site), 200)
    for camera in every:  # the filter agrees with each camera's own isOnline
        assert (camera["id"] in on) == camera["isOnline"]
    assert_error(api.get("/cameras", token, params={"isOnline": "yes"}), 422, "isOnline")


def test_q_matches_name_or_serial_in_any_case_and_takes_wildcards_literally(api, tenant):
    token = tenant.admin_token
    entrance = tenant.camera(name="North ENTRANCE 1")
    percent = tenant.camera(name="100% coverage_zone")
    other = tenant.camera(name="Loading bay")
    site = {"siteId": tenant.site_id}

    def matching(text):
        return sorted(c["id"] for c in expect(api.get("/cameras", token, params={**site, "q": text}), 200))

    assert matching("entrance") == [entrance["id"]]
    assert matching("ENTRANCE 1") == [entrance["id"]]
    assert matching("%") == [percent["id"]]
    assert matching("e_1") == []  # "_" is a character: it does not match the space of "E 1"
    assert matching("coverage_zone") == [percent["id"]]
    assert matching(other["serialNumber"][-6:].lower()) == [other["id"]]
    assert matching("no such camera") == []
    assert len(matching("")) == 3  # empty: no filter
    assert_error(api.get("/cameras", token, params={"q": "x" * 801}), 422, "q")


def test_filters_combine_and_the_next_link_keeps_them(api, tenant):
    token = tenant.admin_token
    cameras = [tenant.camera(name=f"Aisle {i}") for i in range(3)]
    tenant.camera(name="Other")
    resp = api.get("/cameras", token, params={"siteId": tenant.site_id, "q": "aisle", "isOnline": "false",
                                              "limit": 2})
    page = expect(resp, 200)
    assert len(page) == 2
    link = resp.headers["Link"]
    assert "q=aisle" in link and "isOnline=false" in link, link
    rest = expect(api.get(re.match(r"<([^>]+)>", link).group(1).replace(api.base, ""), token), 200)
    assert sorted(c["id"] for c in page + rest) == sorted(c["id"] for c in cameras)
