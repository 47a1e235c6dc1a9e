/* Per-request memory arena: bump allocation from an inline buffer, then from malloc'd chunks. */
#include "util/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN     16
#define ARENA_CHUNK_MIN 8192

struct arena_chunk {
	struct arena_chunk *next;
	size_t capacity;
	size_t used;
	_Alignas(ARENA_ALIGN) char data[];
};

static size_t align_up(size_t size)
{
	return (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

void arena_init(struct arena *arena)
{
	arena->head = NULL;
	arena->inline_used = 0;
}

void *arena_alloc(struct arena *arena, size_t size)
{
	size_t need = align_up(size ? size : 1);
	if (arena->inline_used + need <= sizeof(arena->inline_buffer)) {
		void *p = arena->inline_buffer + arena->inline_used;
		arena->inline_used += need;
		return p;
	}
	struct arena_chunk *chunk = arena->head;
	if (chunk == NULL || chunk->used + need > chunk->capacity) {
		size_t capacity = need > ARENA_CHUNK_MIN ? need : ARENA_CHUNK_MIN;
		chunk = malloc(sizeof(*chunk) + capacity);
		if (chunk == NULL)
			return NULL;
		chunk->capacity = capacity;
		chunk->used = 0;
		chunk->next = arena->head;
		arena->head = chunk;
	}
	void *p = chunk->data + chunk->used;
	chunk->used += need;
	return p;
}

char *arena_strndup(struct arena *arena, const char *text, size_t length)
{
	char *copy = arena_alloc(arena, length + 1);
	if (copy == NULL)
		return NULL;
	memcpy(copy, text, length);
	copy[length] = '\0';
	return copy;
}

char *arena_strdup(struct arena *arena, const char *text)
{
	return arena_strndup(arena, text, strlen(text));
}

char *arena_printf(struct arena *arena, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	int length = vsnprintf(NULL, 0, format, args);
	va_end(args);
	if (length < 0)
		return NULL;
	char *out = arena_alloc(arena, (size_t)length + 1);
	if (out == NULL)
		return NULL;
	va_start(args, format);
	vsnprintf(out, (size_t)length + 1, format, args);
	va_end(args);
	return out;
}

void arena_release(struct arena *arena)
{
	struct arena_chunk *chunk = arena->head;
	while (chunk != NULL) {
		struct arena_chunk *next = chunk->next;
		free(chunk);
		chunk = next;
	}
	arena->head = NULL;
	arena->inline_used = 0;
}
