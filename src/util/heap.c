/* The min-heap's memory: an empty start, growth by doubling, release. The sifting itself is
 * static inline in util/heap.h. */
#include "util/heap.h"

#include <stdint.h>
#include <stdlib.h>

#define INITIAL_CAPACITY 64

void heap_init(struct heap *heap)
{
	heap->items = NULL;
	heap->count = 0;
	heap->capacity = 0;
}

void heap_release(struct heap *heap)
{
	free(heap->items);
	heap_init(heap);
}

int heap_reserve(struct heap *heap, const struct heap_type *type)
{
	assert(type->item_size > 0 && type->item_size <= HEAP_ITEM_MAX && type->before != NULL);
	if (heap->count < heap->capacity)
		return 0;
	size_t capacity = heap->capacity > 0 ? heap->capacity * 2 : INITIAL_CAPACITY;
	if (capacity > SIZE_MAX / type->item_size)
		return -1;
	unsigned char *grown = realloc(heap->items, capacity * type->item_size);
	if (grown == NULL)
		return -1;
	heap->items = grown;
	heap->capacity = capacity;
	return 0;
}
