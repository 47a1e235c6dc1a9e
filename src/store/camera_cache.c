/* The camera cache (camera_cache.h): STRIPES independent hash tables, each with its own mutex,
 * byte budget and generation, chosen by the id's hash, so that threads rarely meet on a lock.
 * A forget bumps its stripe's generation; a fill whose ticket (the generation it saw at the
 * miss) is older is dropped, so no row read before a change can land after it. Rows are kept
 * compact rather than as a 2.8 KiB struct camera: ids as their 16 bytes, flags as bits, then the
 * texts end to end (about 200 bytes a camera, so that a 100,000-camera fleet fits in the budget).
 * Eviction walks a stripe's buckets like a clock hand, dropping a whole chain at a time. */
#include "store/camera_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "util/uuid.h"

/* 131,072 buckets in all (1 MiB of pointers): short chains at 100,000 cameras and beyond. */
enum { STRIPES = 64, BUCKETS_PER_STRIPE = 2048 };

/* Which of the row's flags are set. */
enum cached_flag {
	HAS_NAME = 1 << 0,
	HAS_DIRECTION1_ALIAS = 1 << 1,
	HAS_DIRECTION2_ALIAS = 1 << 2,
	REPORTED_OFFLINE = 1 << 3,
	HAS_ORGANISATION = 1 << 4, /* the placement ids are set (a claimed camera) */
	HAS_SITE = 1 << 5,
	HAS_POSITION = 1 << 6,
};

struct cached_camera {
	struct cached_camera *next;
	uint64_t hash;
	int64_t claimed_at, last_seen_at, last_video_at;
	double encoded_frames_proportion, network_transmit_rate, video_backlog, video_upload_latency;
	uint32_t bytes;         /* the allocation */
	uint8_t state;          /* enum camera_state */
	uint8_t flags;          /* enum cached_flag */
	uint8_t reported_state; /* enum camera_reported_state */
	unsigned char id[UUID_BYTES];
	unsigned char organisation_id[UUID_BYTES];
	unsigned char site_id[UUID_BYTES];
	unsigned char camera_position_id[UUID_BYTES];
	char text[]; /* serial number, name, direction 1 alias, direction 2 alias: each NUL-ended */
};

struct stripe {
	pthread_mutex_t lock;
	uint64_t generation;
	size_t bytes;
	size_t rows;
	uint64_t hits, misses;
	size_t clock_hand; /* the next bucket eviction empties */
	struct cached_camera *buckets[BUCKETS_PER_STRIPE];
};

struct camera_cache {
	size_t stripe_budget;
	struct stripe stripes[STRIPES];
};

static struct stripe *stripe_of(struct camera_cache *cache, uint64_t hash)
{
	return &cache->stripes[hash % STRIPES];
}

static struct cached_camera **bucket_of(struct stripe *stripe, uint64_t hash)
{
	return &stripe->buckets[(hash / STRIPES) % BUCKETS_PER_STRIPE];
}

struct camera_cache *camera_cache_new(size_t budget_bytes)
{
	struct camera_cache *cache = calloc(1, sizeof(*cache));
	if (cache == NULL)
		return NULL;
	cache->stripe_budget = budget_bytes / STRIPES;
	for (size_t i = 0; i < STRIPES; i++) {
		if (pthread_mutex_init(&cache->stripes[i].lock, NULL) != 0) {
			while (i-- > 0)
				pthread_mutex_destroy(&cache->stripes[i].lock);
			free(cache);
			return NULL;
		}
	}
	return cache;
}

static void free_chain(struct cached_camera *row)
{
	while (row != NULL) {
		struct cached_camera *next = row->next;
		free(row);
		row = next;
	}
}

void camera_cache_free(struct camera_cache *cache)
{
	if (cache == NULL)
		return;
	for (size_t i = 0; i < STRIPES; i++) {
		for (size_t b = 0; b < BUCKETS_PER_STRIPE; b++)
			free_chain(cache->stripes[i].buckets[b]);
		pthread_mutex_destroy(&cache->stripes[i].lock);
	}
	free(cache);
}

/* Appends text and its NUL at *cursor. */
static void put_text(char **cursor, const char *text)
{
	size_t length = strlen(text) + 1;
	memcpy(*cursor, text, length);
	*cursor += length;
}

/* Copies the next NUL-ended text at *cursor into out. */
static void take_text(const char **cursor, char *out)
{
	size_t length = strlen(*cursor) + 1;
	memcpy(out, *cursor, length);
	*cursor += length;
}

/* An optional id into its 16 bytes, with flag set when present; false when present and not a
 * UUID (such a row is not kept). */
static bool pack_id(const char *text, unsigned char out[UUID_BYTES], uint8_t *flags, uint8_t flag)
{
	if (text[0] == '\0') {
		memset(out, 0, UUID_BYTES);
		return true;
	}
	*flags |= flag;
	return uuid_to_bytes(text, out);
}

