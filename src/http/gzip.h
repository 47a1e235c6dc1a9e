/* gzip content coding (zlib) for large answers: whether a client's Accept-Encoding takes gzip,
 * a whole body compressed at once, and a streamed body compressed as it is produced. */
#ifndef CAMFLEET_HTTP_GZIP_H
#define CAMFLEET_HTTP_GZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Bodies shorter than this go out as they are: compressing them saves less than it costs. */
#define GZIP_MIN_BYTES 1024

/* Whether an Accept-Encoding header value (NULL: none) accepts gzip: a "gzip" (or "x-gzip")
 * coding, or "*", whose q-value is not 0. Pure. */
bool gzip_accepted(const char *accept_encoding);

/* data compressed as a gzip member (malloc'd, its length in *out_length); NULL when out of memory
 * or when the result would not be smaller. */
char *gzip_compress(const void *data, size_t length, size_t *out_length);

/* A streamed body's compressor: it reads the plain text from a producer, a stream function of
 * http/reply.h (returning bytes, or its END/ERROR values, passed in as end and error). Each costs
 * about 64 KiB while its answer is being sent; at most GZIP_STREAMS_MAX exist at once (32 MiB), so
 * many slow readers of large lists cannot hold memory without bound: past it, answers go out plain. */
#define GZIP_STREAMS_MAX 512
struct gzip_stream;
typedef ssize_t (*gzip_source_fn)(void *context, uint64_t position, char *buffer, size_t max);
/* NULL when GZIP_STREAMS_MAX compressors exist already, or when out of memory. */
struct gzip_stream *gzip_stream_new(gzip_source_fn source, void *source_context, ssize_t end, ssize_t error);
/* The next compressed bytes into buffer (at most max): their count, or end / error. */
ssize_t gzip_stream_read(struct gzip_stream *stream, char *buffer, size_t max);
/* Frees the compressor (not the source's context). NULL is ignored. */
void gzip_stream_free(struct gzip_stream *stream);

#endif
