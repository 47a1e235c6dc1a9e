/* Group commit of heartbeats: handlers queue heartbeats and suspend their requests; one flusher
 * thread takes everything queued, writes it in ONE transaction (one durable commit for the lot),
 * then resumes each request with its outcome. Whatever arrives while a batch is being written
 * goes into the next one, so batches grow with the load and the commit rate stays bounded. */
#ifndef CAMFLEET_DEVICE_HEARTBEAT_BATCH_H
#define CAMFLEET_DEVICE_HEARTBEAT_BATCH_H

#include <stdbool.h>

#include "http/request.h"
#include "store/store.h"

struct heartbeat_batch;

/* What a heartbeat's continuation reads from request->resume_context. */
struct heartbeat_result {
	enum store_result result;         /* of the batch's transaction */
	struct heartbeat_outcome outcome; /* of this heartbeat, when result is STORE_OK */
};

enum heartbeat_submit {
	HEARTBEAT_QUEUED, /* queued and suspended: resume will answer */
	HEARTBEAT_CLOSED, /* nothing queued: the batch is closed; the caller writes the heartbeat itself */
	HEARTBEAT_FAILED  /* nothing queued: out of memory */
};

/* Starts the flusher thread writing to store; NULL (logged) on failure. */
struct heartbeat_batch *heartbeat_batch_start(struct store *store);
/* Queues beat and suspends request (under the batch's lock, so that the flusher cannot resume it
 * before it is suspended); once the batch holding it is written, resume runs with
 * request->resume_context pointing to a struct heartbeat_result in the request's arena. */
enum heartbeat_submit heartbeat_batch_submit(struct heartbeat_batch *batch, struct http_request *request,
                                             const struct heartbeat *beat, http_resume_fn resume)
    __attribute__((warn_unused_result));
/* Closes the batch to new heartbeats (submit answers HEARTBEAT_CLOSED from now on) and waits until
 * every queued one has been written and its request resumed: afterwards it holds no request. */
void heartbeat_batch_close(struct heartbeat_batch *batch);
/* Writes what is still queued, stops the thread and frees the batch. NULL is ignored. */
void heartbeat_batch_stop(struct heartbeat_batch *batch);

#endif
