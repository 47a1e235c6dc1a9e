/* Opening-hours schedules: parsing "HH:MM" intervals from JSON with exact error messages, the
 * no-overlap rules (within a day, across midnight, sunday into monday, a date between its
 * neighbours), the JSON written back, the day names and the years a date may have (the calendar
 * itself: test_civil_date.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain/schedule.h"

#define ERROR_SIZE 256

static json_t *parse_json(const char *text)
{
	json_error_t error;
	json_t *value = json_loads(text, JSON_DECODE_ANY, &error);
	assert_non_null(value);
	return value;
}

/* Parses a weekly body that must be refused, and checks the message exactly. */
static void expect_weekly_refused(const char *body_text, const char *message)
{
	json_t *body = parse_json(body_text);
	struct weekly_schedule schedule;
	char error[ERROR_SIZE] = "";
	bool parsed = schedule_parse_weekly(body, &schedule, error, sizeof(error));
	json_decref(body);
	assert_false(parsed);
	assert_string_equal(error, message);
}

static void expect_intervals_refused(const char *array_text, const char *message)
{
	json_t *array = parse_json(array_text);
	struct day_schedule day;
	char error[ERROR_SIZE] = "";
	bool parsed = schedule_parse_intervals(array, &day, error, sizeof(error));
	json_decref(array);
	assert_false(parsed);
	assert_string_equal(error, message);
}

static void parse_weekly_or_fail(const char *body_text, struct weekly_schedule *schedule)
{
	json_t *body = parse_json(body_text);
	char error[ERROR_SIZE] = "";
	bool parsed = schedule_parse_weekly(body, schedule, error, sizeof(error));
	json_decref(body);
	if (!parsed)
		fail_msg("refused: %s", error);
}

static struct day_schedule day_of(size_t count, const struct schedule_interval *intervals)
{
	struct day_schedule day;
	memset(&day, 0, sizeof(day));
	day.count = count;
	memcpy(day.intervals, intervals, count * sizeof(*intervals));
	return day;
}

static void assert_interval(const struct schedule_interval *interval, int open_minute, int close_minute)
{
	assert_int_equal(interval->open_minute, open_minute);
	assert_int_equal(interval->close_minute, close_minute);
}

/* ---- parsing ---- */

static void test_parse_weekly_reads_every_day_and_leaves_missing_days_closed(void **state)
{
	struct weekly_schedule schedule;
	parse_weekly_or_fail("{\"weekly\": {\"monday\": [{\"open\": \"08:30\", \"close\": \"12:00\"},"
	                     "                         {\"open\": \"13:00\", \"close\": \"17:30\"}],"
	                     "            \"friday\": [{\"open\": \"22:00\", \"close\": \"02:00\"}],"
	                     "            \"saturday\": [{\"open\": \"00:00\", \"close\": \"24:00\"}],"
	                     "            \"sunday\": []}}",
	                     &schedule);
	assert_int_equal(schedule.days[0].count, 2);
	assert_interval(&schedule.days[0].intervals[0], 8 * 60 + 30, 12 * 60);
	assert_interval(&schedule.days[0].intervals[1], 13 * 60, 17 * 60 + 30);
	for (int d = 1; d <= 3; d++)
		assert_int_equal(schedule.days[d].count, 0);
	assert_int_equal(schedule.days[4].count, 1);
	assert_interval(&schedule.days[4].intervals[0], 22 * 60, 2 * 60); /* runs past midnight */
	assert_int_equal(schedule.days[5].count, 1);
	assert_interval(&schedule.days[5].intervals[0], 0, 1440);
	assert_int_equal(schedule.days[6].count, 0);
}

static void test_parse_weekly_accepts_an_empty_week(void **state)
{
	struct weekly_schedule schedule;
	parse_weekly_or_fail("{\"weekly\": {}}", &schedule);
	for (int d = 0; d < SCHEDULE_DAYS_IN_WEEK; d++)
		assert_int_equal(schedule.days[d].count, 0);
}

