/* A local date's schedule → UTC instants (domain/opening_hours_compute.c) and the wall time → UTC
 * conversion under it (domain/local_time.c), across zones with odd rules: the pure rules run over
 * the system tz database (util/zoneinfo.c), as the server runs them (api/site_time.c).
 *
 * How the expected instants were worked out, independently of the C code: with Python's zoneinfo over
 * the system tz database (tzdata 2025b), applying the rules by hand. For a wall time w on date d:
 *   z = ZoneInfo(zone); first = w.replace(tzinfo=z, fold=0)
 *   if first.astimezone(UTC).astimezone(z) != w:      # w does not exist (a gap)
 *       gap = |utcoffset(fold=1) - utcoffset(fold=0)|; w += gap   # moved forward by the gap
 *   answer = w.replace(tzinfo=z, fold=0).astimezone(UTC)          # fold=0: first occurrence
 * A date exists when some UTC instant, stepped by 15 minutes over d-2 .. d+2, has d as its local
 * date. Closes before their open are set to the open; overlapping pairs are merged.
 * The reasoning for each case, with the zones' rules (tz database):
 * - UTC 2025-06-16: the wall time is the instant.
 * - Europe/London 2025-03-30: 01:00 GMT jumps to 02:00 BST (gap 01:00-02:00, 1 h).
 *   00:30 GMT = 00:30Z; 03:30 BST = 02:30Z. 01:30 does not exist, moved forward by the 1 h gap to
 *   02:30 BST = 01:30Z; 02:30 BST = 01:30Z too, so 01:30-02:30 is empty. 01:50 → 02:50 BST =
 *   01:50Z, after 02:10 BST = 01:10Z: the close is set to the open. 00:30-01:50 and 02:10-04:00
 *   become 00:30Z-01:50Z and 01:10Z-03:00Z, which overlap: merged to 00:30Z-03:00Z. 00:00-24:00
 *   is 00:00Z-23:00Z (a 23 h day). 2025-03-29 22:00-04:00 closes 03-30 04:00 BST = 03:00Z;
 *   22:00-01:30 closes at 01:30 (gap) → 02:30 BST = 01:30Z.
 * - Europe/London 2025-10-26: 02:00 BST falls back to 01:00 GMT (01:00-02:00 twice).
 *   00:30 BST = 23:30Z (10-25); 03:30 GMT = 03:30Z; 01:30 first occurrence (BST) = 00:30Z;
 *   02:30 GMT = 02:30Z; 00:00-24:00 is 10-25 23:00Z - 10-27 00:00Z (a 25 h day). 2025-10-25
 *   22:00 BST = 21:00Z, closing 10-26 04:00 GMT = 04:00Z or 10-26 01:30 BST (first) = 00:30Z.
 * - America/New_York 2025-03-09: 02:00 EST jumps to 03:00 EDT. 00:30 EST = 05:30Z; 03:30 EDT =
 *   07:30Z; 01:30 EST = 06:30Z; 02:30 does not exist → 03:30 EDT = 07:30Z. 2025-03-08 22:00 EST
 *   = 03:00Z (03-09), closing 03-09 02:30 → 07:30Z.
 * - America/New_York 2025-11-02: 02:00 EDT falls back to 01:00 EST. 00:30 EDT = 04:30Z; 03:30
 *   EST = 08:30Z; 01:30 first occurrence (EDT) = 05:30Z; 02:30 EST = 07:30Z. 2025-11-01 22:00 EDT
 *   = 02:00Z (11-02), closing 11-02 01:30 EDT = 05:30Z.
 * - Australia/Lord_Howe (+10:30 standard, +11 summer: a 30-minute change). 2025-04-06: 02:00
 *   +11 falls back to 01:30 +10:30. 01:00 +11 = 14:00Z (04-05); 03:00 +10:30 = 16:30Z; 01:45
 *   first occurrence (+11) = 14:45Z; 02:15 +10:30 = 15:45Z. 2025-10-05: 02:00 +10:30 jumps to
 *   02:30 +11; 02:15 → moved forward 30 min to 02:45 +11 = 15:45Z (10-04); 03:00 +11 = 16:00Z;
 *   00:00-24:00 is 10-04 13:30Z - 10-05 13:00Z (23 h 30 min). 2025-10-04 23:00 +10:30 = 12:30Z,
 *   closing 10-05 02:15 → 15:45Z.
 * - Asia/Kathmandu (+05:45 all year): 2025-06-16 08:30 = 02:45Z, 17:00 = 11:15Z; 23:00 = 17:15Z,
 *   closing 06-17 01:00 = 19:15Z.
 * - Pacific/Apia skipped 2011-12-30: 2011-12-29 24:00 -10 was followed by 2011-12-31 00:00 +14
 *   (a 24 h gap, at 2011-12-30 10:00Z). 2011-12-29 08:00 -10 = 18:00Z, 17:00 -10 = 12-30 03:00Z,
 *   22:00 -10 = 12-30 08:00Z, closing 12-30 02:00 (gap) → 12-31 02:00 +14 = 12-30 12:00Z.
 *   2011-12-30 does not exist: no intervals (its 08:00 would map to 12-31 08:00 +14 = 12-30
 *   18:00Z, repeating 12-31's answer). 2011-12-31 08:00 +14 = 12-30 18:00Z, 17:00 +14 = 03:00Z;
 *   00:00-24:00 is 12-30 10:00Z - 12-31 10:00Z.
 * - The threads test's epoch seconds: int(datetime(y, m, d, h, mi, tzinfo=ZoneInfo(zone)).timestamp())
 *   for times that are neither in a gap nor ambiguous.
 * - America/Santiago 2025-09-07: 00:00 -04 jumps to 01:00 -03 (the date starts in a gap but
 *   exists): 00:00 → 01:00 -03 = 04:00Z; 12:00 -03 = 15:00Z.
 * - Zones where ICU 72's built-in data (2022e) and the system tz database (2025b) disagree, each
 *   worked out with /usr/bin/python3 -c "from datetime import datetime, timezone; from zoneinfo
 *   import ZoneInfo; print(datetime(Y, M, D, h, m, tzinfo=ZoneInfo(ZONE), fold=0)
 *   .astimezone(timezone.utc))" (fold=0: the first occurrence, or in a gap the offset before it,
 *   i.e. moved forward by the gap); ICU 2022e's answer (from ucal_getMillis) in brackets:
 *   America/Mexico_City 2025-07-01 12:00 = 18:00Z (-06, no DST since 2022-10-30) [17:00Z];
 *   Asia/Almaty 2025-01-15 12:00 = 07:00Z (+05 since 2024-03-01) [06:00Z];
 *   America/Asuncion 2025-07-01 12:00 = 15:00Z (-03 all year since 2024-10) [16:00Z];
 *   America/Nuuk 2025-07-01 12:00 = 13:00Z (-01 summer time) [14:00Z];
 *   Africa/Cairo 2025-07-01 12:00 = 09:00Z (+03, DST again since 2023) [10:00Z];
 *   America/Ciudad_Juarez 2025-07-01 12:00 = 18:00Z and 2025-01-15 12:00 = 19:00Z (MDT/MST) [ICU
 *   does not know the zone]. Gaps: Africa/Cairo 2025-04-25 00:00 +02 jumps to 01:00 +03, so
 *   00:30 → 01:30 +03 = 2025-04-24T22:30Z; America/Nuuk 2025-03-29 23:00 -02 jumps to
 *   2025-03-30 00:00 -01, so 23:30 → 00:30 -01 = 2025-03-30T01:30Z. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "domain/local_time.h"
#include "domain/opening_hours_compute.h"
#include "util/timeutil.h"
#include "util/zoneinfo.h"

#define MINUTES(hour, minute) ((hour)*60 + (minute))

/* ---- the rules run inside a zone of the system tz database ---- */

