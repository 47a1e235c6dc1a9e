"""/users: create (roles, organisation rules, password bounds, unique email), read, list,
patch, delete, password login, and granted sites (PUT/GET /users/{id}/sites)."""
import time

import pytest

from conftest import (USER_KEYS, assert_error, assert_oauth_error, assert_recent, assert_uuid,
                      expect, jwt_parts, make_user, new_id, unique_email, user_token)


def login(api, email, password):
    return api.oauth_token({"grant_type": "password", "username": email, "password": password})


def test_operator_creates_admin_user(api, tenant):
    email = unique_email("admin")
    before = time.time()
    user = expect(api.post("/users", api.operator_token, json={
        "email": email, "password": "correct horse", "role": "admin",
        "organisationId": tenant.org_id}), 201)
    after = time.time()
    assert set(user) == USER_KEYS
    assert_uuid(user["id"])
    assert user["email"] == email
    assert user["role"] == "admin"
    assert user["organisationId"] == tenant.org_id
    assert_recent(user["createdAt"], before, after)


def test_created_user_reads_back_without_password(api, tenant):
    user = make_user(api, tenant.org_id, "viewer")
    read = expect(api.get(f"/users/{user['id']}", api.operator_token), 200)
    assert set(read) == USER_KEYS
    assert read == {key: user[key] for key in USER_KEYS}


def test_admin_creates_viewer_in_its_own_organisation_by_default(api, tenant):
    user = make_user(api, None, "viewer", token=tenant.admin_token)
    assert user["organisationId"] == tenant.org_id
    assert user["role"] == "viewer"


def test_admin_creates_admin_naming_its_own_organisation(api, tenant):
    user = make_user(api, tenant.org_id, "admin", token=tenant.admin_token)
    assert user["organisationId"] == tenant.org_id


def test_operator_creates_operator_user_without_organisation(api):
    user = make_user(api, None, "operator")
    assert user["role"] == "operator"
    assert user["organisationId"] is None
    _, claims, _ = jwt_parts(user_token(api, user))
    assert claims["role"] == "operator" and "org" not in claims


def test_operator_creating_admin_without_organisation_is_400(api):
    resp = api.post("/users", api.operator_token, json={
        "email": unique_email(), "password": "long enough", "role": "admin"})
    assert_error(resp, 400)


def test_operator_creating_user_in_unknown_organisation_is_404(api):
    resp = api.post("/users", api.operator_token, json={
        "email": unique_email(), "password": "long enough", "role": "viewer",
        "organisationId": new_id()})
    assert_error(resp, 404)


def test_admin_cannot_create_operator_user(api, tenant):
    resp = api.post("/users", tenant.admin_token, json={
        "email": unique_email(), "password": "long enough", "role": "operator"})
    assert_error(resp, 403)


def test_admin_creating_user_in_another_organisation_is_404(api, tenant, other_tenant):
    email = unique_email()
    resp = api.post("/users", tenant.admin_token, json={
        "email": email, "password": "long enough", "role": "viewer",
        "organisationId": other_tenant.org_id})
    assert_error(resp, 404)
    assert_oauth_error(login(api, email, "long enough"), 400, "invalid_grant")


def test_viewer_cannot_create_user(api, tenant):
    resp = api.post("/users", tenant.viewer_token, json={
        "email": unique_email(), "password": "long enough", "role": "viewer"})
    assert_error(resp, 403)


def test_password_of_8_and_200_characters_is_accepted(api, tenant):
    make_user(api, tenant.org_id, "viewer", password="p" * 8)
    long_user = make_user(api, tenant.org_id, "viewer", password="p" * 200)
    expect(login(api, long_user["email"], "p" * 200), 200)


@pytest.mark.parametrize("body", [
    {"password": "long enough", "role": "viewer"},
    {"email": "x@example.test", "role": "viewer"},
    {"email": "x@example.test", "password": "long enough"},
    {"email": "x@example.test", "password": "short", "role": "viewer"},
    {"email": "x@example.test", "password": "p" * 201, "role": "viewer"},
    {"email": "x@example.test", "password": "long enough", "role": "superuser"},
    {"email": "x@example.test", "password": "long enough", "role": "device"},
    {"email": 5, "password": "long enough", "role": "viewer"},
    {"email": "x@example.test", "password": 12345678, "role": "viewer"},
    {"email": "", "password": "long enough", "role": "viewer"},
])
def test_invalid_user_body_is_400(api, tenant, body):
    assert_error(api.post("/users", tenant.admin_token, json=body), 400)


