/* A growing text buffer (util/text_buffer.h). */
#include "util/text_buffer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define TEXT_BUFFER_FIRST_CAPACITY 16384

void text_buffer_append(struct text_buffer *buffer, const char *format, ...)
{
	if (buffer->failed)
		return;
	for (;;) {
		va_list args;
		va_start(args, format);
		int n = vsnprintf(buffer->data != NULL ? buffer->data + buffer->length : NULL,
		                  buffer->capacity - buffer->length, format, args);
		va_end(args);
		if (n < 0) {
			buffer->failed = true;
			return;
		}
		if (buffer->data != NULL && (size_t)n < buffer->capacity - buffer->length) {
			buffer->length += (size_t)n;
			return;
		}
		size_t capacity = buffer->capacity * 2 + (size_t)n + 1;
		if (capacity < TEXT_BUFFER_FIRST_CAPACITY)
			capacity = TEXT_BUFFER_FIRST_CAPACITY;
		char *grown = realloc(buffer->data, capacity);
		if (grown == NULL) {
			buffer->failed = true;
			return;
		}
		buffer->data = grown;
		buffer->capacity = capacity;
	}
}

char *text_buffer_finish(struct text_buffer *buffer, size_t *length)
{
	char *text = buffer->failed ? NULL : buffer->data;
	if (text == NULL)
		free(buffer->data);
	*length = text != NULL ? buffer->length : 0;
	*buffer = (struct text_buffer)TEXT_BUFFER_INIT;
	return text;
}
