/* gzip content coding on zlib (see gzip.h). Level 1 and a 4 KiB window: the API's JSON repeats
 * its keys within every object, so a small window compresses nearly as well as a large one, and a
 * compressor costs about 48 KiB instead of 256 KiB. */
#include "http/gzip.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#define GZIP_LEVEL       1
#define GZIP_WINDOW_BITS (12 + 16) /* + 16: a gzip header and trailer instead of zlib's */
#define GZIP_MEMORY      6
#define SOURCE_BYTES     16384 /* plain text read from the producer at a time */

/* Whether the q parameter of one coding (text after its ';', up to end) says 0. */
static bool quality_zero(const char *parameters, const char *end)
{
	for (const char *p = parameters; p < end; p++) {
		if ((*p == 'q' || *p == 'Q') && p + 1 < end && p[1] == '=') {
			double q = strtod(p + 2, NULL);
			return q <= 0.0;
		}
	}
	return false;
}

bool gzip_accepted(const char *accept_encoding)
{
	if (accept_encoding == NULL)
		return false;
	const char *p = accept_encoding;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *start = p;
		while (*p != '\0' && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		size_t length = (size_t)(p - start);
		const char *coding_end = p;
		while (*p != '\0' && *p != ',')
			p++;
		bool gzip = (length == 4 && strncasecmp(start, "gzip", 4) == 0) ||
		            (length == 6 && strncasecmp(start, "x-gzip", 6) == 0) || (length == 1 && *start == '*');
		if (gzip && !quality_zero(coding_end, p))
			return true;
	}
	return false;
}

static bool deflate_start(z_stream *z)
{
	memset(z, 0, sizeof(*z));
	return deflateInit2(z, GZIP_LEVEL, Z_DEFLATED, GZIP_WINDOW_BITS, GZIP_MEMORY, Z_DEFAULT_STRATEGY) == Z_OK;
}

char *gzip_compress(const void *data, size_t length, size_t *out_length)
{
	if (length > UINT32_MAX)
		return NULL;
	z_stream z;
	if (!deflate_start(&z))
		return NULL;
	size_t bound = deflateBound(&z, (uLong)length);
	char *out = malloc(bound);
	if (out == NULL) {
		deflateEnd(&z);
		return NULL;
	}
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)length;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)bound;
	int rc = deflate(&z, Z_FINISH);
	size_t produced = bound - z.avail_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END || produced >= length) {
		free(out);
		return NULL;
	}
	*out_length = produced;
	return out;
}

/* Compressors alive now (any thread), bounded by GZIP_STREAMS_MAX. */
static atomic_uint streams_live;

static bool stream_slot_take(void)
{
	unsigned live = atomic_load(&streams_live);
	do {
		if (live >= GZIP_STREAMS_MAX)
			return false;
	} while (!atomic_compare_exchange_weak(&streams_live, &live, live + 1));
	return true;
}

static void stream_slot_give_back(void)
{
	atomic_fetch_sub(&streams_live, 1);
}

struct gzip_stream {
	gzip_source_fn source;
	void *source_context;
	ssize_t end, error;
	uint64_t source_position; /* plain bytes read from the source so far */
	bool source_done;         /* the source said end */
	bool finished;            /* the gzip trailer is out */
	z_stream z;
	char plain[SOURCE_BYTES];
};

struct gzip_stream *gzip_stream_new(gzip_source_fn source, void *source_context, ssize_t end, ssize_t error)
{
	if (!stream_slot_take())
		return NULL;
	struct gzip_stream *stream = malloc(sizeof(*stream));
	if (stream == NULL) {
		stream_slot_give_back();
		return NULL;
	}
	stream->source = source;
	stream->source_context = source_context;
	stream->end = end;
	stream->error = error;
	stream->source_position = 0;
	stream->source_done = stream->finished = false;
	if (!deflate_start(&stream->z)) {
		free(stream);
		stream_slot_give_back();
		return NULL;
	}
	return stream;
}

ssize_t gzip_stream_read(struct gzip_stream *stream, char *buffer, size_t max)
{
	if (stream->finished)
		return stream->end;
	z_stream *z = &stream->z;
	z->next_out = (Bytef *)buffer;
	z->avail_out = (uInt)(max > UINT32_MAX ? UINT32_MAX : max);
	while (z->avail_out > 0) {
		if (z->avail_in == 0 && !stream->source_done) {
			ssize_t got = stream->source(stream->source_context, stream->source_position, stream->plain,
			                             sizeof(stream->plain));
			if (got == stream->error)
				return stream->error;
			if (got == stream->end || got <= 0) {
				stream->source_done = true;
			} else {
				stream->source_position += (uint64_t)got;
				z->next_in = (Bytef *)stream->plain;
				z->avail_in = (uInt)got;
			}
		}
		int rc = deflate(z, stream->source_done ? Z_FINISH : Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			stream->finished = true;
			break;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			return stream->error;
		/* Out of room, or the compressor took all input without output yet: hand over what is
		 * there (if anything) rather than reading ahead indefinitely. */
		if (z->avail_out == 0 ||
		    (z->avail_in == 0 && stream->source_done == false && z->next_out != (Bytef *)buffer))
			break;
	}
	size_t produced = (size_t)(z->next_out - (Bytef *)buffer);
	if (produced == 0)
		return stream->finished ? stream->end : stream->error;
	return (ssize_t)produced;
}

void gzip_stream_free(struct gzip_stream *stream)
{
	if (stream == NULL)
		return;
	deflateEnd(&stream->z);
	free(stream);
	stream_slot_give_back();
}
