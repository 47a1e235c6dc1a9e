"""Site opening hours over HTTP (issue 4, docs/API.md "Site opening hours"): the weekly schedule
(GET/PUT /sites/{siteId}/opening-hours), exceptions by local date
(GET/PUT/DELETE /sites/{siteId}/opening-hours/exceptions/{date} and the list), who may read and
write them, and the instants GET /cameras/{cameraId}/opening-hours?date= derives from them.

How the expected instants are worked out (independently of the server's C code and of glibc):
`expected_instants` below uses Python's `zoneinfo` on the system tz database (the IANA rules as
Debian ships them) and applies the rules of PRODUCT.md / the issue by hand:
- a local wall time is converted by trying both PEP 495 folds and keeping only candidates that
  round-trip (UTC -> zone gives the same wall time back);
  * two candidates: the wall time is ambiguous (fall-back) -> the earlier, i.e. first, occurrence;
  * no candidate: the wall time lies in a spring-forward gap -> it is moved forward by the gap's
    length (offset 3 h after minus offset 3 h before; every gap used here is shorter) and read
    with the new offset, which must then round-trip;
- an interval whose close is not after its open ("22:00"-"02:00") closes on the next date; "24:00"
  is the next date's 00:00; the next date's answer holds only the intervals opening on it;
- a close pushed before its open by the gap rule is set to the open; overlapping pairs merge;
  pairs are sorted (docs: domain/opening_hours_compute.h);
- a local date that does not exist in the zone (Pacific/Apia skipped 2011-12-30) gives [].
`test_oracle_matches_hand_worked_instants` pins the oracle to instants worked out by hand from the
published transition times (e.g. London 2025-03-30 01:00 GMT -> 02:00 BST), and the DST tests
compare the server with both.

The sites with fixed schedules (one per zone) and their cameras are made once per module and only
read; tests that change schedules make their own organisation and site. Every loop is bounded.
"""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from conftest import (Tenant, assert_error, assert_unauthorized, claim_camera, client_token,
                      describe, expect, make_client, make_site, new_id, register_camera)

UTC = timezone.utc
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
CLOSED_WEEK = {"weekly": {day: [] for day in DAYS}}


# --- the oracle -------------------------------------------------------------------------------

def minutes_of(text):
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def local_date_exists(zone, day):
    """True when some instant has the local date `day` in zone (hourly scan over three days)."""
    start = datetime.combine(day - timedelta(days=1), time(), tzinfo=UTC)
    for hour in range(0, 72 + 1):
        if (start + timedelta(hours=hour)).astimezone(zone).date() == day:
            return True
    return False


def wall_to_utc(zone, wall):
    """The UTC instant of the naive local wall time `wall` in zone, by the rules above."""
    candidates = []
    for fold in (0, 1):
        instant = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == wall and instant not in candidates:
            candidates.append(instant)
    if candidates:
        return min(candidates)  # one occurrence, or the first of two
    before = zone.utcoffset(wall - timedelta(hours=3))
    after = zone.utcoffset(wall + timedelta(hours=3))
    assert after > before, f"{wall} in {zone} neither exists nor lies in a gap"
    moved = wall + (after - before)
    instant = (moved - after).replace(tzinfo=UTC)
    assert instant.astimezone(zone).replace(tzinfo=None) == moved, (wall, moved, zone)
    return instant


def expected_instants(zone_name, day, intervals):
    """RFC 3339 strings [open1, close1, ...] of `intervals` ([(open, close)] "HH:MM") opening on
    the local date `day` (a date or "YYYY-MM-DD") in zone_name."""
    zone = ZoneInfo(zone_name)
    if isinstance(day, str):
        day = date.fromisoformat(day)
    if not local_date_exists(zone, day):
        return []
    midnight = datetime.combine(day, time())
    pairs = []
    for open_text, close_text in intervals:
        open_minute, close_minute = minutes_of(open_text), minutes_of(close_text)
        close_day_offset = 1 if close_minute <= open_minute else 0
        opening = wall_to_utc(zone, midnight + timedelta(minutes=open_minute))
        closing = wall_to_utc(zone, midnight + timedelta(days=close_day_offset,
                                                         minutes=close_minute))
        pairs.append((opening, max(opening, closing)))
    pairs.sort()
    merged = []
    for opening, closing in pairs:
        if merged and opening < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closing))
        else:
            merged.append((opening, closing))
    return [moment.strftime("%Y-%m-%dT%H:%M:%SZ") for pair in merged for moment in pair]


def today_in(zone_name):
    return datetime.now(UTC).astimezone(ZoneInfo(zone_name)).date()


def iv(open_text, close_text):
    return {"open": open_text, "close": close_text}


def week(**days):
    """A PUT body: the given days (lists of (open, close)), the others left out."""
    return {"weekly": {day: [iv(*pair) for pair in pairs] for day, pairs in days.items()}}


def canonical(**days):
    """The canonical answer: all seven days, each sorted by open."""
    return {"weekly": {day: [iv(*pair) for pair in sorted(days.get(day, []))] for day in DAYS}}


# --- paths -------------------------------------------------------------------------------------

def hours_path(site_id):
    return f"/sites/{site_id}/opening-hours"


def exceptions_path(site_id):
    return f"/sites/{site_id}/opening-hours/exceptions"


def exception_path(site_id, day):
    return f"/sites/{site_id}/opening-hours/exceptions/{day}"


def camera_hours(api, token, camera_id, day=None):
    params = {"date": day} if day is not None else None
    return api.get(f"/cameras/{camera_id}/opening-hours", token, params=params)


def put_week(api, token, site_id, body, status=200):
    return expect(api.put(hours_path(site_id), token, json=body), status)


def put_exception(api, token, site_id, day, intervals, status=200):
    return expect(api.put(exception_path(site_id, day), token,
                          json={"intervals": [iv(*pair) for pair in intervals]}), status)


def new_camera(api, site_id):
    registered = register_camera(api)
    return claim_camera(api, api.operator_token, registered["serialNumber"], site_id)


# --- the module's fixed sites --------------------------------------------------------------------

