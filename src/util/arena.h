/* Per-request memory arena: many small allocations, one release when the request ends.
 * Nothing allocated from an arena is freed individually; arena_release() frees it all. */
#ifndef CAMFLEET_UTIL_ARENA_H
#define CAMFLEET_UTIL_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head; /* newest chunk first */
	char inline_buffer[2048]; /* first allocations come from here: most requests never malloc */
	size_t inline_used;
};

/* Prepares an empty arena (no allocation happens here). */
void arena_init(struct arena *arena);
/* Returns size bytes aligned for any type, or NULL when memory is exhausted. */
void *arena_alloc(struct arena *arena, size_t size);
/* Copies length bytes of text into the arena and NUL-terminates it; NULL on exhaustion. */
char *arena_strndup(struct arena *arena, const char *text, size_t length);
/* Copies a NUL-terminated string into the arena; NULL on exhaustion. */
char *arena_strdup(struct arena *arena, const char *text);
/* Formats like snprintf into fresh arena memory; NULL on exhaustion. */
char *arena_printf(struct arena *arena, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* Frees every allocation made from the arena; it may be reused after arena_init(). */
void arena_release(struct arena *arena);

#endif
