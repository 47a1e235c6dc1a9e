/* Group commit of new asynchronous requests: the write threads that store requests at the same
 * moment (POST /register-camera-requests, /put-camera-state-requests, /register-camera-batches)
 * store them in one transaction, one durable commit for all, instead of one commit each. No thread
 * of its own: the first caller to find no commit running writes everything queued so far; callers
 * arriving meanwhile queue for the next commit, which the first of them writes. Each call returns
 * once its requests are durable, or with the reason they are not. */
#ifndef CAMFLEET_JOBS_ASYNC_INTAKE_H
#define CAMFLEET_JOBS_ASYNC_INTAKE_H

#include <stddef.h>

#include "store/store.h"

struct async_intake;

/* An intake storing into store; NULL (logged) when out of memory. Free with async_intake_free(). */
struct async_intake *async_intake_new(struct store *store);
/* Frees the intake; no call may be in progress. NULL is ignored. */
void async_intake_free(struct async_intake *intake);
/* Stores count requests (in this order), together with whatever other callers store at the same
 * time; returns once they are committed (STORE_OK) or not. When the shared commit fails, each
 * caller's requests are tried again alone, so one caller's bad request fails only that caller. */
enum store_result async_intake_store(struct async_intake *intake, const struct async_request *requests, size_t count)
    __attribute__((warn_unused_result));

#endif
