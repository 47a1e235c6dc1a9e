/* log_escape: one pass over the input, remembering the last whole escape after which the
 * truncation marker would still fit, to cut there when the rest does not (see log_escape.h). */
#include "util/log_escape.h"

#include <string.h>

/* The escape of byte c into piece (at most 4 bytes); returns its length. */
static size_t escape_byte(unsigned char c, char piece[4])
{
	static const char hex[] = "0123456789abcdef";
	switch (c) {
	case '\\':
	case '"':
		piece[0] = '\\';
		piece[1] = (char)c;
		return 2;
	case '\n': memcpy(piece, "\\n", 2); return 2;
	case '\r': memcpy(piece, "\\r", 2); return 2;
	case '\t': memcpy(piece, "\\t", 2); return 2;
	default: break;
	}
	if (c >= 0x20 && c < 0x7f) {
		piece[0] = (char)c;
		return 1;
	}
	piece[0] = '\\';
	piece[1] = 'x';
	piece[2] = hex[c >> 4];
	piece[3] = hex[c & 0xf];
	return 4;
}

const char *log_escape(const char *text, char *out, size_t out_size)
{
	const size_t marker = sizeof(LOG_ESCAPE_TRUNCATED) - 1;
	if (out_size <= marker) { /* below the documented minimum: nothing fits */
		if (out_size > 0)
			out[0] = '\0';
		return out;
	}
	if (text == NULL)
		text = "-";
	size_t used = 0;
	size_t cut = 0; /* the longest output, at a whole escape, that leaves room for the marker */
	for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
		char piece[4];
		size_t length = escape_byte(*p, piece);
		if (used + length + 1 > out_size) { /* does not fit: back to the cut, then the marker */
			memcpy(out + cut, LOG_ESCAPE_TRUNCATED, marker);
			used = cut + marker;
			break;
		}
		memcpy(out + used, piece, length);
		used += length;
		if (used + marker + 1 <= out_size)
			cut = used;
	}
	out[used] = '\0';
	return out;
}