# Every DST change date used below is a Sunday; saturday's overnight intervals run into it.
ZONE_SCHEDULES = {
    # gap 01:00-02:00 on 03-30, 01:00-02:00 repeated on 10-26
    "Europe/London": dict(
        monday=[("09:00", "17:00")],
        saturday=[("21:00", "01:00")],
        sunday=[("01:30", "03:00"), ("10:00", "16:00")],
    ),
    # gap 02:00-03:00 on 03-09, 01:00-02:00 repeated on 11-02
    "America/New_York": dict(
        monday=[("09:00", "17:00")],
        saturday=[("22:00", "01:00")],
        sunday=[("12:00", "18:00"), ("01:30", "02:30")],  # given unsorted on purpose
    ),
    # +10:30 / +11:00: 01:30-02:00 repeated on 04-06, gap 02:00-02:30 on 10-05
    "Australia/Lord_Howe": dict(
        sunday=[("01:45", "02:15"), ("09:00", "17:00")],
    ),
    # +05:45 all year
    "Asia/Kathmandu": dict(
        tuesday=[("09:00", "17:00"), ("23:00", "01:00")],
    ),
    # the whole local date 2011-12-30 was skipped (UTC-10 -> UTC+14)
    "Pacific/Apia": {day: [("10:00", "12:00")] for day in DAYS},
    # far east and far west of UTC, for "date defaults to today at the site"
    "Pacific/Kiritimati": {day: [("10:00", "11:00")] for day in DAYS},
    "Pacific/Pago_Pago": {day: [("10:00", "11:00")] for day in DAYS},
}


@pytest.fixture(scope="module")
def zones(api):
    """{zone: {"site", "camera", "schedule"}} in one organisation, schedules fixed."""
    org = Tenant(api)
    made = {}
    for zone_name, schedule in ZONE_SCHEDULES.items():
        site = make_site(api, org.org_id, time_zone=zone_name)
        put_week(api, api.operator_token, site["id"], week(**schedule))
        made[zone_name] = {"site": site, "camera": new_camera(api, site["id"]),
                           "schedule": schedule}
    made["tenant"] = org
    return made


def weekday_intervals(schedule, day):
    return schedule.get(DAYS[date.fromisoformat(day).weekday()], [])


# --- the oracle against hand-worked instants -----------------------------------------------------

HAND_WORKED = [
    # London 2025-03-30: 01:00 GMT -> 02:00 BST. 01:30 is in the gap: moved to 02:30 BST = 01:30Z.
    ("Europe/London", "2025-03-30", [("01:30", "03:00")],
     ["2025-03-30T01:30:00Z", "2025-03-30T02:00:00Z"]),
    # London 2025-10-26: 02:00 BST -> 01:00 GMT. 01:30 first occurrence is BST = 00:30Z.
    ("Europe/London", "2025-10-26", [("01:30", "03:00")],
     ["2025-10-26T00:30:00Z", "2025-10-26T03:00:00Z"]),
    # New York 2025-03-09: 02:00 EST -> 03:00 EDT. 02:30 -> 03:30 EDT = 07:30Z.
    ("America/New_York", "2025-03-09", [("01:30", "02:30")],
     ["2025-03-09T06:30:00Z", "2025-03-09T07:30:00Z"]),
    # New York 2025-11-02: 02:00 EDT -> 01:00 EST. 01:30 first = EDT = 05:30Z; 02:30 EST = 07:30Z.
    ("America/New_York", "2025-11-02", [("01:30", "02:30")],
     ["2025-11-02T05:30:00Z", "2025-11-02T07:30:00Z"]),
    # Lord Howe 2025-04-06: 02:00 +11 -> 01:30 +10:30. 01:45 first = +11 = 14:45Z the day before.
    ("Australia/Lord_Howe", "2025-04-06", [("01:45", "02:15")],
     ["2025-04-05T14:45:00Z", "2025-04-05T15:45:00Z"]),
    # Lord Howe 2025-10-05: 02:00 +10:30 -> 02:30 +11. 02:15 -> 02:45 +11 = 15:45Z the day before.
    ("Australia/Lord_Howe", "2025-10-05", [("01:45", "02:15")],
     ["2025-10-04T15:15:00Z", "2025-10-04T15:45:00Z"]),
    # Kathmandu +05:45; 23:00-01:00 closes on the next date.
    ("Asia/Kathmandu", "2025-06-10", [("09:00", "17:00"), ("23:00", "01:00")],
     ["2025-06-10T03:15:00Z", "2025-06-10T11:15:00Z",
      "2025-06-10T17:15:00Z", "2025-06-10T19:15:00Z"]),
    # "24:00" is the next date's midnight: London in summer, 23:00Z.
    ("Europe/London", "2025-06-16", [("00:00", "24:00")],
     ["2025-06-15T23:00:00Z", "2025-06-16T23:00:00Z"]),
    # Apia skipped 2011-12-30 entirely.
    ("Pacific/Apia", "2011-12-30", [("10:00", "12:00")], []),
]


@pytest.mark.parametrize("zone_name,day,intervals,instants", HAND_WORKED)
def test_oracle_matches_hand_worked_instants(zone_name, day, intervals, instants):
    assert expected_instants(zone_name, day, intervals) == instants


# --- weekly schedule: reading and writing ---------------------------------------------------------

def test_new_site_has_seven_closed_days(api, tenant):
    for token in (api.operator_token, tenant.admin_token, tenant.viewer_token):
        assert expect(api.get(hours_path(tenant.site_id), token), 200) == CLOSED_WEEK


def test_put_weekly_answers_and_stores_the_canonical_sorted_form(api, tenant):
    body = week(monday=[("13:00", "17:30"), ("08:30", "12:00")],
                friday=[("22:00", "02:00")],
                sunday=[("00:00", "24:00")])
    expected = canonical(monday=[("08:30", "12:00"), ("13:00", "17:30")],
                         friday=[("22:00", "02:00")],
                         sunday=[("00:00", "24:00")])
    assert put_week(api, tenant.admin_token, tenant.site_id, body) == expected
    assert expect(api.get(hours_path(tenant.site_id), tenant.viewer_token), 200) == expected
    assert list(expected["weekly"]) == DAYS


