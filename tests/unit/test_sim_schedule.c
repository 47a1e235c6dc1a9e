/* The simulator's timer heap hands entries back in due order, ties by camera. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim/metrics.h"
#include "sim/schedule.h"

static void test_empty_schedule_has_nothing(void **state)
{
	struct schedule schedule;
	schedule_init(&schedule);
	struct schedule_entry entry;
	assert_false(schedule_peek(&schedule, &entry));
	schedule_release(&schedule);
}

static void test_entries_come_out_in_due_order(void **state)
{
	struct schedule schedule;
	schedule_init(&schedule);
	struct sim_random random;
	sim_random_seed(&random, 17);
	for (uint32_t i = 0; i < 5000; i++) {
		struct schedule_entry entry = {(int64_t)(sim_random_next(&random) % 100000), i, i * 3};
		assert_int_equal(schedule_push(&schedule, entry), 0);
	}
	struct schedule_entry previous = {-1, 0, 0}, entry;
	size_t popped = 0;
	while (schedule_peek(&schedule, &entry)) {
		schedule_pop(&schedule);
		assert_true(entry.due_millis > previous.due_millis ||
		            (entry.due_millis == previous.due_millis && entry.camera > previous.camera));
		assert_int_equal(entry.generation, entry.camera * 3);
		previous = entry;
		popped++;
	}
	assert_int_equal(popped, 5000);
	schedule_release(&schedule);
}

static void test_equal_times_order_by_camera(void **state)
{
	struct schedule schedule;
	schedule_init(&schedule);
	assert_int_equal(schedule_push(&schedule, (struct schedule_entry){10, 7, 0}), 0);
	assert_int_equal(schedule_push(&schedule, (struct schedule_entry){10, 2, 0}), 0);
	assert_int_equal(schedule_push(&schedule, (struct schedule_entry){5, 9, 0}), 0);
	struct schedule_entry entry;
	const uint32_t expected[] = {9, 2, 7};
	for (int i = 0; i < 3; i++) {
		assert_true(schedule_peek(&schedule, &entry));
		assert_int_equal(entry.camera, expected[i]);
		schedule_pop(&schedule);
	}
	schedule_release(&schedule);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_schedule_has_nothing),
	    cmocka_unit_test(test_entries_come_out_in_due_order),
	    cmocka_unit_test(test_equal_times_order_by_camera),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
