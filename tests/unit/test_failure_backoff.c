/* Failed-login backoff: free failures, lockouts doubling to the cap, the window that forgets,
 * and the guard table that holds the records (keys apart, success forgets, bounded). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/login_guard.h"
#include "domain/failure_backoff.h"

static const struct failure_policy policy = {5, 900000, 1000, 900000};

static void test_free_failures_do_not_lock(void **state)
{
	struct failure_record record = {0};
	uint64_t now = 1000000;
	for (uint32_t i = 0; i < 5; i++) {
		assert_int_equal(failure_backoff_free_left(&record, &policy, now), 5 - i);
		failure_backoff_fail(&record, &policy, now);
		assert_int_equal(failure_backoff_wait_ms(&record, now), 0);
	}
	assert_int_equal(failure_backoff_free_left(&record, &policy, now), 0);
	assert_int_equal(failure_backoff_reset_ms(&record, &policy, now), 900000);
}

static void test_lockouts_double_up_to_the_cap(void **state)
{
	struct failure_record record = {0};
	uint64_t now = 1000000;
	for (int i = 0; i < 5; i++)
		failure_backoff_fail(&record, &policy, now);
	static const uint64_t expected[] = {1000,  2000,   4000,   8000,   16000,  32000,
	                                    64000, 128000, 256000, 512000, 900000, 900000};
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		now += failure_backoff_wait_ms(&record, now); /* each attempt when the lockout ends */
		failure_backoff_fail(&record, &policy, now);
		assert_int_equal(failure_backoff_wait_ms(&record, now), expected[i]);
	}
}

static void test_locked_record_waits_out_its_lockout(void **state)
{
	struct failure_record record = {0};
	uint64_t now = 5000;
	for (int i = 0; i < 6; i++)
		failure_backoff_fail(&record, &policy, now);
	assert_int_equal(failure_backoff_wait_ms(&record, now), 1000);
	assert_int_equal(failure_backoff_wait_ms(&record, now + 400), 600);
	assert_int_equal(failure_backoff_wait_ms(&record, now + 1000), 0);
	assert_int_equal(failure_backoff_free_left(&record, &policy, now + 1000), 0);
}

static void test_window_forgets_failures_after_last_failure_or_lockout(void **state)
{
	struct failure_record record = {0};
	uint64_t now = 5000;
	for (int i = 0; i < 6; i++)
		failure_backoff_fail(&record, &policy, now); /* locked until now + 1000 */
	assert_false(failure_backoff_idle(&record, &policy, now + 900000));
	assert_true(failure_backoff_idle(&record, &policy, now + 901000));
	assert_int_equal(failure_backoff_free_left(&record, &policy, now + 901000), 5);
	failure_backoff_fail(&record, &policy, now + 901000); /* a fresh window: one failure, no lock */
	assert_int_equal(record.failures, 1);
	assert_int_equal(failure_backoff_wait_ms(&record, now + 901000), 0);
}

static void test_policy_without_free_failures_never_locks(void **state)
{
	struct failure_policy off = {0, 900000, 1000, 900000};
	struct failure_record record = {0};
	for (int i = 0; i < 100; i++)
		failure_backoff_fail(&record, &off, 1000);
	assert_int_equal(failure_backoff_wait_ms(&record, 1000), 0);
	assert_int_equal(record.failures, 0);
}

static void test_guard_keeps_keys_apart_and_success_forgets(void **state)
{
	struct login_guard *guard = login_guard_new(64, &policy);
	uint64_t alice = 0x1111ull << 32, bob = 0x2222ull << 32;
	for (int i = 0; i < 6; i++)
		login_guard_fail(guard, alice, 1000);
	assert_int_equal(login_guard_peek(guard, alice, 1000).wait_ms, 1000);
	struct login_guard_state other = login_guard_peek(guard, bob, 1000);
	assert_int_equal(other.wait_ms, 0);
	assert_int_equal(other.free_left, 5);
	login_guard_forget(guard, alice);
	struct login_guard_state forgotten = login_guard_peek(guard, alice, 1000);
	assert_int_equal(forgotten.wait_ms, 0);
	assert_int_equal(forgotten.free_left, 5);
	login_guard_free(guard);
}

static void test_guard_evicts_idle_records_first(void **state)
{
	struct login_guard *guard = login_guard_new(8, &policy); /* one group of 8 slots */
	uint64_t locked = 1;
	for (int i = 0; i < 6; i++)
		login_guard_fail(guard, locked, 1000);
	/* Thousands of keys that fail once each, all within the window: they replace each other,
	 * never the locked record. */
	for (uint64_t key = 2; key < 2000; key++)
		login_guard_fail(guard, key, 1000 + key / 10);
	assert_int_equal(login_guard_peek(guard, locked, 1500).wait_ms, 500);
	assert_int_equal(login_guard_peek(guard, 1999, 1500).free_left, 4); /* the newest is kept */
	/* Once idle, records make room without evicting anyone in use. */
	assert_int_equal(login_guard_peek(guard, 2, 1500).free_left, 5);
	login_guard_free(guard);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_free_failures_do_not_lock),
	    cmocka_unit_test(test_lockouts_double_up_to_the_cap),
	    cmocka_unit_test(test_locked_record_waits_out_its_lockout),
	    cmocka_unit_test(test_window_forgets_failures_after_last_failure_or_lockout),
	    cmocka_unit_test(test_policy_without_free_failures_never_locks),
	    cmocka_unit_test(test_guard_keeps_keys_apart_and_success_forgets),
	    cmocka_unit_test(test_guard_evicts_idle_records_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
