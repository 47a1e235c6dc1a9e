/* FNV-1a, 64 bits, of a NUL-terminated string: the hash of the in-memory tables keyed by id. */
#ifndef CAMFLEET_UTIL_HASH_H
#define CAMFLEET_UTIL_HASH_H

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

#endif