def test_duplicate_email_is_conflict(api, tenant):
    user = make_user(api, tenant.org_id, "viewer")
    resp = api.post("/users", api.operator_token, json={
        "email": user["email"], "password": "another one", "role": "admin",
        "organisationId": tenant.org_id})
    assert_error(resp, 409)


def test_duplicate_email_differing_in_case_is_conflict(api, tenant, other_tenant):
    user = make_user(api, tenant.org_id, "viewer")
    resp = api.post("/users", api.operator_token, json={
        "email": user["email"].upper(), "password": "another one", "role": "viewer",
        "organisationId": other_tenant.org_id})
    assert_error(resp, 409)


def test_created_user_logs_in_with_password(api, tenant):
    user = make_user(api, tenant.org_id, "admin", token=tenant.admin_token)
    body = expect(login(api, user["email"], user["password"]), 200)
    _, claims, _ = jwt_parts(body["access_token"])
    assert claims["sub"] == user["id"]
    assert claims["role"] == "admin"
    assert claims["org"] == tenant.org_id
    expect(api.get("/users", body["access_token"]), 200)


def test_operator_lists_users_filtered_by_organisation(api, tenant, other_tenant):
    admin, viewer = tenant.admin, tenant.viewer
    other_tenant.admin  # noqa: B018 - makes a user in the other organisation
    listed = expect(api.get("/users", api.operator_token,
                            params={"organisationId": tenant.org_id}), 200)
    assert sorted(u["id"] for u in listed) == sorted([admin["id"], viewer["id"]])
    for user in listed:
        assert set(user) == USER_KEYS


def test_admin_lists_only_its_own_organisations_users(api, tenant, other_tenant):
    other_tenant.admin  # noqa: B018
    listed = expect(api.get("/users", tenant.admin_token), 200)
    assert {u["organisationId"] for u in listed} == {tenant.org_id}
    assert tenant.admin["id"] in {u["id"] for u in listed}


def test_viewer_cannot_list_users(api, tenant):
    assert_error(api.get("/users", tenant.viewer_token), 403)


def test_admin_reading_another_organisations_user_is_404(api, tenant, other_tenant):
    assert_error(api.get(f"/users/{other_tenant.admin['id']}", tenant.admin_token), 404)


def test_unknown_user_is_404(api):
    assert_error(api.get(f"/users/{new_id()}", api.operator_token), 404)


def test_malformed_user_id_is_422(api):
    assert_error(api.get("/users/abc", api.operator_token), 422)


def test_patch_email_changes_login_name(api, tenant):
    user = make_user(api, tenant.org_id, "viewer")
    new_email = unique_email("renamed")
    patched = expect(api.patch(f"/users/{user['id']}", tenant.admin_token,
                               json={"email": new_email}), 200)
    assert patched == {**{k: user[k] for k in USER_KEYS}, "email": new_email}
    expect(login(api, new_email, user["password"]), 200)
    assert_oauth_error(login(api, user["email"], user["password"]), 400, "invalid_grant")


def test_patch_password_replaces_the_old_one(api, tenant):
    user = make_user(api, tenant.org_id, "viewer")
    expect(api.patch(f"/users/{user['id']}", tenant.admin_token,
                     json={"password": "brand new secret"}), 200)
    expect(login(api, user["email"], "brand new secret"), 200)
    assert_oauth_error(login(api, user["email"], user["password"]), 400, "invalid_grant")


def test_patch_role_from_viewer_to_admin(api, tenant):
    user = make_user(api, tenant.org_id, "viewer")
    patched = expect(api.patch(f"/users/{user['id']}", tenant.admin_token,
                               json={"role": "admin"}), 200)
    assert patched["role"] == "admin"
    _, claims, _ = jwt_parts(expect(login(api, user["email"], user["password"]), 200)
                             ["access_token"])
    assert claims["role"] == "admin"


