/* UTF-8 checks for text that came from the network and goes into JSON (which must be UTF-8). */
#ifndef CAMFLEET_UTIL_UTF8_H
#define CAMFLEET_UTIL_UTF8_H

#include <stddef.h>

/* Copies NUL-terminated text into out (out_size bytes, always NUL-terminated, truncated at a
 * character boundary), replacing every byte that is not part of a well-formed UTF-8 sequence
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) with '?'.
 * Returns the length written. */
size_t utf8_sanitize(const char *text, char *out, size_t out_size);

#endif