static void test_parse_weekly_keeps_the_given_order(void **state)
{
	struct weekly_schedule schedule;
	parse_weekly_or_fail("{\"weekly\": {\"tuesday\": [{\"close\": \"17:00\", \"open\": \"13:00\"},"
	                     "                          {\"open\": \"08:00\", \"close\": \"12:00\"}]}}",
	                     &schedule);
	assert_int_equal(schedule.days[1].count, 2);
	assert_interval(&schedule.days[1].intervals[0], 13 * 60, 17 * 60);
	assert_interval(&schedule.days[1].intervals[1], 8 * 60, 12 * 60);
}

static void test_parse_weekly_refuses_a_body_of_the_wrong_shape(void **state)
{
	expect_weekly_refused("[]", "body: must be an object {\"weekly\": {\"monday\": [...], ...}}");
	expect_weekly_refused("{\"weekly\": {}, \"daily\": 1}", "unknown field 'daily'; allowed: weekly");
	expect_weekly_refused("{}", "weekly: missing (an object of days 'monday' to 'sunday')");
	expect_weekly_refused("{\"weekly\": []}", "weekly: must be an object of days 'monday' to 'sunday'");
}

static void test_parse_weekly_refuses_unknown_day_names(void **state)
{
	expect_weekly_refused(
	    "{\"weekly\": {\"Monday\": []}}",
	    "unknown field 'weekly.Monday' — did you mean 'monday'? allowed: monday, tuesday, wednesday, "
	    "thursday, friday, saturday, sunday");
	expect_weekly_refused(
	    "{\"weekly\": {\"mon\": []}}",
	    "unknown field 'weekly.mon'; allowed: monday, tuesday, wednesday, thursday, friday, saturday, "
	    "sunday");
}

static void test_parse_weekly_refuses_intervals_of_the_wrong_type(void **state)
{
	expect_weekly_refused(
	    "{\"weekly\": {\"tuesday\": {}}}",
	    "weekly.tuesday: must be an array of intervals {\"open\": \"HH:MM\", \"close\": \"HH:MM\"}");
	expect_weekly_refused("{\"weekly\": {\"monday\": [\"08:00-12:00\"]}}",
	                      "weekly.monday[0]: must be an object {\"open\": \"HH:MM\", \"close\": \"HH:MM\"}");
	expect_weekly_refused("{\"weekly\": {\"monday\": [{\"open\": \"08:00\", \"close\": \"12:00\", \"note\": 1}]}}",
	                      "unknown field 'weekly.monday[0].note'; allowed: open, close");
	expect_weekly_refused("{\"weekly\": {\"monday\": [{\"open\": \"08:00\", \"close\": \"12:00\"},"
	                      "{\"open\": \"13:00\"}]}}",
	                      "weekly.monday[1].close: missing (a time 'HH:MM')");
	expect_weekly_refused("{\"weekly\": {\"sunday\": [{\"open\": 830, \"close\": \"12:00\"}]}}",
	                      "weekly.sunday[0].open: must be a string 'HH:MM'");
	expect_weekly_refused("{\"weekly\": {\"sunday\": [{\"open\": \"08:30\", \"close\": null}]}}",
	                      "weekly.sunday[0].close: must be a string 'HH:MM'");
}

static void test_parse_weekly_refuses_times_not_written_hh_mm(void **state)
{
	static const char *const bad_opens[] = {"8:30",  "08:3",  "08-30", "0830",  "08:30 ", " 8:30", "+8:30",
	                                        "ab:cd", "24:30", "25:00", "23:60", "99:99",  ""};
	for (size_t i = 0; i < sizeof(bad_opens) / sizeof(bad_opens[0]); i++) {
		char body[ERROR_SIZE], message[ERROR_SIZE];
		snprintf(body, sizeof(body),
		         "{\"weekly\": {\"wednesday\": [{\"open\": \"%s\", \"close\": \"12:00\"}]}}", bad_opens[i]);
		snprintf(message, sizeof(message),
		         "weekly.wednesday[0].open: '%s' is not a time 'HH:MM' (two digits, a colon, two digits; "
		         "00:00 to 23:59)",
		         bad_opens[i]);
		expect_weekly_refused(body, message);
	}
}