#define ZONE_NOT_ENTERED (-100) /* zoneinfo_with_zone refused the zone: the work did not run */

/* One computation of the pure rules, run by run_in_zone with zoneinfo_offset_at as the zone. */
struct zone_work {
	enum { WORK_FOR_DATE, WORK_TO_UTC, WORK_DATE_EXISTS } kind;
	const struct day_schedule *day_of_date;
	int date[3];
	int minute_of_day;
	int64_t *out;
	size_t max;
	bool *exists;
	int result;
};

static void run_in_zone(void *context)
{
	struct zone_work *work = context;
	const int *date = work->date;
	if (work->kind == WORK_FOR_DATE)
		work->result = opening_hours_for_date(zoneinfo_offset_at, work->day_of_date, date[0], date[1], date[2],
		                                      work->out, work->max);
	else if (work->kind == WORK_TO_UTC)
		work->result =
		    local_time_to_utc(zoneinfo_offset_at, date[0], date[1], date[2], work->minute_of_day, work->out);
	else
		work->result = local_time_date_exists(zoneinfo_offset_at, date[0], date[1], date[2], work->exists);
}

/* The work's result, or ZONE_NOT_ENTERED. No cmocka assertion: threads call it too. */
static int in_zone(const char *zone, struct zone_work *work)
{
	return zoneinfo_with_zone(zone, run_in_zone, work) == ZONEINFO_OK ? work->result : ZONE_NOT_ENTERED;
}

/* opening_hours_for_date in zone. */
static int for_date(const char *zone, const struct day_schedule *day_of_date, int year, int month, int day,
                    int64_t *instants, size_t max)
{
	struct zone_work work = {
	    .kind = WORK_FOR_DATE, .day_of_date = day_of_date, .date = {year, month, day}, .out = instants, .max = max};
	return in_zone(zone, &work);
}

/* local_time_to_utc in zone. */
static int to_utc(const char *zone, int year, int month, int day, int minute_of_day, int64_t *seconds)
{
	struct zone_work work = {
	    .kind = WORK_TO_UTC, .date = {year, month, day}, .minute_of_day = minute_of_day, .out = seconds};
	return in_zone(zone, &work);
}

/* local_time_date_exists in zone. */
static int date_exists(const char *zone, int year, int month, int day, bool *exists)
{
	struct zone_work work = {.kind = WORK_DATE_EXISTS, .date = {year, month, day}, .exists = exists};
	return in_zone(zone, &work);
}

