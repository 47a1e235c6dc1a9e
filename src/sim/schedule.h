/* The simulator's timer queue: a binary min-heap of (due time, camera, generation). A camera
 * that changes its next wake-up pushes a new entry with a new generation; entries whose
 * generation no longer matches the camera's are stale and the caller skips them. A typed face of
 * util/heap.h, whose items here are the entries themselves. */
#ifndef CAMFLEET_SIM_SCHEDULE_H
#define CAMFLEET_SIM_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/heap.h"

struct schedule_entry {
	int64_t due_millis; /* monotonic milliseconds */
	uint32_t camera;
	uint32_t generation;
};

struct schedule {
	struct heap heap; /* of struct schedule_entry, earliest due first, ties by camera */
};

/* An empty queue (no allocation until the first push). */
void schedule_init(struct schedule *schedule);
/* Frees the entries. */
void schedule_release(struct schedule *schedule);
/* Adds an entry; returns 0, or -1 when out of memory. */
int schedule_push(struct schedule *schedule, struct schedule_entry entry) __attribute__((warn_unused_result));
/* Copies the earliest entry into *entry; false when the queue is empty. */
bool schedule_peek(const struct schedule *schedule, struct schedule_entry *entry);
/* Removes the earliest entry (the queue must not be empty). */
void schedule_pop(struct schedule *schedule);

#endif
