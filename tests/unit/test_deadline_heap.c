/* The device hub's deadline heap: order of expiry, removal from anywhere, ties and growth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "device/deadline_heap.h"

/* Pops every entry in heap order, checking it never goes back in time; returns how many. */
static size_t drain_in_order(struct deadline_heap *heap)
{
	size_t popped = 0;
	uint64_t last = 0;
	struct deadline_entry *first;
	while ((first = deadline_heap_first(heap)) != NULL) {
		assert_true(first->at_ns >= last);
		last = first->at_ns;
		deadline_heap_remove(heap, first);
		assert_false(deadline_entry_queued(first));
		popped++;
	}
	return popped;
}

static void test_entries_come_out_earliest_first(void **state)
{
	struct deadline_heap heap;
	deadline_heap_init(&heap);
	uint64_t at[] = {50, 10, 40, 10, 30, 20, 60, 0};
	struct deadline_entry entries[8];
	for (size_t i = 0; i < 8; i++) {
		entries[i].at_ns = at[i];
		entries[i].index = DEADLINE_NOT_QUEUED;
		assert_int_equal(deadline_heap_push(&heap, &entries[i]), 0);
		assert_true(deadline_entry_queued(&entries[i]));
	}
	assert_int_equal(deadline_heap_first(&heap)->at_ns, 0);
	assert_int_equal(drain_in_order(&heap), 8);
	assert_null(deadline_heap_first(&heap));
	deadline_heap_release(&heap);
}

static void test_removing_from_the_middle_keeps_the_order(void **state)
{
	struct deadline_heap heap;
	deadline_heap_init(&heap);
	struct deadline_entry entries[100];
	for (size_t i = 0; i < 100; i++) {
		entries[i].at_ns = (uint64_t)((i * 37) % 100);
		assert_int_equal(deadline_heap_push(&heap, &entries[i]), 0);
	}
	for (size_t i = 0; i < 100; i += 3)
		deadline_heap_remove(&heap, &entries[i]);
	deadline_heap_remove(&heap, &entries[0]); /* removing twice is a no-op */
	assert_int_equal(drain_in_order(&heap), 100 - 34);
	deadline_heap_release(&heap);
}

static void test_many_random_deadlines_grow_the_heap(void **state)
{
	struct deadline_heap heap;
	deadline_heap_init(&heap);
	size_t count = 5000;
	struct deadline_entry *entries = calloc(count, sizeof(*entries));
	assert_non_null(entries);
	srand(7);
	for (size_t i = 0; i < count; i++) {
		entries[i].at_ns = (uint64_t)rand();
		assert_int_equal(deadline_heap_push(&heap, &entries[i]), 0);
	}
	assert_int_equal(drain_in_order(&heap), count);
	deadline_heap_release(&heap);
	free(entries);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_entries_come_out_earliest_first),
	    cmocka_unit_test(test_removing_from_the_middle_keeps_the_order),
	    cmocka_unit_test(test_many_random_deadlines_grow_the_heap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
