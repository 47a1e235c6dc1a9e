/* The worker that carries out asynchronous requests (register-camera, put-camera-state):
 * a thread that has the store carry out waiting requests in batches, each batch in one transaction
 * with the outcome of every request. Requests survive restarts because they live in the store, not
 * in memory. */
#ifndef CAMFLEET_JOBS_ASYNC_WORKER_H
#define CAMFLEET_JOBS_ASYNC_WORKER_H

#include <stddef.h>

#include "store/store.h"

struct app;
struct async_worker;

/* Starts the worker thread; NULL (logged) on failure. */
struct async_worker *async_worker_start(struct app *app);
/* Stores count new requests (group-committed with other callers': jobs/async_intake.h) and wakes
 * the worker; STORE_OK once they are durable. */
enum store_result async_worker_store(struct async_worker *worker, const struct async_request *requests, size_t count)
    __attribute__((warn_unused_result));
/* Wakes the worker after a request was stored (cheap; safe from any thread). */
void async_worker_notify(struct async_worker *worker);
/* Finishes the batch in hand, stops the thread and frees the worker. */
void async_worker_stop(struct async_worker *worker);

#endif