static void never_called(void *context)
{
	fail_msg("work ran in a zone that should have been refused");
}

/* Runs opening_hours_for_date for one day of intervals in zone and compares the answer, as RFC 3339
 * strings, with expected (count strings). */
static void expect_instants(const char *zone, const char *date, const struct schedule_interval *intervals,
                            size_t interval_count, const char *const *expected, size_t expected_count)
{
	int year, month, day;
	assert_true(time_parse_date(date, &year, &month, &day));
	struct day_schedule schedule;
	memset(&schedule, 0, sizeof(schedule));
	schedule.count = interval_count;
	memcpy(schedule.intervals, intervals, interval_count * sizeof(*intervals));
	int64_t instants[OPENING_HOURS_MAX_INSTANTS];
	int count = for_date(zone, &schedule, year, month, day, instants, OPENING_HOURS_MAX_INSTANTS);
	assert_int_equal(count, (int)expected_count);
	for (size_t i = 0; i < expected_count; i++) {
		char text[RFC3339_BUFFER_SIZE];
		time_format_rfc3339(instants[i], text);
		assert_string_equal(text, expected[i]);
	}
}

/* EXPECT(zone, date, ONE(open, close) or TWO(...), expected RFC 3339 instants...) */
// clang-format off
#define EXPECT(zone, date, intervals, ...)                                                            \
	do {                                                                                          \
		static const struct schedule_interval given_[] = intervals;                           \
		static const char *const expected_[] = {__VA_ARGS__};                                 \
		expect_instants(zone, date, given_, sizeof(given_) / sizeof(given_[0]), expected_,    \
				sizeof(expected_) / sizeof(expected_[0]));                            \
	} while (0)
#define ONE(open, close)                  {{open, close}}
#define TWO(open1, close1, open2, close2) {{open1, close1}, {open2, close2}}
// clang-format on

/* ---- an ordinary day ---- */

static void test_utc_day_is_its_wall_times(void **state)
{
	EXPECT("UTC", "2025-06-16", TWO(MINUTES(8, 30), MINUTES(12, 0), MINUTES(13, 0), MINUTES(17, 30)),
	       "2025-06-16T08:30:00Z", "2025-06-16T12:00:00Z", "2025-06-16T13:00:00Z", "2025-06-16T17:30:00Z");
	EXPECT("UTC", "2025-06-16", ONE(MINUTES(22, 0), MINUTES(2, 0)), "2025-06-16T22:00:00Z", "2025-06-17T02:00:00Z");
	EXPECT("UTC", "2025-06-16", ONE(0, 1440), "2025-06-16T00:00:00Z", "2025-06-17T00:00:00Z");
}

static void test_pairs_come_sorted_by_open(void **state)
{
	EXPECT("UTC", "2025-06-16", TWO(MINUTES(13, 0), MINUTES(17, 30), MINUTES(8, 30), MINUTES(12, 0)),
	       "2025-06-16T08:30:00Z", "2025-06-16T12:00:00Z", "2025-06-16T13:00:00Z", "2025-06-16T17:30:00Z");
}

static void test_touching_pairs_are_kept_apart(void **state)
{
	EXPECT("UTC", "2025-06-16", TWO(MINUTES(8, 0), MINUTES(12, 0), MINUTES(12, 0), MINUTES(13, 0)),
	       "2025-06-16T08:00:00Z", "2025-06-16T12:00:00Z", "2025-06-16T12:00:00Z", "2025-06-16T13:00:00Z");
}

static void test_closed_day_has_no_instants(void **state)
{
	struct day_schedule closed = {.count = 0};
	int64_t instants[OPENING_HOURS_MAX_INSTANTS];
	assert_int_equal(for_date("Europe/London", &closed, 2025, 3, 30, instants, 0), 0);
}

/* ---- Europe/London ---- */

static void test_london_spring_forward_moves_gap_times_forward(void **state)
{
	EXPECT("Europe/London", "2025-03-30", ONE(MINUTES(0, 30), MINUTES(3, 30)), "2025-03-30T00:30:00Z",
	       "2025-03-30T02:30:00Z");
	EXPECT("Europe/London", "2025-03-30", ONE(MINUTES(1, 30), MINUTES(2, 30)), "2025-03-30T01:30:00Z",
	       "2025-03-30T01:30:00Z");
	EXPECT("Europe/London", "2025-03-30", ONE(0, 1440), "2025-03-30T00:00:00Z", "2025-03-30T23:00:00Z");
}

static void test_london_overnight_into_spring_forward_is_an_hour_shorter(void **state)
{
	EXPECT("Europe/London", "2025-03-29", ONE(MINUTES(22, 0), MINUTES(4, 0)), "2025-03-29T22:00:00Z",
	       "2025-03-30T03:00:00Z");
	EXPECT("Europe/London", "2025-03-29", ONE(MINUTES(22, 0), MINUTES(1, 30)), "2025-03-29T22:00:00Z",
	       "2025-03-30T01:30:00Z");
}