static void test_parse_weekly_allows_24_00_only_as_a_close(void **state)
{
	expect_weekly_refused("{\"weekly\": {\"monday\": [{\"open\": \"24:00\", \"close\": \"02:00\"}]}}",
	                      "weekly.monday[0].open: '24:00' may only be a close");
	expect_weekly_refused("{\"weekly\": {\"monday\": [{\"open\": \"20:00\", \"close\": \"24:01\"}]}}",
	                      "weekly.monday[0].close: '24:01' is not a time 'HH:MM' (two digits, a colon, two "
	                      "digits; 00:00 to 24:00)");
}

static void test_parse_weekly_refuses_an_empty_interval(void **state)
{
	expect_weekly_refused("{\"weekly\": {\"thursday\": [{\"open\": \"09:00\", \"close\": \"09:00\"}]}}",
	                      "weekly.thursday[0]: open and close are both '09:00'; an interval must not be empty "
	                      "('00:00'-'24:00' is all day)");
	expect_weekly_refused("{\"weekly\": {\"thursday\": [{\"open\": \"00:00\", \"close\": \"00:00\"}]}}",
	                      "weekly.thursday[0]: open and close are both '00:00'; an interval must not be empty "
	                      "('00:00'-'24:00' is all day)");
}

static void test_parse_weekly_reads_a_midnight_close_as_24_00(void **state)
{
	json_t *body = json_loads("{\"weekly\": {\"friday\": [{\"open\": \"22:00\", \"close\": \"00:00\"}]}}", 0, NULL);
	struct weekly_schedule weekly;
	char error[256];
	assert_true(schedule_parse_weekly(body, &weekly, error, sizeof(error)));
	assert_int_equal(weekly.days[4].count, 1);
	assert_int_equal(weekly.days[4].intervals[0].open_minute, 22 * 60);
	assert_int_equal(weekly.days[4].intervals[0].close_minute, SCHEDULE_MINUTES_IN_DAY);
	json_decref(body);
}

static void test_parse_weekly_refuses_more_than_the_maximum_intervals(void **state)
{
	char body[1024] = "{\"weekly\": {\"friday\": [";
	for (int i = 0; i <= SCHEDULE_MAX_INTERVALS; i++) {
		char interval[64];
		snprintf(interval, sizeof(interval), "%s{\"open\": \"%02d:00\", \"close\": \"%02d:30\"}", i ? "," : "",
		         i, i);
		strcat(body, interval);
	}
	strcat(body, "]}}");
	expect_weekly_refused(body, "weekly.friday: 9 intervals; at most 8 a day");
}

static void test_parse_weekly_failure_leaves_the_output_untouched(void **state)
{
	struct weekly_schedule schedule;
	memset(&schedule, 0x5a, sizeof(schedule));
	struct weekly_schedule before = schedule;
	json_t *body = parse_json("{\"weekly\": {\"monday\": [{\"open\": \"08:00\", \"close\": \"12:00\"}],"
	                          "\"tuesday\": [{\"open\": \"8\", \"close\": \"12:00\"}]}}");
	assert_false(schedule_parse_weekly(body, &schedule, NULL, 0)); /* no room for a message is fine */
	json_decref(body);
	assert_memory_equal(&schedule, &before, sizeof(schedule));
}

static void test_parse_intervals_names_the_interval_path(void **state)
{
	struct day_schedule day;
	char error[ERROR_SIZE] = "";
	json_t *array =
	    parse_json("[{\"open\": \"10:00\", \"close\": \"14:00\"}, {\"open\": \"18:00\", \"close\": \"01:00\"}]");
	assert_true(schedule_parse_intervals(array, &day, error, sizeof(error)));
	json_decref(array);
	assert_int_equal(day.count, 2);
	assert_interval(&day.intervals[0], 600, 840);
	assert_interval(&day.intervals[1], 1080, 60);

	array = parse_json("[]");
	assert_true(schedule_parse_intervals(array, &day, error, sizeof(error)));
	json_decref(array);
	assert_int_equal(day.count, 0);

	expect_intervals_refused(
	    "{}", "intervals: must be an array of intervals {\"open\": \"HH:MM\", \"close\": \"HH:MM\"}");
	expect_intervals_refused(
	    "[{\"open\": \"10:00\", \"close\": \"14:00\"}, {\"open\": \"18:00\", \"close\": \"1:00\"}]",
	    "intervals[1].close: '1:00' is not a time 'HH:MM' (two digits, a colon, two "
	    "digits; 00:00 to 24:00)");
}

