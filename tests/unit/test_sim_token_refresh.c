/* The simulator refreshes a token at three quarters of the lifetime the server announced, and no
 * announced lifetime (missing, negative or absurdly large) can overflow the deadline. Found by
 * fuzz_sim_answers: {"expires_in": 9223372036854775807} overflowed int64 (undefined behaviour). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim/fleet.h"

static void test_refresh_comes_at_three_quarters_of_the_lifetime(void **state)
{
	assert_int_equal(sim_token_refresh_millis(3600), 2700000);
	assert_int_equal(sim_token_refresh_millis(1), 750);
}

static void test_missing_or_negative_lifetime_counts_as_an_hour(void **state)
{
	assert_int_equal(sim_token_refresh_millis(0), 2700000); /* json_integer_value of a missing field */
	assert_int_equal(sim_token_refresh_millis(-5), 2700000);
	assert_int_equal(sim_token_refresh_millis(INT64_MIN), 2700000);
}

static void test_huge_lifetime_is_capped_at_a_day_without_overflow(void **state)
{
	assert_int_equal(sim_token_refresh_millis(86400), 64800000);
	assert_int_equal(sim_token_refresh_millis(86401), 64800000);
	assert_int_equal(sim_token_refresh_millis(INT64_MAX), 64800000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refresh_comes_at_three_quarters_of_the_lifetime),
	    cmocka_unit_test(test_missing_or_negative_lifetime_counts_as_an_hour),
	    cmocka_unit_test(test_huge_lifetime_is_capped_at_a_day_without_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
