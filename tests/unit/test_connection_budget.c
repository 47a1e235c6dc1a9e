/* The open-file budget of HTTP connections: what is set aside for the database, webhook
 * deliveries and listeners, and the connections left in a given limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/connection_budget.h"

/* The defaults on a 2-CPU machine: 2 HTTP threads, 2 + 8 + 6 database connections, 256 deliveries. */
static const struct connection_budget_needs default_needs = {
    .http_threads = 2, .database_connections = 16, .webhook_concurrency = 256, .metrics_listener = false};

static void test_reserved_files_count_every_user(void **state)
{
	/* 3 standard + 64 margin + 16 x 3 database + 256 x 2 deliveries + 3 x 2 threads */
	assert_int_equal(connection_budget_reserved_files(&default_needs), 3 + 64 + 48 + 512 + 6);
	struct connection_budget_needs with_metrics = default_needs;
	with_metrics.metrics_listener = true;
	assert_int_equal(connection_budget_reserved_files(&with_metrics), 633 + 68);
}

static void test_connections_are_the_limit_less_the_reserve(void **state)
{
	assert_int_equal(connection_budget_connections(20000, &default_needs, 1000000), 20000 - 633);
	assert_int_equal(connection_budget_connections(1024, &default_needs, 1000000), 1024 - 633);
}

static void test_a_limit_below_the_reserve_leaves_none(void **state)
{
	assert_int_equal(connection_budget_connections(633, &default_needs, 1000000), 0);
	assert_int_equal(connection_budget_connections(100, &default_needs, 1000000), 0);
	assert_int_equal(connection_budget_connections(634, &default_needs, 1000000), 1);
}

static void test_a_huge_limit_is_capped(void **state)
{
	assert_int_equal(connection_budget_connections(UINT64_MAX, &default_needs, 1000000), 1000000);
	assert_int_equal(connection_budget_connections(1048576, &default_needs, 1000000), 1000000);
}

static void test_large_settings_do_not_overflow(void **state)
{
	struct connection_budget_needs large = {.http_threads = 256,
	                                        .database_connections = UINT32_MAX,
	                                        .webhook_concurrency = UINT32_MAX,
	                                        .metrics_listener = true};
	uint64_t reserved = connection_budget_reserved_files(&large);
	assert_true(reserved > (uint64_t)UINT32_MAX * 5);
	assert_int_equal(connection_budget_connections(1048576, &large, 1000000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reserved_files_count_every_user),
	    cmocka_unit_test(test_connections_are_the_limit_less_the_reserve),
	    cmocka_unit_test(test_a_limit_below_the_reserve_leaves_none),
	    cmocka_unit_test(test_a_huge_limit_is_capped),
	    cmocka_unit_test(test_large_settings_do_not_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
