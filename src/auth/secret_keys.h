/* The server-side keys of the keyed secret hashes (auth/secret_mac.h), kept in the database so that
 * every node of a PostgreSQL deployment shares them: read once at start, the first created by
 * whichever node starts first. The current key hashes new secrets; every key read checks the hashes
 * made with it. Read-only once loaded, so safe from any thread without a lock. */
#ifndef CAMFLEET_AUTH_SECRET_KEYS_H
#define CAMFLEET_AUTH_SECRET_KEYS_H

#include "auth/secret_mac.h"
#include "store/store.h"

struct secret_keys;

/* The database's keys, creating the first one (32 random bytes) when there is none. NULL (logged)
 * on failure. Free with secret_keys_free(). */
struct secret_keys *secret_keys_from_store(struct store *store);
void secret_keys_free(struct secret_keys *keys);

/* The stored form of a generated secret under the current key; 0, or -1 when OpenSSL fails. */
int secret_keys_hash(const struct secret_keys *keys, const char *secret, char out[SECRET_MAC_HASH_SIZE])
    __attribute__((warn_unused_result));
/* Checks secret against stored, a keyed hash: SECRET_MAC_MATCH, SECRET_MAC_MISMATCH (also for a
 * key this node does not know, after as much work as a real check), SECRET_MAC_MALFORMED for a
 * hash not in the keyed form, or SECRET_MAC_CHECK_ERROR. */
enum secret_mac_check secret_keys_check(const struct secret_keys *keys, const char *stored, const char *secret)
    __attribute__((warn_unused_result));
/* The check of a secret given for a client that does not exist: the same work as a wrong secret
 * (one MAC under the current key), always SECRET_MAC_MISMATCH, so that the answer's timing tells
 * no unknown client from a wrong secret. */
enum secret_mac_check secret_keys_check_nothing(const struct secret_keys *keys, const char *secret);

#endif