static void test_parse_truncates_long_client_text_in_messages(void **state)
{
	char day[301], body[400], message[ERROR_SIZE];
	memset(day, 'x', sizeof(day) - 1);
	day[sizeof(day) - 1] = '\0';
	snprintf(body, sizeof(body), "{\"weekly\": {\"%s\": []}}", day);
	/* the path is cut to FIELD_PATH_SIZE - 1 characters: "weekly." and 152 of the 300 x */
	snprintf(message, sizeof(message),
	         "unknown field 'weekly.%.152s'; allowed: monday, tuesday, wednesday, thursday, friday, saturday, "
	         "sunday",
	         day);
	expect_weekly_refused(body, message);
}

/* ---- validation ---- */

static void expect_weekly_valid(const char *body_text)
{
	struct weekly_schedule schedule;
	parse_weekly_or_fail(body_text, &schedule);
	char error[ERROR_SIZE] = "";
	if (!schedule_validate_weekly(&schedule, error, sizeof(error)))
		fail_msg("refused: %s", error);
}

static void expect_weekly_invalid(const char *body_text, const char *message)
{
	struct weekly_schedule schedule;
	parse_weekly_or_fail(body_text, &schedule);
	char error[ERROR_SIZE] = "";
	assert_false(schedule_validate_weekly(&schedule, error, sizeof(error)));
	assert_string_equal(error, message);
}

static void test_validate_accepts_touching_intervals(void **state)
{
	expect_weekly_valid(
	    "{\"weekly\": {\"monday\": [{\"open\": \"13:00\", \"close\": \"17:00\"},"
	    "{\"open\": \"08:00\", \"close\": \"12:00\"}, {\"open\": \"12:00\", \"close\": \"13:00\"}]}}");
}

static void test_validate_refuses_overlaps_within_a_day(void **state)
{
	expect_weekly_invalid("{\"weekly\": {\"monday\": [{\"open\": \"08:00\", \"close\": \"12:00\"},"
	                      "{\"open\": \"11:30\", \"close\": \"13:00\"}]}}",
	                      "weekly.monday[0] (08:00-12:00) overlaps weekly.monday[1] (11:30-13:00)");
	expect_weekly_invalid("{\"weekly\": {\"wednesday\": [{\"open\": \"10:00\", \"close\": \"11:00\"},"
	                      "{\"open\": \"00:00\", \"close\": \"24:00\"}]}}",
	                      "weekly.wednesday[0] (10:00-11:00) overlaps weekly.wednesday[1] (00:00-24:00)");
}

static void test_validate_refuses_an_overnight_interval_over_a_later_one_of_its_day(void **state)
{
	expect_weekly_invalid("{\"weekly\": {\"friday\": [{\"open\": \"22:00\", \"close\": \"02:00\"},"
	                      "{\"open\": \"23:00\", \"close\": \"23:30\"}]}}",
	                      "weekly.friday[0] (22:00-02:00) overlaps weekly.friday[1] (23:00-23:30)");
	/* Two intervals past midnight on one day always share 23:59. */
	expect_weekly_invalid("{\"weekly\": {\"friday\": [{\"open\": \"23:00\", \"close\": \"01:00\"},"
	                      "{\"open\": \"22:00\", \"close\": \"00:30\"}]}}",
	                      "weekly.friday[0] (23:00-01:00) overlaps weekly.friday[1] (22:00-00:30)");
}

static void test_validate_accepts_an_overnight_interval_ending_as_the_next_day_opens(void **state)
{
	expect_weekly_valid("{\"weekly\": {\"monday\": [{\"open\": \"22:00\", \"close\": \"02:00\"}],"
	                    "\"tuesday\": [{\"open\": \"02:00\", \"close\": \"09:00\"}]}}");
	expect_weekly_valid("{\"weekly\": {\"monday\": [{\"open\": \"00:00\", \"close\": \"24:00\"}],"
	                    "\"tuesday\": [{\"open\": \"00:00\", \"close\": \"24:00\"}]}}");
}

