/* gzip content coding (http/gzip.c): which Accept-Encoding values take gzip, and that whole and
 * streamed bodies inflate (zlib's inflate, gzip mode) back to exactly what was compressed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "http/gzip.h"

#define SOURCE_END   (-1)
#define SOURCE_ERROR (-2)

static void test_accept_encoding_values(void **state)
{
	(void)state;
	assert_true(gzip_accepted("gzip"));
	assert_true(gzip_accepted("gzip, deflate, br"));
	assert_true(gzip_accepted("br;q=1.0, GZIP;q=0.5"));
	assert_true(gzip_accepted("deflate, x-gzip"));
	assert_true(gzip_accepted("*"));
	assert_true(gzip_accepted("identity;q=1, gzip ; q=0.001"));
	assert_false(gzip_accepted(NULL));
	assert_false(gzip_accepted(""));
	assert_false(gzip_accepted("identity"));
	assert_false(gzip_accepted("deflate, br"));
	assert_false(gzip_accepted("gzip;q=0"));
	assert_false(gzip_accepted("gzip;q=0.000, deflate"));
	assert_false(gzip_accepted("gzipped"));
	assert_false(gzip_accepted("*;q=0"));
}

/* The inflated text of a gzip member (malloc'd, NUL-terminated). */
static char *inflate_all(const char *data, size_t length, size_t *out_length)
{
	size_t capacity = 1 << 22;
	char *out = malloc(capacity + 1);
	assert_non_null(out);
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)length;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)capacity;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	*out_length = capacity - z.avail_out;
	out[*out_length] = '\0';
	inflateEnd(&z);
	return out;
}

/* A JSON-like text of n objects. */
static char *sample_text(size_t n, size_t *length)
{
	char *text = malloc(n * 128 + 3);
	assert_non_null(text);
	size_t used = 0;
	text[used++] = '[';
	for (size_t i = 0; i < n; i++)
		used +=
		    (size_t)sprintf(text + used, "%s{\"id\":\"%08zx-0000-4000-8000-000000000000\",\"isOnline\":true}",
		                    i ? "," : "", i * 2654435761u);
	text[used++] = ']';
	text[used] = '\0';
	*length = used;
	return text;
}

static void test_whole_body_round_trips_and_shrinks(void **state)
{
	(void)state;
	size_t length = 0, compressed_length = 0, inflated_length = 0;
	char *text = sample_text(500, &length);
	char *compressed = gzip_compress(text, length, &compressed_length);
	assert_non_null(compressed);
	assert_true(compressed_length < length / 2);
	char *inflated = inflate_all(compressed, compressed_length, &inflated_length);
	assert_int_equal(inflated_length, length);
	assert_memory_equal(inflated, text, length);
	free(inflated);
	free(compressed);
	free(text);
	/* incompressible bytes are not "compressed" into something larger */
	unsigned char noise[4096];
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < sizeof(noise); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		noise[i] = (unsigned char)x;
	}
	assert_null(gzip_compress(noise, sizeof(noise), &compressed_length));
}

/* A source handing out text in pieces of `piece` bytes. */
struct source {
	const char *text;
	size_t length, offset, piece;
	bool fail_at_end;
};

static ssize_t read_source(void *context, uint64_t position, char *buffer, size_t max)
{
	struct source *source = context;
	assert_int_equal(position, source->offset);
	if (source->offset == source->length)
		return source->fail_at_end ? SOURCE_ERROR : SOURCE_END;
	size_t n = source->length - source->offset;
	if (n > source->piece)
		n = source->piece;
	if (n > max)
		n = max;
	memcpy(buffer, source->text + source->offset, n);
	source->offset += n;
	return (ssize_t)n;
}

static void test_streamed_body_round_trips_with_any_piece_sizes(void **state)
{
	(void)state;
	size_t length = 0;
	char *text = sample_text(2000, &length);
	const size_t pieces[] = {1, 7, 1000, 16384, 1 << 20};
	const size_t outputs[] = {1, 13, 512, 32768};
	for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
		for (size_t o = 0; o < sizeof(outputs) / sizeof(outputs[0]); o++) {
			if (pieces[p] == 1 && outputs[o] == 1)
				continue; /* correct but slow */
			struct source source = {text, length, 0, pieces[p], false};
			struct gzip_stream *stream = gzip_stream_new(read_source, &source, SOURCE_END, SOURCE_ERROR);
			assert_non_null(stream);
			size_t capacity = length + 1024, used = 0;
			char *compressed = malloc(capacity);
			assert_non_null(compressed);
			for (;;) {
				char buffer[32768];
				ssize_t got = gzip_stream_read(stream, buffer, outputs[o]);
				if (got == SOURCE_END)
					break;
				assert_true(got > 0);
				assert_true((size_t)got <= outputs[o]);
				assert_true(used + (size_t)got <= capacity);
				memcpy(compressed + used, buffer, (size_t)got);
				used += (size_t)got;
			}
			gzip_stream_free(stream);
			size_t inflated_length = 0;
			char *inflated = inflate_all(compressed, used, &inflated_length);
			assert_int_equal(inflated_length, length);
			assert_memory_equal(inflated, text, length);
			free(inflated);
			free(compressed);
		}
	}
	free(text);
}

static void test_a_failing_source_fails_the_stream(void **state)
{
	(void)state;
	size_t length = 0;
	char *text = sample_text(10, &length);
	struct source source = {text, length, 0, 100, true};
	struct gzip_stream *stream = gzip_stream_new(read_source, &source, SOURCE_END, SOURCE_ERROR);
	assert_non_null(stream);
	char buffer[64];
	ssize_t got = 0;
	do
		got = gzip_stream_read(stream, buffer, sizeof(buffer));
	while (got > 0);
	assert_int_equal(got, SOURCE_ERROR);
	gzip_stream_free(stream);
	free(text);
}

/* At most GZIP_STREAMS_MAX compressors exist at once; freeing one makes room for the next. */
static void test_compressors_in_flight_are_bounded(void **state)
{
	(void)state;
	static struct gzip_stream *streams[GZIP_STREAMS_MAX];
	for (size_t i = 0; i < GZIP_STREAMS_MAX; i++) {
		streams[i] = gzip_stream_new(read_source, NULL, SOURCE_END, SOURCE_ERROR);
		assert_non_null(streams[i]);
	}
	assert_null(gzip_stream_new(read_source, NULL, SOURCE_END, SOURCE_ERROR));
	gzip_stream_free(streams[0]);
	streams[0] = gzip_stream_new(read_source, NULL, SOURCE_END, SOURCE_ERROR);
	assert_non_null(streams[0]);
	assert_null(gzip_stream_new(read_source, NULL, SOURCE_END, SOURCE_ERROR));
	for (size_t i = 0; i < GZIP_STREAMS_MAX; i++)
		gzip_stream_free(streams[i]);
	struct gzip_stream *again = gzip_stream_new(read_source, NULL, SOURCE_END, SOURCE_ERROR);
	assert_non_null(again);
	gzip_stream_free(again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accept_encoding_values),
	    cmocka_unit_test(test_whole_body_round_trips_and_shrinks),
	    cmocka_unit_test(test_streamed_body_round_trips_with_any_piece_sizes),
	    cmocka_unit_test(test_a_failing_source_fails_the_stream),
	    cmocka_unit_test(test_compressors_in_flight_are_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