static void unpack_id(const unsigned char bytes[UUID_BYTES], bool present, char out[UUID_BUFFER_SIZE])
{
	if (present)
		uuid_from_bytes(bytes, out);
	else
		out[0] = '\0';
}

/* The compact row of camera; NULL when out of memory or its ids are not UUIDs (not kept). */
static struct cached_camera *pack(const struct camera *camera, uint64_t hash)
{
	size_t text_bytes = strlen(camera->serial_number) + strlen(camera->name) + strlen(camera->direction1_alias) +
	                    strlen(camera->direction2_alias) + 4;
	size_t bytes = sizeof(struct cached_camera) + text_bytes;
	struct cached_camera *row = malloc(bytes);
	if (row == NULL)
		return NULL;
	row->next = NULL;
	row->hash = hash;
	row->bytes = (uint32_t)bytes;
	row->state = (uint8_t)camera->state;
	row->reported_state = (uint8_t)camera->reported_state;
	row->flags =
	    (uint8_t)((camera->has_name ? HAS_NAME : 0) | (camera->has_direction1_alias ? HAS_DIRECTION1_ALIAS : 0) |
	              (camera->has_direction2_alias ? HAS_DIRECTION2_ALIAS : 0) |
	              (camera->reported_offline ? REPORTED_OFFLINE : 0));
	row->claimed_at = camera->claimed_at;
	row->last_seen_at = camera->last_seen_at;
	row->last_video_at = camera->last_video_at;
	row->encoded_frames_proportion = camera->encoded_frames_proportion;
	row->network_transmit_rate = camera->network_transmit_rate;
	row->video_backlog = camera->video_backlog;
	row->video_upload_latency = camera->video_upload_latency;
	if (!uuid_to_bytes(camera->id, row->id) ||
	    !pack_id(camera->organisation_id, row->organisation_id, &row->flags, HAS_ORGANISATION) ||
	    !pack_id(camera->site_id, row->site_id, &row->flags, HAS_SITE) ||
	    !pack_id(camera->camera_position_id, row->camera_position_id, &row->flags, HAS_POSITION)) {
		free(row);
		return NULL;
	}
	char *cursor = row->text;
	put_text(&cursor, camera->serial_number);
	put_text(&cursor, camera->name);
	put_text(&cursor, camera->direction1_alias);
	put_text(&cursor, camera->direction2_alias);
	return row;
}

static void unpack(const struct cached_camera *row, struct camera *out)
{
	uuid_from_bytes(row->id, out->id);
	unpack_id(row->organisation_id, row->flags & HAS_ORGANISATION, out->organisation_id);
	unpack_id(row->site_id, row->flags & HAS_SITE, out->site_id);
	unpack_id(row->camera_position_id, row->flags & HAS_POSITION, out->camera_position_id);
	out->state = (enum camera_state)row->state;
	out->reported_state = (enum camera_reported_state)row->reported_state;
	out->has_name = row->flags & HAS_NAME;
	out->has_direction1_alias = row->flags & HAS_DIRECTION1_ALIAS;
	out->has_direction2_alias = row->flags & HAS_DIRECTION2_ALIAS;
	out->reported_offline = row->flags & REPORTED_OFFLINE;
	out->claimed_at = row->claimed_at;
	out->last_seen_at = row->last_seen_at;
	out->last_video_at = row->last_video_at;
	out->encoded_frames_proportion = row->encoded_frames_proportion;
	out->network_transmit_rate = row->network_transmit_rate;
	out->video_backlog = row->video_backlog;
	out->video_upload_latency = row->video_upload_latency;
	const char *cursor = row->text;
	take_text(&cursor, out->serial_number);
	take_text(&cursor, out->name);
	take_text(&cursor, out->direction1_alias);
	take_text(&cursor, out->direction2_alias);
}

/* Whether row is the camera of this id (its 16 bytes) and hash. */
static bool row_is(const struct cached_camera *row, const unsigned char id[UUID_BYTES], uint64_t hash)
{
	return row->hash == hash && memcmp(row->id, id, UUID_BYTES) == 0;
}

/* Unlinks the row of id from its bucket (stripe locked); NULL when there is none. */
static struct cached_camera *unlink_row(struct stripe *stripe, const unsigned char id[UUID_BYTES], uint64_t hash)
{
	for (struct cached_camera **link = bucket_of(stripe, hash); *link != NULL; link = &(*link)->next) {
		struct cached_camera *row = *link;
		if (row_is(row, id, hash)) {
			*link = row->next;
			stripe->bytes -= row->bytes;
			stripe->rows--;
			return row;
		}
	}
	return NULL;
}