static void test_london_open_moved_past_its_close_is_an_empty_interval(void **state)
{
	EXPECT("Europe/London", "2025-03-30", ONE(MINUTES(1, 50), MINUTES(2, 10)), "2025-03-30T01:50:00Z",
	       "2025-03-30T01:50:00Z");
}

static void test_london_intervals_overlapping_after_the_gap_are_merged(void **state)
{
	EXPECT("Europe/London", "2025-03-30", TWO(MINUTES(0, 30), MINUTES(1, 50), MINUTES(2, 10), MINUTES(4, 0)),
	       "2025-03-30T00:30:00Z", "2025-03-30T03:00:00Z");
}

static void test_london_fall_back_takes_the_first_occurrence(void **state)
{
	EXPECT("Europe/London", "2025-10-26", ONE(MINUTES(0, 30), MINUTES(3, 30)), "2025-10-25T23:30:00Z",
	       "2025-10-26T03:30:00Z");
	EXPECT("Europe/London", "2025-10-26", ONE(MINUTES(1, 30), MINUTES(2, 30)), "2025-10-26T00:30:00Z",
	       "2025-10-26T02:30:00Z");
	EXPECT("Europe/London", "2025-10-26", ONE(0, 1440), "2025-10-25T23:00:00Z", "2025-10-27T00:00:00Z");
}

static void test_london_overnight_into_fall_back(void **state)
{
	EXPECT("Europe/London", "2025-10-25", ONE(MINUTES(22, 0), MINUTES(4, 0)), "2025-10-25T21:00:00Z",
	       "2025-10-26T04:00:00Z");
	EXPECT("Europe/London", "2025-10-25", ONE(MINUTES(22, 0), MINUTES(1, 30)), "2025-10-25T21:00:00Z",
	       "2025-10-26T00:30:00Z");
}

/* ---- America/New_York ---- */

static void test_new_york_spring_forward_moves_gap_times_forward(void **state)
{
	EXPECT("America/New_York", "2025-03-09", ONE(MINUTES(0, 30), MINUTES(3, 30)), "2025-03-09T05:30:00Z",
	       "2025-03-09T07:30:00Z");
	EXPECT("America/New_York", "2025-03-09", ONE(MINUTES(1, 30), MINUTES(2, 30)), "2025-03-09T06:30:00Z",
	       "2025-03-09T07:30:00Z");
	EXPECT("America/New_York", "2025-03-08", ONE(MINUTES(22, 0), MINUTES(2, 30)), "2025-03-09T03:00:00Z",
	       "2025-03-09T07:30:00Z");
}

static void test_new_york_fall_back_takes_the_first_occurrence(void **state)
{
	EXPECT("America/New_York", "2025-11-02", ONE(MINUTES(0, 30), MINUTES(3, 30)), "2025-11-02T04:30:00Z",
	       "2025-11-02T08:30:00Z");
	EXPECT("America/New_York", "2025-11-02", ONE(MINUTES(1, 30), MINUTES(2, 30)), "2025-11-02T05:30:00Z",
	       "2025-11-02T07:30:00Z");
	EXPECT("America/New_York", "2025-11-01", ONE(MINUTES(22, 0), MINUTES(1, 30)), "2025-11-02T02:00:00Z",
	       "2025-11-02T05:30:00Z");
}

/* ---- Australia/Lord_Howe, Asia/Kathmandu ---- */

static void test_lord_howe_half_hour_fall_back(void **state)
{
	EXPECT("Australia/Lord_Howe", "2025-04-06", ONE(MINUTES(1, 0), MINUTES(3, 0)), "2025-04-05T14:00:00Z",
	       "2025-04-05T16:30:00Z");
	EXPECT("Australia/Lord_Howe", "2025-04-06", ONE(MINUTES(1, 45), MINUTES(2, 15)), "2025-04-05T14:45:00Z",
	       "2025-04-05T15:45:00Z");
}

static void test_lord_howe_half_hour_spring_forward(void **state)
{
	EXPECT("Australia/Lord_Howe", "2025-10-05", ONE(MINUTES(2, 15), MINUTES(3, 0)), "2025-10-04T15:45:00Z",
	       "2025-10-04T16:00:00Z");
	EXPECT("Australia/Lord_Howe", "2025-10-05", ONE(0, 1440), "2025-10-04T13:30:00Z", "2025-10-05T13:00:00Z");
	EXPECT("Australia/Lord_Howe", "2025-10-04", ONE(MINUTES(23, 0), MINUTES(2, 15)), "2025-10-04T12:30:00Z",
	       "2025-10-04T15:45:00Z");
}

static void test_kathmandu_quarter_hour_offset(void **state)
{
	EXPECT("Asia/Kathmandu", "2025-06-16", ONE(MINUTES(8, 30), MINUTES(17, 0)), "2025-06-16T02:45:00Z",
	       "2025-06-16T11:15:00Z");
	EXPECT("Asia/Kathmandu", "2025-06-16", ONE(MINUTES(23, 0), MINUTES(1, 0)), "2025-06-16T17:15:00Z",
	       "2025-06-16T19:15:00Z");
}