def test_patch_with_too_short_password_is_400_and_keeps_the_old_one(api, tenant):
    user = make_user(api, tenant.org_id, "viewer")
    assert_error(api.patch(f"/users/{user['id']}", tenant.admin_token,
                           json={"password": "short"}), 400)
    expect(login(api, user["email"], user["password"]), 200)


def test_patch_email_to_an_existing_one_is_conflict(api, tenant):
    first = make_user(api, tenant.org_id, "viewer")
    second = make_user(api, tenant.org_id, "viewer")
    assert_error(api.patch(f"/users/{second['id']}", tenant.admin_token,
                           json={"email": first["email"]}), 409)
    assert expect(api.get(f"/users/{second['id']}", tenant.admin_token), 200)["email"] == \
        second["email"]


def test_admin_cannot_promote_user_to_operator(api, tenant):
    user = make_user(api, tenant.org_id, "viewer")
    assert_error(api.patch(f"/users/{user['id']}", tenant.admin_token,
                           json={"role": "operator"}), 403)
    assert expect(api.get(f"/users/{user['id']}", tenant.admin_token), 200)["role"] == "viewer"


def test_viewer_cannot_patch_users(api, tenant):
    assert_error(api.patch(f"/users/{tenant.viewer['id']}", tenant.viewer_token,
                           json={"role": "admin"}), 403)


def test_admin_patching_another_organisations_user_is_404(api, tenant, other_tenant):
    assert_error(api.patch(f"/users/{other_tenant.admin['id']}", tenant.admin_token,
                           json={"email": unique_email()}), 404)


def test_delete_user_then_it_is_gone_and_cannot_log_in(api, tenant):
    user = make_user(api, tenant.org_id, "viewer")
    expect(api.delete(f"/users/{user['id']}", tenant.admin_token), 204)
    assert_error(api.get(f"/users/{user['id']}", tenant.admin_token), 404)
    assert_oauth_error(login(api, user["email"], user["password"]), 400, "invalid_grant")


def test_deleted_users_email_can_be_reused(api, tenant):
    user = make_user(api, tenant.org_id, "viewer")
    expect(api.delete(f"/users/{user['id']}", tenant.admin_token), 204)
    again = make_user(api, tenant.org_id, "viewer", email=user["email"])
    assert again["id"] != user["id"]


def test_admin_deleting_another_organisations_user_is_404(api, tenant, other_tenant):
    assert_error(api.delete(f"/users/{other_tenant.admin['id']}", tenant.admin_token), 404)
    expect(api.get(f"/users/{other_tenant.admin['id']}", api.operator_token), 200)


def test_viewer_cannot_delete_users(api, tenant):
    assert_error(api.delete(f"/users/{tenant.viewer['id']}", tenant.viewer_token), 403)


# --- granted sites --------------------------------------------------------------------------------

def test_new_user_has_no_granted_sites(api, tenant):
    user = make_user(api, tenant.org_id, "viewer")
    assert expect(api.get(f"/users/{user['id']}/sites", tenant.admin_token), 200) == \
        {"siteIds": []}


def test_put_sites_grants_and_get_reads_them_back(api, tenant):
    user = make_user(api, tenant.org_id, "viewer")
    second = tenant.add_site()
    granted = expect(api.put(f"/users/{user['id']}/sites", tenant.admin_token,
                             json={"siteIds": [tenant.site_id, second["id"]]}), 200)
    assert set(granted) == {"siteIds"}
    assert sorted(granted["siteIds"]) == sorted([tenant.site_id, second["id"]])
    read = expect(api.get(f"/users/{user['id']}/sites", tenant.admin_token), 200)
    assert sorted(read["siteIds"]) == sorted([tenant.site_id, second["id"]])


def test_put_sites_replaces_the_list(api, tenant):
    user = make_user(api, tenant.org_id, "viewer")
    second = tenant.add_site()
    expect(api.put(f"/users/{user['id']}/sites", tenant.admin_token,
                   json={"siteIds": [tenant.site_id, second["id"]]}), 200)
    assert expect(api.put(f"/users/{user['id']}/sites", tenant.admin_token,
                          json={"siteIds": [second["id"]]}), 200) == {"siteIds": [second["id"]]}
    assert expect(api.get(f"/users/{user['id']}/sites", tenant.admin_token), 200) == \
        {"siteIds": [second["id"]]}
    assert expect(api.put(f"/users/{user['id']}/sites", tenant.admin_token,
                          json={"siteIds": []}), 200) == {"siteIds": []}