def test_put_weekly_replaces_the_whole_week(api, tenant):
    put_week(api, api.operator_token, tenant.site_id, week(monday=[("08:00", "12:00")]))
    replaced = put_week(api, api.operator_token, tenant.site_id,
                        week(tuesday=[("09:00", "10:00")]))
    assert replaced == canonical(tuesday=[("09:00", "10:00")])
    assert expect(api.get(hours_path(tenant.site_id), api.operator_token), 200) == replaced


def test_put_weekly_with_empty_object_closes_every_day(api, tenant):
    put_week(api, api.operator_token, tenant.site_id, week(monday=[("08:00", "12:00")]))
    assert put_week(api, api.operator_token, tenant.site_id, {"weekly": {}}) == CLOSED_WEEK


@pytest.mark.parametrize("pairs", [
    [("00:00", "24:00")],
    [("18:00", "24:00")],
    [("08:00", "12:00"), ("12:00", "13:00")],          # touching is no overlap
    [("22:00", "02:00")],                               # runs past midnight
    [("01:00", "03:00"), ("22:00", "02:00")],           # morning + an overnight tail into tuesday
    [("00:00", "00:01"), ("23:59", "00:30")],
    [(f"{h:02d}:00", f"{h:02d}:30") for h in range(8)],  # eight intervals: the most a day holds
])
def test_valid_monday_shapes_are_accepted(api, tenant, pairs):
    answer = put_week(api, api.operator_token, tenant.site_id, week(monday=pairs))
    assert answer == canonical(monday=pairs)


def test_close_at_00_00_means_midnight(api, tenant):
    # "22:00"-"00:00" is a valid pair of "HH:MM" times running up to midnight, the same span as
    # "22:00"-"24:00"; the answer may spell the close either way.
    answer = put_week(api, api.operator_token, tenant.site_id, week(friday=[("22:00", "00:00")]))
    assert answer["weekly"]["friday"] in ([iv("22:00", "00:00")], [iv("22:00", "24:00")]), answer
    camera = tenant.camera()["id"]
    assert expect(camera_hours(api, api.operator_token, camera, "2025-06-13"), 200) == \
        ["2025-06-13T22:00:00Z", "2025-06-14T00:00:00Z"]


def test_exception_close_at_00_00_means_midnight(api, tenant):
    answer = put_exception(api, api.operator_token, tenant.site_id, "2025-06-13",
                           [("22:00", "00:00")])
    assert answer["intervals"] in ([iv("22:00", "00:00")], [iv("22:00", "24:00")]), answer


def test_overnight_tail_may_touch_the_next_days_first_opening(api, tenant):
    body = week(sunday=[("23:00", "03:00")], monday=[("03:00", "04:00")])
    assert put_week(api, api.operator_token, tenant.site_id, body) == \
        canonical(sunday=[("23:00", "03:00")], monday=[("03:00", "04:00")])


# --- weekly schedule: rejected bodies ------------------------------------------------------------

KEPT_WEEK = week(wednesday=[("09:00", "17:00")])

BAD_WEEKS = [
    # (body, words the message must contain)
    (week(monday=[("8:30", "12:00")]), ["weekly.monday[0].open", "8:30"]),
    (week(monday=[("08:60", "12:00")]), ["weekly.monday[0].open", "08:60"]),
    (week(monday=[("25:00", "26:00")]), ["weekly.monday[0].open", "25:00"]),
    (week(monday=[("08:00", "24:30")]), ["weekly.monday[0].close", "24:30"]),
    (week(monday=[("08:00", "12:00:00")]), ["weekly.monday[0].close"]),
    (week(monday=[("0800", "1200")]), ["weekly.monday[0].open", "0800"]),
    (week(monday=[("08h00", "12:00")]), ["weekly.monday[0].open"]),
    (week(tuesday=[("08:00", "12:00"), ("24:00", "01:00")]),
     ["weekly.tuesday[1].open", "24:00"]),
    (week(monday=[("09:00", "09:00")]), ["weekly.monday[0]", "09:00"]),
    ({"weekly": {"monday": [{"open": 830, "close": "12:00"}]}}, ["weekly.monday[0].open"]),
    ({"weekly": {"monday": [{"open": None, "close": "12:00"}]}}, ["weekly.monday[0].open"]),
    ({"weekly": {"monday": [{"close": "12:00"}]}}, ["weekly.monday[0].open", "missing"]),
    ({"weekly": {"monday": [{"open": "08:00"}]}}, ["weekly.monday[0].close", "missing"]),
    ({"weekly": {"monday": [{"open": "08:00", "close": "12:00", "note": "x"}]}},
     ["weekly.monday[0]", "note"]),
    ({"weekly": {"monday": ["08:00-12:00"]}}, ["weekly.monday[0]"]),
    ({"weekly": {"monday": {"open": "08:00", "close": "12:00"}}}, ["weekly.monday"]),
    ({"weekly": {"monday": None}}, ["weekly.monday"]),
    (week(monday=[(f"{h:02d}:00", f"{h:02d}:30") for h in range(9)]), ["weekly.monday", "9"]),
    ({"weekly": {"Monday": []}}, ["Monday"]),
    ({"weekly": {"mon": []}}, ["mon"]),
    ({"weekly": {"holiday": []}}, ["holiday"]),
    ({"weekly": []}, ["weekly"]),
    ({"weekly": None}, ["weekly"]),
    ({}, ["weekly"]),
    ({"weekly": {}, "timeZone": "UTC"}, ["timeZone"]),
    ({"monday": []}, ["monday"]),
    # overlaps within a day name both intervals
    (week(monday=[("08:00", "12:00"), ("11:30", "13:00")]),
     ["weekly.monday[0] (08:00-12:00)", "weekly.monday[1] (11:30-13:00)"]),
    (week(friday=[("10:00", "11:00"), ("09:00", "18:00")]),
     ["weekly.friday[0] (10:00-11:00)", "weekly.friday[1] (09:00-18:00)"]),
    (week(monday=[("20:00", "02:00"), ("21:00", "22:00")]),
     ["weekly.monday[0] (20:00-02:00)", "weekly.monday[1] (21:00-22:00)"]),
    (week(monday=[("00:00", "24:00"), ("12:00", "13:00")]),
     ["weekly.monday[0] (00:00-24:00)", "weekly.monday[1] (12:00-13:00)"]),
    # an overnight tail overlapping the next day's first interval
    (week(monday=[("22:00", "02:00")], tuesday=[("01:00", "05:00")]),
     ["weekly.monday[0] (22:00-02:00)", "weekly.tuesday[0] (01:00-05:00)"]),
    (week(sunday=[("23:00", "03:00")], monday=[("02:00", "04:00")]),
     ["weekly.sunday[0] (23:00-03:00)", "weekly.monday[0] (02:00-04:00)"]),
    (week(saturday=[("20:00", "19:00")], sunday=[("10:00", "11:00")]),
     ["weekly.saturday[0] (20:00-19:00)", "weekly.sunday[0] (10:00-11:00)"]),
]