/* ---- Pacific/Apia's skipped date, America/Santiago's midnight gap ---- */

static void test_apia_day_before_the_skip_closes_across_it(void **state)
{
	EXPECT("Pacific/Apia", "2011-12-29", TWO(MINUTES(8, 0), MINUTES(17, 0), MINUTES(22, 0), MINUTES(2, 0)),
	       "2011-12-29T18:00:00Z", "2011-12-30T03:00:00Z", "2011-12-30T08:00:00Z", "2011-12-30T12:00:00Z");
}

static void test_apia_skipped_date_has_no_intervals(void **state)
{
	const struct schedule_interval intervals[] = {{MINUTES(8, 0), MINUTES(17, 0)}, {MINUTES(22, 0), MINUTES(2, 0)}};
	struct day_schedule day = {.count = 2};
	memcpy(day.intervals, intervals, sizeof(intervals));
	int64_t instants[OPENING_HOURS_MAX_INSTANTS];
	assert_int_equal(for_date("Pacific/Apia", &day, 2011, 12, 30, instants, OPENING_HOURS_MAX_INSTANTS), 0);
}

static void test_apia_day_after_the_skip(void **state)
{
	EXPECT("Pacific/Apia", "2011-12-31", ONE(MINUTES(8, 0), MINUTES(17, 0)), "2011-12-30T18:00:00Z",
	       "2011-12-31T03:00:00Z");
	EXPECT("Pacific/Apia", "2011-12-31", ONE(0, 1440), "2011-12-30T10:00:00Z", "2011-12-31T10:00:00Z");
}

static void test_santiago_date_starting_in_a_gap_exists(void **state)
{
	EXPECT("America/Santiago", "2025-09-07", ONE(0, MINUTES(12, 0)), "2025-09-07T04:00:00Z",
	       "2025-09-07T15:00:00Z");
}

/* ---- errors ---- */

static void test_errors_are_negative_results(void **state)
{
	struct day_schedule day = {.count = 1, .intervals = {{MINUTES(8, 0), MINUTES(17, 0)}}};
	int64_t instants[OPENING_HOURS_MAX_INSTANTS];
	assert_int_equal(for_date("Mars/Olympus_Mons", &day, 2025, 6, 16, instants, 2), ZONE_NOT_ENTERED);
	assert_int_equal(for_date(NULL, &day, 2025, 6, 16, instants, 2), ZONE_NOT_ENTERED);
	assert_int_equal(opening_hours_for_date(NULL, &day, 2025, 6, 16, instants, 2),
	                 OPENING_HOURS_ERROR_INVALID_ARGUMENT); /* no zone at all */
	assert_int_equal(for_date("UTC", &day, 2025, 2, 29, instants, 2), OPENING_HOURS_ERROR_INVALID_ARGUMENT);
	assert_int_equal(for_date("UTC", &day, 2025, 6, 16, instants, 1), OPENING_HOURS_ERROR_NO_ROOM);
	assert_int_equal(for_date("UTC", NULL, 2025, 6, 16, instants, 2), OPENING_HOURS_ERROR_INVALID_ARGUMENT);
	day.intervals[0].close_minute = MINUTES(8, 0); /* empty */
	assert_int_equal(for_date("UTC", &day, 2025, 6, 16, instants, 2), OPENING_HOURS_ERROR_INVALID_ARGUMENT);
	day.intervals[0] = (struct schedule_interval){.open_minute = 1440, .close_minute = 60};
	assert_int_equal(for_date("UTC", &day, 2025, 6, 16, instants, 2), OPENING_HOURS_ERROR_INVALID_ARGUMENT);
	day.count = SCHEDULE_MAX_INTERVALS + 1;
	assert_int_equal(for_date("UTC", &day, 2025, 6, 16, instants, 2), OPENING_HOURS_ERROR_INVALID_ARGUMENT);
}

/* ---- local_time ---- */

static void expect_utc(const char *zone, int year, int month, int day, int minute_of_day, const char *expected)
{
	int64_t seconds = 0;
	assert_int_equal(to_utc(zone, year, month, day, minute_of_day, &seconds), LOCAL_TIME_OK);
	char text[RFC3339_BUFFER_SIZE];
	time_format_rfc3339(seconds, text);
	assert_string_equal(text, expected);
}

static void test_local_time_converts_wall_times(void **state)
{
	expect_utc("Europe/London", 2025, 3, 30, MINUTES(1, 30), "2025-03-30T01:30:00Z");  /* gap */
	expect_utc("Europe/London", 2025, 10, 26, MINUTES(1, 30), "2025-10-26T00:30:00Z"); /* overlap */
	expect_utc("America/New_York", 2025, 3, 9, MINUTES(2, 30), "2025-03-09T07:30:00Z");
	expect_utc("Asia/Kathmandu", 2025, 6, 16, MINUTES(8, 30), "2025-06-16T02:45:00Z");
	expect_utc("Pacific/Apia", 2011, 12, 30, MINUTES(8, 0), "2011-12-30T18:00:00Z"); /* = 12-31 08:00 +14 */
	expect_utc("US/Eastern", 2025, 11, 2, MINUTES(1, 30), "2025-11-02T05:30:00Z");   /* a link */
}

