/* domain/upload_window.h: reports fall in the UTC hour that holds them (hour boundaries, times
 * before 1970), and a metrics window is summed report by report within the last 48 hours, by whole
 * overlapping hour buckets before that. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/upload_window.h"

#define HOUR 3600
/* 2026-12-05T10:20:30Z: not on an hour boundary. */
#define NOW ((int64_t)1796464800 + 20 * 60 + 30)

static void test_hour_start_rounds_down_to_the_hour(void **state)
{
	(void)state;
	assert_int_equal(upload_hour_start(0), 0);
	assert_int_equal(upload_hour_start(3599), 0);
	assert_int_equal(upload_hour_start(3600), 3600);
	assert_int_equal(upload_hour_start(3601), 3600);
	assert_int_equal(upload_hour_start(1796464800 + 1799), 1796464800);
	assert_int_equal(upload_hour_start(-1), -3600);
	assert_int_equal(upload_hour_start(-3600), -3600);
	assert_int_equal(upload_hour_start(-3601), -7200);
}

static void test_a_window_within_48_hours_reads_raw_reports_as_given(void **state)
{
	(void)state;
	struct upload_window_plan plan = upload_window_plan(NOW - 86400, NOW + 1, NOW);
	assert_int_equal(plan.raw_from, NOW - 86400);
	assert_int_equal(plan.raw_to, NOW + 1);
	assert_false(upload_window_uses_hours(&plan));
	plan = upload_window_plan(NOW - UPLOAD_RAW_SECONDS, NOW - UPLOAD_RAW_SECONDS + 5, NOW);
	assert_int_equal(plan.raw_from, NOW - UPLOAD_RAW_SECONDS);
	assert_int_equal(plan.raw_to, NOW - UPLOAD_RAW_SECONDS + 5);
	assert_false(upload_window_uses_hours(&plan));
}

static void test_an_older_window_counts_whole_overlapping_hours_then_raw_reports(void **state)
{
	(void)state;
	int64_t split = upload_hour_start(NOW - UPLOAD_RAW_SECONDS) + HOUR; /* 48 h ago, rounded up */
	assert_int_equal(split, NOW - UPLOAD_RAW_SECONDS - (20 * 60 + 30) + HOUR);
	struct upload_window_plan plan = upload_window_plan(NOW - 72 * HOUR, NOW + 1, NOW);
	assert_int_equal(plan.hours_from, upload_hour_start(NOW - 72 * HOUR)); /* the bucket holding from */
	assert_int_equal(plan.hours_to, split);
	assert_int_equal(plan.raw_from, split);
	assert_int_equal(plan.raw_to, NOW + 1);
	assert_true(upload_window_uses_hours(&plan));
}

static void test_a_window_just_past_48_hours_reads_the_hour_bucket_that_holds_its_start(void **state)
{
	(void)state;
	int64_t from = NOW - UPLOAD_RAW_SECONDS - 1;
	struct upload_window_plan plan = upload_window_plan(from, NOW, NOW);
	assert_int_equal(plan.hours_from, upload_hour_start(from));
	assert_int_equal(plan.hours_to, upload_hour_start(from) + HOUR);
	assert_int_equal(plan.raw_from, plan.hours_to);
	assert_int_equal(plan.raw_to, NOW);
}

static void test_an_old_window_ending_mid_hour_counts_that_hour_in_full_and_no_raw_reports(void **state)
{
	(void)state;
	int64_t day = upload_hour_start(NOW - 10 * 86400);
	struct upload_window_plan plan = upload_window_plan(day + 30 * 60, day + 2 * HOUR + 1, NOW);
	assert_int_equal(plan.hours_from, day);
	assert_int_equal(plan.hours_to, day + 2 * HOUR + 1); /* buckets starting at day, day + 1 h, day + 2 h */
	assert_int_equal(plan.raw_from, plan.raw_to);
	plan = upload_window_plan(day, day + 2 * HOUR, NOW); /* on boundaries: exactly two buckets */
	assert_int_equal(plan.hours_from, day);
	assert_int_equal(plan.hours_to, day + 2 * HOUR);
	assert_int_equal(plan.raw_from, plan.raw_to);
}

static void test_an_empty_old_window_reads_nothing(void **state)
{
	(void)state;
	int64_t at = NOW - 10 * 86400 + 17;
	struct upload_window_plan plan = upload_window_plan(at, at, NOW);
	assert_false(upload_window_uses_hours(&plan));
	assert_int_equal(plan.raw_from, plan.raw_to);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hour_start_rounds_down_to_the_hour),
	    cmocka_unit_test(test_a_window_within_48_hours_reads_raw_reports_as_given),
	    cmocka_unit_test(test_an_older_window_counts_whole_overlapping_hours_then_raw_reports),
	    cmocka_unit_test(test_a_window_just_past_48_hours_reads_the_hour_bucket_that_holds_its_start),
	    cmocka_unit_test(test_an_old_window_ending_mid_hour_counts_that_hour_in_full_and_no_raw_reports),
	    cmocka_unit_test(test_an_empty_old_window_reads_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
