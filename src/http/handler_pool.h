/* A pool of threads that run request handlers off libmicrohttpd's threads. A handler that may wait
 * (for the database's write lock, a PostgreSQL round trip, an argon2id hash) would otherwise hold
 * its libmicrohttpd thread, and with it every other connection that thread serves: one write
 * waiting behind the webhook sender's transaction would stall the reads queued beside it. The
 * server suspends such a request, a pool thread runs it, and the request is resumed to send the
 * answer the handler left (http/reply.h defers it while the request runs here). */
#ifndef CAMFLEET_HTTP_HANDLER_POOL_H
#define CAMFLEET_HTTP_HANDLER_POOL_H

#include <stdbool.h>

#include "http/request.h"

struct handler_pool;

/* What a pool thread does with a request: runs its handler. The pool resumes the request after. */
typedef void (*handler_pool_run_fn)(struct http_request *request);

/* Starts threads threads that call run for each submitted request. NULL (logged) on failure. */
struct handler_pool *handler_pool_start(unsigned threads, handler_pool_run_fn run);
/* Suspends request (resume runs on a libmicrohttpd thread once run has returned) and queues it;
 * false when the pool is stopping: nothing was queued or suspended. Needs no allocation: the
 * queue links the requests themselves. */
bool handler_pool_submit(struct handler_pool *pool, struct http_request *request, http_resume_fn resume)
    __attribute__((warn_unused_result));
/* Refuses new requests, runs every queued one, stops the threads and frees the pool; NULL is
 * ignored. */
void handler_pool_stop(struct handler_pool *pool);

#endif
