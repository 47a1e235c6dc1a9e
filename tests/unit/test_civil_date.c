/* The proleptic Gregorian calendar of util/civil_date.h: day numbers and dates round-trip day by
 * day over 14,000 years (negative ones included), agree with glibc's gmtime_r, know the leap
 * years and month lengths, and name the weekdays of known dates (Python's
 * datetime.date(y, m, d).weekday(): 0 = monday). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <time.h>

#include "util/civil_date.h"

#define FIRST_YEAR -2000
#define LAST_YEAR  12000

struct date {
	int year, month, day;
};

/* The date after date, by the month lengths alone. */
static struct date next_date(struct date date)
{
	if (date.day < civil_days_in_month(date.year, date.month))
		return (struct date){date.year, date.month, date.day + 1};
	if (date.month < 12)
		return (struct date){date.year, date.month + 1, 1};
	return (struct date){date.year + 1, 1, 1};
}

static void assert_date(struct date got, int year, int month, int day)
{
	assert_int_equal(got.year, year);
	assert_int_equal(got.month, month);
	assert_int_equal(got.day, day);
}

static struct date date_of_day(int64_t days)
{
	struct date date;
	civil_date_from_days(days, &date.year, &date.month, &date.day);
	return date;
}

static void test_every_day_of_14000_years_round_trips(void **state)
{
	struct date date = {FIRST_YEAR, 1, 1};
	int64_t days = civil_days_from_date(date.year, date.month, date.day);
	int weekday = civil_weekday(date.year, date.month, date.day);
	size_t count = 0;
	while (date.year <= LAST_YEAR) {
		assert_true(civil_date_exists(date.year, date.month, date.day));
		struct date back = date_of_day(days);
		if (back.year != date.year || back.month != date.month || back.day != date.day)
			fail_msg("day %lld: %d-%d-%d, expected %d-%d-%d", (long long)days, back.year, back.month,
			         back.day, date.year, date.month, date.day);
		if (civil_days_from_date(date.year, date.month, date.day) != days)
			fail_msg("%d-%d-%d is not day %lld", date.year, date.month, date.day, (long long)days);
		if (civil_weekday(date.year, date.month, date.day) != weekday)
			fail_msg("%d-%d-%d is not weekday %d", date.year, date.month, date.day, weekday);
		date = next_date(date);
		days++;
		weekday = (weekday + 1) % 7;
		count++;
	}
	/* 14,001 years of 365.2425 days each: the calendar's 400-year cycle, 35 times over, plus 1 year. */
	assert_int_equal(count, 35 * 146097 + 366);
}

static void test_day_numbers_agree_with_gmtime(void **state)
{
	/* Every 997th day from year -1000 to 10000, read back by glibc. */
	int64_t first = civil_days_from_date(-1000, 1, 1), last = civil_days_from_date(10000, 12, 31);
	for (int64_t days = first; days <= last; days += 997) {
		time_t instant = (time_t)(days * CIVIL_SECONDS_IN_DAY);
		struct tm expected;
		assert_non_null(gmtime_r(&instant, &expected));
		assert_date(date_of_day(days), expected.tm_year + 1900, expected.tm_mon + 1, expected.tm_mday);
		assert_int_equal(civil_weekday(expected.tm_year + 1900, expected.tm_mon + 1, expected.tm_mday),
		                 (expected.tm_wday + 6) % 7);
	}
}

static void test_leap_years_follow_the_gregorian_rule(void **state)
{
	assert_true(civil_year_is_leap(2024));
	assert_false(civil_year_is_leap(2023));
	assert_false(civil_year_is_leap(1900)); /* a century */
	assert_true(civil_year_is_leap(2000));  /* a century divisible by 400 */
	assert_false(civil_year_is_leap(2100));
	assert_true(civil_year_is_leap(0)); /* 1 BC */
	assert_true(civil_year_is_leap(-4));
	assert_false(civil_year_is_leap(-1));
	assert_false(civil_year_is_leap(-100));
	assert_true(civil_year_is_leap(-400));
	assert_int_equal(civil_days_in_month(2024, 2), 29);
	assert_int_equal(civil_days_in_month(2025, 2), 28);
	assert_int_equal(civil_days_in_month(1900, 2), 28);
	assert_int_equal(civil_days_in_month(2000, 2), 29);
	assert_int_equal(civil_days_in_month(2025, 1), 31);
	assert_int_equal(civil_days_in_month(2025, 4), 30);
	assert_int_equal(civil_days_in_month(2025, 12), 31);
	assert_int_equal(civil_days_in_month(2025, 0), 0);
	assert_int_equal(civil_days_in_month(2025, 13), 0);
}

