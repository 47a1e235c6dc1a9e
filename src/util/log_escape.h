/* Escaping of untrusted text (request paths, methods, header values) for log lines, so that a
 * client can never start a line of its own, end a quoted field or send terminal escapes. */
#ifndef CAMFLEET_UTIL_LOG_ESCAPE_H
#define CAMFLEET_UTIL_LOG_ESCAPE_H

#include <stddef.h>

/* Size of a buffer that holds any escaped value whose input fits in bytes (worst case: every
 * byte becomes \xHH), plus the NUL. */
#define LOG_ESCAPE_SIZE(bytes) ((bytes)*4 + 1)
/* Appended to an escaped value that did not fit its buffer. Read from the left, every backslash
 * of an escaped value starts an escape sequence (an input backslash is doubled), and only this
 * marker puts a dot after one: no input can forge it (an input "\..." is written "\\..."). */
#define LOG_ESCAPE_TRUNCATED "\\..."

/* Writes text (NULL: "-") into out (out_size bytes; at least 5 for anything to be written),
 * NUL-terminated, with `\` as `\\`, `"` as `\"`, newline, carriage return and tab as `\n` `\r`
 * `\t`, and every other byte below 0x20 or from 0x7f up as `\xHH`. When the result does not fit,
 * it is cut at a whole escape and ends with LOG_ESCAPE_TRUNCATED. Returns out. Allocates nothing. */
const char *log_escape(const char *text, char *out, size_t out_size);

#endif