static void test_local_time_minute_1440_is_the_next_midnight(void **state)
{
	expect_utc("Europe/London", 2025, 3, 29, 1440, "2025-03-30T00:00:00Z");
	expect_utc("Europe/London", 2025, 10, 26, 1440, "2025-10-27T00:00:00Z");
	expect_utc("UTC", 2024, 12, 31, 1440, "2025-01-01T00:00:00Z");
	expect_utc("America/Santiago", 2025, 9, 6, 1440, "2025-09-07T04:00:00Z"); /* into a gap */
}

static void test_local_time_knows_system_zones_only(void **state)
{
	assert_true(zoneinfo_zone_is_known("Europe/London"));
	assert_true(zoneinfo_zone_is_known("UTC"));
	assert_true(zoneinfo_zone_is_known("Australia/Lord_Howe"));
	assert_true(zoneinfo_zone_is_known("US/Eastern"));
	assert_false(zoneinfo_zone_is_known("europe/london"));
	assert_false(zoneinfo_zone_is_known("Etc/Unknown"));
	assert_false(zoneinfo_zone_is_known("GMT+5"));
	assert_false(zoneinfo_zone_is_known("Mars/Olympus_Mons"));
	assert_false(zoneinfo_zone_is_known(""));
	assert_false(zoneinfo_zone_is_known(NULL));
	assert_false(zoneinfo_zone_is_known("Europe/London\n"));
	assert_false(zoneinfo_zone_is_known("Europe/London/Europe/London/Europe/London/Europe/London/Europe/London"));
}

static void test_local_time_refuses_bad_arguments(void **state)
{
	int64_t seconds = 0;
	assert_int_equal(zoneinfo_with_zone("Nowhere/City", never_called, NULL), ZONEINFO_UNKNOWN_ZONE);
	assert_int_equal(to_utc("UTC", 2025, 6, 31, 0, &seconds), LOCAL_TIME_INVALID_ARGUMENT);
	assert_int_equal(to_utc("UTC", 2025, 6, 16, -1, &seconds), LOCAL_TIME_INVALID_ARGUMENT);
	assert_int_equal(to_utc("UTC", 2025, 6, 16, 1441, &seconds), LOCAL_TIME_INVALID_ARGUMENT);
	assert_int_equal(to_utc("UTC", 10000, 1, 1, 0, &seconds), LOCAL_TIME_INVALID_ARGUMENT);
}

static void test_local_time_date_exists_except_apia_2011_12_30(void **state)
{
	bool exists = true;
	assert_int_equal(date_exists("Pacific/Apia", 2011, 12, 30, &exists), LOCAL_TIME_OK);
	assert_false(exists);
	assert_int_equal(date_exists("Pacific/Apia", 2011, 12, 29, &exists), LOCAL_TIME_OK);
	assert_true(exists);
	assert_int_equal(date_exists("Pacific/Apia", 2011, 12, 31, &exists), LOCAL_TIME_OK);
	assert_true(exists);
	/* The check leaves the gap rule as it was: 12-30 08:00 still moves forward 24 h. */
	expect_utc("Pacific/Apia", 2011, 12, 30, MINUTES(8, 0), "2011-12-30T18:00:00Z");

	assert_int_equal(date_exists("America/Santiago", 2025, 9, 7, &exists), LOCAL_TIME_OK);
	assert_true(exists);
}

static void test_unknown_zones_are_not_entered(void **state)
{
	assert_int_equal(zoneinfo_with_zone("GMT+5", never_called, NULL), ZONEINFO_UNKNOWN_ZONE);
	assert_int_equal(zoneinfo_with_zone(NULL, never_called, NULL), ZONEINFO_UNKNOWN_ZONE);
	long offset = 0;
	assert_false(zoneinfo_offset_at(0, &offset)); /* outside zoneinfo_with_zone: no zone to ask */
}

/* ---- the system tz database, not ICU's 2022e copy ---- */

static void test_local_time_follows_the_system_tz_database(void **state)
{
	expect_utc("America/Mexico_City", 2025, 7, 1, MINUTES(12, 0), "2025-07-01T18:00:00Z"); /* ICU: 17:00Z */
	expect_utc("Asia/Almaty", 2025, 1, 15, MINUTES(12, 0), "2025-01-15T07:00:00Z");        /* ICU: 06:00Z */
	expect_utc("America/Asuncion", 2025, 7, 1, MINUTES(12, 0), "2025-07-01T15:00:00Z");    /* ICU: 16:00Z */
	expect_utc("America/Nuuk", 2025, 7, 1, MINUTES(12, 0), "2025-07-01T13:00:00Z");        /* ICU: 14:00Z */
	expect_utc("Africa/Cairo", 2025, 7, 1, MINUTES(12, 0), "2025-07-01T09:00:00Z");        /* ICU: 10:00Z */
	expect_utc("Africa/Cairo", 2025, 4, 25, MINUTES(0, 30), "2025-04-24T22:30:00Z");       /* gap */
	expect_utc("America/Nuuk", 2025, 3, 29, MINUTES(23, 30), "2025-03-30T01:30:00Z");      /* gap */
}

