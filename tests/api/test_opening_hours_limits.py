"""Bounds on a site's opening-hours exceptions (issue 10, defect 1): a site holds at most 1,000
exceptions (PUT of a new date beyond that is 409 naming the limit; replacing one is still fine),
and a weekly PUT checks any number of stored exceptions without overflowing a fixed array
(before the fix, 2,001 stored exceptions crashed the server on the next weekly PUT).

Rows beyond what the API accepts are planted directly in the database (`run_sql`), as a site
that was filled before the cap existed would hold them."""
from datetime import date, timedelta

from conftest import Tenant, assert_error, expect, run_sql

SITE_EXCEPTIONS_MAX = 1000
FIRST_DAY = date(2101, 1, 1)
WEEK = {"weekly": {day: [{"open": "09:00", "close": "17:00"}]
                   for day in ["monday", "tuesday", "wednesday", "thursday", "friday"]}}


def plant_exceptions(server, site_id, first, count):
    """Store `count` closed-day exceptions for consecutive dates from FIRST_DAY + first days."""
    rows = ",".join(f"('{site_id}', '{(FIRST_DAY + timedelta(days=first + i)).isoformat()}', '[]', 0)"
                    for i in range(count))
    run_sql(server.database, "INSERT INTO site_opening_hours_exceptions"
                             f"(site_id, date, intervals_json, updated_at) VALUES {rows};")


def exception_path(site_id, offset):
    return f"/sites/{site_id}/opening-hours/exceptions/{(FIRST_DAY + timedelta(days=offset)).isoformat()}"


def test_a_site_holds_at_most_1000_exceptions(api, server):
    tenant = Tenant(api)
    site = tenant.site_id
    token = tenant.admin_token
    plant_exceptions(server, site, 0, SITE_EXCEPTIONS_MAX - 1)
    closed = {"intervals": []}
    expect(api.put(exception_path(site, SITE_EXCEPTIONS_MAX - 1), token, json=closed), 200)
    listed = expect(api.get(f"/sites/{site}/opening-hours/exceptions", token), 200)
    assert len(listed) == SITE_EXCEPTIONS_MAX

    refused = api.put(exception_path(site, SITE_EXCEPTIONS_MAX), token, json=closed)
    assert_error(refused, 409, "1000 opening-hours exceptions")
    assert api.get(exception_path(site, SITE_EXCEPTIONS_MAX), token).status_code == 404

    # at the cap, an existing date can still be replaced and one can be deleted, then added
    replaced = {"intervals": [{"open": "10:00", "close": "12:00"}]}
    assert expect(api.put(exception_path(site, 5), token, json=replaced), 200)["intervals"] == replaced["intervals"]
    expect(api.delete(exception_path(site, 6), token), 204)
    expect(api.put(exception_path(site, SITE_EXCEPTIONS_MAX), token, json=closed), 200)
    listed = expect(api.get(f"/sites/{site}/opening-hours/exceptions", token), 200)
    assert len(listed) == SITE_EXCEPTIONS_MAX


def test_weekly_put_checks_more_exceptions_than_the_cap_without_crashing(api, server):
    """2,001 stored exceptions (the count that overflowed the old fixed array of 2,000)."""
    tenant = Tenant(api)
    site = tenant.site_id
    token = tenant.admin_token
    plant_exceptions(server, site, 0, 2001)
    for _ in range(2):  # the crash repeated on every later weekly PUT
        body = expect(api.put(f"/sites/{site}/opening-hours", token, json=WEEK), 200)
        assert body["weekly"]["monday"] == [{"open": "09:00", "close": "17:00"}]
    expect(api.get("/healthz"), 200)
    # the stored exceptions are still checked: one that the new week would overlap is refused
    run_sql(server.database, "UPDATE site_opening_hours_exceptions SET intervals_json = "
                             "'[{\"open\":\"22:00\",\"close\":\"10:00\"}]' "
                             f"WHERE site_id = '{site}' AND date = '{(FIRST_DAY + timedelta(days=2000)).isoformat()}';")
    overlapping = api.put(f"/sites/{site}/opening-hours", token,
                          json={"weekly": {day: [{"open": "08:00", "close": "17:00"}]
                                           for day in ["monday", "tuesday", "wednesday", "thursday",
                                                       "friday", "saturday", "sunday"]}})
    assert_error(overlapping, 400, "with the exception of")
