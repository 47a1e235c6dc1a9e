/* Binary min-heap ordered by due time (ties by camera, so the order is deterministic). */
#include "sim/schedule.h"

#include <assert.h>
#include <stdlib.h>

static bool earlier(const struct schedule_entry *a, const struct schedule_entry *b)
{
	if (a->due_millis != b->due_millis)
		return a->due_millis < b->due_millis;
	return a->camera < b->camera;
}

static void swap(struct schedule_entry *a, struct schedule_entry *b)
{
	struct schedule_entry t = *a;
	*a = *b;
	*b = t;
}

void schedule_init(struct schedule *schedule)
{
	schedule->entries = NULL;
	schedule->count = 0;
	schedule->capacity = 0;
}

void schedule_release(struct schedule *schedule)
{
	free(schedule->entries);
	schedule_init(schedule);
}

int schedule_push(struct schedule *schedule, struct schedule_entry entry)
{
	if (schedule->count == schedule->capacity) {
		size_t capacity = schedule->capacity ? schedule->capacity * 2 : 64;
		struct schedule_entry *grown = realloc(schedule->entries, capacity * sizeof(*grown));
		if (grown == NULL)
			return -1;
		schedule->entries = grown;
		schedule->capacity = capacity;
	}
	size_t i = schedule->count++;
	schedule->entries[i] = entry;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!earlier(&schedule->entries[i], &schedule->entries[parent]))
			break;
		swap(&schedule->entries[i], &schedule->entries[parent]);
		i = parent;
	}
	return 0;
}

bool schedule_peek(const struct schedule *schedule, struct schedule_entry *entry)
{
	if (schedule->count == 0)
		return false;
	*entry = schedule->entries[0];
	return true;
}

void schedule_pop(struct schedule *schedule)
{
	assert(schedule->count > 0);
	schedule->entries[0] = schedule->entries[--schedule->count];
	size_t i = 0;
	for (;;) {
		size_t left = 2 * i + 1, right = left + 1, smallest = i;
		if (left < schedule->count && earlier(&schedule->entries[left], &schedule->entries[smallest]))
			smallest = left;
		if (right < schedule->count && earlier(&schedule->entries[right], &schedule->entries[smallest]))
			smallest = right;
		if (smallest == i)
			return;
		swap(&schedule->entries[i], &schedule->entries[smallest]);
		i = smallest;
	}
}
