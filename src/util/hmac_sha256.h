/* HMAC-SHA-256 on OpenSSL's EVP_MAC, the algorithm fetched once for the process: what webhook
 * signatures and the keyed hashes of generated secrets are both made of. */
#ifndef CAMFLEET_UTIL_HMAC_SHA256_H
#define CAMFLEET_UTIL_HMAC_SHA256_H

#include <stdbool.h>
#include <stddef.h>

#define HMAC_SHA256_BYTES 32

/* The MAC under key of first followed by second (second may be NULL with length 0) into out;
 * false when OpenSSL fails. */
bool hmac_sha256(const void *key, size_t key_length, const void *first, size_t first_length, const void *second,
                 size_t second_length, unsigned char out[HMAC_SHA256_BYTES]) __attribute__((warn_unused_result));

#endif
