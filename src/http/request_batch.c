/* Batches of suspended requests (see request_batch.h): two queues, one filling under the lock
 * while the thread processes the other without it. */
#include "http/request_batch.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"
#include "util/monotonic_cond.h"
#include "util/thread_name.h"

#define QUEUE_FIRST_CAPACITY 256

struct batch_queue {
	unsigned char *items; /* capacity * item_size bytes */
	struct http_request **requests;
	size_t count;
	size_t capacity;
};

struct request_batch {
	const char *name;
	size_t item_size;
	struct request_batch_policy policy;
	size_t enough; /* gathering ends once this many are queued (0: it runs its time) */
	request_batch_fn process;
	void *context;
	pthread_mutex_t lock;
	pthread_cond_t work;     /* the thread waits here for items or stop */
	pthread_cond_t answered; /* close waits here for the queues to empty */
	struct batch_queue queues[2];
	unsigned filling;   /* index of the queue handlers append to */
	uint64_t submitted; /* items queued since start */
	uint64_t done;      /* items processed since start */
	uint64_t batches;   /* batches processed since start */
	bool idle;          /* the thread waits on work: a submit must signal it */
	bool gathering;     /* the thread gathers: a submit signals it only when `enough` are queued */
	bool closed;        /* submits are refused (shutdown) */
	bool stopping;
	pthread_t thread;
};

static void queue_free(struct batch_queue *queue)
{
	free(queue->items);
	free(queue->requests);
	memset(queue, 0, sizeof(*queue));
}

/* Makes room for one more entry; false when memory is exhausted. */
static bool queue_reserve(struct batch_queue *queue, size_t item_size)
{
	if (queue->count < queue->capacity)
		return true;
	size_t capacity = queue->capacity ? queue->capacity * 2 : QUEUE_FIRST_CAPACITY;
	unsigned char *items = realloc(queue->items, capacity * item_size);
	if (items == NULL)
		return false;
	queue->items = items;
	struct http_request **requests = realloc(queue->requests, capacity * sizeof(*requests));
	if (requests == NULL)
		return false;
	queue->requests = requests;
	queue->capacity = capacity;
	return true;
}

/* With the lock held and the first item queued: waits up to gather_micros for more to arrive
 * (fewer, larger batches: for the heartbeats, fewer commits and wake-ups), unless enough are
 * queued or the batch stops or closes. */
static void gather(struct request_batch *batch)
{
	if (batch->policy.gather_micros == 0)
		return;
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += (long)batch->policy.gather_micros * 1000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	batch->gathering = true;
	while (!batch->stopping && !batch->closed &&
	       (batch->enough == 0 || batch->queues[batch->filling].count < batch->enough) &&
	       pthread_cond_timedwait(&batch->work, &batch->lock, &until) == 0) {
	}
	batch->gathering = false;
}

/* The smaller of two limits where 0 means none. */
static size_t smaller_limit(size_t a, size_t b)
{
	if (a == 0)
		return b;
	return b == 0 || a < b ? a : b;
}

static void *batch_main(void *argument)
{
	struct request_batch *batch = argument;
	thread_name_set(batch->name);
	pthread_mutex_lock(&batch->lock);
	for (;;) {
		while (batch->queues[batch->filling].count == 0 && !batch->stopping) {
			batch->idle = true;
			pthread_cond_wait(&batch->work, &batch->lock);
		}
		batch->idle = false;
		gather(batch);
		struct batch_queue *queue = &batch->queues[batch->filling];
		if (queue->count == 0) /* stopping, and nothing left to process */
			break;
		batch->filling ^= 1u;
		pthread_mutex_unlock(&batch->lock);
		batch->process(batch->context, queue->items, queue->requests, queue->count);
		size_t processed = queue->count;
		queue->count = 0;
		pthread_mutex_lock(&batch->lock);
		batch->done += processed;
		batch->batches++;
		pthread_cond_broadcast(&batch->answered);
	}
	pthread_mutex_unlock(&batch->lock);
	return NULL;
}

struct request_batch *request_batch_start(const char *name, size_t item_size, const struct request_batch_policy *policy,
                                          request_batch_fn process, void *context)
{
	struct request_batch *batch = calloc(1, sizeof(*batch));
	if (batch == NULL)
		return NULL;
	batch->name = name;
	batch->item_size = item_size;
	batch->policy = *policy;
	batch->enough = smaller_limit(policy->gather_items, policy->max_items);
	batch->process = process;
	batch->context = context;
	if (pthread_mutex_init(&batch->lock, NULL) != 0)
		goto no_lock;
	if (monotonic_cond_init(&batch->work) != 0)
		goto no_work;
	if (pthread_cond_init(&batch->answered, NULL) != 0)
		goto no_answered;
	if (pthread_create(&batch->thread, NULL, batch_main, batch) != 0)
		goto no_thread;
	return batch;
no_thread:
	pthread_cond_destroy(&batch->answered);
no_answered:
	pthread_cond_destroy(&batch->work);
no_work:
	pthread_mutex_destroy(&batch->lock);
no_lock:
	log_error("cannot start the %s thread", name);
	free(batch);
	return NULL;
}

enum request_batch_submit request_batch_submit(struct request_batch *batch, struct http_request *request,
                                               const void *item, http_resume_fn resume, void *resume_context)
{
	pthread_mutex_lock(&batch->lock);
	struct batch_queue *queue = &batch->queues[batch->filling];
	enum request_batch_submit outcome = REQUEST_BATCH_QUEUED;
	if (batch->closed || batch->stopping)
		outcome = REQUEST_BATCH_CLOSED;
	else if ((batch->policy.max_items != 0 && queue->count >= batch->policy.max_items) ||
	         !queue_reserve(queue, batch->item_size))
		outcome = REQUEST_BATCH_FULL;
	if (outcome != REQUEST_BATCH_QUEUED) {
		pthread_mutex_unlock(&batch->lock);
		return outcome;
	}
	memcpy(queue->items + queue->count * batch->item_size, item, batch->item_size);
	queue->requests[queue->count] = request;
	queue->count++;
	batch->submitted++;
	http_request_suspend(request, resume, resume_context);
	if (batch->idle) { /* a busy thread looks at the queue again when its batch is done */
		batch->idle = false;
		pthread_cond_signal(&batch->work);
	} else if (batch->gathering && batch->enough != 0 && queue->count == batch->enough) {
		pthread_cond_signal(&batch->work); /* enough: no use gathering longer */
	}
	pthread_mutex_unlock(&batch->lock);
	return REQUEST_BATCH_QUEUED;
}

void request_batch_close(struct request_batch *batch)
{
	if (batch == NULL)
		return;
	pthread_mutex_lock(&batch->lock);
	batch->closed = true;
	while (batch->done < batch->submitted)
		pthread_cond_wait(&batch->answered, &batch->lock);
	pthread_mutex_unlock(&batch->lock);
}

void request_batch_stop(struct request_batch *batch, uint64_t *batches_out, uint64_t *items_out)
{
	if (batch == NULL)
		return;
	pthread_mutex_lock(&batch->lock);
	batch->stopping = true;
	pthread_cond_signal(&batch->work);
	pthread_mutex_unlock(&batch->lock);
	pthread_join(batch->thread, NULL);
	if (batches_out != NULL)
		*batches_out = batch->batches;
	if (items_out != NULL)
		*items_out = batch->done;
	queue_free(&batch->queues[0]);
	queue_free(&batch->queues[1]);
	pthread_cond_destroy(&batch->answered);
	pthread_cond_destroy(&batch->work);
	pthread_mutex_destroy(&batch->lock);
	free(batch);
}
