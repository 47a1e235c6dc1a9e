/* The stamp table: 32 shards, each a linear-probing hash table at most half full, keyed by the
 * subject text (FNV-1a). Deleting from linear probing needs a rehash, so pruning rebuilds a shard
 * into a new array; it runs off the request path (see auth/token_sync.c). */
#include "auth/revocation_table.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

#define REVOCATION_SHARDS          32
#define REVOCATION_SHARD_MIN_SLOTS 16

struct revocation_slot {
	char subject[REVOCATION_SUBJECT_MAX + 1]; /* "" when empty */
	int64_t valid_from_ms;
};

struct revocation_shard {
	pthread_mutex_t lock;
	struct revocation_slot *slots; /* capacity entries; NULL while the shard is empty */
	size_t capacity;               /* 0 or a power of two */
	size_t count;
};

struct revocation_table {
	atomic_size_t count; /* stamps in every shard: lets lookups skip an empty table */
	struct revocation_shard shards[REVOCATION_SHARDS];
};

struct revocation_table *revocation_table_new(void)
{
	struct revocation_table *table = calloc(1, sizeof(*table));
	if (table == NULL)
		return NULL;
	atomic_init(&table->count, 0);
	for (int i = 0; i < REVOCATION_SHARDS; i++) {
		if (pthread_mutex_init(&table->shards[i].lock, NULL) != 0) {
			while (i-- > 0)
				pthread_mutex_destroy(&table->shards[i].lock);
			free(table);
			return NULL;
		}
	}
	return table;
}

void revocation_table_free(struct revocation_table *table)
{
	if (table == NULL)
		return;
	for (int i = 0; i < REVOCATION_SHARDS; i++) {
		free(table->shards[i].slots);
		pthread_mutex_destroy(&table->shards[i].lock);
	}
	free(table);
}

/* The shard of a subject, and the hash that picks its first slot. */
static struct revocation_shard *shard_of(struct revocation_table *table, const char *subject, size_t length,
                                         uint64_t *hash)
{
	*hash = hash_bytes(subject, length);
	return &table->shards[*hash % REVOCATION_SHARDS];
}

/* The slot holding subject, or the empty slot where it would go (capacity > 0, shard locked). */
static struct revocation_slot *probe(struct revocation_slot *slots, size_t capacity, uint64_t hash, const char *subject,
                                     size_t length)
{
	size_t mask = capacity - 1;
	for (size_t i = (size_t)(hash / REVOCATION_SHARDS) & mask;; i = (i + 1) & mask) {
		struct revocation_slot *slot = &slots[i];
		if (slot->subject[0] == '\0' ||
		    (strncmp(slot->subject, subject, length) == 0 && slot->subject[length] == '\0'))
			return slot;
	}
}

/* Moves the shard's stamps later than cutoff_ms into a new array of capacity slots; -1 when out
 * of memory (the shard is unchanged). Returns how many were dropped in *dropped. */
static int rebuild(struct revocation_shard *shard, size_t capacity, int64_t cutoff_ms, size_t *dropped)
{
	struct revocation_slot *slots = calloc(capacity, sizeof(*slots));
	if (slots == NULL)
		return -1;
	size_t kept = 0;
	for (size_t i = 0; i < shard->capacity; i++) {
		const struct revocation_slot *old = &shard->slots[i];
		if (old->subject[0] == '\0' || old->valid_from_ms <= cutoff_ms)
			continue;
		size_t length = strlen(old->subject);
		*probe(slots, capacity, hash_bytes(old->subject, length), old->subject, length) = *old;
		kept++;
	}
	*dropped = shard->count - kept;
	free(shard->slots);
	shard->slots = slots;
	shard->capacity = capacity;
	shard->count = kept;
	return 0;
}

int revocation_table_raise(struct revocation_table *table, const char *subject, int64_t valid_from_ms)
{
	size_t length = strlen(subject);
	if (length == 0 || length > REVOCATION_SUBJECT_MAX)
		return -1;
	uint64_t hash;
	struct revocation_shard *shard = shard_of(table, subject, length, &hash);
	int status = 0;
	pthread_mutex_lock(&shard->lock);
	if ((shard->count + 1) * 2 > shard->capacity) {
		size_t dropped = 0;
		size_t capacity = shard->capacity == 0 ? REVOCATION_SHARD_MIN_SLOTS : shard->capacity * 2;
		status = rebuild(shard, capacity, INT64_MIN, &dropped);
	}
	if (status == 0) {
		struct revocation_slot *slot = probe(shard->slots, shard->capacity, hash, subject, length);
		if (slot->subject[0] == '\0') {
			memcpy(slot->subject, subject, length + 1);
			slot->valid_from_ms = valid_from_ms;
			shard->count++;
			atomic_fetch_add(&table->count, 1);
		} else if (slot->valid_from_ms < valid_from_ms) {
			slot->valid_from_ms = valid_from_ms;
		}
	}
	pthread_mutex_unlock(&shard->lock);
	return status;
}

int64_t revocation_table_get(struct revocation_table *table, const char *subject)
{
	if (atomic_load_explicit(&table->count, memory_order_relaxed) == 0)
		return 0;
	size_t length = strlen(subject);
	if (length == 0 || length > REVOCATION_SUBJECT_MAX)
		return 0;
	uint64_t hash;
	struct revocation_shard *shard = shard_of(table, subject, length, &hash);
	int64_t stamp = 0;
	pthread_mutex_lock(&shard->lock);
	if (shard->capacity > 0) {
		const struct revocation_slot *slot = probe(shard->slots, shard->capacity, hash, subject, length);
		if (slot->subject[0] != '\0')
			stamp = slot->valid_from_ms;
	}
	pthread_mutex_unlock(&shard->lock);
	return stamp;
}

bool revocation_table_refuses(struct revocation_table *table, const char *subject, int64_t issued_ms)
{
	int64_t stamp = revocation_table_get(table, subject);
	return stamp != 0 && issued_ms < stamp;
}

size_t revocation_table_prune(struct revocation_table *table, int64_t cutoff_ms)
{
	size_t total = 0;
	for (int i = 0; i < REVOCATION_SHARDS; i++) {
		struct revocation_shard *shard = &table->shards[i];
		pthread_mutex_lock(&shard->lock);
		bool any = false;
		for (size_t slot = 0; slot < shard->capacity && !any; slot++)
			any = shard->slots[slot].subject[0] != '\0' && shard->slots[slot].valid_from_ms <= cutoff_ms;
		size_t dropped = 0;
		if (any && rebuild(shard, shard->capacity, cutoff_ms, &dropped) == 0 && dropped > 0) {
			atomic_fetch_sub(&table->count, dropped);
			total += dropped;
		}
		pthread_mutex_unlock(&shard->lock);
	}
	return total;
}

size_t revocation_table_count(struct revocation_table *table)
{
	return atomic_load(&table->count);
}
