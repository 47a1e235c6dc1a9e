/* The camera cache (camera_cache.h): STRIPES independent hash tables, each with its own mutex,
 * byte budget and generation, chosen by the id's hash, so that threads rarely meet on a lock.
 * A forget bumps its stripe's generation; a fill whose ticket (the generation it saw at the
 * miss) is older is dropped, so no row read before a change can land after it. Rows are kept
 * compact (fixed fields, then the texts end to end) rather than as a 2.8 KiB struct camera.
 * Eviction walks a stripe's buckets like a clock hand, dropping a whole chain at a time. */
#include "store/camera_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

enum { STRIPES = 64, BUCKETS_PER_STRIPE = 256 };

struct cached_camera {
	struct cached_camera *next;
	uint64_t hash;
	size_t bytes; /* the allocation */
	enum camera_state state;
	bool has_name, has_direction1_alias, has_direction2_alias, reported_offline;
	int64_t claimed_at, last_seen_at, last_video_at;
	double encoded_frames_proportion, network_transmit_rate, video_backlog, video_upload_latency;
	char id[UUID_BUFFER_SIZE];
	char organisation_id[UUID_BUFFER_SIZE];
	char site_id[UUID_BUFFER_SIZE];
	char camera_position_id[UUID_BUFFER_SIZE];
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
	row->bytes = bytes;
	row->state = camera->state;
	row->has_name = camera->has_name;
	row->has_direction1_alias = camera->has_direction1_alias;
	row->has_direction2_alias = camera->has_direction2_alias;
	row->reported_offline = camera->reported_offline;
	row->claimed_at = camera->claimed_at;
	row->last_seen_at = camera->last_seen_at;
	row->last_video_at = camera->last_video_at;
	row->encoded_frames_proportion = camera->encoded_frames_proportion;
	row->network_transmit_rate = camera->network_transmit_rate;
	row->video_backlog = camera->video_backlog;
	row->video_upload_latency = camera->video_upload_latency;
	memcpy(row->id, camera->id, sizeof(row->id));
	memcpy(row->organisation_id, camera->organisation_id, sizeof(row->organisation_id));
	memcpy(row->site_id, camera->site_id, sizeof(row->site_id));
	memcpy(row->camera_position_id, camera->camera_position_id, sizeof(row->camera_position_id));
	char *cursor = row->text;
	put_text(&cursor, camera->serial_number);
	put_text(&cursor, camera->name);
	put_text(&cursor, camera->direction1_alias);
	put_text(&cursor, camera->direction2_alias);
	return row;
}

static void unpack(const struct cached_camera *row, struct camera *out)
{
	memcpy(out->id, row->id, sizeof(out->id));
	memcpy(out->organisation_id, row->organisation_id, sizeof(out->organisation_id));
	memcpy(out->site_id, row->site_id, sizeof(out->site_id));
	memcpy(out->camera_position_id, row->camera_position_id, sizeof(out->camera_position_id));
	out->state = row->state;
	out->has_name = row->has_name;
	out->has_direction1_alias = row->has_direction1_alias;
	out->has_direction2_alias = row->has_direction2_alias;
	out->reported_offline = row->reported_offline;
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

/* Unlinks the row of id from its bucket (stripe locked); NULL when there is none. */
static struct cached_camera *unlink_row(struct stripe *stripe, const char *id, uint64_t hash)
{
	for (struct cached_camera **link = bucket_of(stripe, hash); *link != NULL; link = &(*link)->next) {
		struct cached_camera *row = *link;
		if (row->hash == hash && strcmp(row->id, id) == 0) {
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
	pthread_mutex_lock(&stripe->lock);
	for (const struct cached_camera *row = *bucket_of(stripe, hash); row != NULL; row = row->next) {
		if (row->hash == hash && strcmp(row->id, id) == 0) {
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
	struct cached_camera *dropped = unlink_row(stripe, camera->id, hash); /* a racing fill's copy */
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
	pthread_mutex_lock(&stripe->lock);
	stripe->generation++;
	struct cached_camera *row = unlink_row(stripe, id, hash);
	pthread_mutex_unlock(&stripe->lock);
	free(row);
}

void camera_cache_heartbeat(struct camera_cache *cache, const struct heartbeat *beat)
{
	uint64_t hash = hash_string(beat->camera_id);
	struct stripe *stripe = stripe_of(cache, hash);
	pthread_mutex_lock(&stripe->lock);
	stripe->generation++;
	for (struct cached_camera *row = *bucket_of(stripe, hash); row != NULL; row = row->next) {
		if (row->hash == hash && strcmp(row->id, beat->camera_id) == 0) {
			row->last_seen_at = beat->at;
			row->reported_offline = beat->shutting_down;
			row->encoded_frames_proportion = beat->encoded_frames_proportion;
			row->network_transmit_rate = beat->network_transmit_rate;
			row->video_backlog = beat->video_backlog;
			row->video_upload_latency = beat->video_upload_latency;
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
