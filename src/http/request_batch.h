/* Batches of suspended requests: handlers queue an item (a fixed-size record) and suspend their
 * request; one thread takes everything queued and hands it to a process function, which writes
 * each request's answer and resumes it. Whatever arrives while a batch is processed goes into
 * the next one, so batches grow with the load. The heartbeat group commit and the batched camera
 * reads are built on it. */
#ifndef CAMFLEET_HTTP_REQUEST_BATCH_H
#define CAMFLEET_HTTP_REQUEST_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "http/request.h"

struct request_batch;

/* Processes count queued items (item_size bytes each, contiguous, in arrival order) of the
 * suspended requests[i]; must write each answer where requests[i]->resume_context points and
 * then resume each request exactly once (http_request_resume), touching it no more. Runs on the
 * batch's thread, never twice at once. */
typedef void (*request_batch_fn)(void *context, const void *items, struct http_request *const *requests, size_t count);

enum request_batch_submit {
	REQUEST_BATCH_QUEUED, /* queued and suspended: the process function will answer */
	REQUEST_BATCH_CLOSED, /* nothing queued: the batch is closed (shutdown) */
	REQUEST_BATCH_FULL    /* nothing queued: max_items wait already, or memory is exhausted */
};

/* How batches form. Whatever arrives while a batch is processed goes into the next one anyway;
 * gathering makes a batch wait a little for more even when the thread is free. */
struct request_batch_policy {
	size_t max_items;       /* a batch holds at most this many (0: only memory bounds it) */
	unsigned gather_micros; /* once a batch's first item is queued, wait up to this long (0: none) */
	size_t gather_items;    /* ... but no longer than until this many are queued (0: the whole time) */
};

/* Starts the batch's thread with policy (copied). NULL (logged, with name) on failure. */
struct request_batch *request_batch_start(const char *name, size_t item_size, const struct request_batch_policy *policy,
                                          request_batch_fn process, void *context);
/* Copies item into the queue and suspends request with resume and resume_context (under the
 * batch's lock, so that the thread cannot resume it before it is suspended). */
enum request_batch_submit request_batch_submit(struct request_batch *batch, struct http_request *request,
                                               const void *item, http_resume_fn resume, void *resume_context)
    __attribute__((warn_unused_result));
/* Refuses new items (submit answers REQUEST_BATCH_CLOSED from now on) and waits until every
 * queued one has been processed: afterwards the batch holds no request. NULL is ignored. */
void request_batch_close(struct request_batch *batch);
/* Processes what is still queued, stops the thread and frees the batch; returns how many batches
 * and items it processed in all (either may be NULL). NULL batch is ignored. */
void request_batch_stop(struct request_batch *batch, uint64_t *batches_out, uint64_t *items_out);

#endif