@pytest.fixture(scope="module")
def kept_site(api):
    """A site whose weekly schedule is KEPT_WEEK; rejected PUTs must leave it so."""
    org = Tenant(api)
    put_week(api, api.operator_token, org.site_id, KEPT_WEEK)
    return org.site_id


@pytest.mark.parametrize("body,words", BAD_WEEKS)
def test_invalid_weekly_is_400_naming_the_problem_and_changes_nothing(api, kept_site, body, words):
    body_error = assert_error(api.put(hours_path(kept_site), api.operator_token, json=body), 400)
    for word in words:
        assert word.lower() in body_error["message"].lower(), (word, body_error)
    assert expect(api.get(hours_path(kept_site), api.operator_token), 200) == \
        canonical(wednesday=[("09:00", "17:00")])


@pytest.mark.parametrize("raw", [b"", b"not json", b"[]", b'"weekly"', b'{"weekly": {"monday": [}'])
def test_weekly_body_that_is_not_a_json_object_is_400(api, kept_site, raw):
    resp = api.put(hours_path(kept_site), api.operator_token, data=raw,
                   headers={"Content-Type": "application/json"})
    assert_error(resp, 400)
    assert expect(api.get(hours_path(kept_site), api.operator_token), 200) == \
        canonical(wednesday=[("09:00", "17:00")])


def test_weekly_with_duplicate_day_is_400(api, kept_site):
    raw = b'{"weekly": {"monday": [], "monday": [{"open": "08:00", "close": "09:00"}]}}'
    resp = api.put(hours_path(kept_site), api.operator_token, data=raw,
                   headers={"Content-Type": "application/json"})
    assert_error(resp, 400)


def test_weekly_that_clashes_with_an_exception_is_400_naming_it(api, tenant):
    # 2025-06-03 is a Tuesday; its exception opens at 01:00
    assert date(2025, 6, 3).weekday() == 1
    put_exception(api, api.operator_token, tenant.site_id, "2025-06-03", [("01:00", "05:00")])
    put_week(api, api.operator_token, tenant.site_id, week(monday=[("09:00", "17:00")]))
    body = assert_error(api.put(hours_path(tenant.site_id), api.operator_token,
                                json=week(monday=[("22:00", "02:00")])), 400)
    assert "2025-06-03" in body["message"], body
    assert "22:00-02:00" in body["message"] and "01:00-05:00" in body["message"], body
    assert expect(api.get(hours_path(tenant.site_id), api.operator_token), 200) == \
        canonical(monday=[("09:00", "17:00")])


# --- exceptions ----------------------------------------------------------------------------------

def test_exception_put_get_list_delete(api, tenant):
    site = tenant.site_id
    token = tenant.admin_token
    assert expect(api.get(exceptions_path(site), token), 200) == []
    created = put_exception(api, token, site, "2025-12-24",
                            [("14:00", "16:00"), ("09:00", "12:00")])
    expected = {"date": "2025-12-24",
                "intervals": [iv("09:00", "12:00"), iv("14:00", "16:00")]}
    assert created == expected
    assert expect(api.get(exception_path(site, "2025-12-24"), tenant.viewer_token), 200) == expected
    assert expect(api.get(exceptions_path(site), token), 200) == [expected]
    expect(api.delete(exception_path(site, "2025-12-24"), token), 204)
    assert_error(api.get(exception_path(site, "2025-12-24"), token), 404)
    assert expect(api.get(exceptions_path(site), token), 200) == []


def test_exception_put_again_replaces_it(api, tenant):
    site = tenant.site_id
    put_exception(api, api.operator_token, site, "2025-07-04", [("09:00", "12:00")])
    replaced = put_exception(api, api.operator_token, site, "2025-07-04", [])
    assert replaced == {"date": "2025-07-04", "intervals": []}
    assert expect(api.get(exceptions_path(site), api.operator_token), 200) == [replaced]


def test_exceptions_are_listed_by_date(api, tenant):
    site = tenant.site_id
    days = ["2026-01-01", "2025-12-25", "2025-12-31", "2025-01-06"]
    for day in days:
        intervals = [("10:00", "11:00")] if day < "2026" else []
        put_exception(api, api.operator_token, site, day, intervals)
    listed = expect(api.get(exceptions_path(site), tenant.viewer_token), 200)
    assert [item["date"] for item in listed] == sorted(days)
    for item in listed:
        assert set(item) == {"date", "intervals"}
        assert item["intervals"] == ([iv("10:00", "11:00")] if item["date"] < "2026" else [])


def test_exceptions_of_one_site_are_not_listed_at_another(api, tenant):
    put_exception(api, api.operator_token, tenant.site_id, "2025-05-01", [])
    other = tenant.add_site()
    assert expect(api.get(exceptions_path(other["id"]), api.operator_token), 200) == []
    assert_error(api.get(exception_path(other["id"], "2025-05-01"), api.operator_token), 404)


def test_missing_exception_is_404(api, tenant):
    site = tenant.site_id
    assert_error(api.get(exception_path(site, "2025-08-01"), api.operator_token), 404)
    assert_error(api.delete(exception_path(site, "2025-08-01"), api.operator_token), 404)


@pytest.mark.parametrize("bad_date", ["2025-02-29", "2025-02-30", "2025-13-01", "2025-00-10",
                                      "2025-01-32", "2025-1-01", "20250101", "2025-01-01x",
                                      "tomorrow", "2025-01-01T00:00:00Z"])
