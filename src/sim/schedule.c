/* The timer queue over util/heap.h, ordered by due time (ties by camera, so the order is
 * deterministic). */
#include "sim/schedule.h"

#include <string.h>

_Static_assert(sizeof(struct schedule_entry) <= HEAP_ITEM_MAX, "a schedule entry must fit a heap item");

static bool earlier(const void *a, const void *b)
{
	const struct schedule_entry *first = a, *second = b;
	if (first->due_millis != second->due_millis)
		return first->due_millis < second->due_millis;
	return first->camera < second->camera;
}

static const struct heap_type schedule_type = {
    .item_size = sizeof(struct schedule_entry),
    .before = earlier,
    .moved = NULL,
};

void schedule_init(struct schedule *schedule)
{
	heap_init(&schedule->heap);
}

void schedule_release(struct schedule *schedule)
{
	heap_release(&schedule->heap);
}

int schedule_push(struct schedule *schedule, struct schedule_entry entry)
{
	return heap_push(&schedule->heap, &schedule_type, &entry);
}

bool schedule_peek(const struct schedule *schedule, struct schedule_entry *entry)
{
	const struct schedule_entry *first = heap_first(&schedule->heap);
	if (first == NULL)
		return false;
	memcpy(entry, first, sizeof(*entry));
	return true;
}

void schedule_pop(struct schedule *schedule)
{
	heap_remove(&schedule->heap, &schedule_type, 0);
}
