/* The signing keys a node knows: the current key, which signs new tokens, and retired keys that
 * still verify the tokens they signed until those expire. Either from the database (the first key
 * is created on first start; `camfleet admin rotate-signing-key` adds a new current key, and
 * signing_keys_refresh picks it up) or from a key file (--signing-key-file: that key alone; the
 * database's keys are not trusted then). Safe from any thread. */
#ifndef CAMFLEET_AUTH_SIGNING_KEYS_H
#define CAMFLEET_AUTH_SIGNING_KEYS_H

#include <jansson.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct signing_keys;

#define SIGNING_KEY_ID_SIZE 64

/* The database's keys, creating the first one when there is none. A retired key is kept until
 * retention_seconds after its retirement (the longest token lifetime plus a margin). NULL (logged)
 * on failure. Free with signing_keys_free(). */
struct signing_keys *signing_keys_from_store(struct store *store, unsigned retention_seconds);
/* The key in the PEM file at path: an EC P-256 private key in a regular file that neither group
 * nor others may read or write (mode 0600 or stricter). NULL with the reason in error otherwise. */
struct signing_keys *signing_keys_from_file(const char *path, char *error, size_t error_size);
void signing_keys_free(struct signing_keys *keys);

/* The current key, a new reference the caller releases with EVP_PKEY_free(), and its kid. */
EVP_PKEY *signing_keys_current(struct signing_keys *keys, char kid[SIGNING_KEY_ID_SIZE]);
/* The key whose kid is kid, a new reference the caller releases; NULL when it is unknown (never
 * ours, or retired longer than the retention). */
EVP_PKEY *signing_keys_find(struct signing_keys *keys, const char *kid);
/* {"keys": [...]}: the public JWK of every key known, the current one first; a new reference. */
json_t *signing_keys_jwks(struct signing_keys *keys);
/* Database keys only (a no-op for a key file): reloads the keys when the current kid in the
 * store is not ours, and forgets retired keys past the retention. 0, or -1 when the store failed
 * (the keys known stay in use). */
int signing_keys_refresh(struct signing_keys *keys, int64_t now);

/* `camfleet admin rotate-signing-key`: creates a new P-256 key and makes it the store's current key
 * (kid: its RFC 7638 thumbprint, into new_kid), retiring the current one (its kid into old_kid,
 * "" when there was none) and forgetting keys retired before forget_before. Running servers pick
 * the change up by polling (and at once on PostgreSQL by the "keys rotated" message, which the
 * caller publishes). STORE_OK, STORE_CONFLICT when another rotation ran at the same moment, or
 * the store's failure. */
enum store_result signing_keys_rotate(struct store *store, int64_t now, int64_t forget_before,
                                      char new_kid[SIGNING_KEY_ID_SIZE], char old_kid[SIGNING_KEY_ID_SIZE])
    __attribute__((warn_unused_result));

/* PEM texts of key: its private part and its public part (malloc'd; the caller frees). NULL when
 * out of memory. Shared with `camfleet admin rotate-signing-key`. */
char *signing_key_private_pem(EVP_PKEY *key);
char *signing_key_public_pem(EVP_PKEY *key);

#endif
