/* Batched camera reads (see camera_read_batch.h) on a request batch (http/request_batch.c): each
 * batch of queued ids is read with one camera_get_many, then every request is resumed with its
 * camera. */
#include "api/camera_read_batch.h"

#include <stdlib.h>
#include <string.h>

#include "http/request_batch.h"

#define READ_BATCH_MAX 256 /* ids in one query; beyond, handlers read directly */

struct camera_read_batch {
	struct store *store;
	struct request_batch *requests;
	/* the batch thread's arrays for camera_get_many */
	const char *ids[READ_BATCH_MAX];
	struct camera cameras[READ_BATCH_MAX];
	bool found[READ_BATCH_MAX];
};

/* Reads one batch (items: count ids, UUID_BUFFER_SIZE bytes each) and resumes each request. */
static void read_batch(void *context, const void *items, struct http_request *const *requests, size_t count)
{
	struct camera_read_batch *batch = context;
	for (size_t i = 0; i < count; i++)
		batch->ids[i] = (const char *)items + i * UUID_BUFFER_SIZE;
	enum store_result result =
	    batch->store->ops->camera_get_many(batch->store, batch->ids, count, batch->cameras, batch->found);
	for (size_t i = 0; i < count; i++) {
		struct camera_read *read = requests[i]->resume_context;
		read->result = result != STORE_OK ? result : batch->found[i] ? STORE_OK : STORE_NOT_FOUND;
		if (read->result == STORE_OK)
			read->camera = batch->cameras[i];
		http_request_resume(requests[i]); /* not ours any more */
	}
}

struct camera_read_batch *camera_read_batch_start(struct store *store)
{
	struct camera_read_batch *batch = calloc(1, sizeof(*batch));
	if (batch == NULL)
		return NULL;
	batch->store = store;
	static const struct request_batch_policy policy = {.max_items = READ_BATCH_MAX};
	batch->requests = request_batch_start("camera reader", UUID_BUFFER_SIZE, &policy, read_batch, batch);
	if (batch->requests == NULL) {
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
	/* closed, or a full batch waits already: the caller reads directly */
	return request_batch_submit(batch->requests, request, read->id, resume, read) == REQUEST_BATCH_QUEUED;
}

void camera_read_batch_close(struct camera_read_batch *batch)
{
	if (batch != NULL)
		request_batch_close(batch->requests);
}

void camera_read_batch_stop(struct camera_read_batch *batch)
{
	if (batch == NULL)
		return;
	request_batch_stop(batch->requests, NULL, NULL);
	free(batch);
}
