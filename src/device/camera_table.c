/* The hub's map of camera id → struct hub_camera: chained hashing (FNV-1a of the id) over a
 * power-of-two bucket array that doubles when the load passes one entry per bucket. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/hub_internal.h"
#include "util/hash.h"

#define INITIAL_BUCKETS 1024

int camera_table_init(struct camera_table *table)
{
	table->buckets = calloc(INITIAL_BUCKETS, sizeof(*table->buckets));
	if (table->buckets == NULL)
		return -1;
	table->bucket_count = INITIAL_BUCKETS;
	table->count = 0;
	return 0;
}

void camera_table_release(struct camera_table *table)
{
	for (size_t i = 0; i < table->bucket_count; i++) {
		struct hub_camera *camera = table->buckets[i];
		while (camera != NULL) {
			struct hub_camera *next = camera->next_in_bucket;
			free(camera);
			camera = next;
		}
	}
	free(table->buckets);
	memset(table, 0, sizeof(*table));
}

static struct hub_camera *find_hashed(struct camera_table *table, const char *id, uint64_t hash)
{
	for (struct hub_camera *camera = table->buckets[hash & (table->bucket_count - 1)]; camera != NULL;
	     camera = camera->next_in_bucket)
		if (camera->hash == hash && strcmp(camera->id, id) == 0)
			return camera;
	return NULL;
}

struct hub_camera *camera_table_find(struct camera_table *table, const char *id)
{
	return find_hashed(table, id, hash_string(id));
}

/* Doubles the bucket array; on failure the table stays as it was (only slower). */
static void grow(struct camera_table *table)
{
	size_t count = table->bucket_count * 2;
	struct hub_camera **buckets = calloc(count, sizeof(*buckets));
	if (buckets == NULL)
		return;
	for (size_t i = 0; i < table->bucket_count; i++) {
		struct hub_camera *camera = table->buckets[i];
		while (camera != NULL) {
			struct hub_camera *next = camera->next_in_bucket;
			size_t bucket = camera->hash & (count - 1);
			camera->next_in_bucket = buckets[bucket];
			buckets[bucket] = camera;
			camera = next;
		}
	}
	free(table->buckets);
	table->buckets = buckets;
	table->bucket_count = count;
}

struct hub_camera *camera_table_get(struct camera_table *table, const char *id)
{
	uint64_t hash = hash_string(id);
	struct hub_camera *camera = find_hashed(table, id, hash);
	if (camera != NULL)
		return camera;
	camera = calloc(1, sizeof(*camera));
	if (camera == NULL)
		return NULL;
	snprintf(camera->id, sizeof(camera->id), "%s", id);
	camera->hash = hash;
	if (table->count >= table->bucket_count)
		grow(table);
	size_t bucket = hash & (table->bucket_count - 1);
	camera->next_in_bucket = table->buckets[bucket];
	table->buckets[bucket] = camera;
	table->count++;
	return camera;
}
