/* The heartbeat group commit: two queues (one filling under the lock, one being written without
 * it) and a flusher thread. A request is resumed only after its outcome has been written into
 * its arena, and never touched after. */
#include "device/heartbeat_batch.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

struct batch_waiter {
	struct http_request *request;
	struct heartbeat_result *result; /* in the request's arena */
};

/* Parallel arrays: beats[] goes to the store as is. */
struct batch_queue {
	struct heartbeat *beats;
	struct heartbeat_outcome *outcomes;
	struct batch_waiter *waiters;
	size_t count;
	size_t capacity;
};

struct heartbeat_batch {
	struct store *store;
	pthread_mutex_t lock;
	pthread_cond_t work;     /* the flusher waits here for heartbeats or stop */
	pthread_cond_t answered; /* drainers wait here for batches to be answered */
	struct batch_queue queues[2];
	unsigned filling;   /* index of the queue handlers append to */
	uint64_t submitted; /* heartbeats queued since start */
	uint64_t done;      /* heartbeats answered since start */
	uint64_t batches;   /* transactions written since start */
	bool flusher_idle;  /* the flusher waits on work: a submit must signal it */
	bool closed;        /* submits are refused (shutdown) */
	bool stopping;
	pthread_t thread;
};

static void queue_free(struct batch_queue *queue)
{
	free(queue->beats);
	free(queue->outcomes);
	free(queue->waiters);
	memset(queue, 0, sizeof(*queue));
}

/* Makes room for one more entry; false when memory is exhausted. */
static bool queue_reserve(struct batch_queue *queue)
{
	if (queue->count < queue->capacity)
		return true;
	size_t capacity = queue->capacity ? queue->capacity * 2 : 256;
	struct heartbeat *beats = realloc(queue->beats, capacity * sizeof(*beats));
	if (beats == NULL)
		return false;
	queue->beats = beats;
	struct heartbeat_outcome *outcomes = realloc(queue->outcomes, capacity * sizeof(*outcomes));
	if (outcomes == NULL)
		return false;
	queue->outcomes = outcomes;
	struct batch_waiter *waiters = realloc(queue->waiters, capacity * sizeof(*waiters));
	if (waiters == NULL)
		return false;
	queue->waiters = waiters;
	queue->capacity = capacity;
	return true;
}

/* Writes one batch (without the lock) and resumes each of its requests. */
static void write_batch(struct heartbeat_batch *batch, struct batch_queue *queue)
{
	enum store_result result =
		batch->store->ops->camera_heartbeats_write(batch->store, queue->beats, queue->count, queue->outcomes);
	if (result != STORE_OK)
		log_error("device: a batch of %zu heartbeats failed (%d)", queue->count, (int)result);
	for (size_t i = 0; i < queue->count; i++) {
		struct batch_waiter *waiter = &queue->waiters[i];
		waiter->result->result = result;
		waiter->result->outcome = queue->outcomes[i];
		http_request_resume(waiter->request); /* the request is not ours any more */
	}
}

static void *flusher_main(void *argument)
{
	struct heartbeat_batch *batch = argument;
	pthread_mutex_lock(&batch->lock);
	for (;;) {
		while (batch->queues[batch->filling].count == 0 && !batch->stopping) {
			batch->flusher_idle = true;
			pthread_cond_wait(&batch->work, &batch->lock);
		}
		batch->flusher_idle = false;
		struct batch_queue *queue = &batch->queues[batch->filling];
		if (queue->count == 0) /* stopping, and nothing left to write */
			break;
		batch->filling ^= 1u;
		pthread_mutex_unlock(&batch->lock);
		write_batch(batch, queue);
		size_t written = queue->count;
		queue->count = 0;
		pthread_mutex_lock(&batch->lock);
		batch->done += written;
		batch->batches++;
		pthread_cond_broadcast(&batch->answered);
	}
	pthread_mutex_unlock(&batch->lock);
	return NULL;
}

struct heartbeat_batch *heartbeat_batch_start(struct store *store)
{
	struct heartbeat_batch *batch = calloc(1, sizeof(*batch));
	if (batch == NULL)
		return NULL;
	batch->store = store;
	pthread_mutex_init(&batch->lock, NULL);
	pthread_cond_init(&batch->work, NULL);
	pthread_cond_init(&batch->answered, NULL);
	if (pthread_create(&batch->thread, NULL, flusher_main, batch) != 0) {
		log_error("device: cannot start the heartbeat flusher thread");
		pthread_cond_destroy(&batch->answered);
		pthread_cond_destroy(&batch->work);
		pthread_mutex_destroy(&batch->lock);
		free(batch);
		return NULL;
	}
	return batch;
}

enum heartbeat_submit heartbeat_batch_submit(struct heartbeat_batch *batch, struct http_request *request,
					     const struct heartbeat *beat, http_resume_fn resume)
{
	struct heartbeat_result *result = arena_alloc(&request->arena, sizeof(*result));
	if (result == NULL)
		return HEARTBEAT_FAILED;
	pthread_mutex_lock(&batch->lock);
	struct batch_queue *queue = &batch->queues[batch->filling];
	if (batch->closed || batch->stopping) {
		pthread_mutex_unlock(&batch->lock);
		return HEARTBEAT_CLOSED;
	}
	if (!queue_reserve(queue)) {
		pthread_mutex_unlock(&batch->lock);
		return HEARTBEAT_FAILED;
	}
	queue->beats[queue->count] = *beat;
	queue->waiters[queue->count] = (struct batch_waiter){request, result};
	queue->count++;
	batch->submitted++;
	http_request_suspend(request, resume, result);
	if (batch->flusher_idle) { /* a busy flusher looks at the queue again when its batch is written */
		batch->flusher_idle = false;
		pthread_cond_signal(&batch->work);
	}
	pthread_mutex_unlock(&batch->lock);
	return HEARTBEAT_QUEUED;
}

void heartbeat_batch_close(struct heartbeat_batch *batch)
{
	pthread_mutex_lock(&batch->lock);
	batch->closed = true;
	while (batch->done < batch->submitted)
		pthread_cond_wait(&batch->answered, &batch->lock);
	pthread_mutex_unlock(&batch->lock);
}

void heartbeat_batch_stop(struct heartbeat_batch *batch)
{
	if (batch == NULL)
		return;
	pthread_mutex_lock(&batch->lock);
	batch->stopping = true;
	pthread_cond_signal(&batch->work);
	pthread_mutex_unlock(&batch->lock);
	pthread_join(batch->thread, NULL);
	if (batch->batches > 0)
		log_info("device: %llu heartbeats written in %llu group commits", (unsigned long long)batch->done,
			 (unsigned long long)batch->batches);
	queue_free(&batch->queues[0]);
	queue_free(&batch->queues[1]);
	pthread_cond_destroy(&batch->answered);
	pthread_cond_destroy(&batch->work);
	pthread_mutex_destroy(&batch->lock);
	free(batch);
}
