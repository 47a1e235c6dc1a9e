/* The heartbeat group commit on a request batch (http/request_batch.c): each batch of queued
 * heartbeats is written in one transaction, then every request is resumed with its outcome. */
#include "device/heartbeat_batch.h"

#include <stdint.h>
#include <stdlib.h>

#include "http/request_batch.h"
#include "util/log.h"

/* A batch gathers heartbeats for up to 3 ms after its first, or until 64 are in: a camera's
 * answer comes a few milliseconds later (it beats every few seconds), and under a fleet's load the
 * server commits and wakes up far less often (at 20,000/s: 15% less CPU, a third of the context
 * switches). When heartbeats pour in, 64 arrive at once and the batch does not wait. */
static const struct request_batch_policy heartbeat_policy = {.gather_micros = 3000, .gather_items = 64};

struct heartbeat_batch {
	struct store *store;
	struct request_batch *requests;
	struct heartbeat_outcome *outcomes; /* the batch thread's scratch, outcome_capacity entries */
	size_t outcome_capacity;
};

/* Makes room for count outcomes; false when memory is exhausted. */
static bool reserve_outcomes(struct heartbeat_batch *batch, size_t count)
{
	if (count <= batch->outcome_capacity)
		return true;
	struct heartbeat_outcome *outcomes = realloc(batch->outcomes, count * sizeof(*outcomes));
	if (outcomes == NULL)
		return false;
	batch->outcomes = outcomes;
	batch->outcome_capacity = count;
	return true;
}

/* Writes one batch (items: count struct heartbeat) and resumes each of its requests. */
static void write_batch(void *context, const void *items, struct http_request *const *requests, size_t count)
{
	struct heartbeat_batch *batch = context;
	enum store_result result = STORE_ERROR;
	if (reserve_outcomes(batch, count))
		result = batch->store->ops->camera_heartbeats_write(batch->store, items, count, batch->outcomes);
	if (result != STORE_OK)
		log_error("device: a batch of %zu heartbeats failed (%d)", count, (int)result);
	for (size_t i = 0; i < count; i++) {
		struct heartbeat_result *answer = requests[i]->resume_context;
		answer->result = result;
		if (result == STORE_OK)
			answer->outcome = batch->outcomes[i];
		http_request_resume(requests[i]); /* the request is not ours any more */
	}
}

struct heartbeat_batch *heartbeat_batch_start(struct store *store)
{
	struct heartbeat_batch *batch = calloc(1, sizeof(*batch));
	if (batch == NULL)
		return NULL;
	batch->store = store;
	batch->requests =
	    request_batch_start("heartbeat flusher", sizeof(struct heartbeat), &heartbeat_policy, write_batch, batch);
	if (batch->requests == NULL) {
		free(batch);
		return NULL;
	}
	return batch;
}

enum heartbeat_submit heartbeat_batch_submit(struct heartbeat_batch *batch, struct http_request *request,
                                             const struct heartbeat *beat, http_resume_fn resume)
{
	struct heartbeat_result *answer = arena_alloc(&request->arena, sizeof(*answer));
	if (answer == NULL)
		return HEARTBEAT_FAILED;
	switch (request_batch_submit(batch->requests, request, beat, resume, answer)) {
	case REQUEST_BATCH_QUEUED: return HEARTBEAT_QUEUED;
	case REQUEST_BATCH_CLOSED: return HEARTBEAT_CLOSED;
	case REQUEST_BATCH_FULL: break;
	}
	return HEARTBEAT_FAILED;
}

void heartbeat_batch_close(struct heartbeat_batch *batch)
{
	request_batch_close(batch->requests);
}

void heartbeat_batch_stop(struct heartbeat_batch *batch)
{
	if (batch == NULL)
		return;
	uint64_t batches = 0, written = 0;
	request_batch_stop(batch->requests, &batches, &written);
	if (batches > 0)
		log_info("device: %llu heartbeats written in %llu group commits", (unsigned long long)written,
		         (unsigned long long)batches);
	free(batch->outcomes);
	free(batch);
}
