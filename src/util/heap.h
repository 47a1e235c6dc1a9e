/* A binary min-heap of fixed-size items kept by value in one array that grows by doubling, so a
 * push allocates only when the array is full (amortised O(1), never per item). A heap_type says
 * how big an item is, which of two leaves first and, when items must know where they stand (to
 * be removed from the middle), is told every time one moves. Not thread-safe.
 *
 * Like libuv's heap-inl.h, the sifting is static inline: a caller that passes a static const
 * heap_type gets it compiled for its items, its comparison inlined, as fast as a hand-written
 * heap. Used by the device hub's deadlines (device/deadline_heap.h) and the simulator's timers
 * (sim/schedule.h). */
#ifndef CAMFLEET_UTIL_HEAP_H
#define CAMFLEET_UTIL_HEAP_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* The largest item a heap holds: the moving item waits in a buffer of this size while sifting. */
#define HEAP_ITEM_MAX 64

struct heap_type {
	size_t item_size; /* 1..HEAP_ITEM_MAX bytes */
	/* True when item a must leave the heap before item b (a strict order: false for equal items). */
	bool (*before)(const void *a, const void *b);
	/* Tells item (inside the heap's array) that it now stands at index; NULL when items need not know. */
	void (*moved)(void *item, size_t index);
};

struct heap {
	unsigned char *items; /* count items, the first the earliest */
	size_t count;
	size_t capacity; /* items the array has room for */
};

/* An empty heap; allocates nothing until the first push. */
void heap_init(struct heap *heap);
/* Frees the array (items are copies: nothing else is owned); the heap is empty afterwards. */
void heap_release(struct heap *heap);
/* Makes room for one more item of type (doubling the array when full); -1 when it cannot grow. */
int heap_reserve(struct heap *heap, const struct heap_type *type) __attribute__((warn_unused_result));

/* The item at index (< count) inside the array; valid until the next push or remove. */
static inline void *heap_item(const struct heap *heap, const struct heap_type *type, size_t index)
{
	return heap->items + index * type->item_size;
}

/* The earliest item, or NULL when the heap is empty; valid until the next push or remove. */
static inline void *heap_first(const struct heap *heap)
{
	return heap->count > 0 ? heap->items : NULL;
}

/* Copies item into slot index and tells it where it is. */
static inline void heap__place(struct heap *heap, const struct heap_type *type, size_t index, const void *item)
{
	void *slot = heap_item(heap, type, index);
	memcpy(slot, item, type->item_size);
	if (type->moved != NULL)
		type->moved(slot, index);
}

/* Puts moving (held outside the array) at index or above it, shifting later parents down. */
static inline void heap__sift_up(struct heap *heap, const struct heap_type *type, size_t index, const void *moving)
{
	while (index > 0) {
		size_t parent = (index - 1) / 2;
		if (!type->before(moving, heap_item(heap, type, parent)))
			break;
		heap__place(heap, type, index, heap_item(heap, type, parent));
		index = parent;
	}
	heap__place(heap, type, index, moving);
}

/* Puts moving (held outside the array) at index or below it, shifting earlier children up. */
static inline void heap__sift_down(struct heap *heap, const struct heap_type *type, size_t index, const void *moving)
{
	for (;;) {
		size_t child = 2 * index + 1;
		if (child >= heap->count)
			break;
		if (child + 1 < heap->count &&
		    type->before(heap_item(heap, type, child + 1), heap_item(heap, type, child)))
			child++;
		if (!type->before(heap_item(heap, type, child), moving))
			break;
		heap__place(heap, type, index, heap_item(heap, type, child));
		index = child;
	}
	heap__place(heap, type, index, moving);
}

/* Copies item (type->item_size bytes) into the heap; -1 when the array cannot grow (the heap is
 * unchanged). */
static inline __attribute__((warn_unused_result)) int heap_push(struct heap *heap, const struct heap_type *type,
                                                                const void *item)
{
	if (heap->count == heap->capacity && heap_reserve(heap, type) != 0)
		return -1;
	unsigned char moving[HEAP_ITEM_MAX];
	memcpy(moving, item, type->item_size);
	heap__sift_up(heap, type, heap->count++, moving);
	return 0;
}

/* Removes the item at index (< count; 0 is the earliest). */
static inline void heap_remove(struct heap *heap, const struct heap_type *type, size_t index)
{
	assert(index < heap->count);
	heap->count--;
	if (index == heap->count)
		return; /* the last item: nothing fills its place */
	unsigned char moving[HEAP_ITEM_MAX];
	memcpy(moving, heap_item(heap, type, heap->count), type->item_size);
	if (index > 0 && type->before(moving, heap_item(heap, type, (index - 1) / 2)))
		heap__sift_up(heap, type, index, moving);
	else
		heap__sift_down(heap, type, index, moving);
}

#endif
