/* `camfleet sim --outage CAMERA_INDEX:START_S:LENGTH_S`: what the option accepts and refuses
 * (also through sim_options_parse, which checks the index against --cameras), and which outage
 * of a camera is under way or next at a given moment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "sim/options.h"
#include "sim/outage.h"

static void test_outage_parses_index_start_and_length(void **state)
{
	struct sim_outage outage;
	assert_int_equal(sim_outage_parse("2:30:45.5", &outage), 0);
	assert_int_equal(outage.camera, 2);
	assert_true(outage.start_seconds == 30.0);
	assert_true(outage.length_seconds == 45.5);
	assert_int_equal(sim_outage_parse("0:0:0.01", &outage), 0);
	assert_int_equal(outage.camera, 0);
	assert_true(outage.start_seconds == 0.0);
}

static void test_malformed_or_out_of_range_outage_is_refused(void **state)
{
	static const char *const bad[] = {
	    "",        "1",      "1:2",          "1:2:",         ":2:3",           "-1:2:3", " 1:2:3",    "a:2:3",
	    "1:x:3",   "1:2:x",  "1:2:3:4",      "1:-2:3",       "1:2:0",          "1:2:-3", "1:2:0.001", "1:nan:3",
	    "1:2:inf", "1:2:3 ", "1:31536001:3", "1:2:31536001", "4294967296:1:1", "1::3",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sim_outage outage = {.camera = 77};
		if (sim_outage_parse(bad[i], &outage) == 0)
			fail_msg("'%s' was accepted", bad[i]);
		assert_int_equal(outage.camera, 77); /* untouched */
	}
}

static void test_next_outage_is_the_earliest_not_yet_over(void **state)
{
	const struct sim_outage outages[] = {
	    {.camera = 1, .start_seconds = 50, .length_seconds = 10},
	    {.camera = 0, .start_seconds = 5, .length_seconds = 2},
	    {.camera = 1, .start_seconds = 10, .length_seconds = 5},
	};
	int64_t begins = 0, ends = 0;
	assert_true(sim_outage_next(outages, 3, 1, 0, &begins, &ends));
	assert_int_equal(begins, 10000);
	assert_int_equal(ends, 15000);
	assert_true(sim_outage_next(outages, 3, 1, 14999, &begins, &ends)); /* under way */
	assert_int_equal(begins, 10000);
	assert_true(sim_outage_next(outages, 3, 1, 15000, &begins, &ends)); /* over: the next one */
	assert_int_equal(begins, 50000);
	assert_int_equal(ends, 60000);
	assert_false(sim_outage_next(outages, 3, 1, 60000, &begins, &ends));
	assert_false(sim_outage_next(outages, 3, 2, 0, &begins, &ends)); /* no outage for camera 2 */
	assert_true(sim_outage_next(outages, 3, 0, 0, &begins, &ends));
	assert_int_equal(begins, 5000);
	assert_int_equal(ends, 7000);
}

static void test_overlapping_outages_chain(void **state)
{
	const struct sim_outage outages[] = {
	    {.camera = 0, .start_seconds = 5, .length_seconds = 15},
	    {.camera = 0, .start_seconds = 0, .length_seconds = 10},
	};
	int64_t begins = 0, ends = 0;
	assert_true(sim_outage_next(outages, 2, 0, 0, &begins, &ends));
	assert_int_equal(begins, 0);
	assert_int_equal(ends, 10000);
	assert_true(sim_outage_next(outages, 2, 0, 10000, &begins, &ends)); /* begun already: silent on */
	assert_int_equal(begins, 5000);
	assert_int_equal(ends, 20000);
}

/* sim_options_parse on a command line that is valid apart from the --outage options given. */
static enum sim_options_result parse_with(const char *outage1, const char *outage2, struct sim_options *options)
{
	char *argv[] = {"sim",           "--url",    "http://127.0.0.1:1", "--client-id", "id", "--client-secret",
	                "secret",        "--outage", (char *)outage1,      "--cameras",   "3",  "--outage",
	                (char *)outage2, NULL};
	return sim_options_parse(13, argv, options);
}

static void test_options_keep_every_outage_in_order(void **state)
{
	struct sim_options *options = malloc(sizeof(*options));
	assert_non_null(options);
	assert_int_equal(parse_with("2:1:2", "0:3.5:4", options), SIM_OPTIONS_OK);
	assert_int_equal(options->outage_count, 2);
	assert_int_equal(options->outages[0].camera, 2);
	assert_int_equal(options->outages[1].camera, 0);
	assert_true(options->outages[1].start_seconds == 3.5);
	assert_true(options->outages[1].length_seconds == 4.0);
	free(options);
}

static void test_options_refuse_an_outage_of_a_camera_beyond_cameras(void **state)
{
	struct sim_options *options = malloc(sizeof(*options));
	assert_non_null(options);
	assert_int_equal(parse_with("3:1:2", "0:1:2", options), SIM_OPTIONS_INVALID); /* indexes 0 to 2 */
	assert_int_equal(parse_with("0:1:2", "1:2", options), SIM_OPTIONS_INVALID);
	free(options);
}

static void test_options_refuse_more_outages_than_the_limit(void **state)
{
	enum { ARGS = 7 + 2 * (SIM_MAX_OUTAGES + 1) };
	char *argv[ARGS + 1];
	int argc = 0;
	char *fixed[] = {"sim", "--url", "http://127.0.0.1:1", "--cameras", "1", "--client-id", "id"};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		argv[argc++] = fixed[i];
	for (int i = 0; i <= SIM_MAX_OUTAGES; i++) {
		argv[argc++] = "--outage";
		argv[argc++] = "0:1:1";
	}
	argv[argc] = NULL;
	struct sim_options *options = malloc(sizeof(*options));
	assert_non_null(options);
	assert_int_equal(sim_options_parse(argc, argv, options), SIM_OPTIONS_INVALID);
	assert_int_equal(options->outage_count, SIM_MAX_OUTAGES);
	free(options);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_outage_parses_index_start_and_length),
	    cmocka_unit_test(test_malformed_or_out_of_range_outage_is_refused),
	    cmocka_unit_test(test_next_outage_is_the_earliest_not_yet_over),
	    cmocka_unit_test(test_overlapping_outages_chain),
	    cmocka_unit_test(test_options_keep_every_outage_in_order),
	    cmocka_unit_test(test_options_refuse_an_outage_of_a_camera_beyond_cameras),
	    cmocka_unit_test(test_options_refuse_more_outages_than_the_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