bool camera_cache_get(struct camera_cache *cache, const char *id, struct camera *out, uint64_t *ticket)
{
	uint64_t hash = hash_string(id);
	struct stripe *stripe = stripe_of(cache, hash);
	unsigned char key[UUID_BYTES];
	bool keyed = uuid_to_bytes(id, key); /* an id that is no UUID is never kept: a miss */
	pthread_mutex_lock(&stripe->lock);
	for (const struct cached_camera *row = *bucket_of(stripe, hash); keyed && row != NULL; row = row->next) {
		if (row_is(row, key, hash)) {
			unpack(row, out);
			stripe->hits++;
			pthread_mutex_unlock(&stripe->lock);
			return true;
		}
	}
	stripe->misses++;
	*ticket = stripe->generation;
	pthread_mutex_unlock(&stripe->lock);
	return false;
}

/* Empties buckets from the clock hand on until the stripe is within budget (stripe locked);
 * returns the evicted rows as one chain, to be freed outside the lock. */
static struct cached_camera *evict(struct stripe *stripe, size_t budget)
{
	struct cached_camera *evicted = NULL;
	while (stripe->bytes > budget) {
		struct cached_camera **bucket = &stripe->buckets[stripe->clock_hand];
		stripe->clock_hand = (stripe->clock_hand + 1) % BUCKETS_PER_STRIPE;
		while (*bucket != NULL) {
			struct cached_camera *row = *bucket;
			*bucket = row->next;
			stripe->bytes -= row->bytes;
			stripe->rows--;
			row->next = evicted;
			evicted = row;
		}
	}
	return evicted;
}

void camera_cache_fill(struct camera_cache *cache, const struct camera *camera, uint64_t ticket)
{
	uint64_t hash = hash_string(camera->id);
	struct cached_camera *row = pack(camera, hash);
	if (row == NULL)
		return; /* a cache: the next read goes to the database again */
	struct stripe *stripe = stripe_of(cache, hash);
	pthread_mutex_lock(&stripe->lock);
	if (stripe->generation != ticket) {
		pthread_mutex_unlock(&stripe->lock);
		free(row);
		return;
	}
	struct cached_camera *dropped = unlink_row(stripe, row->id, hash); /* a racing fill's copy */
	if (dropped != NULL)
		dropped->next = NULL;
	struct cached_camera **bucket = bucket_of(stripe, hash);
	row->next = *bucket;
	*bucket = row;
	stripe->bytes += row->bytes;
	stripe->rows++;
	struct cached_camera *evicted = evict(stripe, cache->stripe_budget);
	pthread_mutex_unlock(&stripe->lock);
	free(dropped);
	free_chain(evicted);
}

void camera_cache_forget(struct camera_cache *cache, const char *id)
{
	uint64_t hash = hash_string(id);
	struct stripe *stripe = stripe_of(cache, hash);
	unsigned char key[UUID_BYTES];
	bool keyed = uuid_to_bytes(id, key);
	pthread_mutex_lock(&stripe->lock);
	stripe->generation++;
	struct cached_camera *row = keyed ? unlink_row(stripe, key, hash) : NULL;
	pthread_mutex_unlock(&stripe->lock);
	free(row);
}

void camera_cache_heartbeat(struct camera_cache *cache, const struct heartbeat *beat)
{
	uint64_t hash = hash_string(beat->camera_id);
	struct stripe *stripe = stripe_of(cache, hash);
	unsigned char key[UUID_BYTES];
	bool keyed = uuid_to_bytes(beat->camera_id, key);
	pthread_mutex_lock(&stripe->lock);
	stripe->generation++;
	for (struct cached_camera *row = *bucket_of(stripe, hash); keyed && row != NULL; row = row->next) {
		if (row_is(row, key, hash)) {
			row->last_seen_at = beat->at;
			row->flags =
			    (uint8_t)((row->flags & ~REPORTED_OFFLINE) | (beat->shutting_down ? REPORTED_OFFLINE : 0));
			row->encoded_frames_proportion = beat->encoded_frames_proportion;
			row->network_transmit_rate = beat->network_transmit_rate;
			row->video_backlog = beat->video_backlog;
			row->video_upload_latency = beat->video_upload_latency;
			if (beat->reported_state != CAMERA_REPORTED_UNKNOWN)
				row->reported_state = (uint8_t)beat->reported_state;
			break;
		}
	}
	pthread_mutex_unlock(&stripe->lock);
}

void camera_cache_usage(struct camera_cache *cache, struct camera_cache_usage *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < STRIPES; i++) {
		struct stripe *stripe = &cache->stripes[i];
		pthread_mutex_lock(&stripe->lock);
		out->rows += stripe->rows;
		out->bytes += stripe->bytes;
		out->hits += stripe->hits;
		out->misses += stripe->misses;
		pthread_mutex_unlock(&stripe->lock);
	}
}