def test_malformed_exception_date_is_422(api, tenant, bad_date):
    site = tenant.site_id
    path = exception_path(site, bad_date)
    assert_error(api.get(path, api.operator_token), 422, "date")
    assert_error(api.put(path, api.operator_token, json={"intervals": []}), 422, "date")
    assert_error(api.delete(path, api.operator_token), 422, "date")
    assert expect(api.get(exceptions_path(site), api.operator_token), 200) == []


def test_year_zero_exception_date_is_422_like_the_cameras_date(api, tenant):
    # GET /cameras/{id}/opening-hours answers 422 for date=0000-01-01 (years 1..9999); an
    # exception for that date could never be asked for.
    path = exception_path(tenant.site_id, "0000-01-01")
    assert_error(api.put(path, api.operator_token, json={"intervals": []}), 422, "date")
    assert expect(api.get(exceptions_path(tenant.site_id), api.operator_token), 200) == []


def test_leap_day_exception_is_accepted(api, tenant):
    assert put_exception(api, api.operator_token, tenant.site_id, "2028-02-29", []) == \
        {"date": "2028-02-29", "intervals": []}


EXCEPTION_BAD_BODIES = [
    ({}, ["intervals"]),
    ({"intervals": None}, ["intervals"]),
    ({"intervals": {}}, ["intervals"]),
    ({"intervals": [], "date": "2025-09-02"}, ["date", "read-only"]),  # the path names the date
    ({"intervals": [iv("9:00", "12:00")]}, ["intervals[0].open", "9:00"]),
    ({"intervals": [iv("09:00", "24:01")]}, ["intervals[0].close", "24:01"]),
    ({"intervals": [{"open": "09:00", "close": "12:00", "x": 1}]}, ["intervals[0]", "x"]),
    ({"intervals": [iv("09:00", "12:00"), iv("11:00", "13:00")]},
     ["intervals[0] (09:00-12:00)", "intervals[1] (11:00-13:00)"]),
]


@pytest.mark.parametrize("body,words", EXCEPTION_BAD_BODIES)
def test_invalid_exception_body_is_400_and_changes_nothing(api, kept_site, body, words):
    path = exception_path(kept_site, "2025-09-01")
    error = assert_error(api.put(path, api.operator_token, json=body), 400)
    for word in words:
        assert word.lower() in error["message"].lower(), (word, error)
    assert_error(api.get(path, api.operator_token), 404)


def test_exception_overlapping_the_previous_days_overnight_hours_is_400(api, tenant):
    site = tenant.site_id
    put_week(api, api.operator_token, site, week(monday=[("22:00", "03:00")]))
    # 2025-06-03 is a Tuesday: monday's 22:00-03:00 runs into it
    error = assert_error(api.put(exception_path(site, "2025-06-03"), api.operator_token,
                                 json={"intervals": [iv("02:00", "05:00")]}), 400)
    assert "previous day" in error["message"], error
    assert "22:00-03:00" in error["message"] and "02:00-05:00" in error["message"], error
    assert_error(api.get(exception_path(site, "2025-06-03"), api.operator_token), 404)
    # starting when monday's tail ends is fine
    put_exception(api, api.operator_token, site, "2025-06-03", [("03:00", "05:00")])


def test_exception_running_into_the_next_days_hours_is_400(api, tenant):
    site = tenant.site_id
    put_week(api, api.operator_token, site, week(monday=[("09:00", "17:00")]))
    # 2025-06-08 is a Sunday; its exception would run into monday 09:00
    error = assert_error(api.put(exception_path(site, "2025-06-08"), api.operator_token,
                                 json={"intervals": [iv("23:00", "10:00")]}), 400)
    assert "next day" in error["message"], error
    assert "23:00-10:00" in error["message"] and "09:00-17:00" in error["message"], error
    assert expect(api.get(exceptions_path(site), api.operator_token), 200) == []


def test_exception_overlapping_a_neighbouring_exception_is_400(api, tenant):
    site = tenant.site_id
    put_exception(api, api.operator_token, site, "2025-12-31", [("20:00", "04:00")])
    error = assert_error(api.put(exception_path(site, "2026-01-01"), api.operator_token,
                                 json={"intervals": [iv("03:00", "06:00")]}), 400)
    assert "20:00-04:00" in error["message"] and "03:00-06:00" in error["message"], error
    assert_error(api.get(exception_path(site, "2026-01-01"), api.operator_token), 404)


def test_deleting_an_exception_that_would_bring_back_overlapping_hours_is_409(api, tenant):
    site = tenant.site_id
    token = api.operator_token
    put_week(api, token, site, week(monday=[("22:00", "02:00")], tuesday=[("09:00", "17:00")]))
    # monday 2025-06-02 closed, so tuesday 2025-06-03 may open at midnight
    put_exception(api, token, site, "2025-06-02", [])
    put_exception(api, token, site, "2025-06-03", [("00:00", "24:00")])
    error = assert_error(api.delete(exception_path(site, "2025-06-02"), token), 409)
    assert "2025-06-02" in error["message"] and "22:00-02:00" in error["message"], error
    assert expect(api.get(exception_path(site, "2025-06-02"), token), 200) == \
        {"date": "2025-06-02", "intervals": []}
    # removing the other one first makes it possible
    expect(api.delete(exception_path(site, "2025-06-03"), token), 204)
    expect(api.delete(exception_path(site, "2025-06-02"), token), 204)
    assert expect(api.get(exceptions_path(site), token), 200) == []


def test_deleting_an_exception_whose_weekday_overlaps_the_previous_days_tail_is_409(api, tenant):
    site = tenant.site_id
    token = api.operator_token
    put_week(api, token, site, week(tuesday=[("01:00", "05:00")]))
    # tuesday 2025-06-03 closed, so monday 2025-06-02 may run past midnight
    put_exception(api, token, site, "2025-06-03", [])
    put_exception(api, token, site, "2025-06-02", [("22:00", "03:00")])
    error = assert_error(api.delete(exception_path(site, "2025-06-03"), token), 409)
    assert "2025-06-03" in error["message"] and "22:00-03:00" in error["message"], error
    assert "01:00-05:00" in error["message"], error
    assert len(expect(api.get(exceptions_path(site), token), 200)) == 2


# --- roles ---------------------------------------------------------------------------------------

