/* Secrets at rest: argon2id hashing and verification of passwords and client secrets, and
 * generation of random client secrets. */
#ifndef CAMFLEET_AUTH_PASSWORD_H
#define CAMFLEET_AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_HASH_SIZE 160
#define CLIENT_SECRET_SIZE 48

/* Hashes secret with argon2id and a fresh random salt into out (encoded PHC string). */
int password_hash(const char *secret, char out[PASSWORD_HASH_SIZE]) __attribute__((warn_unused_result));
/* True when secret matches the encoded argon2id hash. */
bool password_verify(const char *encoded_hash, const char *secret);
/* Writes a fresh random secret (256 bits, base64url, 43 chars) into out. */
int password_generate_secret(char out[CLIENT_SECRET_SIZE]) __attribute__((warn_unused_result));

#endif
