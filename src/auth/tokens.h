/* Access tokens: ES256-signed JWTs issued by this server. The signing key is created on first
 * start and kept in the store, so every node of a deployment shares it. Verification pins the
 * algorithm and checks signature, expiry, issuer and audience; results are cached per token
 * until it expires, so a token costs one signature check in its lifetime on each node. */
#ifndef CAMFLEET_AUTH_TOKENS_H
#define CAMFLEET_AUTH_TOKENS_H

#include <jansson.h>
#include <stddef.h>

#include "auth/principal.h"

struct store;
struct token_service;

enum token_result {
	TOKEN_OK = 0,
	TOKEN_MALFORMED = -1,      /* not three base64url parts of JSON */
	TOKEN_BAD_ALGORITHM = -2,  /* header alg is not ES256 (alg none included) or kid unknown */
	TOKEN_BAD_SIGNATURE = -3,  /* signature does not verify */
	TOKEN_EXPIRED = -4,        /* exp in the past (or missing) */
	TOKEN_WRONG_AUDIENCE = -5, /* iss or aud not ours */
	TOKEN_BAD_CLAIMS = -6,     /* sub/role missing or of the wrong type */
	TOKEN_INTERNAL = -7        /* crypto library failure */
};

/* Loads the signing key from the store, creating and storing one if none exists.
 * Returns NULL (logged) on failure. Free with token_service_free(). */
struct token_service *token_service_new(struct store *store, const char *issuer, const char *audience,
					unsigned ttl_seconds);
void token_service_free(struct token_service *service);

/* Issues a token for principal (role, kind, subject, organisation); writes a malloc'd token
 * the caller frees into *token_out and its lifetime into *expires_in. */
enum token_result token_issue(struct token_service *service, const struct principal *principal, char **token_out,
			      unsigned *expires_in) __attribute__((warn_unused_result));
/* Verifies token (length bytes) and fills principal; TOKEN_OK or the reason it was refused. */
enum token_result token_verify(struct token_service *service, const char *token, size_t length,
			       struct principal *principal) __attribute__((warn_unused_result));
/* The JWKS document {"keys": [...]} publishing the public key; a new reference. */
json_t *token_jwks(struct token_service *service);
/* A short human-readable reason for a verification result. */
const char *token_result_text(enum token_result result);

#endif