def site_reads(api, token, site_id, day="2025-12-25"):
    return [api.get(hours_path(site_id), token),
            api.get(exceptions_path(site_id), token),
            api.get(exception_path(site_id, day), token)]


def site_writes(api, token, site_id, day="2025-12-25"):
    return [api.put(hours_path(site_id), token, json=week(monday=[("01:00", "02:00")])),
            api.put(exception_path(site_id, day), token, json={"intervals": []}),
            api.delete(exception_path(site_id, day), token)]


def site_state(api, site_id):
    return (expect(api.get(hours_path(site_id), api.operator_token), 200),
            expect(api.get(exceptions_path(site_id), api.operator_token), 200))


@pytest.fixture
def furnished(api, tenant):
    """The tenant's site with a weekly schedule and one exception (2025-12-25)."""
    put_week(api, api.operator_token, tenant.site_id, week(monday=[("09:00", "17:00")]))
    put_exception(api, api.operator_token, tenant.site_id, "2025-12-25", [])
    return tenant


@pytest.mark.parametrize("writer", ["operator", "admin_user", "admin_client"])
def test_operator_and_the_sites_admins_write(api, tenant, writer):
    token = {"operator": lambda: api.operator_token, "admin_user": lambda: tenant.admin_token,
             "admin_client": lambda: tenant.admin_client_token}[writer]()
    site = tenant.site_id
    assert put_week(api, token, site, week(monday=[("08:00", "09:00")])) == \
        canonical(monday=[("08:00", "09:00")])
    put_exception(api, token, site, "2025-12-25", [("10:00", "12:00")])
    for resp in site_reads(api, token, site):
        assert resp.status_code == 200, describe(resp)
    expect(api.delete(exception_path(site, "2025-12-25"), token), 204)


def test_granted_viewer_reads_but_every_write_is_403(api, furnished):
    site = furnished.site_id
    token = furnished.viewer_token
    before = site_state(api, site)
    reads = site_reads(api, token, site)
    assert expect(reads[0], 200) == before[0]
    assert expect(reads[1], 200) == before[1]
    assert expect(reads[2], 200) == {"date": "2025-12-25", "intervals": []}
    for resp in site_writes(api, token, site):
        assert_error(resp, 403)
    assert site_state(api, site) == before


def test_viewer_client_of_the_organisation_reads_but_cannot_write(api, furnished):
    viewer_client = make_client(api, furnished.org_id, "viewer")
    token = client_token(api, viewer_client)
    for resp in site_reads(api, token, furnished.site_id):
        assert resp.status_code == 200, describe(resp)
    for resp in site_writes(api, token, furnished.site_id):
        assert_error(resp, 403)


def test_viewer_not_granted_the_site_gets_404_on_reads_and_403_on_writes(api, tenant):
    hidden = tenant.add_site()
    put_week(api, api.operator_token, hidden["id"], week(monday=[("09:00", "17:00")]))
    put_exception(api, api.operator_token, hidden["id"], "2025-12-25", [])
    token = tenant.viewer_token
    before = site_state(api, hidden["id"])
    for resp in site_reads(api, token, hidden["id"]):
        assert_error(resp, 404)
    # the role is checked before the site is looked up: the same 403 as for a site that does
    # not exist, so nothing is revealed
    for resp, unknown in zip(site_writes(api, token, hidden["id"]),
                             site_writes(api, token, new_id())):
        assert_error(resp, 403)
        assert_error(unknown, 403)
    assert site_state(api, hidden["id"]) == before


@pytest.mark.parametrize("principal", ["admin_user", "admin_client"])
def test_other_organisations_admins_get_404_everywhere_and_change_nothing(
        api, furnished, other_tenant, principal):
    token = {"admin_user": lambda: other_tenant.admin_token,
             "admin_client": lambda: other_tenant.admin_client_token}[principal]()
    site = furnished.site_id
    before = site_state(api, site)
    for resp in site_reads(api, token, site) + site_writes(api, token, site):
        assert_error(resp, 404)
    assert site_state(api, site) == before


def test_other_organisations_viewer_gets_404_on_reads_and_403_on_writes(
        api, furnished, other_tenant):
    token = other_tenant.viewer_token
    site = furnished.site_id
    before = site_state(api, site)
    for resp in site_reads(api, token, site):
        assert_error(resp, 404)
    for resp in site_writes(api, token, site):
        assert_error(resp, 403)
    assert site_state(api, site) == before


def test_unknown_site_is_404_and_malformed_site_id_is_422(api):
    for resp in site_reads(api, api.operator_token, new_id()) + \
            site_writes(api, api.operator_token, new_id()):
        assert_error(resp, 404)
    for resp in site_reads(api, api.operator_token, "not-a-uuid") + \
            site_writes(api, api.operator_token, "not-a-uuid"):
        assert_error(resp, 422, "siteId")


def test_every_endpoint_needs_a_token(api, furnished):
    site = furnished.site_id
    for resp in site_reads(api, None, site) + site_writes(api, None, site):
        assert_unauthorized(resp)
    assert_unauthorized(api.get(hours_path(site), "not.a.token"))


def test_wrong_methods_are_405_with_allow(api, tenant):
    resp = api.post(hours_path(tenant.site_id), api.operator_token, json={})
    assert_error(resp, 405)
    allow = {m.strip().upper() for m in resp.headers.get("Allow", "").split(",") if m.strip()}
    assert allow - {"HEAD", "OPTIONS"} == {"GET", "PUT"}, describe(resp)
    resp = api.post(exception_path(tenant.site_id, "2025-01-01"), api.operator_token, json={})
    assert_error(resp, 405)
    allow = {m.strip().upper() for m in resp.headers.get("Allow", "").split(",") if m.strip()}
    assert allow - {"HEAD", "OPTIONS"} == {"GET", "PUT", "DELETE"}, describe(resp)


# --- GET /cameras/{id}/opening-hours: daylight saving and odd zones ------------------------------

