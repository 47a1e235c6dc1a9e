/* Batched camera reads, for a store where every read is a network round trip (PostgreSQL):
 * GET /cameras/{id} handlers queue the id and suspend their request; one reader thread takes
 * everything queued, reads it with ONE query (store camera_get_many), then resumes each request
 * with its camera. Whatever arrives during a read goes into the next one, so batches grow with the
 * load: under load, the database sees a few queries of many ids instead of one query per request,
 * and no HTTP worker thread sits blocked on the network. The store stays the source of truth:
 * nothing is cached; each request gets a read that started after the request arrived. */
#ifndef CAMFLEET_API_CAMERA_READ_BATCH_H
#define CAMFLEET_API_CAMERA_READ_BATCH_H

#include <stdbool.h>

#include "domain/camera.h"
#include "http/request.h"
#include "store/store.h"

struct camera_read_batch;

/* What a read's continuation finds in request->resume_context. */
struct camera_read {
	char id[UUID_BUFFER_SIZE];
	enum store_result result; /* STORE_OK, STORE_NOT_FOUND, or the batch's failure */
	struct camera camera;     /* when result is STORE_OK */
};

/* Starts the reader thread on store; NULL (logged) on failure. */
struct camera_read_batch *camera_read_batch_start(struct store *store);
/* Queues a read of camera id and suspends request (under the batch's lock, so the reader cannot
 * resume it first); once read, resume runs with request->resume_context pointing to a struct
 * camera_read in the request's arena. false, with nothing queued and nothing suspended, when the
 * batch is closed or memory is exhausted: the caller reads the camera itself. */
bool camera_read_batch_submit(struct camera_read_batch *batch, struct http_request *request, const char *id,
                              http_resume_fn resume) __attribute__((warn_unused_result));
/* Refuses new reads and waits until every queued one is answered (shutdown, before the drain). */
void camera_read_batch_close(struct camera_read_batch *batch);
/* Stops the thread and frees the batch. NULL is ignored. */
void camera_read_batch_stop(struct camera_read_batch *batch);

#endif
