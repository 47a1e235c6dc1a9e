/* UUIDs as 36-character lowercase text: generation (random, version 4), validation, and the
 * 16-byte form for compact keeping. */
#ifndef CAMFLEET_UTIL_UUID_H
#define CAMFLEET_UTIL_UUID_H

#include <stdbool.h>

#define UUID_TEXT_LENGTH 36
#define UUID_BUFFER_SIZE 37

/* Writes a fresh random UUID into out (37 bytes); returns 0, or -1 if the RNG failed. */
int uuid_generate_text(char out[UUID_BUFFER_SIZE]) __attribute__((warn_unused_result));
/* True when text is a canonical 8-4-4-4-12 hexadecimal UUID (either case). */
bool uuid_is_valid(const char *text);
/* Copies a valid UUID into out in lowercase; returns false when text is not a UUID. */
bool uuid_normalize(const char *text, char out[UUID_BUFFER_SIZE]);
/* The 16 bytes of a valid UUID (either case), for compact keeping; false when text is not one. */
#define UUID_BYTES 16
bool uuid_to_bytes(const char *text, unsigned char out[UUID_BYTES]);
/* The lowercase text of 16 UUID bytes. */
void uuid_from_bytes(const unsigned char bytes[UUID_BYTES], char out[UUID_BUFFER_SIZE]);

#endif
