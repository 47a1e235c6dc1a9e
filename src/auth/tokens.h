/* Access tokens: ES256-signed JWTs issued by this server. The signing keys are kept in the store
 * (created on first start, rotated by `camfleet admin rotate-signing-key`), so every node of a
 * deployment shares them, or read from a key file. Verification pins the algorithm, picks the key
 * by the header's kid and checks signature, expiry, issuer and audience; results are cached per
 * token until it expires, so a token costs one signature check in its lifetime on each node.
 * Every use also compares the token's issue time (milliseconds) with its subject's revocation
 * stamp: deleting a user or client, or changing a user's role or password, ends its older tokens
 * on every node within a second (auth/token_sync.c). */
#ifndef CAMFLEET_AUTH_TOKENS_H
#define CAMFLEET_AUTH_TOKENS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/principal.h"

struct store;
struct store_bus;
struct token_service;

/* The private claim carrying the issue time in milliseconds (iat has only seconds). */
#define TOKEN_CLAIM_ISSUED_MS "iat_ms"

enum token_result {
	TOKEN_OK = 0,
	TOKEN_MALFORMED = -1,      /* not three base64url parts of JSON */
	TOKEN_BAD_ALGORITHM = -2,  /* header alg is not ES256 (alg none included) or kid unknown */
	TOKEN_BAD_SIGNATURE = -3,  /* signature does not verify */
	TOKEN_EXPIRED = -4,        /* exp in the past (or missing) */
	TOKEN_WRONG_AUDIENCE = -5, /* iss or aud not ours */
	TOKEN_BAD_CLAIMS = -6,     /* sub/role missing or of the wrong type */
	TOKEN_INTERNAL = -7,       /* crypto library failure */
	TOKEN_REVOKED = -8         /* issued before its subject was deleted or changed */
};

/* Loads the signing keys from signing_key_file (PEM EC P-256, mode 0600 or stricter) or, when it
 * is NULL or "", from the store (creating the first key if none exists); loads the revocation
 * stamps and starts keeping both in step (bus may be NULL in a tool). Returns NULL (logged with
 * the reason) on failure. Free with token_service_free(). */
struct token_service *token_service_new(struct store *store, struct store_bus *bus, const char *issuer,
                                        const char *audience, unsigned ttl_seconds, const char *signing_key_file);
void token_service_free(struct token_service *service);

/* Issues a token for principal (role, kind, subject, organisation); writes a malloc'd token
 * the caller frees into *token_out and its lifetime into *expires_in. */
enum token_result token_issue(struct token_service *service, const struct principal *principal, char **token_out,
                              unsigned *expires_in) __attribute__((warn_unused_result));
/* Verifies token (length bytes) and fills principal; TOKEN_OK or the reason it was refused. */
enum token_result token_verify(struct token_service *service, const char *token, size_t length,
                               struct principal *principal) __attribute__((warn_unused_result));
/* For a write on a database several nodes share (store capability shared_by_nodes): confirms with
 * the database that the principal's subject (a user or a non-device client) was not revoked after
 * its token was issued, so that a revocation another node answered refuses the write at once,
 * before its message arrives here (one indexed read). TOKEN_OK at once elsewhere and for device
 * tokens (bound to their credentials instead); TOKEN_REVOKED (now refused here too); TOKEN_INTERNAL
 * when the database cannot tell. */
enum token_result token_confirm_current(struct token_service *service, const struct principal *principal)
    __attribute__((warn_unused_result));
/* The stamp to write with a change that ends a subject's tokens (store.h: tokens_valid_from_ms):
 * every token issued up to now is refused, every later one accepted. */
int64_t token_revocation_stamp(void);
/* After such a change committed: refuses the subject's tokens issued before valid_from_ms on this
 * node at once and tells the other nodes. */
void token_revoke_subject(struct token_service *service, const char *subject, int64_t valid_from_ms);
/* The JWKS document {"keys": [...]}: the current key and the retired ones still verifying; a new
 * reference. */
json_t *token_jwks(struct token_service *service);
/* A short human-readable reason for a verification result. */
const char *token_result_text(enum token_result result);

#endif
