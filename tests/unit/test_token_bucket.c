/* Token buckets (GCRA): burst, refill, refusals with their retry time, and the table that holds
 * them (bounded, keys kept apart, idle buckets evicted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/token_bucket.h"
#include "http/rate_limit_table.h"

#define SECOND 1000000000ull

static void test_full_bucket_admits_burst_then_refuses(void **state)
{
	struct token_bucket_policy policy = token_bucket_policy_make(5, 5);
	assert_int_equal(policy.interval_ns, SECOND / 5);
	uint64_t tat = 0, now = 100 * SECOND;
	for (uint64_t i = 0; i < 5; i++) {
		struct token_bucket_decision d = token_bucket_take(tat, now, &policy);
		assert_true(d.admitted);
		assert_int_equal(d.remaining, 4 - i);
		tat = d.next_tat;
	}
	struct token_bucket_decision refused = token_bucket_take(tat, now, &policy);
	assert_false(refused.admitted);
	assert_int_equal(refused.remaining, 0);
	assert_int_equal(refused.next_tat, tat); /* a refusal costs nothing */
	assert_int_equal(refused.retry_after_ns, SECOND / 5);
	assert_int_equal(refused.full_after_ns, SECOND);
}

static void test_one_token_returns_per_interval(void **state)
{
	struct token_bucket_policy policy = token_bucket_policy_make(5, 5);
	uint64_t tat = 0, now = 100 * SECOND;
	for (int i = 0; i < 5; i++)
		tat = token_bucket_take(tat, now, &policy).next_tat;
	assert_false(token_bucket_take(tat, now + SECOND / 5 - 1, &policy).admitted);
	struct token_bucket_decision d = token_bucket_take(tat, now + SECOND / 5, &policy);
	assert_true(d.admitted);
	assert_int_equal(d.remaining, 0);
	assert_false(token_bucket_take(d.next_tat, now + SECOND / 5, &policy).admitted);
}

static void test_idle_bucket_refills_to_burst_and_no_further(void **state)
{
	struct token_bucket_policy policy = token_bucket_policy_make(10, 3);
	uint64_t tat = 0, now = 50 * SECOND;
	for (int i = 0; i < 3; i++)
		tat = token_bucket_take(tat, now, &policy).next_tat;
	now += 3600 * SECOND; /* an hour idle: still only 3 */
	for (int i = 0; i < 3; i++) {
		struct token_bucket_decision d = token_bucket_take(tat, now, &policy);
		assert_true(d.admitted);
		tat = d.next_tat;
	}
	assert_false(token_bucket_take(tat, now, &policy).admitted);
}

static void test_zero_rate_is_clamped_to_one(void **state)
{
	struct token_bucket_policy policy = token_bucket_policy_make(0, 0);
	assert_int_equal(policy.interval_ns, SECOND);
	assert_int_equal(policy.burst, 1);
}

static void test_table_keeps_keys_apart(void **state)
{
	struct rate_limit_table *table = rate_limit_table_new(64);
	struct token_bucket_policy policy = token_bucket_policy_make(2, 2);
	uint64_t now = 10 * SECOND;
	assert_true(rate_limit_table_take(table, 11, now, &policy).admitted);
	assert_true(rate_limit_table_take(table, 11, now, &policy).admitted);
	assert_false(rate_limit_table_take(table, 11, now, &policy).admitted);
	struct token_bucket_decision other = rate_limit_table_take(table, 12, now, &policy);
	assert_true(other.admitted);
	assert_int_equal(other.remaining, 1);
	rate_limit_table_free(table);
}

static void test_table_stays_bounded_and_keeps_busy_buckets(void **state)
{
	struct rate_limit_table *table = rate_limit_table_new(8); /* one group of 8 */
	struct token_bucket_policy policy = token_bucket_policy_make(1, 1);
	uint64_t now = 10 * SECOND;
	uint64_t busy = 7ull << 32;
	assert_true(rate_limit_table_take(table, busy, now, &policy).admitted);
	/* Thousands of other keys, each used once a second apart: each is idle when the next comes. */
	for (uint64_t i = 1; i <= 7; i++)
		assert_true(rate_limit_table_take(table, busy + i, now, &policy).admitted);
	for (uint64_t i = 8; i < 5000; i++)
		assert_true(rate_limit_table_take(table, busy + i, now + i * SECOND, &policy).admitted);
	rate_limit_table_free(table);
	table = rate_limit_table_new(8);
	/* With every slot in debt, the busy key's debt survives keys that come and go. */
	assert_true(rate_limit_table_take(table, busy, now, &policy).admitted);
	struct token_bucket_policy slow = token_bucket_policy_make(1, 1);
	for (uint64_t i = 1; i < 8; i++)
		assert_true(rate_limit_table_take(table, busy + i, now, &slow).admitted);
	assert_false(rate_limit_table_take(table, busy, now, &policy).admitted);
	rate_limit_table_free(table);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_bucket_admits_burst_then_refuses),
	    cmocka_unit_test(test_one_token_returns_per_interval),
	    cmocka_unit_test(test_idle_bucket_refills_to_burst_and_no_further),
	    cmocka_unit_test(test_zero_rate_is_clamped_to_one),
	    cmocka_unit_test(test_table_keeps_keys_apart),
	    cmocka_unit_test(test_table_stays_bounded_and_keeps_busy_buckets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