static void test_only_real_dates_exist(void **state)
{
	static const struct {
		struct date date;
		bool exists;
	} cases[] = {
	    {{2024, 2, 29}, true},  {{2025, 2, 29}, false}, {{1900, 2, 29}, false}, {{2000, 2, 29}, true},
	    {{2025, 4, 31}, false}, {{2025, 13, 1}, false}, {{2025, 0, 1}, false},  {{2025, 1, 0}, false},
	    {{2025, 1, -1}, false}, {{0, 2, 29}, true},     {{-1, 12, 31}, true},   {{-1, 2, 29}, false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct date *date = &cases[i].date;
		if (civil_date_exists(date->year, date->month, date->day) != cases[i].exists)
			fail_msg("%d-%d-%d should %sexist", date->year, date->month, date->day,
			         cases[i].exists ? "" : "not ");
	}
}

static void test_epoch_edges(void **state)
{
	assert_int_equal(civil_days_from_date(1970, 1, 1), 0);
	assert_int_equal(civil_days_from_date(1969, 12, 31), -1);
	assert_int_equal(civil_days_from_date(2000, 3, 1), 11017);
	assert_int_equal(civil_days_from_date(0, 3, 1), -719468); /* the first day of the first era */
	assert_int_equal(civil_days_from_date(0, 2, 29), -719469);
	assert_int_equal(civil_days_from_date(1, 1, 1), -719162);
	assert_date(date_of_day(0), 1970, 1, 1);
	assert_date(date_of_day(-1), 1969, 12, 31);
	assert_date(date_of_day(-719468), 0, 3, 1);
	assert_date(date_of_day(-719469), 0, 2, 29);
	assert_date(date_of_day(-719469 - 366), -1, 2, 28);
	assert_date(date_of_day(-146097 - 719468), -400, 3, 1); /* one era earlier */

	int64_t second = -1;
	assert_int_equal(civil_day_of_instant(0, &second), 0);
	assert_int_equal(second, 0);
	assert_int_equal(civil_day_of_instant(-1, &second), -1); /* 1969-12-31T23:59:59Z */
	assert_int_equal(second, 86399);
	assert_int_equal(civil_day_of_instant(-86400, &second), -1);
	assert_int_equal(second, 0);
	assert_int_equal(civil_day_of_instant(-86401, &second), -2);
	assert_int_equal(second, 86399);
	assert_int_equal(civil_day_of_instant(86399, NULL), 0);
	assert_int_equal(civil_day_of_instant(951782400, &second), 11016); /* 2000-02-29T00:00:00Z */
	assert_int_equal(second, 0);
	/* The extremes of int64_t: no overflow on the way (UBSan watches). */
	assert_int_equal(civil_day_of_instant(INT64_MIN, &second), -106751991167301);
	assert_int_equal(second, 30592);
	assert_int_equal(civil_day_of_instant(INT64_MAX, &second), 106751991167300);
	assert_int_equal(second, 55807);
}

static void test_weekdays_of_known_dates(void **state)
{
	assert_int_equal(civil_weekday(2025, 6, 16), 0);
	assert_int_equal(civil_weekday(2025, 3, 30), 6);
	assert_int_equal(civil_weekday(2000, 2, 29), 1);
	assert_int_equal(civil_weekday(1970, 1, 1), 3);
	assert_int_equal(civil_weekday(1969, 12, 31), 2);
	assert_int_equal(civil_weekday(2011, 12, 30), 4);
	assert_int_equal(civil_weekday(1600, 1, 1), 5);
	assert_int_equal(civil_weekday(1582, 10, 15), 4); /* the first Gregorian day */
	assert_int_equal(civil_weekday(1, 1, 1), 0);
	assert_int_equal(civil_weekday(0, 12, 31), 6);
	assert_int_equal(civil_weekday(9999, 12, 31), 4);
}

static void expect_date_after(int year, int month, int day, int64_t days, int expected_year, int expected_month,
                              int expected_day)
{
	struct date got = {0, 0, 0};
	civil_date_add_days(year, month, day, days, &got.year, &got.month, &got.day);
	assert_date(got, expected_year, expected_month, expected_day);
}

static void test_adding_days_crosses_months_years_and_leap_days(void **state)
{
	expect_date_after(2024, 2, 28, 1, 2024, 2, 29);
	expect_date_after(2025, 2, 28, 1, 2025, 3, 1);
	expect_date_after(2025, 12, 31, 1, 2026, 1, 1);
	expect_date_after(2025, 1, 1, -1, 2024, 12, 31);
	expect_date_after(2000, 3, 1, -1, 2000, 2, 29);
	expect_date_after(1900, 3, 1, -1, 1900, 2, 28);
	expect_date_after(2011, 12, 29, 2, 2011, 12, 31);
	expect_date_after(1970, 1, 1, 0, 1970, 1, 1);
	expect_date_after(2025, 6, 16, 365, 2026, 6, 16);
	expect_date_after(1, 1, 1, -1, 0, 12, 31);
	expect_date_after(2000, 1, 1, 146097, 2400, 1, 1);
	expect_date_after(2000, 1, 1, -146097, 1600, 1, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_day_of_14000_years_round_trips),
	    cmocka_unit_test(test_day_numbers_agree_with_gmtime),
	    cmocka_unit_test(test_leap_years_follow_the_gregorian_rule),
	    cmocka_unit_test(test_only_real_dates_exist),
	    cmocka_unit_test(test_epoch_edges),
	    cmocka_unit_test(test_weekdays_of_known_dates),
	    cmocka_unit_test(test_adding_days_crosses_months_years_and_leap_days),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
