/* Sharded, 4-way set-associative cache of verified tokens: a token may sit in any of the four
 * ways of its set, so a fleet of device tokens does not thrash on slot collisions; a full set
 * gives up the token that expires first. */
#include "auth/token_cache.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_CACHE_SHARDS 16
#define TOKEN_CACHE_WAYS   4

struct token_cache_entry {
	char *token; /* malloc'd copy, NULL when empty */
	size_t length;
	uint64_t hash;
	struct principal principal;
};

struct token_cache {
	size_t set_mask;
	struct token_cache_entry *entries; /* set i is entries[i * WAYS .. i * WAYS + WAYS - 1] */
	pthread_mutex_t shards[TOKEN_CACHE_SHARDS];
};

/* FNV-1a over the token's last 64 bytes (its signature: random, so they spread tokens well):
 * cheap, and a collision only costs a cache miss, since lookups compare the whole token. */
static uint64_t token_hash(const char *token, size_t length)
{
	uint64_t hash = 1469598103934665603ull ^ length;
	for (size_t i = length > 64 ? length - 64 : 0; i < length; i++) {
		hash ^= (unsigned char)token[i];
		hash *= 1099511628211ull;
	}
	return hash;
}

struct token_cache *token_cache_new(size_t slots)
{
	size_t sets = 16;
	while (sets * TOKEN_CACHE_WAYS < slots)
		sets <<= 1;
	struct token_cache *cache = calloc(1, sizeof(*cache));
	if (cache == NULL)
		return NULL;
	cache->entries = calloc(sets * TOKEN_CACHE_WAYS, sizeof(*cache->entries));
	if (cache->entries == NULL) {
		free(cache);
		return NULL;
	}
	cache->set_mask = sets - 1;
	for (int i = 0; i < TOKEN_CACHE_SHARDS; i++) {
		if (pthread_mutex_init(&cache->shards[i], NULL) != 0) {
			while (i-- > 0)
				pthread_mutex_destroy(&cache->shards[i]);
			free(cache->entries);
			free(cache);
			return NULL;
		}
	}
	return cache;
}

void token_cache_free(struct token_cache *cache)
{
	if (cache == NULL)
		return;
	for (size_t i = 0; i < (cache->set_mask + 1) * TOKEN_CACHE_WAYS; i++)
		free(cache->entries[i].token);
	for (int i = 0; i < TOKEN_CACHE_SHARDS; i++)
		pthread_mutex_destroy(&cache->shards[i]);
	free(cache->entries);
	free(cache);
}

/* The first way of the token's set, and the lock guarding it. */
static struct token_cache_entry *set_of(struct token_cache *cache, uint64_t hash, pthread_mutex_t **lock)
{
	size_t set = hash & cache->set_mask;
	*lock = &cache->shards[set % TOKEN_CACHE_SHARDS];
	return &cache->entries[set * TOKEN_CACHE_WAYS];
}

static bool holds(const struct token_cache_entry *entry, const char *token, size_t length, uint64_t hash)
{
	return entry->token != NULL && entry->hash == hash && entry->length == length &&
	       CRYPTO_memcmp(entry->token, token, length) == 0;
}

bool token_cache_lookup(struct token_cache *cache, const char *token, size_t length, int64_t now, struct principal *out)
{
	uint64_t hash = token_hash(token, length);
	pthread_mutex_t *lock;
	struct token_cache_entry *set = set_of(cache, hash, &lock);
	bool found = false;
	char *expired = NULL;
	pthread_mutex_lock(lock);
	for (int way = 0; way < TOKEN_CACHE_WAYS; way++) {
		struct token_cache_entry *entry = &set[way];
		if (!holds(entry, token, length, hash))
			continue;
		if (entry->principal.expires_at > now) {
			*out = entry->principal;
			found = true;
		} else {
			expired = entry->token;
			entry->token = NULL;
		}
		break;
	}
	pthread_mutex_unlock(lock);
	free(expired);
	return found;
}

void token_cache_store(struct token_cache *cache, const char *token, size_t length, const struct principal *principal)
{
	char *copy = malloc(length);
	if (copy == NULL)
		return; /* not cached: the next request verifies again */
	memcpy(copy, token, length);
	uint64_t hash = token_hash(token, length);
	pthread_mutex_t *lock;
	struct token_cache_entry *set = set_of(cache, hash, &lock);
	pthread_mutex_lock(lock);
	/* The way already holding this token, else an empty one, else the one expiring first. */
	struct token_cache_entry *chosen = NULL;
	for (int way = 0; way < TOKEN_CACHE_WAYS && chosen == NULL; way++)
		if (holds(&set[way], token, length, hash))
			chosen = &set[way];
	for (int way = 0; way < TOKEN_CACHE_WAYS && chosen == NULL; way++)
		if (set[way].token == NULL)
			chosen = &set[way];
	if (chosen == NULL) {
		chosen = &set[0];
		for (int way = 1; way < TOKEN_CACHE_WAYS; way++)
			if (set[way].principal.expires_at < chosen->principal.expires_at)
				chosen = &set[way];
	}
	char *evicted = chosen->token;
	chosen->token = copy;
	chosen->length = length;
	chosen->hash = hash;
	chosen->principal = *principal;
	pthread_mutex_unlock(lock);
	free(evicted);
}
