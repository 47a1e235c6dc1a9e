/* Refresh tokens of the password grant: opaque "<id>.<secret>" (a UUID to find the row, 256 random
 * bits base64url), the secret stored as a keyed hash (auth/secret_keys.h). A sign-in begins a
 * chain; each exchange rotates the token (single use) and keeps the chain; a used token presented
 * again revokes the whole chain. A chain ends with the user's tokens: a password or role change or
 * the user's deletion (store.h "Refresh tokens"). The text functions are pure; the rest talk to
 * the store. */
#ifndef CAMFLEET_AUTH_REFRESH_TOKENS_H
#define CAMFLEET_AUTH_REFRESH_TOKENS_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/password.h"
#include "auth/principal.h"
#include "store/entities.h"

struct secret_keys;
struct store;

/* "<36-character id>.<43-character secret>" and its NUL. */
#define REFRESH_TOKEN_SIZE (UUID_BUFFER_SIZE + CLIENT_SECRET_SIZE)

enum refresh_result {
	REFRESH_OK = 0,
	REFRESH_UNKNOWN = -1,      /* malformed, unknown, wrong secret or revoked (its chain or its user) */
	REFRESH_EXPIRED = -2,      /* older than its lifetime */
	REFRESH_REUSED = -3,       /* used before: its whole chain is now revoked */
	REFRESH_WRONG_CLIENT = -4, /* issued to another client_id (or to none, or without one) */
	REFRESH_UNAVAILABLE = -5,  /* the database did not answer: nothing changed */
	REFRESH_ERROR = -6,        /* the RNG, OpenSSL or the database failed */
};

/* What a sign-in or an exchange hands out. */
struct refresh_grant {
	char token[REFRESH_TOKEN_SIZE];
	int64_t expires_at; /* epoch seconds */
};

/* Splits text into its id (lowercase UUID) and secret; false when it is not of the token's form. */
bool refresh_token_parse(const char *text, char id[UUID_BUFFER_SIZE], char secret[CLIENT_SECRET_SIZE])
    __attribute__((warn_unused_result));

/* Begins a chain for user_id, signed in at started_ms with client_id ("" none), living
 * ttl_seconds: writes the first token into *out. REFRESH_UNKNOWN when the user is gone or its
 * tokens were revoked after started_ms. */
enum refresh_result refresh_token_begin(struct store *store, const struct secret_keys *keys, const char *user_id,
                                        const char *client_id, int64_t started_ms, unsigned ttl_seconds,
                                        struct refresh_grant *out) __attribute__((warn_unused_result));

/* Exchanges text, presented with client_id ("" none), for its successor (into *out, living
 * ttl_seconds) and fills *user with the user's row as it is now. On REFRESH_REUSED the chain is
 * revoked before returning. */
enum refresh_result refresh_token_exchange(struct store *store, const struct secret_keys *keys, const char *text,
                                           const char *client_id, unsigned ttl_seconds, struct refresh_grant *out,
                                           struct user *user) __attribute__((warn_unused_result));

/* A short text for a result, for logs and error descriptions. */
const char *refresh_result_text(enum refresh_result result);

#endif
