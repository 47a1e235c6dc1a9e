/* The deadline min-heap: sift up and down over an array of entry pointers, each entry keeping
 * its own index current. */
#include "device/deadline_heap.h"

#include <stdlib.h>

void deadline_heap_init(struct deadline_heap *heap)
{
	heap->items = NULL;
	heap->count = 0;
	heap->capacity = 0;
}

void deadline_heap_release(struct deadline_heap *heap)
{
	free(heap->items);
	deadline_heap_init(heap);
}

static void place(struct deadline_heap *heap, size_t index, struct deadline_entry *entry)
{
	heap->items[index] = entry;
	entry->index = index;
}

static void sift_up(struct deadline_heap *heap, size_t index)
{
	struct deadline_entry *entry = heap->items[index];
	while (index > 0) {
		size_t parent = (index - 1) / 2;
		if (heap->items[parent]->at_ns <= entry->at_ns)
			break;
		place(heap, index, heap->items[parent]);
		index = parent;
	}
	place(heap, index, entry);
}

static void sift_down(struct deadline_heap *heap, size_t index)
{
	struct deadline_entry *entry = heap->items[index];
	for (;;) {
		size_t child = 2 * index + 1;
		if (child >= heap->count)
			break;
		if (child + 1 < heap->count && heap->items[child + 1]->at_ns < heap->items[child]->at_ns)
			child++;
		if (entry->at_ns <= heap->items[child]->at_ns)
			break;
		place(heap, index, heap->items[child]);
		index = child;
	}
	place(heap, index, entry);
}

int deadline_heap_push(struct deadline_heap *heap, struct deadline_entry *entry)
{
	if (heap->count == heap->capacity) {
		size_t capacity = heap->capacity ? heap->capacity * 2 : 64;
		struct deadline_entry **grown = realloc(heap->items, capacity * sizeof(*grown));
		if (grown == NULL)
			return -1;
		heap->items = grown;
		heap->capacity = capacity;
	}
	heap->items[heap->count] = entry;
	entry->index = heap->count++;
	sift_up(heap, entry->index);
	return 0;
}

void deadline_heap_remove(struct deadline_heap *heap, struct deadline_entry *entry)
{
	size_t index = entry->index;
	if (index == DEADLINE_NOT_QUEUED || index >= heap->count || heap->items[index] != entry)
		return;
	entry->index = DEADLINE_NOT_QUEUED;
	heap->count--;
	if (index == heap->count)
		return;
	place(heap, index, heap->items[heap->count]);
	if (index > 0 && heap->items[(index - 1) / 2]->at_ns > heap->items[index]->at_ns)
		sift_up(heap, index);
	else
		sift_down(heap, index);
}
