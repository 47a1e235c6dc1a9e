/* UTF-8 well-formedness by the table of RFC 3629 section 4. */
#include "util/utf8.h"

#include <stdbool.h>

/* Length of the well-formed sequence at s, or 0 when the byte at s does not start one. */
static size_t sequence_length(const unsigned char *s)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t length;
	unsigned char low = 0x80, high = 0xbf;
	if (c >= 0xc2 && c <= 0xdf) {
		length = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		length = 3;
		if (c == 0xe0)
			low = 0xa0; /* no overlong forms */
		else if (c == 0xed)
			high = 0x9f; /* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		length = 4;
		if (c == 0xf0)
			low = 0x90;
		else if (c == 0xf4)
			high = 0x8f; /* nothing above U+10FFFF */
	} else {
		return 0;
	}
	if (s[1] < low || s[1] > high)
		return 0;
	for (size_t i = 2; i < length; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return length;
}

size_t utf8_sanitize(const char *text, char *out, size_t out_size)
{
	if (out_size == 0)
		return 0;
	const unsigned char *s = (const unsigned char *)text;
	size_t used = 0;
	while (*s != '\0') {
		size_t length = sequence_length(s);
		bool valid = length > 0;
		if (!valid)
			length = 1;
		if (used + length >= out_size)
			break;
		for (size_t i = 0; i < length; i++)
			out[used++] = valid ? (char)s[i] : '?';
		s += length;
	}
	out[used] = '\0';
	return used;
}
