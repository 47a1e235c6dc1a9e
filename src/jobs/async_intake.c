/* Group commit of new asynchronous requests (see async_intake.h). */
#include "jobs/async_intake.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

/* One caller's requests, queued on its own stack until its group is written. */
struct intake_entry {
	const struct async_request *requests;
	size_t count;
	bool done;  /* its group was written (under the lock) */
	bool alone; /* the group's commit failed: the caller tries its own requests alone */
	enum store_result result;
	struct intake_entry *next;
};

struct async_intake {
	struct store *store;
	pthread_mutex_t lock;
	pthread_cond_t written; /* broadcast after each group */
	struct intake_entry *queued, **queued_tail;
	bool writing; /* a caller is writing a group (under lock) */
};

struct async_intake *async_intake_new(struct store *store)
{
	struct async_intake *intake = calloc(1, sizeof(*intake));
	if (intake == NULL) {
		log_error("async intake: out of memory");
		return NULL;
	}
	intake->store = store;
	intake->queued_tail = &intake->queued;
	if (pthread_mutex_init(&intake->lock, NULL) != 0) {
		free(intake);
		return NULL;
	}
	if (pthread_cond_init(&intake->written, NULL) != 0) {
		pthread_mutex_destroy(&intake->lock);
		free(intake);
		return NULL;
	}
	return intake;
}

void async_intake_free(struct async_intake *intake)
{
	if (intake == NULL)
		return;
	pthread_cond_destroy(&intake->written);
	pthread_mutex_destroy(&intake->lock);
	free(intake);
}

/* Writes a group in one transaction: a lone entry as it is, several copied into one array (the
 * store takes one). STORE_ERROR when out of memory. */
static enum store_result write_group(struct store *store, const struct intake_entry *group)
{
	if (group->next == NULL)
		return store->ops->async_insert_many(store, group->requests, group->count);
	size_t total = 0;
	for (const struct intake_entry *entry = group; entry != NULL; entry = entry->next)
		total += entry->count;
	struct async_request *all = malloc(total * sizeof(*all));
	if (all == NULL)
		return STORE_ERROR;
	size_t at = 0;
	for (const struct intake_entry *entry = group; entry != NULL; entry = entry->next) {
		memcpy(&all[at], entry->requests, entry->count * sizeof(*all));
		at += entry->count;
	}
	enum store_result result = store->ops->async_insert_many(store, all, total);
	free(all);
	return result;
}

enum store_result async_intake_store(struct async_intake *intake, const struct async_request *requests, size_t count)
{
	struct intake_entry entry = {.requests = requests, .count = count};
	pthread_mutex_lock(&intake->lock);
	*intake->queued_tail = &entry;
	intake->queued_tail = &entry.next;
	while (!entry.done && intake->writing)
		pthread_cond_wait(&intake->written, &intake->lock);
	if (!entry.done) { /* no group is being written: this caller writes everything queued */
		struct intake_entry *group = intake->queued;
		intake->queued = NULL;
		intake->queued_tail = &intake->queued;
		intake->writing = true;
		pthread_mutex_unlock(&intake->lock);
		enum store_result result = write_group(intake->store, group);
		pthread_mutex_lock(&intake->lock);
		bool several = group->next != NULL;
		for (struct intake_entry *member = group, *next; member != NULL; member = next) {
			next = member->next; /* a woken member's entry leaves with its caller */
			member->result = result;
			member->alone = result != STORE_OK && several;
			member->done = true;
		}
		intake->writing = false;
		pthread_cond_broadcast(&intake->written);
	}
	pthread_mutex_unlock(&intake->lock);
	if (entry.alone)
		return intake->store->ops->async_insert_many(intake->store, requests, count);
	return entry.result;
}