static void test_validate_refuses_an_overnight_tail_over_the_next_day(void **state)
{
	expect_weekly_invalid(
	    "{\"weekly\": {\"monday\": [{\"open\": \"22:00\", \"close\": \"02:00\"}],"
	    "\"tuesday\": [{\"open\": \"09:00\", \"close\": \"12:00\"}, {\"open\": \"01:00\", \"close\": \"03:00\"}]}}",
	    "weekly.monday[0] (22:00-02:00) runs past midnight into weekly.tuesday[1] (01:00-03:00)");
}

static void test_validate_refuses_sunday_running_into_monday(void **state)
{
	expect_weekly_invalid("{\"weekly\": {\"monday\": [{\"open\": \"00:00\", \"close\": \"08:00\"}],"
	                      "\"sunday\": [{\"open\": \"20:00\", \"close\": \"00:30\"}]}}",
	                      "weekly.sunday[0] (20:00-00:30) runs past midnight into weekly.monday[0] (00:00-08:00)");
}

static void test_validate_refuses_a_schedule_that_parsing_would_not_make(void **state)
{
	struct weekly_schedule schedule;
	memset(&schedule, 0, sizeof(schedule));
	schedule.days[2].count = 1;
	schedule.days[2].intervals[0] = (struct schedule_interval){.open_minute = 1440, .close_minute = 60};
	char error[ERROR_SIZE] = "";
	assert_false(schedule_validate_weekly(&schedule, error, sizeof(error)));
	assert_string_equal(error, "weekly.wednesday[0]: not an interval (open 1440, close 60 minutes)");
	schedule.days[2].count = SCHEDULE_MAX_INTERVALS + 1;
	assert_false(schedule_validate_weekly(&schedule, error, sizeof(error)));
	assert_string_equal(error, "weekly.wednesday: 9 intervals; at most 8 a day");
}

static void test_validate_sequence_accepts_neighbours_that_fit(void **state)
{
	const struct schedule_interval before[] = {{20 * 60, 1 * 60}};
	const struct schedule_interval date[] = {{1 * 60, 5 * 60}, {23 * 60, 3 * 60}};
	const struct schedule_interval after[] = {{3 * 60, 10 * 60}};
	struct day_schedule previous_day = day_of(1, before), day = day_of(2, date), next_day = day_of(1, after);
	char error[ERROR_SIZE] = "";
	assert_true(schedule_validate_sequence(&previous_day, &day, &next_day, error, sizeof(error)));
	assert_true(schedule_validate_sequence(NULL, &day, NULL, error, sizeof(error)));
}

static void test_validate_sequence_refuses_the_previous_day_running_into_the_date(void **state)
{
	const struct schedule_interval before[] = {{8 * 60, 12 * 60}, {20 * 60, 2 * 60}};
	const struct schedule_interval date[] = {{1 * 60 + 30, 5 * 60}};
	struct day_schedule previous_day = day_of(2, before), day = day_of(1, date);
	char error[ERROR_SIZE] = "";
	assert_false(schedule_validate_sequence(&previous_day, &day, NULL, error, sizeof(error)));
	assert_string_equal(
	    error, "the previous day's intervals[1] (20:00-02:00) runs past midnight into intervals[0] (01:30-05:00)");
}

static void test_validate_sequence_refuses_the_date_running_into_the_next_day(void **state)
{
	const struct schedule_interval date[] = {{22 * 60, 1440}, {0, 1 * 60}};
	const struct schedule_interval date_overnight[] = {{22 * 60, 4 * 60}};
	const struct schedule_interval after[] = {{3 * 60, 10 * 60}};
	struct day_schedule day = day_of(2, date), next_day = day_of(1, after);
	char error[ERROR_SIZE] = "";
	assert_true(schedule_validate_sequence(NULL, &day, &next_day, error, sizeof(error))); /* "24:00" is no tail */
	day = day_of(1, date_overnight);
	assert_false(schedule_validate_sequence(NULL, &day, &next_day, error, sizeof(error)));
	assert_string_equal(
	    error, "intervals[0] (22:00-04:00) runs past midnight into the next day's intervals[0] (03:00-10:00)");
}

