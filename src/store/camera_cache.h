/* An in-memory cache of camera rows by id, for a back end whose process is the only writer of
 * its database (SQLite under `camfleet serve`): GET /cameras/{id} then costs a hash lookup, not
 * a read transaction. No I/O. The writer keeps it right by forgetting a camera after each
 * transaction that changed it; a read that raced such a change is not kept (tickets below). */
#ifndef CAMFLEET_STORE_CAMERA_CACHE_H
#define CAMFLEET_STORE_CAMERA_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/camera.h"
#include "store/store.h"

struct camera_cache;

/* A cache holding at most about budget_bytes of rows (older ones are evicted); NULL when out of
 * memory. Free with camera_cache_free(). */
struct camera_cache *camera_cache_new(size_t budget_bytes);
void camera_cache_free(struct camera_cache *cache);

/* A hit copies the row into *out and returns true. A miss returns false with *ticket set: read
 * the row from the database after this call, then hand it to camera_cache_fill with the ticket. */
bool camera_cache_get(struct camera_cache *cache, const char *id, struct camera *out, uint64_t *ticket);

/* Keeps camera (read after camera_cache_get gave ticket) unless a camera_cache_forget of its
 * part of the cache came in between: then the row may predate that change and is dropped. */
void camera_cache_fill(struct camera_cache *cache, const struct camera *camera, uint64_t ticket);

/* Drops the row of this id, and any read of it in flight (call after the change is committed). */
void camera_cache_forget(struct camera_cache *cache, const char *id);

/* A heartbeat was committed: the camera's row, when cached, takes its last_seen_at, shutdown flag
 * four metrics and the state it reported (when it said one) in place; reads in flight are voided
 * as by camera_cache_forget. Unlike
 * forget, the order matters: call it in commit order (e.g. under the database's write lock). */
void camera_cache_heartbeat(struct camera_cache *cache, const struct heartbeat *beat);

/* What the cache holds now and how it has served (for GET /metrics and tests). */
struct camera_cache_usage {
	size_t rows, bytes;
	uint64_t hits, misses; /* camera_cache_get answers since the cache was made */
};
void camera_cache_usage(struct camera_cache *cache, struct camera_cache_usage *out);

#endif
