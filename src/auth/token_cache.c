/* Direct-mapped, sharded cache of verified tokens. */
#include "auth/token_cache.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_CACHE_SHARDS 16

struct token_cache_entry {
	char *token; /* malloc'd copy, NULL when empty */
	size_t length;
	uint64_t hash;
	struct principal principal;
};

struct token_cache {
	size_t mask;
	struct token_cache_entry *entries;
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
	size_t size = 64;
	while (size < slots)
		size <<= 1;
	struct token_cache *cache = calloc(1, sizeof(*cache));
	if (cache == NULL)
		return NULL;
	cache->entries = calloc(size, sizeof(*cache->entries));
	if (cache->entries == NULL) {
		free(cache);
		return NULL;
	}
	cache->mask = size - 1;
	for (int i = 0; i < TOKEN_CACHE_SHARDS; i++)
		pthread_mutex_init(&cache->shards[i], NULL);
	return cache;
}

void token_cache_free(struct token_cache *cache)
{
	if (cache == NULL)
		return;
	for (size_t i = 0; i <= cache->mask; i++)
		free(cache->entries[i].token);
	for (int i = 0; i < TOKEN_CACHE_SHARDS; i++)
		pthread_mutex_destroy(&cache->shards[i]);
	free(cache->entries);
	free(cache);
}

bool token_cache_lookup(struct token_cache *cache, const char *token, size_t length, int64_t now,
			struct principal *out)
{
	uint64_t hash = token_hash(token, length);
	size_t slot = hash & cache->mask;
	pthread_mutex_t *lock = &cache->shards[slot % TOKEN_CACHE_SHARDS];
	bool found = false;
	pthread_mutex_lock(lock);
	struct token_cache_entry *entry = &cache->entries[slot];
	if (entry->token != NULL && entry->hash == hash && entry->length == length &&
	    CRYPTO_memcmp(entry->token, token, length) == 0) {
		if (entry->principal.expires_at > now) {
			*out = entry->principal;
			found = true;
		} else {
			free(entry->token);
			entry->token = NULL;
		}
	}
	pthread_mutex_unlock(lock);
	return found;
}

void token_cache_store(struct token_cache *cache, const char *token, size_t length, const struct principal *principal)
{
	char *copy = malloc(length);
	if (copy == NULL)
		return; /* not cached: the next request verifies again */
	memcpy(copy, token, length);
	uint64_t hash = token_hash(token, length);
	size_t slot = hash & cache->mask;
	pthread_mutex_t *lock = &cache->shards[slot % TOKEN_CACHE_SHARDS];
	pthread_mutex_lock(lock);
	struct token_cache_entry *entry = &cache->entries[slot];
	char *evicted = entry->token;
	entry->token = copy;
	entry->length = length;
	entry->hash = hash;
	entry->principal = *principal;
	pthread_mutex_unlock(lock);
	free(evicted);
}
