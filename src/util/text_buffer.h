/* A growing text buffer for documents assembled piece by piece (the /metrics exposition). */
#ifndef CAMFLEET_UTIL_TEXT_BUFFER_H
#define CAMFLEET_UTIL_TEXT_BUFFER_H

#include <stdbool.h>
#include <stddef.h>

struct text_buffer {
	char *data; /* malloc'd, NUL-terminated once anything is appended */
	size_t length, capacity;
	bool failed; /* an allocation failed: later appends do nothing, text_buffer_finish gives NULL */
};

#define TEXT_BUFFER_INIT                                                                                               \
	{                                                                                                              \
		NULL, 0, 0, false                                                                                      \
	}

/* Appends printf-formatted text, growing the buffer as needed. */
void text_buffer_append(struct text_buffer *buffer, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* Hands over the text (the caller frees it) and its length; NULL when an append failed or none
 * was made. The buffer is empty afterwards. */
char *text_buffer_finish(struct text_buffer *buffer, size_t *length);

#endif
