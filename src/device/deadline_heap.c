/* The deadline min-heap over util/heap.h: items are entry pointers, ordered by at_ns, and each
 * entry keeps its own index current as the heap moves it. */
#include "device/deadline_heap.h"

static bool expires_before(const void *a, const void *b)
{
	const struct deadline_entry *const *first = a, *const *second = b;
	return (*first)->at_ns < (*second)->at_ns;
}

static void entry_moved(void *item, size_t index)
{
	struct deadline_entry **entry = item;
	(*entry)->index = index;
}

static const struct heap_type deadline_type = {
    .item_size = sizeof(struct deadline_entry *),
    .before = expires_before,
    .moved = entry_moved,
};

void deadline_heap_init(struct deadline_heap *heap)
{
	heap_init(&heap->heap);
}

void deadline_heap_release(struct deadline_heap *heap)
{
	heap_release(&heap->heap);
}

int deadline_heap_push(struct deadline_heap *heap, struct deadline_entry *entry)
{
	return heap_push(&heap->heap, &deadline_type, &entry);
}

void deadline_heap_remove(struct deadline_heap *heap, struct deadline_entry *entry)
{
	size_t index = entry->index;
	if (index == DEADLINE_NOT_QUEUED || index >= heap->heap.count ||
	    *(struct deadline_entry **)heap_item(&heap->heap, &deadline_type, index) != entry)
		return;
	heap_remove(&heap->heap, &deadline_type, index);
	entry->index = DEADLINE_NOT_QUEUED;
}
