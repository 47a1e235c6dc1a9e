/* domain/local_time.c's rules on made-up zones, no tz database involved: the zone is only a
 * function from an instant to its UTC offset. A fixed +05:30 zone; "London 2025" (GMT, BST from
 * 2025-03-30T01:00Z to 2025-10-26T01:00Z: a one-hour gap and overlap); "Apia 2011" (-10 until
 * 2011-12-30T10:00Z, then +14: a whole local day skipped); a zone that cannot answer. The same
 * rules over the real zones: test_opening_hours.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/local_time.h"
#include "util/timeutil.h"

#define MINUTES(hour, minute) ((hour)*60 + (minute))

#define LONDON_SPRING_2025 1743296400 /* 2025-03-30T01:00:00Z: 01:00 GMT → 02:00 BST */
#define LONDON_AUTUMN_2025 1761440400 /* 2025-10-26T01:00:00Z: 02:00 BST → 01:00 GMT */
#define APIA_SKIP_2011     1325239200 /* 2011-12-30T10:00:00Z: 2011-12-29 24:00 -10 → 2011-12-31 00:00 +14 */

static bool india(int64_t instant, long *offset)
{
	*offset = 5 * 3600 + 30 * 60;
	return true;
}

static bool london_2025(int64_t instant, long *offset)
{
	*offset = instant >= LONDON_SPRING_2025 && instant < LONDON_AUTUMN_2025 ? 3600 : 0;
	return true;
}

static bool apia_2011(int64_t instant, long *offset)
{
	*offset = instant < APIA_SKIP_2011 ? -10 * 3600 : 14 * 3600;
	return true;
}

static bool broken(int64_t instant, long *offset)
{
	return false;
}

static bool two_days_ahead(int64_t instant, long *offset)
{
	*offset = 2 * 86400;
	return true;
}

/* A wall time of a zone and the instant it must convert to. */
struct conversion {
	local_time_offset_fn *zone;
	int year, month, day, minute_of_day;
	const char *expected; /* RFC 3339 */
};

static void expect_conversions(const struct conversion *cases, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		const struct conversion *c = &cases[i];
		int64_t expected = 0, seconds = 0;
		assert_true(time_parse_rfc3339(c->expected, &expected));
		assert_int_equal(local_time_to_utc(c->zone, c->year, c->month, c->day, c->minute_of_day, &seconds),
		                 LOCAL_TIME_OK);
		if (seconds != expected)
			fail_msg("case %zu: %d-%d-%d minute %d gave %lld, expected %s", i, c->year, c->month, c->day,
			         c->minute_of_day, (long long)seconds, c->expected);
	}
}

#define EXPECT_CONVERSIONS(...)                                                                                        \
	do {                                                                                                           \
		static const struct conversion cases_[] = {__VA_ARGS__};                                               \
		expect_conversions(cases_, sizeof(cases_) / sizeof(cases_[0]));                                        \
	} while (0)

static void test_fixed_offset_zone_subtracts_its_offset(void **state)
{
	EXPECT_CONVERSIONS({india, 2025, 6, 16, MINUTES(8, 30), "2025-06-16T03:00:00Z"},
	                   {india, 2025, 6, 16, 0, "2025-06-15T18:30:00Z"},
	                   {india, 2025, 6, 16, 1440, "2025-06-16T18:30:00Z"}); /* the next midnight */
}

static void test_gap_times_move_forward_by_the_gap(void **state)
{
	EXPECT_CONVERSIONS({london_2025, 2025, 3, 30, MINUTES(0, 30), "2025-03-30T00:30:00Z"},
	                   {london_2025, 2025, 3, 30, MINUTES(1, 30), "2025-03-30T01:30:00Z"}, /* = 02:30 BST */
	                   {london_2025, 2025, 3, 30, MINUTES(2, 0), "2025-03-30T01:00:00Z"},
	                   {london_2025, 2025, 3, 30, MINUTES(3, 30), "2025-03-30T02:30:00Z"});
}

static void test_overlap_times_take_the_first_occurrence(void **state)
{
	EXPECT_CONVERSIONS({london_2025, 2025, 10, 26, MINUTES(0, 30), "2025-10-25T23:30:00Z"},
	                   {london_2025, 2025, 10, 26, MINUTES(1, 30), "2025-10-26T00:30:00Z"}, /* BST, not GMT */
	                   {london_2025, 2025, 10, 26, MINUTES(2, 30), "2025-10-26T02:30:00Z"});
}

