"""/organisations: create, read, list, rename and delete, and who may do each."""
import time

import pytest

from conftest import (ORGANISATION_KEYS, assert_error, assert_recent, assert_uuid, expect,
                      make_client, make_org, make_site, make_user, new_id, unique)


def test_operator_creates_organisation(api):
    name = unique("org")
    before = time.time()
    org = expect(api.post("/organisations", api.operator_token, json={"name": name}), 201)
    after = time.time()
    assert set(org) == ORGANISATION_KEYS
    assert_uuid(org["id"])
    assert org["name"] == name
    assert_recent(org["createdAt"], before, after)


def test_created_organisation_reads_back_identically(api):
    org = make_org(api)
    assert expect(api.get(f"/organisations/{org['id']}", api.operator_token), 200) == org


def test_uppercase_organisation_id_in_path_is_accepted(api):
    org = make_org(api)
    assert expect(api.get(f"/organisations/{org['id'].upper()}", api.operator_token), 200) == org


def test_operator_lists_all_organisations(api):
    first, second = make_org(api), make_org(api)
    listed = expect(api.get("/organisations", api.operator_token), 200)
    assert isinstance(listed, list)
    assert first in listed and second in listed


def test_admin_lists_only_its_own_organisation(api, tenant, other_tenant):
    assert expect(api.get("/organisations", tenant.admin_token), 200) == [tenant.org]


def test_viewer_lists_only_its_own_organisation(api, tenant, other_tenant):
    assert expect(api.get("/organisations", tenant.viewer_token), 200) == [tenant.org]


def test_admin_reads_its_own_organisation(api, tenant):
    assert expect(api.get(f"/organisations/{tenant.org_id}", tenant.admin_token), 200) == tenant.org


def test_viewer_reads_its_own_organisation(api, tenant):
    assert expect(api.get(f"/organisations/{tenant.org_id}", tenant.viewer_token), 200) == \
        tenant.org


def test_admin_reading_another_organisation_is_404(api, tenant, other_tenant):
    assert_error(api.get(f"/organisations/{other_tenant.org_id}", tenant.admin_token), 404)


def test_unknown_organisation_is_404(api):
    assert_error(api.get(f"/organisations/{new_id()}", api.operator_token), 404)


def test_malformed_organisation_id_is_422(api):
    assert_error(api.get("/organisations/not-a-uuid", api.operator_token), 422)


def test_admin_cannot_create_organisation(api, tenant):
    assert_error(api.post("/organisations", tenant.admin_token, json={"name": unique()}), 403)


def test_viewer_cannot_create_organisation(api, tenant):
    assert_error(api.post("/organisations", tenant.viewer_token, json={"name": unique()}), 403)


def test_organisation_name_of_200_characters_is_accepted(api):
    name = "n" * 200
    assert make_org(api, name=name)["name"] == name


def test_organisation_name_keeps_unicode(api):
    name = "Stadt München – Zählung " + unique()
    org = make_org(api, name=name)
    assert expect(api.get(f"/organisations/{org['id']}", api.operator_token), 200)["name"] == name


@pytest.mark.parametrize("body", [
    {},
    {"name": ""},
    {"name": "n" * 201},
    {"name": 42},
    {"name": None},
    {"name": ["x"]},
])
def test_invalid_organisation_body_is_400(api, body):
    assert_error(api.post("/organisations", api.operator_token, json=body), 400)


def test_operator_renames_organisation(api):
    org = make_org(api)
    new_name = unique("renamed")
    renamed = expect(api.patch(f"/organisations/{org['id']}", api.operator_token,
                               json={"name": new_name}), 200)
    assert renamed == {**org, "name": new_name}
    assert expect(api.get(f"/organisations/{org['id']}", api.operator_token), 200) == renamed


def test_admin_cannot_rename_its_organisation(api, tenant):
    resp = api.patch(f"/organisations/{tenant.org_id}", tenant.admin_token, json={"name": "x"})
    assert_error(resp, 403)
    assert expect(api.get(f"/organisations/{tenant.org_id}", api.operator_token), 200) == tenant.org


def test_renaming_with_empty_name_is_400_and_changes_nothing(api):
    org = make_org(api)
    assert_error(api.patch(f"/organisations/{org['id']}", api.operator_token, json={"name": ""}),
                 400)
    assert expect(api.get(f"/organisations/{org['id']}", api.operator_token), 200) == org


def test_renaming_unknown_organisation_is_404(api):
    assert_error(api.patch(f"/organisations/{new_id()}", api.operator_token,
                           json={"name": "x"}), 404)


def test_operator_deletes_empty_organisation(api):
    org = make_org(api)
    expect(api.delete(f"/organisations/{org['id']}", api.operator_token), 204)
    assert_error(api.get(f"/organisations/{org['id']}", api.operator_token), 404)
    assert org not in expect(api.get("/organisations", api.operator_token), 200)


def test_deleting_unknown_organisation_is_404(api):
    assert_error(api.delete(f"/organisations/{new_id()}", api.operator_token), 404)


def test_deleting_organisation_twice_is_404(api):
    org = make_org(api)
    expect(api.delete(f"/organisations/{org['id']}", api.operator_token), 204)
    assert_error(api.delete(f"/organisations/{org['id']}", api.operator_token), 404)


def test_deleting_organisation_with_a_site_is_conflict(api):
    org = make_org(api)
    make_site(api, org["id"])
    assert_error(api.delete(f"/organisations/{org['id']}", api.operator_token), 409)
    assert expect(api.get(f"/organisations/{org['id']}", api.operator_token), 200) == org


def test_deleting_organisation_with_a_user_is_conflict(api):
    org = make_org(api)
    make_user(api, org["id"], "viewer")
    assert_error(api.delete(f"/organisations/{org['id']}", api.operator_token), 409)


def test_deleting_organisation_with_a_client_is_conflict(api):
    org = make_org(api)
    make_client(api, org["id"], "viewer")
    assert_error(api.delete(f"/organisations/{org['id']}", api.operator_token), 409)


def test_admin_cannot_delete_its_organisation(api, tenant):
    assert_error(api.delete(f"/organisations/{tenant.org_id}", tenant.admin_token), 403)


def test_deleting_organisation_after_emptying_it_succeeds(api):
    org = make_org(api)
    site = make_site(api, org["id"])
    user = make_user(api, org["id"], "admin")
    expect(api.delete(f"/sites/{site['id']}", api.operator_token), 204)
    expect(api.delete(f"/users/{user['id']}", api.operator_token), 204)
    expect(api.delete(f"/organisations/{org['id']}", api.operator_token), 204)


def test_organisation_name_limit_counts_characters_not_bytes(api):
    name = "ü" * 200  # 400 bytes of UTF-8
    assert make_org(api, name=name)["name"] == name
    assert_error(api.post("/organisations", api.operator_token, json={"name": "ü" * 201}), 400)
