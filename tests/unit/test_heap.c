/* The generic min-heap of util/heap.h: items by value come out in order (a full heapsort of
 * random keys, ties in the order the type says), removal from anywhere keeps the order, moved
 * keeps every item's index true, the array grows past its first capacity and is reusable after
 * release. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "util/heap.h"

/* ---- a heap of plain keys ---- */

static bool key_before(const void *a, const void *b)
{
	return *(const int *)a < *(const int *)b;
}

static const struct heap_type key_type = {.item_size = sizeof(int), .before = key_before, .moved = NULL};

static int pop_key(struct heap *heap)
{
	int key = *(const int *)heap_first(heap);
	heap_remove(heap, &key_type, 0);
	return key;
}

static void test_empty_heap_has_no_first(void **state)
{
	struct heap heap;
	heap_init(&heap);
	assert_null(heap_first(&heap));
	assert_int_equal(heap.count, 0);
	heap_release(&heap);
	assert_null(heap_first(&heap));
}

static void test_keys_come_out_smallest_first(void **state)
{
	struct heap heap;
	heap_init(&heap);
	const int keys[] = {50, 10, 40, 10, 30, 20, 60, 0, -5};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_int_equal(heap_push(&heap, &key_type, &keys[i]), 0);
	const int expected[] = {-5, 0, 10, 10, 20, 30, 40, 50, 60};
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		assert_int_equal(pop_key(&heap), expected[i]);
	assert_null(heap_first(&heap));
	heap_release(&heap);
}

static int compare_ints(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static void test_random_keys_sort_like_qsort_across_growth(void **state)
{
	enum { COUNT = 10000 }; /* far past the first capacity: the array doubles several times */
	int *keys = malloc(COUNT * sizeof(*keys));
	assert_non_null(keys);
	struct heap heap;
	heap_init(&heap);
	srand(11);
	for (size_t i = 0; i < COUNT; i++) {
		keys[i] = rand() % 1000 - 500;
		assert_int_equal(heap_push(&heap, &key_type, &keys[i]), 0);
	}
	assert_int_equal(heap.count, COUNT);
	assert_true(heap.capacity >= COUNT);
	qsort(keys, COUNT, sizeof(*keys), compare_ints);
	for (size_t i = 0; i < COUNT; i++)
		assert_int_equal(pop_key(&heap), keys[i]);
	heap_release(&heap);
	/* Reusable after release. */
	int key = 3;
	assert_int_equal(heap_push(&heap, &key_type, &key), 0);
	assert_int_equal(pop_key(&heap), 3);
	heap_release(&heap);
	free(keys);
}

/* ---- a heap of records that know their index ---- */

struct record {
	int64_t key;
	uint32_t tie;     /* the order among equal keys */
	size_t *position; /* where the heap has this record, kept by record_moved */
};

static bool record_before(const void *a, const void *b)
{
	const struct record *first = a, *second = b;
	if (first->key != second->key)
		return first->key < second->key;
	return first->tie < second->tie;
}

static void record_moved(void *item, size_t index)
{
	*((struct record *)item)->position = index;
}

static const struct heap_type record_type = {
    .item_size = sizeof(struct record), .before = record_before, .moved = record_moved};

/* Every record's position names the slot that holds it. */
static void assert_positions_true(const struct heap *heap)
{
	for (size_t i = 0; i < heap->count; i++) {
		const struct record *record = heap_item(heap, &record_type, i);
		assert_int_equal(*record->position, i);
	}
}

static void test_equal_keys_leave_in_the_types_order(void **state)
{
	struct heap heap;
	heap_init(&heap);
	size_t positions[4];
	const struct record records[] = {
	    {10, 7, &positions[0]}, {10, 2, &positions[1]}, {5, 9, &positions[2]}, {10, 4, &positions[3]}};
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(heap_push(&heap, &record_type, &records[i]), 0);
	const uint32_t expected[] = {9, 2, 4, 7};
	for (size_t i = 0; i < 4; i++) {
		const struct record *first = heap_first(&heap);
		assert_int_equal(first->tie, expected[i]);
		heap_remove(&heap, &record_type, 0);
		assert_positions_true(&heap);
	}
	heap_release(&heap);
}

static void test_removing_from_anywhere_keeps_order_and_positions(void **state)
{
	enum { COUNT = 500 };
	size_t positions[COUNT];
	bool removed[COUNT] = {false};
	struct heap heap;
	heap_init(&heap);
	for (uint32_t i = 0; i < COUNT; i++) {
		struct record record = {(int64_t)((i * 37) % 101), i, &positions[i]};
		assert_int_equal(heap_push(&heap, &record_type, &record), 0);
		assert_positions_true(&heap);
	}
	/* Remove every third record by the position it was told, in an order that hits the root,
	 * leaves and the last slot. */
	for (uint32_t i = 0; i < COUNT; i += 3) {
		const struct record *record = heap_item(&heap, &record_type, positions[i]);
		assert_int_equal(record->tie, i);
		heap_remove(&heap, &record_type, positions[i]);
		removed[i] = true;
		assert_positions_true(&heap);
	}
	heap_remove(&heap, &record_type, heap.count - 1); /* the last slot */
	assert_positions_true(&heap);
	size_t left = heap.count;
	assert_int_equal(left, COUNT - (COUNT + 2) / 3 - 1);
	struct record previous = {INT64_MIN, 0, NULL};
	for (size_t popped = 0; popped < left; popped++) {
		const struct record *first = heap_first(&heap);
		assert_non_null(first);
		assert_false(removed[first->tie]);
		assert_false(record_before(first, &previous));
		previous = *first;
		heap_remove(&heap, &record_type, 0);
		assert_positions_true(&heap);
	}
	assert_null(heap_first(&heap));
	heap_release(&heap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_heap_has_no_first),
	    cmocka_unit_test(test_keys_come_out_smallest_first),
	    cmocka_unit_test(test_random_keys_sort_like_qsort_across_growth),
	    cmocka_unit_test(test_equal_keys_leave_in_the_types_order),
	    cmocka_unit_test(test_removing_from_anywhere_keeps_order_and_positions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