DST_CASES = [
    # (zone, local date, hand-worked instants)
    ("Europe/London", "2025-03-30",  # sunday: 01:30-03:00 touches the gap, 10:00-16:00 BST
     ["2025-03-30T01:30:00Z", "2025-03-30T02:00:00Z",
      "2025-03-30T09:00:00Z", "2025-03-30T15:00:00Z"]),
    ("Europe/London", "2025-10-26",  # sunday: 01:30 ambiguous -> BST; 03:00 and after GMT
     ["2025-10-26T00:30:00Z", "2025-10-26T03:00:00Z",
      "2025-10-26T10:00:00Z", "2025-10-26T16:00:00Z"]),
    ("Europe/London", "2025-03-29",  # saturday 21:00 GMT, closes 03-30 01:00 (in the gap)
     ["2025-03-29T21:00:00Z", "2025-03-30T01:00:00Z"]),
    ("Europe/London", "2025-10-25",  # saturday 21:00 BST, closes 10-26 01:00 (first, BST)
     ["2025-10-25T20:00:00Z", "2025-10-26T00:00:00Z"]),
    ("America/New_York", "2025-03-09",  # sunday: 02:30 in the gap -> 03:30 EDT
     ["2025-03-09T06:30:00Z", "2025-03-09T07:30:00Z",
      "2025-03-09T16:00:00Z", "2025-03-09T22:00:00Z"]),
    ("America/New_York", "2025-11-02",  # sunday: 01:30 ambiguous -> EDT; 02:30 EST
     ["2025-11-02T05:30:00Z", "2025-11-02T07:30:00Z",
      "2025-11-02T17:00:00Z", "2025-11-02T23:00:00Z"]),
    ("America/New_York", "2025-03-08",  # saturday 22:00 EST, closes 03-09 01:00 EST
     ["2025-03-09T03:00:00Z", "2025-03-09T06:00:00Z"]),
    ("America/New_York", "2025-11-01",  # saturday 22:00 EDT, closes 11-02 01:00 first (EDT)
     ["2025-11-02T02:00:00Z", "2025-11-02T05:00:00Z"]),
    ("Australia/Lord_Howe", "2025-04-06",  # 30-minute fall-back: 01:45 first (+11)
     ["2025-04-05T14:45:00Z", "2025-04-05T15:45:00Z",
      "2025-04-05T22:30:00Z", "2025-04-06T06:30:00Z"]),
    ("Australia/Lord_Howe", "2025-10-05",  # 30-minute gap: 02:15 -> 02:45 (+11)
     ["2025-10-04T15:15:00Z", "2025-10-04T15:45:00Z",
      "2025-10-04T22:00:00Z", "2025-10-05T06:00:00Z"]),
    ("Asia/Kathmandu", "2025-06-10",  # +05:45, 23:00-01:00 closes the next date
     ["2025-06-10T03:15:00Z", "2025-06-10T11:15:00Z",
      "2025-06-10T17:15:00Z", "2025-06-10T19:15:00Z"]),
    ("Asia/Kathmandu", "2025-06-11", []),  # wednesday: closed, tuesday's tail not repeated
    ("Pacific/Apia", "2011-12-29", ["2011-12-29T20:00:00Z", "2011-12-29T22:00:00Z"]),
    ("Pacific/Apia", "2011-12-30", []),  # the skipped date
    ("Pacific/Apia", "2011-12-31", ["2011-12-30T20:00:00Z", "2011-12-30T22:00:00Z"]),
]


@pytest.mark.parametrize("zone_name,day,instants", DST_CASES,
                         ids=[f"{z}-{d}" for z, d, _ in DST_CASES])
def test_camera_opening_hours_are_exact_instants(api, zones, zone_name, day, instants):
    placed = zones[zone_name]
    oracle = expected_instants(zone_name, day, weekday_intervals(placed["schedule"], day))
    assert oracle == instants, "the oracle and the hand-worked instants disagree"
    resp = camera_hours(api, api.operator_token, placed["camera"]["id"], day)
    assert expect(resp, 200) == instants, describe(resp)


def test_overnight_interval_closes_next_date_and_is_not_repeated(api, zones):
    camera = zones["Europe/London"]["camera"]["id"]
    saturday = expect(camera_hours(api, api.operator_token, camera, "2025-03-29"), 200)
    sunday = expect(camera_hours(api, api.operator_token, camera, "2025-03-30"), 200)
    assert saturday[-1] == "2025-03-30T01:00:00Z"  # the close falls on the next date
    assert saturday[-1] not in sunday
    assert len(sunday) == 4 and sunday[0] >= saturday[-1]


def test_answers_are_sorted_pairs(api, zones):
    # New York's sunday was given as 12:00-18:00 before 01:30-02:30
    answer = expect(camera_hours(api, api.operator_token,
                                 zones["America/New_York"]["camera"]["id"], "2025-06-15"), 200)
    assert answer == expected_instants("America/New_York", "2025-06-15",
                                       ZONE_SCHEDULES["America/New_York"]["sunday"])
    assert answer == sorted(answer) and len(answer) == 4


