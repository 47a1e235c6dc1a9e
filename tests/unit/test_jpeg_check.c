/* The JPEG header check of frame uploads: a real JPEG passes with its size, anything else fails
 * without the process exiting (libjpeg's errors come back as false). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/jpeg_check.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/api/data"
#endif

/* The test JPEG of the HTTP tests (32 x 24 pixels), malloc'd. */
static unsigned char *read_sample(size_t *length)
{
	FILE *file = fopen(TEST_DATA_DIR "/frame.jpg", "rb");
	assert_non_null(file);
	unsigned char *data = malloc(65536);
	assert_non_null(data);
	*length = fread(data, 1, 65536, file);
	fclose(file);
	assert_true(*length > 100);
	return data;
}

static void test_a_real_jpeg_passes_with_its_size(void **state)
{
	size_t length;
	unsigned char *jpeg = read_sample(&length);
	unsigned width = 0, height = 0;
	assert_true(jpeg_check_header(jpeg, length, &width, &height));
	assert_int_equal(width, 32);
	assert_int_equal(height, 24);
	free(jpeg);
}

static void test_a_truncated_header_fails(void **state)
{
	size_t length;
	unsigned char *jpeg = read_sample(&length);
	unsigned width, height;
	assert_false(jpeg_check_header(jpeg, 20, &width, &height));
	assert_false(jpeg_check_header(jpeg, 3, &width, &height));
	free(jpeg);
}

static void test_other_bytes_fail(void **state)
{
	unsigned width, height;
	const char *text = "hello, this is not an image at all";
	assert_false(jpeg_check_header((const unsigned char *)text, strlen(text), &width, &height));
	unsigned char marker_then_zeros[200] = {0xff, 0xd8, 0xff};
	assert_false(jpeg_check_header(marker_then_zeros, sizeof(marker_then_zeros), &width, &height));
	static const unsigned char png[] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13};
	assert_false(jpeg_check_header(png, sizeof(png), &width, &height));
	assert_false(jpeg_check_header(NULL, 0, &width, &height));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_real_jpeg_passes_with_its_size),
	    cmocka_unit_test(test_a_truncated_header_fails),
	    cmocka_unit_test(test_other_bytes_fail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