static void test_a_skipped_day_does_not_exist(void **state)
{
	bool exists = true;
	assert_int_equal(local_time_date_exists(apia_2011, 2011, 12, 30, &exists), LOCAL_TIME_OK);
	assert_false(exists);
	assert_int_equal(local_time_date_exists(apia_2011, 2011, 12, 29, &exists), LOCAL_TIME_OK);
	assert_true(exists);
	assert_int_equal(local_time_date_exists(apia_2011, 2011, 12, 31, &exists), LOCAL_TIME_OK);
	assert_true(exists);
	assert_int_equal(local_time_date_exists(london_2025, 2025, 3, 30, &exists), LOCAL_TIME_OK);
	assert_true(exists); /* a gap inside a day leaves the day */
	EXPECT_CONVERSIONS({apia_2011, 2011, 12, 30, MINUTES(8, 0), "2011-12-30T18:00:00Z"}); /* 24 h forward */
}

static void expect_date_at(local_time_offset_fn *zone, int64_t instant, int year, int month, int day)
{
	int y = 0, m = 0, d = 0;
	assert_int_equal(local_time_date_at(zone, instant, &y, &m, &d), LOCAL_TIME_OK);
	assert_int_equal(y, year);
	assert_int_equal(m, month);
	assert_int_equal(d, day);
}

static void test_date_at_an_instant_is_the_local_date(void **state)
{
	expect_date_at(india, 1750032000 - 19800, 2025, 6, 16);     /* 2025-06-16 00:00 +05:30 */
	expect_date_at(india, 1750032000 - 19800 - 1, 2025, 6, 15); /* a second before */
	expect_date_at(london_2025, LONDON_AUTUMN_2025 - 1, 2025, 10, 26);
	expect_date_at(apia_2011, APIA_SKIP_2011 - 1, 2011, 12, 29);
	expect_date_at(apia_2011, APIA_SKIP_2011, 2011, 12, 31);
	expect_date_at(india, -1, 1970, 1, 1);
}

static void test_bad_arguments_and_zones_are_refused(void **state)
{
	int64_t seconds = 0;
	bool exists = false;
	int y, m, d;
	assert_int_equal(local_time_to_utc(NULL, 2025, 6, 16, 0, &seconds), LOCAL_TIME_INVALID_ARGUMENT);
	assert_int_equal(local_time_to_utc(india, 2025, 6, 31, 0, &seconds), LOCAL_TIME_INVALID_ARGUMENT);
	assert_int_equal(local_time_to_utc(india, 2025, 6, 16, -1, &seconds), LOCAL_TIME_INVALID_ARGUMENT);
	assert_int_equal(local_time_to_utc(india, 2025, 6, 16, 1441, &seconds), LOCAL_TIME_INVALID_ARGUMENT);
	assert_int_equal(local_time_to_utc(india, 0, 1, 1, 0, &seconds), LOCAL_TIME_INVALID_ARGUMENT);
	assert_int_equal(local_time_to_utc(india, 10000, 1, 1, 0, &seconds), LOCAL_TIME_INVALID_ARGUMENT);
	assert_int_equal(local_time_date_exists(india, 2025, 2, 29, &exists), LOCAL_TIME_INVALID_ARGUMENT);
	assert_int_equal(local_time_date_at(NULL, 0, &y, &m, &d), LOCAL_TIME_INVALID_ARGUMENT);
	assert_int_equal(local_time_to_utc(broken, 2025, 6, 16, 0, &seconds), LOCAL_TIME_ZONE_DATA_ERROR);
	assert_int_equal(local_time_date_exists(broken, 2025, 6, 16, &exists), LOCAL_TIME_ZONE_DATA_ERROR);
	assert_int_equal(local_time_date_at(broken, 0, &y, &m, &d), LOCAL_TIME_ZONE_DATA_ERROR);
	assert_int_equal(local_time_date_at(two_days_ahead, 0, &y, &m, &d), LOCAL_TIME_ZONE_DATA_ERROR);
	assert_int_equal(local_time_date_at(india, INT64_MAX, &y, &m, &d), LOCAL_TIME_ZONE_DATA_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixed_offset_zone_subtracts_its_offset),
	    cmocka_unit_test(test_gap_times_move_forward_by_the_gap),
	    cmocka_unit_test(test_overlap_times_take_the_first_occurrence),
	    cmocka_unit_test(test_a_skipped_day_does_not_exist),
	    cmocka_unit_test(test_date_at_an_instant_is_the_local_date),
	    cmocka_unit_test(test_bad_arguments_and_zones_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
