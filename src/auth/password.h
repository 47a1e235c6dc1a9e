/* Secrets at rest: argon2id hashing and verification of user passwords (and checks of client
 * secrets still stored as argon2id hashes by earlier versions), and generation of random client
 * secrets, which are stored as keyed hashes (auth/secret_keys.h). Every hash and check passes the
 * argon2 gate (auth/password_gate.h): when no turn comes free in time they answer PASSWORD_BUSY. */
#ifndef CAMFLEET_AUTH_PASSWORD_H
#define CAMFLEET_AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_HASH_SIZE 160
#define CLIENT_SECRET_SIZE 48

/* password_hash's answer when the argon2 gate had no turn free in time (the caller answers 503). */
#define PASSWORD_BUSY (-2)

enum password_check {
	PASSWORD_MATCH,
	PASSWORD_MISMATCH,
	PASSWORD_CHECK_BUSY,   /* the argon2 gate had no turn free in time: nothing was checked */
	PASSWORD_CHECK_FAILED, /* argon2 could not check (out of memory, a malformed stored hash): logged */
};

/* Hashes secret with argon2id and a fresh random salt into out (encoded PHC string); 0, -1 on
 * failure, or PASSWORD_BUSY. */
int password_hash(const char *secret, char out[PASSWORD_HASH_SIZE]) __attribute__((warn_unused_result));
/* Whether secret matches the encoded argon2id hash. */
enum password_check password_check(const char *encoded_hash, const char *secret) __attribute__((warn_unused_result));
/* Writes a fresh random secret (256 bits, base64url, 43 chars) into out. */
int password_generate_secret(char out[CLIENT_SECRET_SIZE]) __attribute__((warn_unused_result));

#endif
