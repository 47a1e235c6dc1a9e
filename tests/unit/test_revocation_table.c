/* The per-subject "tokens valid from" table: what it refuses, what it keeps, growth and pruning. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "auth/revocation_table.h"

static void test_empty_table_refuses_nothing(void **state)
{
	struct revocation_table *table = revocation_table_new();
	assert_false(revocation_table_refuses(table, "a", 0));
	assert_int_equal(revocation_table_get(table, "a"), 0);
	assert_int_equal(revocation_table_count(table), 0);
	revocation_table_free(table);
}

static void test_token_issued_before_the_stamp_is_refused_and_at_or_after_it_is_not(void **state)
{
	struct revocation_table *table = revocation_table_new();
	assert_int_equal(revocation_table_raise(table, "user-1", 5000), 0);
	assert_true(revocation_table_refuses(table, "user-1", 4999));
	assert_false(revocation_table_refuses(table, "user-1", 5000));
	assert_false(revocation_table_refuses(table, "user-1", 5001));
	assert_false(revocation_table_refuses(table, "user-2", 1)); /* other subjects are untouched */
	revocation_table_free(table);
}

static void test_stamp_only_rises(void **state)
{
	struct revocation_table *table = revocation_table_new();
	assert_int_equal(revocation_table_raise(table, "s", 5000), 0);
	assert_int_equal(revocation_table_raise(table, "s", 3000), 0); /* a late, older message */
	assert_int_equal(revocation_table_get(table, "s"), 5000);
	assert_int_equal(revocation_table_raise(table, "s", 7000), 0);
	assert_int_equal(revocation_table_get(table, "s"), 7000);
	assert_int_equal(revocation_table_count(table), 1);
	revocation_table_free(table);
}

static void test_subject_prefix_is_another_subject(void **state)
{
	struct revocation_table *table = revocation_table_new();
	assert_int_equal(revocation_table_raise(table, "abc", 5000), 0);
	assert_false(revocation_table_refuses(table, "ab", 1));
	assert_false(revocation_table_refuses(table, "abcd", 1));
	assert_true(revocation_table_refuses(table, "abc", 1));
	revocation_table_free(table);
}

static void test_empty_or_overlong_subject_is_refused(void **state)
{
	struct revocation_table *table = revocation_table_new();
	char long_subject[REVOCATION_SUBJECT_MAX + 2];
	memset(long_subject, 'x', sizeof(long_subject) - 1);
	long_subject[sizeof(long_subject) - 1] = '\0';
	assert_int_equal(revocation_table_raise(table, "", 5), -1);
	assert_int_equal(revocation_table_raise(table, long_subject, 5), -1);
	long_subject[REVOCATION_SUBJECT_MAX] = '\0'; /* exactly the longest kept */
	assert_int_equal(revocation_table_raise(table, long_subject, 5), 0);
	assert_true(revocation_table_refuses(table, long_subject, 4));
	assert_int_equal(revocation_table_count(table), 1);
	revocation_table_free(table);
}

static void test_many_subjects_grow_the_table_and_all_stay_found(void **state)
{
	struct revocation_table *table = revocation_table_new();
	char subject[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(subject, sizeof(subject), "subject-%d", i);
		assert_int_equal(revocation_table_raise(table, subject, 1000 + i), 0);
	}
	assert_int_equal(revocation_table_count(table), 5000);
	for (int i = 0; i < 5000; i++) {
		snprintf(subject, sizeof(subject), "subject-%d", i);
		assert_int_equal(revocation_table_get(table, subject), 1000 + i);
	}
	assert_false(revocation_table_refuses(table, "subject-5000", 0));
	revocation_table_free(table);
}

static void test_prune_drops_stamps_at_or_before_the_cutoff_and_keeps_the_rest(void **state)
{
	struct revocation_table *table = revocation_table_new();
	char subject[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(subject, sizeof(subject), "s%d", i);
		assert_int_equal(revocation_table_raise(table, subject, i + 1), 0);
	}
	assert_int_equal(revocation_table_prune(table, 600), 600);
	assert_int_equal(revocation_table_count(table), 400);
	for (int i = 0; i < 1000; i++) {
		snprintf(subject, sizeof(subject), "s%d", i);
		assert_int_equal(revocation_table_get(table, subject), i < 600 ? 0 : i + 1);
	}
	assert_int_equal(revocation_table_prune(table, 600), 0);
	assert_int_equal(revocation_table_raise(table, "s5", 9000), 0); /* a pruned subject comes back */
	assert_true(revocation_table_refuses(table, "s5", 8999));
	assert_int_equal(revocation_table_prune(table, INT64_MAX), 401);
	assert_int_equal(revocation_table_count(table), 0);
	assert_false(revocation_table_refuses(table, "s999", 0));
	revocation_table_free(table);
}

struct writer {
	struct revocation_table *table;
	int first;
	int failures;
};

/* Raises 2,000 subjects of its own while reading them back, as request threads and the sync
 * thread do at once. */
static void *write_and_read(void *argument)
{
	struct writer *writer = argument;
	char subject[32];
	for (int i = writer->first; i < writer->first + 2000; i++) {
		snprintf(subject, sizeof(subject), "w%d", i);
		writer->failures += revocation_table_raise(writer->table, subject, 100 + i) != 0;
		writer->failures += !revocation_table_refuses(writer->table, subject, 99 + i);
		writer->failures += revocation_table_refuses(writer->table, subject, 100 + i);
	}
	return NULL;
}

static void test_threads_raising_and_reading_at_once_lose_nothing(void **state)
{
	struct revocation_table *table = revocation_table_new();
	pthread_t threads[4];
	struct writer writers[4];
	for (int t = 0; t < 4; t++) {
		writers[t] = (struct writer){table, t * 2000, 0};
		assert_int_equal(pthread_create(&threads[t], NULL, write_and_read, &writers[t]), 0);
	}
	for (int t = 0; t < 4; t++) {
		pthread_join(threads[t], NULL);
		assert_int_equal(writers[t].failures, 0);
	}
	assert_int_equal(revocation_table_count(table), 8000);
	assert_int_equal(revocation_table_get(table, "w7999"), 8099);
	revocation_table_free(table);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_table_refuses_nothing),
	    cmocka_unit_test(test_token_issued_before_the_stamp_is_refused_and_at_or_after_it_is_not),
	    cmocka_unit_test(test_stamp_only_rises),
	    cmocka_unit_test(test_subject_prefix_is_another_subject),
	    cmocka_unit_test(test_empty_or_overlong_subject_is_refused),
	    cmocka_unit_test(test_many_subjects_grow_the_table_and_all_stay_found),
	    cmocka_unit_test(test_prune_drops_stamps_at_or_before_the_cutoff_and_keeps_the_rest),
	    cmocka_unit_test(test_threads_raising_and_reading_at_once_lose_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