static void test_local_time_knows_ciudad_juarez(void **state)
{
	assert_true(zoneinfo_zone_is_known("America/Ciudad_Juarez"));
	expect_utc("America/Ciudad_Juarez", 2025, 7, 1, MINUTES(12, 0), "2025-07-01T18:00:00Z");
	expect_utc("America/Ciudad_Juarez", 2025, 1, 15, MINUTES(12, 0), "2025-01-15T19:00:00Z");
	EXPECT("America/Ciudad_Juarez", "2025-07-01", ONE(MINUTES(8, 0), MINUTES(17, 0)), "2025-07-01T14:00:00Z",
	       "2025-07-01T23:00:00Z");
}

static void test_local_time_refuses_unsafe_and_unknown_names(void **state)
{
	// clang-format off
	static const char *const refused[] = {
	    "../etc/passwd", "Europe/../Europe/London", "/etc/localtime", "/usr/share/zoneinfo/UTC", /* paths */
	    "Not/AZone", "Europe/London/", "Europe//London", "Europe London", "UTC.", "Europe/London;rm",
	    "EST5EDT,M3.2.0,M11.1.0", ":UTC", "-", "+",   /* no such zone, or not a plain name */
	    "Europe",                                     /* a directory */
	    "tzdata.zi", "leapseconds",                   /* files of the database that are not zones */
	    "posix/Europe/London", "right/Europe/London", "localtime", "posixrules"}; /* not plain IANA */
	// clang-format on
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_false(zoneinfo_zone_is_known(refused[i]));
		assert_int_equal(zoneinfo_with_zone(refused[i], never_called, NULL), ZONEINFO_UNKNOWN_ZONE);
	}
	/* A refused name leaves the zone of later conversions alone. */
	expect_utc("Asia/Kathmandu", 2025, 6, 16, MINUTES(8, 30), "2025-06-16T02:45:00Z");
}

/* ---- threads ---- */

#define THREAD_COUNT      4
#define THREAD_ITERATIONS 200

/* Each thread converts other zones' dates over and over; every answer must be the expected one. */
static void *convert_repeatedly(void *argument)
{
	static const char *const zones[THREAD_COUNT] = {"Europe/London", "America/New_York", "Australia/Lord_Howe",
	                                                "Asia/Kathmandu"};
	static const int dates[THREAD_COUNT][3] = {{2025, 3, 30}, {2025, 11, 2}, {2025, 10, 5}, {2025, 6, 16}};
	static const int64_t expected[THREAD_COUNT][2] = {
	    {1743294600, 1743301800}, /* 2025-03-30T00:30:00Z, 2025-03-30T02:30:00Z */
	    {1762057800, 1762072200}, /* 2025-11-02T04:30:00Z, 2025-11-02T08:30:00Z */
	    {1759584600, 1759591800}, /* 2025-10-04T13:30:00Z, 2025-10-04T15:30:00Z */
	    {1750034700, 1750041900}, /* 2025-06-16T00:45:00Z, 2025-06-16T02:45:00Z */
	};
	int which = *(const int *)argument;
	struct day_schedule day = {.count = 1, .intervals = {{MINUTES(0, 30), MINUTES(3, 30)}}};
	if (which == 2)
		day.intervals[0] = (struct schedule_interval){0, MINUTES(2, 30)};
	if (which == 3)
		day.intervals[0] = (struct schedule_interval){MINUTES(6, 30), MINUTES(8, 30)};
	for (int i = 0; i < THREAD_ITERATIONS; i++) {
		int64_t instants[OPENING_HOURS_MAX_INSTANTS];
		int count = for_date(zones[which], &day, dates[which][0], dates[which][1], dates[which][2], instants,
		                     OPENING_HOURS_MAX_INSTANTS);
		if (count != 2 || instants[0] != expected[which][0] || instants[1] != expected[which][1])
			return (void *)1;
	}
	return NULL;
}

static void test_conversions_in_parallel_threads_agree(void **state)
{
	pthread_t threads[THREAD_COUNT];
	int indexes[THREAD_COUNT];
	for (int t = 0; t < THREAD_COUNT; t++) {
		indexes[t] = t;
		assert_int_equal(pthread_create(&threads[t], NULL, convert_repeatedly, &indexes[t]), 0);
	}
	for (int t = 0; t < THREAD_COUNT; t++) {
		void *result = (void *)1;
		assert_int_equal(pthread_join(threads[t], &result), 0);
		assert_null(result);
	}
}

/* Each thread converts wall times of its own zone, and checks a date, entering its zone for each;
 * the threads switch the process's zone under each other all the time. Expected values: the Python
 * one-liner above (and Pacific/Apia 2011-12-30 does not exist, 12-31 does). */
struct zone_thread {
	const char *zone;
	int date[3];
	int minute;
	int64_t expected;
	bool date_exists;
};