@pytest.mark.parametrize("zone_name", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_date_defaults_to_today_in_the_sites_zone(api, zones, zone_name):
    # +14 and -11: at any moment at least one of these dates differs from the UTC date
    camera = zones[zone_name]["camera"]["id"]
    before = today_in(zone_name)
    answer = expect(camera_hours(api, api.operator_token, camera), 200)
    after = today_in(zone_name)
    candidates = [expected_instants(zone_name, day, [("10:00", "11:00")])
                  for day in {before, after}]
    assert answer in candidates, (answer, before, after)


@pytest.mark.parametrize("bad_date", ["2025-02-29", "2025-13-01", "2025-04-31", "2025-3-30",
                                      "20250330", "2025-03-30T00:00:00Z", "today", ""])
def test_malformed_date_is_422(api, zones, bad_date):
    camera = zones["Europe/London"]["camera"]["id"]
    assert_error(camera_hours(api, api.operator_token, camera, bad_date), 422, "date")


def test_last_supported_date_with_an_overnight_interval_is_not_a_server_error(api, tenant):
    # 9999-12-31 is accepted as a date (422 only outside years 1..9999); a friday interval
    # running past midnight would close on 10000-01-01. Any answer but a 500 will do.
    camera = tenant.camera()["id"]
    assert date(9999, 12, 31).weekday() == 4
    put_week(api, api.operator_token, tenant.site_id, week(friday=[("22:00", "02:00")]))
    resp = camera_hours(api, api.operator_token, camera, "9999-12-31")
    assert resp.status_code in (200, 422), describe(resp)


def test_exceptions_override_the_weekly_schedule(api, tenant):
    site = make_site(api, tenant.org_id, time_zone="Europe/London")
    camera = new_camera(api, site["id"])["id"]
    token = tenant.admin_token
    put_week(api, token, site["id"], week(sunday=[("10:00", "16:00")]))
    # closed on the spring-forward sunday, late opening on the fall-back sunday
    put_exception(api, token, site["id"], "2025-03-30", [])
    put_exception(api, token, site["id"], "2025-10-26", [("18:00", "23:00"), ("01:30", "02:00")])
    assert expect(camera_hours(api, token, camera, "2025-03-30"), 200) == []
    expected = expected_instants("Europe/London", "2025-10-26",
                                 [("01:30", "02:00"), ("18:00", "23:00")])
    assert expected == ["2025-10-26T00:30:00Z", "2025-10-26T02:00:00Z",
                        "2025-10-26T18:00:00Z", "2025-10-26T23:00:00Z"]
    assert expect(camera_hours(api, token, camera, "2025-10-26"), 200) == expected
    # a sunday without an exception keeps the weekly hours
    assert expect(camera_hours(api, token, camera, "2025-04-06"), 200) == \
        ["2025-04-06T09:00:00Z", "2025-04-06T15:00:00Z"]
    # and the weekly hours come back when the exception goes
    expect(api.delete(exception_path(site["id"], "2025-03-30"), token), 204)
    assert expect(camera_hours(api, token, camera, "2025-03-30"), 200) == \
        ["2025-03-30T09:00:00Z", "2025-03-30T15:00:00Z"]


def test_overnight_exception_closes_next_date_which_does_not_repeat_it(api, tenant):
    site = make_site(api, tenant.org_id, time_zone="America/New_York")
    camera = new_camera(api, site["id"])["id"]
    put_week(api, api.operator_token, site["id"], week(sunday=[("03:00", "05:00")]))
    # saturday 2025-03-08 opens late; its close 03:00 is the sunday's first open (touching)
    put_exception(api, api.operator_token, site["id"], "2025-03-08", [("20:00", "03:00")])
    saturday = expect(camera_hours(api, api.operator_token, camera, "2025-03-08"), 200)
    assert saturday == ["2025-03-09T01:00:00Z", "2025-03-09T07:00:00Z"]
    sunday = expect(camera_hours(api, api.operator_token, camera, "2025-03-09"), 200)
    assert sunday == ["2025-03-09T07:00:00Z", "2025-03-09T09:00:00Z"]


def test_interval_opening_in_the_gap_and_closing_just_after_it_is_empty(api, tenant):
    # London 2025-03-30 01:50-02:10: 01:50 moves to 02:50 BST (01:50Z) while 02:10 BST is 01:10Z;
    # the close is set to the open (domain/opening_hours_compute.h), never before it.
    site = make_site(api, tenant.org_id, time_zone="Europe/London")
    camera = new_camera(api, site["id"])["id"]
    put_week(api, api.operator_token, site["id"], week(sunday=[("01:50", "02:10")]))
    answer = expect(camera_hours(api, api.operator_token, camera, "2025-03-30"), 200)
    assert answer == expected_instants("Europe/London", "2025-03-30", [("01:50", "02:10")])
    assert answer == ["2025-03-30T01:50:00Z", "2025-03-30T01:50:00Z"]


def test_answer_follows_a_move_to_a_site_in_another_zone(api, zones):
    london = zones["Europe/London"]["site"]
    new_york = zones["America/New_York"]["site"]
    camera = new_camera(api, london["id"])["id"]
    monday = "2025-06-16"
    assert expect(camera_hours(api, api.operator_token, camera, monday), 200) == \
        ["2025-06-16T08:00:00Z", "2025-06-16T16:00:00Z"]
    expect(api.post(f"/cameras/{camera}/move", api.operator_token,
                    json={"siteId": new_york["id"]}), 201)
    assert expect(camera_hours(api, api.operator_token, camera, monday), 200) == \
        ["2025-06-16T13:00:00Z", "2025-06-16T21:00:00Z"]
    assert expected_instants("America/New_York", monday, [("09:00", "17:00")]) == \
        ["2025-06-16T13:00:00Z", "2025-06-16T21:00:00Z"]


def test_answer_follows_a_change_of_the_sites_time_zone(api, tenant):
    site = make_site(api, tenant.org_id, time_zone="Europe/London")
    camera = new_camera(api, site["id"])["id"]
    put_week(api, api.operator_token, site["id"], week(tuesday=[("09:00", "17:00")]))
    assert expect(camera_hours(api, api.operator_token, camera, "2025-06-10"), 200) == \
        ["2025-06-10T08:00:00Z", "2025-06-10T16:00:00Z"]
    expect(api.patch(f"/sites/{site['id']}", api.operator_token,
                     json={"timeZone": "Asia/Kathmandu"}), 200)
    assert expect(camera_hours(api, api.operator_token, camera, "2025-06-10"), 200) == \
        ["2025-06-10T03:15:00Z", "2025-06-10T11:15:00Z"]


def test_camera_hours_readers_and_other_organisations(api, tenant, other_tenant):
    camera = tenant.camera()["id"]
    put_week(api, api.operator_token, tenant.site_id, week(monday=[("09:00", "17:00")]))
    expected = ["2025-06-16T09:00:00Z", "2025-06-16T17:00:00Z"]  # the tenant's site is UTC
    for token in (api.operator_token, tenant.admin_token, tenant.admin_client_token,
                  tenant.viewer_token):
        assert expect(camera_hours(api, token, camera, "2025-06-16"), 200) == expected
    for token in (other_tenant.admin_token, other_tenant.admin_client_token,
                  other_tenant.viewer_token):
        assert_error(camera_hours(api, token, camera, "2025-06-16"), 404)
        assert_error(camera_hours(api, token, camera), 404)
    assert_unauthorized(camera_hours(api, None, camera, "2025-06-16"))


def test_viewer_not_granted_the_cameras_site_gets_404(api, tenant):
    hidden = tenant.add_site()
    camera = new_camera(api, hidden["id"])["id"]
    assert_error(camera_hours(api, tenant.viewer_token, camera, "2025-06-16"), 404)
