/* JSON Web Tokens signed with ES256 (ECDSA P-256, SHA-256) on OpenSSL: compact serialisation,
 * signing and strict verification. No I/O and no shared state: safe from any thread. */
#ifndef CAMFLEET_AUTH_JWT_H
#define CAMFLEET_AUTH_JWT_H

#include <jansson.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/tokens.h"

#define JWT_MAX_LENGTH 4096

/* Signs claims with key (a P-256 private key) under header {"alg":"ES256","typ":"JWT","kid":kid};
 * returns a malloc'd compact token the caller frees, or NULL. */
char *jwt_sign_es256(EVP_PKEY *key, const char *kid, json_t *claims);

/* Verifies a compact token: header alg must be exactly ES256 and kid (when present) equal
 * expected_kid; the signature must verify with key; exp must be a number after now; iss must
 * equal issuer and aud equal (or contain) audience. On TOKEN_OK, *claims_out receives the
 * claims (a new reference the caller releases). */
enum token_result jwt_verify_es256(EVP_PKEY *key, const char *expected_kid, const char *token, size_t length,
                                   int64_t now, const char *issuer, const char *audience, json_t **claims_out);

/* The kid of a compact token's header, into kid (size bytes): 0 ("" when the header has none), or
 * -1 when the header is not base64url JSON or its kid is not a string shorter than size. Only
 * picks the verification key: jwt_verify_es256 still checks the whole header. */
int jwt_header_kid(const char *token, size_t length, char *kid, size_t size) __attribute__((warn_unused_result));

/* The RFC 7638 thumbprint of key's public part, base64url (43 chars) into out (64 bytes). */
int jwt_key_thumbprint(EVP_PKEY *key, char out[64]) __attribute__((warn_unused_result));
/* The public JWK of key: {"kty":"EC","crv":"P-256","x","y","kid","use":"sig","alg":"ES256"}. */
json_t *jwt_public_jwk(EVP_PKEY *key, const char *kid);

#endif