static void test_validate_sequence_refuses_overlaps_within_the_date(void **state)
{
	const struct schedule_interval date[] = {{9 * 60, 17 * 60}, {16 * 60, 1440}};
	struct day_schedule day = day_of(2, date);
	char error[ERROR_SIZE] = "";
	assert_false(schedule_validate_sequence(NULL, &day, NULL, error, sizeof(error)));
	assert_string_equal(error, "intervals[0] (09:00-17:00) overlaps intervals[1] (16:00-24:00)");
}

/* ---- JSON out ---- */

static char *dump(json_t *value)
{
	assert_non_null(value);
	char *text = json_dumps(value, JSON_COMPACT);
	json_decref(value);
	assert_non_null(text);
	return text;
}

static void test_weekly_json_writes_all_seven_days(void **state)
{
	struct weekly_schedule schedule;
	parse_weekly_or_fail(
	    "{\"weekly\": {\"sunday\": [{\"open\": \"22:00\", \"close\": \"02:00\"}],"
	    "\"monday\": [{\"open\": \"08:05\", \"close\": \"12:00\"}, {\"open\": \"13:00\", \"close\": \"24:00\"}]}}",
	    &schedule);
	char *text = dump(schedule_weekly_json(&schedule));
	assert_string_equal(text, "{\"weekly\":{\"monday\":[{\"open\":\"08:05\",\"close\":\"12:00\"},"
	                          "{\"open\":\"13:00\",\"close\":\"24:00\"}],\"tuesday\":[],\"wednesday\":[],"
	                          "\"thursday\":[],\"friday\":[],\"saturday\":[],"
	                          "\"sunday\":[{\"open\":\"22:00\",\"close\":\"02:00\"}]}}");
	free(text);
}

static void test_weekly_json_parses_back_to_the_same_schedule(void **state)
{
	struct weekly_schedule schedule, again;
	parse_weekly_or_fail(
	    "{\"weekly\": {\"monday\": [{\"open\": \"00:00\", \"close\": \"24:00\"}],"
	    "\"thursday\": [{\"open\": \"09:15\", \"close\": \"11:45\"}, {\"open\": \"23:59\", \"close\": \"00:01\"}],"
	    "\"saturday\": [{\"open\": \"18:00\", \"close\": \"06:00\"}]}}",
	    &schedule);
	json_t *json = schedule_weekly_json(&schedule);
	assert_non_null(json);
	char error[ERROR_SIZE] = "";
	assert_true(schedule_parse_weekly(json, &again, error, sizeof(error)));
	json_decref(json);
	for (int d = 0; d < SCHEDULE_DAYS_IN_WEEK; d++) {
		assert_int_equal(again.days[d].count, schedule.days[d].count);
		for (size_t i = 0; i < schedule.days[d].count; i++)
			assert_interval(&again.days[d].intervals[i], schedule.days[d].intervals[i].open_minute,
			                schedule.days[d].intervals[i].close_minute);
	}
}

static void test_day_json_writes_intervals_and_closed_days(void **state)
{
	const struct schedule_interval intervals[] = {{0, 1440}, {22 * 60 + 30, 90}};
	struct day_schedule day = day_of(2, intervals);
	char *text = dump(schedule_day_json(&day));
	assert_string_equal(text,
	                    "[{\"open\":\"00:00\",\"close\":\"24:00\"},{\"open\":\"22:30\",\"close\":\"01:30\"}]");
	free(text);
	day.count = 0;
	text = dump(schedule_day_json(&day));
	assert_string_equal(text, "[]");
	free(text);
}