static void *convert_in_own_zone(void *argument)
{
	const struct zone_thread *job = argument;
	void *failed = NULL;
	for (int i = 0; i < 4 * THREAD_ITERATIONS && failed == NULL; i++) {
		int64_t seconds = 0;
		bool exists = !job->date_exists;
		if (to_utc(job->zone, job->date[0], job->date[1], job->date[2], job->minute, &seconds) !=
		        LOCAL_TIME_OK ||
		    seconds != job->expected ||
		    date_exists(job->zone, job->date[0], job->date[1], job->date[2], &exists) != LOCAL_TIME_OK ||
		    exists != job->date_exists)
			failed = (void *)1;
	}
	return failed;
}

static void test_local_time_threads_in_different_zones(void **state)
{
	static const struct zone_thread jobs[THREAD_COUNT] = {
	    {"America/Mexico_City", {2025, 7, 1}, MINUTES(12, 0), 1751392800, true},  /* 18:00Z */
	    {"Africa/Cairo", {2025, 4, 25}, MINUTES(0, 30), 1745533800, true},        /* gap: 04-24T22:30Z */
	    {"Pacific/Apia", {2011, 12, 30}, MINUTES(8, 0), 1325268000, false},       /* 12-30T18:00Z */
	    {"Australia/Lord_Howe", {2025, 10, 5}, MINUTES(2, 15), 1759592700, true}, /* 10-04T15:45Z */
	};
	pthread_t threads[THREAD_COUNT];
	for (int t = 0; t < THREAD_COUNT; t++)
		assert_int_equal(pthread_create(&threads[t], NULL, convert_in_own_zone, (void *)&jobs[t]), 0);
	for (int t = 0; t < THREAD_COUNT; t++) {
		void *result = (void *)1;
		assert_int_equal(pthread_join(threads[t], &result), 0);
		assert_null(result);
	}
}

/* The version is the system database's, as tzdata.zi's first line ("# version 2025b") names it. */
static void test_zone_data_version_is_named(void **state)
{
	const char *version = zoneinfo_data_version();
	assert_non_null(version);
	assert_true(strlen(version) >= 5); /* "2025b" */
	char line[64] = "";
	FILE *file = fopen("/usr/share/zoneinfo/tzdata.zi", "r");
	if (file == NULL) {
		assert_string_equal(version, "unknown");
		return;
	}
	assert_non_null(fgets(line, sizeof(line), file));
	assert_int_equal(fclose(file), 0);
	line[strcspn(line, "\n")] = '\0';
	char expected[64];
	assert_true(snprintf(expected, sizeof(expected), "# version %s", version) < (int)sizeof(expected));
	assert_string_equal(line, expected);
	assert_string_not_equal(version, "2022e"); /* ICU 72's copy */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utc_day_is_its_wall_times),
	    cmocka_unit_test(test_pairs_come_sorted_by_open),
	    cmocka_unit_test(test_touching_pairs_are_kept_apart),
	    cmocka_unit_test(test_closed_day_has_no_instants),
	    cmocka_unit_test(test_london_spring_forward_moves_gap_times_forward),
	    cmocka_unit_test(test_london_overnight_into_spring_forward_is_an_hour_shorter),
	    cmocka_unit_test(test_london_open_moved_past_its_close_is_an_empty_interval),
	    cmocka_unit_test(test_london_intervals_overlapping_after_the_gap_are_merged),
	    cmocka_unit_test(test_london_fall_back_takes_the_first_occurrence),
	    cmocka_unit_test(test_london_overnight_into_fall_back),
	    cmocka_unit_test(test_new_york_spring_forward_moves_gap_times_forward),
	    cmocka_unit_test(test_new_york_fall_back_takes_the_first_occurrence),
	    cmocka_unit_test(test_lord_howe_half_hour_fall_back),
	    cmocka_unit_test(test_lord_howe_half_hour_spring_forward),
	    cmocka_unit_test(test_kathmandu_quarter_hour_offset),
	    cmocka_unit_test(test_apia_day_before_the_skip_closes_across_it),
	    cmocka_unit_test(test_apia_skipped_date_has_no_intervals),
	    cmocka_unit_test(test_apia_day_after_the_skip),
	    cmocka_unit_test(test_santiago_date_starting_in_a_gap_exists),
	    cmocka_unit_test(test_errors_are_negative_results),
	    cmocka_unit_test(test_local_time_converts_wall_times),
	    cmocka_unit_test(test_local_time_minute_1440_is_the_next_midnight),
	    cmocka_unit_test(test_local_time_knows_system_zones_only),
	    cmocka_unit_test(test_local_time_refuses_bad_arguments),
	    cmocka_unit_test(test_local_time_date_exists_except_apia_2011_12_30),
	    cmocka_unit_test(test_unknown_zones_are_not_entered),
	    cmocka_unit_test(test_local_time_follows_the_system_tz_database),
	    cmocka_unit_test(test_local_time_knows_ciudad_juarez),
	    cmocka_unit_test(test_local_time_refuses_unsafe_and_unknown_names),
	    cmocka_unit_test(test_conversions_in_parallel_threads_agree),
	    cmocka_unit_test(test_local_time_threads_in_different_zones),
	    cmocka_unit_test(test_zone_data_version_is_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
