/* Batched camera reads (see camera_read_batch.h): two queues, one filling under the lock while
 * the reader reads the other without it. A request is resumed only after its answer is written
 * into its arena, and never touched after. */
#include "api/camera_read_batch.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define READ_BATCH_MAX 256 /* ids in one query; the rest wait for the next */

struct read_waiter {
	struct http_request *request;
	struct camera_read *read; /* in the request's arena */
};

struct read_queue {
	struct read_waiter waiters[READ_BATCH_MAX];
	size_t count;
};

struct camera_read_batch {
	struct store *store;
	pthread_mutex_t lock;
	pthread_cond_t work;     /* the reader waits here for reads or stop */
	pthread_cond_t answered; /* close waits here for the queue to empty */
	struct read_queue queues[2];
	unsigned filling; /* index of the queue handlers append to */
	uint64_t submitted;
	uint64_t done;
	bool reader_idle; /* the reader waits on work: a submit must signal it */
	bool closed;
	bool stopping;
	pthread_t thread;
	/* the reader's own arrays for camera_get_many */
	const char *ids[READ_BATCH_MAX];
	struct camera cameras[READ_BATCH_MAX];
	bool found[READ_BATCH_MAX];
};

static void read_queue(struct camera_read_batch *batch, struct read_queue *queue)
{
	for (size_t i = 0; i < queue->count; i++)
		batch->ids[i] = queue->waiters[i].read->id;
	enum store_result result =
	    batch->store->ops->camera_get_many(batch->store, batch->ids, queue->count, batch->cameras, batch->found);
	for (size_t i = 0; i < queue->count; i++) {
		struct camera_read *read = queue->waiters[i].read;
		read->result = result != STORE_OK ? result : batch->found[i] ? STORE_OK : STORE_NOT_FOUND;
		if (read->result == STORE_OK)
			read->camera = batch->cameras[i];
		http_request_resume(queue->waiters[i].request); /* not ours any more */
	}
}

static void *reader_main(void *argument)
{
	struct camera_read_batch *batch = argument;
	pthread_mutex_lock(&batch->lock);
	for (;;) {
		while (batch->queues[batch->filling].count == 0 && !batch->stopping) {
			batch->reader_idle = true;
			pthread_cond_wait(&batch->work, &batch->lock);
		}
		batch->reader_idle = false;
		struct read_queue *queue = &batch->queues[batch->filling];
		if (queue->count == 0) /* stopping, and nothing left to read */
			break;
		batch->filling ^= 1u;
		pthread_mutex_unlock(&batch->lock);
		read_queue(batch, queue);
		size_t answered = queue->count;
		queue->count = 0;
		pthread_mutex_lock(&batch->lock);
		batch->done += answered;
		pthread_cond_broadcast(&batch->answered);
	}
	pthread_mutex_unlock(&batch->lock);
	return NULL;
}

struct camera_read_batch *camera_read_batch_start(struct store *store)
{
	struct camera_read_batch *batch = calloc(1, sizeof(*batch));
	if (batch == NULL)
		return NULL;
	batch->store = store;
	pthread_mutex_init(&batch->lock, NULL);
	pthread_cond_init(&batch->work, NULL);
	pthread_cond_init(&batch->answered, NULL);
	if (pthread_create(&batch->thread, NULL, reader_main, batch) != 0) {
		log_error("cameras: cannot start the camera reader thread");
		pthread_cond_destroy(&batch->answered);
		pthread_cond_destroy(&batch->work);
		pthread_mutex_destroy(&batch->lock);
		free(batch);
		return NULL;
	}
	return batch;
}

bool camera_read_batch_submit(struct camera_read_batch *batch, struct http_request *request, const char *id,
                              http_resume_fn resume)
{
	struct camera_read *read = arena_alloc(&request->arena, sizeof(*read));
	if (read == NULL)
		return false;
	memcpy(read->id, id, sizeof(read->id));
	pthread_mutex_lock(&batch->lock);
	struct read_queue *queue = &batch->queues[batch->filling];
	if (batch->closed || batch->stopping || queue->count == READ_BATCH_MAX) {
		pthread_mutex_unlock(&batch->lock);
		return false; /* closed, or a full batch waits already: read directly */
	}
	queue->waiters[queue->count++] = (struct read_waiter){request, read};
	batch->submitted++;
	http_request_suspend(request, resume, read);
	if (batch->reader_idle) { /* a busy reader looks at the queue again when its read is done */
		batch->reader_idle = false;
		pthread_cond_signal(&batch->work);
	}
	pthread_mutex_unlock(&batch->lock);
	return true;
}

void camera_read_batch_close(struct camera_read_batch *batch)
{
	if (batch == NULL)
		return;
	pthread_mutex_lock(&batch->lock);
	batch->closed = true;
	while (batch->done < batch->submitted)
		pthread_cond_wait(&batch->answered, &batch->lock);
	pthread_mutex_unlock(&batch->lock);
}

void camera_read_batch_stop(struct camera_read_batch *batch)
{
	if (batch == NULL)
		return;
	pthread_mutex_lock(&batch->lock);
	batch->stopping = true;
	pthread_cond_signal(&batch->work);
	pthread_mutex_unlock(&batch->lock);
	pthread_join(batch->thread, NULL);
	pthread_cond_destroy(&batch->answered);
	pthread_cond_destroy(&batch->work);
	pthread_mutex_destroy(&batch->lock);
	free(batch);
}