static void test_day_sort_orders_by_open(void **state)
{
	const struct schedule_interval intervals[] = {
	    {22 * 60, 2 * 60}, {8 * 60, 12 * 60}, {13 * 60, 17 * 60}, {0, 60}};
	struct day_schedule day = day_of(4, intervals);
	schedule_day_sort(&day);
	assert_interval(&day.intervals[0], 0, 60);
	assert_interval(&day.intervals[1], 8 * 60, 12 * 60);
	assert_interval(&day.intervals[2], 13 * 60, 17 * 60);
	assert_interval(&day.intervals[3], 22 * 60, 2 * 60);
}

/* ---- dates ---- */

static void test_day_names_count_from_monday(void **state)
{
	assert_string_equal(schedule_day_name(0), "monday");
	assert_string_equal(schedule_day_name(6), "sunday");
	assert_null(schedule_day_name(7));
	assert_null(schedule_day_name(-1));
}

static void test_date_is_valid_knows_month_lengths(void **state)
{
	assert_true(schedule_date_is_valid(2024, 2, 29));
	assert_false(schedule_date_is_valid(2025, 2, 29));
	assert_false(schedule_date_is_valid(1900, 2, 29));
	assert_true(schedule_date_is_valid(2000, 2, 29));
	assert_false(schedule_date_is_valid(2025, 4, 31));
	assert_false(schedule_date_is_valid(2025, 13, 1));
	assert_false(schedule_date_is_valid(2025, 0, 1));
	assert_false(schedule_date_is_valid(2025, 1, 0));
	assert_false(schedule_date_is_valid(0, 1, 1));
	assert_true(schedule_date_is_valid(9999, 12, 31));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_weekly_reads_every_day_and_leaves_missing_days_closed),
	    cmocka_unit_test(test_parse_weekly_accepts_an_empty_week),
	    cmocka_unit_test(test_parse_weekly_keeps_the_given_order),
	    cmocka_unit_test(test_parse_weekly_refuses_a_body_of_the_wrong_shape),
	    cmocka_unit_test(test_parse_weekly_refuses_unknown_day_names),
	    cmocka_unit_test(test_parse_weekly_refuses_intervals_of_the_wrong_type),
	    cmocka_unit_test(test_parse_weekly_refuses_times_not_written_hh_mm),
	    cmocka_unit_test(test_parse_weekly_allows_24_00_only_as_a_close),
	    cmocka_unit_test(test_parse_weekly_refuses_an_empty_interval),
	    cmocka_unit_test(test_parse_weekly_reads_a_midnight_close_as_24_00),
	    cmocka_unit_test(test_parse_weekly_refuses_more_than_the_maximum_intervals),
	    cmocka_unit_test(test_parse_weekly_failure_leaves_the_output_untouched),
	    cmocka_unit_test(test_parse_intervals_names_the_interval_path),
	    cmocka_unit_test(test_parse_truncates_long_client_text_in_messages),
	    cmocka_unit_test(test_validate_accepts_touching_intervals),
	    cmocka_unit_test(test_validate_refuses_overlaps_within_a_day),
	    cmocka_unit_test(test_validate_refuses_an_overnight_interval_over_a_later_one_of_its_day),
	    cmocka_unit_test(test_validate_accepts_an_overnight_interval_ending_as_the_next_day_opens),
	    cmocka_unit_test(test_validate_refuses_an_overnight_tail_over_the_next_day),
	    cmocka_unit_test(test_validate_refuses_sunday_running_into_monday),
	    cmocka_unit_test(test_validate_refuses_a_schedule_that_parsing_would_not_make),
	    cmocka_unit_test(test_validate_sequence_accepts_neighbours_that_fit),
	    cmocka_unit_test(test_validate_sequence_refuses_the_previous_day_running_into_the_date),
	    cmocka_unit_test(test_validate_sequence_refuses_the_date_running_into_the_next_day),
	    cmocka_unit_test(test_validate_sequence_refuses_overlaps_within_the_date),
	    cmocka_unit_test(test_weekly_json_writes_all_seven_days),
	    cmocka_unit_test(test_weekly_json_parses_back_to_the_same_schedule),
	    cmocka_unit_test(test_day_json_writes_intervals_and_closed_days),
	    cmocka_unit_test(test_day_sort_orders_by_open),
	    cmocka_unit_test(test_day_names_count_from_monday),
	    cmocka_unit_test(test_date_is_valid_knows_month_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
