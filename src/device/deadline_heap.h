/* A binary min-heap of deadlines: the device hub's waits (long-polls, frame waits) in the order
 * they expire. Entries are embedded in their owners and remember their position, so any entry
 * can be removed in O(log n). Not thread-safe: the hub's lock guards it. A typed face of
 * util/heap.h, whose items here are pointers to the entries. */
#ifndef CAMFLEET_DEVICE_DEADLINE_HEAP_H
#define CAMFLEET_DEVICE_DEADLINE_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/heap.h"

struct deadline_entry {
	uint64_t at_ns; /* monotonic instant it expires */
	size_t index;   /* position in the heap; DEADLINE_NOT_QUEUED when not in one */
};

#define DEADLINE_NOT_QUEUED ((size_t)-1)

struct deadline_heap {
	struct heap heap; /* of struct deadline_entry pointers, earliest at_ns first */
};

/* An empty heap (allocates nothing until the first push). */
void deadline_heap_init(struct deadline_heap *heap);
/* Frees the heap's array (not the entries, which belong to their owners). */
void deadline_heap_release(struct deadline_heap *heap);
/* Adds entry (not queued yet); -1 when memory is exhausted (entry stays unqueued). */
int deadline_heap_push(struct deadline_heap *heap, struct deadline_entry *entry) __attribute__((warn_unused_result));
/* Removes entry if it is queued; a no-op otherwise. */
void deadline_heap_remove(struct deadline_heap *heap, struct deadline_entry *entry);
/* The entry that expires first, or NULL when the heap is empty. */
static inline struct deadline_entry *deadline_heap_first(const struct deadline_heap *heap)
{
	struct deadline_entry **first = heap_first(&heap->heap);
	return first != NULL ? *first : NULL;
}

/* How many entries are queued. */
static inline size_t deadline_heap_count(const struct deadline_heap *heap)
{
	return heap->heap.count;
}

static inline bool deadline_entry_queued(const struct deadline_entry *entry)
{
	return entry->index != DEADLINE_NOT_QUEUED;
}

#endif