def test_put_sites_accepts_uppercase_ids_and_answers_lowercase(api, tenant):
    user = make_user(api, tenant.org_id, "viewer")
    granted = expect(api.put(f"/users/{user['id']}/sites", tenant.admin_token,
                             json={"siteIds": [tenant.site_id.upper()]}), 200)
    assert granted == {"siteIds": [tenant.site_id]}


def test_put_sites_with_another_organisations_site_is_404_naming_it(api, tenant, other_tenant):
    user = make_user(api, tenant.org_id, "viewer")
    resp = api.put(f"/users/{user['id']}/sites", tenant.admin_token,
                   json={"siteIds": [tenant.site_id, other_tenant.site_id]})
    assert_error(resp, 404, other_tenant.site_id)
    assert expect(api.get(f"/users/{user['id']}/sites", tenant.admin_token), 200) == \
        {"siteIds": []}


def test_operator_put_sites_with_another_organisations_site_is_404(api, tenant, other_tenant):
    user = make_user(api, tenant.org_id, "viewer")
    resp = api.put(f"/users/{user['id']}/sites", api.operator_token,
                   json={"siteIds": [other_tenant.site_id]})
    assert_error(resp, 404, other_tenant.site_id)


def test_put_sites_with_unknown_site_is_404_naming_it(api, tenant):
    user = make_user(api, tenant.org_id, "viewer")
    unknown = new_id()
    resp = api.put(f"/users/{user['id']}/sites", tenant.admin_token, json={"siteIds": [unknown]})
    assert_error(resp, 404, unknown)


@pytest.mark.parametrize("body", [
    {},
    {"siteIds": "not-a-list"},
    {"siteIds": ["not-a-uuid"]},
    {"siteIds": [5]},
    {"siteIds": [], "extra": True},
])
def test_put_sites_with_invalid_body_is_400(api, tenant, body):
    user = make_user(api, tenant.org_id, "viewer")
    assert_error(api.put(f"/users/{user['id']}/sites", tenant.admin_token, json=body), 400)


def test_viewer_reads_its_own_granted_sites(api, tenant):
    assert expect(api.get(f"/users/{tenant.viewer['id']}/sites", tenant.viewer_token), 200) == \
        {"siteIds": [tenant.site_id]}


def test_viewer_cannot_change_its_own_granted_sites(api, tenant):
    second = tenant.add_site()
    resp = api.put(f"/users/{tenant.viewer['id']}/sites", tenant.viewer_token,
                   json={"siteIds": [tenant.site_id, second["id"]]})
    assert_error(resp, 403)
    assert expect(api.get(f"/users/{tenant.viewer['id']}/sites", tenant.admin_token), 200) == \
        {"siteIds": [tenant.site_id]}


def test_admin_reading_another_organisations_user_sites_is_404(api, tenant, other_tenant):
    assert_error(api.get(f"/users/{other_tenant.viewer['id']}/sites", tenant.admin_token), 404)


def test_granted_sites_of_unknown_user_is_404(api):
    assert_error(api.get(f"/users/{new_id()}/sites", api.operator_token), 404)


def test_granting_a_site_shows_it_to_the_viewer(api, tenant):
    second = tenant.add_site()
    assert [s["id"] for s in expect(api.get("/sites", tenant.viewer_token), 200)] == \
        [tenant.site_id]
    expect(api.put(f"/users/{tenant.viewer['id']}/sites", tenant.admin_token,
                   json={"siteIds": [second["id"]]}), 200)
    assert [s["id"] for s in expect(api.get("/sites", tenant.viewer_token), 200)] == \
        [second["id"]]


def test_password_length_counts_characters_not_bytes(api, tenant):
    long_user = make_user(api, tenant.org_id, "viewer", password="€" * 150)  # 450 bytes
    expect(login(api, long_user["email"], "€" * 150), 200)
    resp = api.post("/users", tenant.admin_token, json={
        "email": unique_email(), "password": "äöüäö", "role": "viewer"})  # 5 chars, 10 bytes
    assert_error(resp, 400)
