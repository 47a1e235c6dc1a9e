/* A bounded cache of verified tokens: token text → principal, valid until the token expires.
 * Lookups compare the whole token in constant time; the table is sharded to keep lock
 * contention low. Memory is bounded by the slot count. */
#ifndef CAMFLEET_AUTH_TOKEN_CACHE_H
#define CAMFLEET_AUTH_TOKEN_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/principal.h"

struct token_cache;

/* Creates a cache with room for slots tokens (rounded up to a power of two, at least 64). */
struct token_cache *token_cache_new(size_t slots);
void token_cache_free(struct token_cache *cache);
/* True and *out filled when token is cached and its principal has not expired at now. */
bool token_cache_lookup(struct token_cache *cache, const char *token, size_t length, int64_t now,
                        struct principal *out);
/* Remembers a verified token (when its set is full, evicting the token there that expires
 * first); copies the token. */
void token_cache_store(struct token_cache *cache, const char *token, size_t length, const struct principal *principal);

#endif
