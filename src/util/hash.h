/* The hashes of the in-memory tables: FNV-1a, 64 bits, of a NUL-terminated string or of bytes, and
 * a seeded variant for tables a client can fill. */
#ifndef CAMFLEET_UTIL_HASH_H
#define CAMFLEET_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t hash_string(const char *text)
{
	uint64_t hash = 1469598103934665603ull;
	for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
		hash ^= *p;
		hash *= 1099511628211ull;
	}
	return hash;
}

/* FNV-1a, 64 bits, of length bytes. */
static inline uint64_t hash_bytes(const void *data, size_t length)
{
	uint64_t hash = 1469598103934665603ull;
	const unsigned char *bytes = data;
	for (size_t i = 0; i < length; i++) {
		hash ^= bytes[i];
		hash *= 1099511628211ull;
	}
	return hash;
}

/* A seeded 64-bit hash of length bytes (FNV-1a then a final mix), never 0: the keys of tables a
 * client can fill, where an unpredictable seed keeps chosen keys from piling into one group. */
static inline uint64_t hash_bytes_seeded(uint64_t seed, const void *data, size_t length)
{
	uint64_t hash = 1469598103934665603ull ^ seed;
	const unsigned char *bytes = data;
	for (size_t i = 0; i < length; i++) {
		hash ^= bytes[i];
		hash *= 1099511628211ull;
	}
	hash ^= hash >> 33;
	hash *= 0xff51afd7ed558ccdull;
	hash ^= hash >> 33;
	hash *= 0xc4ceb9fe1a85ec53ull;
	hash ^= hash >> 33;
	return hash != 0 ? hash : 1;
}

#endif
