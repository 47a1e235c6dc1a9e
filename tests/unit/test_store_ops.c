/* Each back end's table of data operations is complete: every member of struct store_ops (all
 * function pointers) is set, so a missing operation fails here, not as a NULL call at run time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "store/backends.h"

typedef void (*any_function)(void);
enum { OPERATION_COUNT = sizeof(struct store_ops) / sizeof(any_function) };
_Static_assert(sizeof(struct store_ops) % sizeof(any_function) == 0, "struct store_ops holds function pointers only");

static void expect_complete(const struct store_ops *ops)
{
	any_function operations[OPERATION_COUNT];
	memcpy(operations, ops, sizeof(operations));
	for (size_t i = 0; i < OPERATION_COUNT; i++) {
		if (operations[i] == NULL)
			fail_msg("operation %zu of %d (in struct store_ops order) is not set", i, OPERATION_COUNT);
	}
}

static void test_sqlite_table_is_complete(void **state)
{
	expect_complete(&sqlite_store_ops);
}

static void test_postgres_table_is_complete(void **state)
{
	expect_complete(&pg_store_ops);
}

static void test_a_missing_operation_is_caught(void **state)
{
	struct store_ops incomplete = sqlite_store_ops;
	incomplete.frame_put = NULL;
	any_function operations[OPERATION_COUNT];
	memcpy(operations, &incomplete, sizeof(operations));
	size_t missing = 0;
	for (size_t i = 0; i < OPERATION_COUNT; i++)
		missing += operations[i] == NULL;
	assert_int_equal(missing, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sqlite_table_is_complete),
	    cmocka_unit_test(test_postgres_table_is_complete),
	    cmocka_unit_test(test_a_missing_operation_is_caught),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
