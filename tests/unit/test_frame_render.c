/* Simulated camera frames: the JPEG decodes to the frame size, the 5x7 font sets exactly the
 * pixels of its glyphs, and the name and time really end up in the picture. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "sim/font.h"
#include "sim/frame_render.h"

static const struct sim_color white = {255, 255, 255};

static bool is_white(const struct sim_image *image, int x, int y)
{
	struct sim_color c = sim_image_get(image, x, y);
	return c.red == 255 && c.green == 255 && c.blue == 255;
}

static bool same_pixels(const struct sim_image *a, const struct sim_image *b, int x, int y, int width, int height)
{
	for (int row = y; row < y + height; row++)
		if (memcmp(a->pixels + ((size_t)row * a->width + x) * 3, b->pixels + ((size_t)row * b->width + x) * 3,
		           (size_t)width * 3) != 0)
			return false;
	return true;
}

/* Decodes with libjpeg; returns width/height/components through the pointers. */
static void decode(const unsigned char *jpeg, size_t length, unsigned *width, unsigned *height, int *components)
{
	struct jpeg_decompress_struct info;
	struct jpeg_error_mgr error;
	info.err = jpeg_std_error(&error);
	jpeg_create_decompress(&info);
	jpeg_mem_src(&info, jpeg, (unsigned long)length);
	assert_int_equal(jpeg_read_header(&info, TRUE), JPEG_HEADER_OK);
	jpeg_start_decompress(&info);
	unsigned char *row = malloc((size_t)info.output_width * (size_t)info.output_components);
	assert_non_null(row);
	while (info.output_scanline < info.output_height)
		jpeg_read_scanlines(&info, &row, 1);
	*width = info.output_width;
	*height = info.output_height;
	*components = info.output_components;
	jpeg_finish_decompress(&info);
	jpeg_destroy_decompress(&info);
	free(row);
}

static void test_frame_jpeg_decodes_to_the_frame_size(void **state)
{
	struct sim_image scratch = {0};
	unsigned char *jpeg = NULL;
	size_t length = 0;
	assert_int_equal(frame_render_jpeg(&scratch, 1700000000123LL, 42, "Entrance 1", &jpeg, &length), 0);
	assert_true(length > 1024);
	assert_int_equal(jpeg[0], 0xFF);
	assert_int_equal(jpeg[1], 0xD8);
	assert_int_equal(jpeg[length - 2], 0xFF);
	assert_int_equal(jpeg[length - 1], 0xD9);
	unsigned width = 0, height = 0;
	int components = 0;
	decode(jpeg, length, &width, &height, &components);
	assert_int_equal(width, FRAME_WIDTH);
	assert_int_equal(height, FRAME_HEIGHT);
	assert_int_equal(components, 3);
	free(jpeg);
	sim_image_release(&scratch);
}

static void test_encode_refuses_bad_quality(void **state)
{
	struct sim_image image;
	assert_int_equal(sim_image_init(&image, 8, 8), 0);
	unsigned char *jpeg = (unsigned char *)"x";
	size_t length = 7;
	assert_int_equal(frame_encode_jpeg(&image, 0, &jpeg, &length), -1);
	assert_null(jpeg);
	assert_int_equal(length, 0);
	sim_image_release(&image);
}

static void test_glyph_one_sets_exactly_its_pixels(void **state)
{
	struct sim_image image;
	assert_int_equal(sim_image_init(&image, 12, 9), 0);
	font_draw_text(&image, 1, 1, 1, "1", white);
	/* '1':  ..#.. / .##.. / ..#.. x4 / .###.  drawn at (1, 1) */
	const char *expected[] = {"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."};
	for (int row = 0; row < FONT_GLYPH_HEIGHT; row++)
		for (int column = 0; column < FONT_GLYPH_WIDTH; column++)
			assert_int_equal(is_white(&image, 1 + column, 1 + row), expected[row][column] == '#');
	for (int y = 0; y < image.height; y++) { /* nothing outside the glyph's cell */
		assert_false(is_white(&image, 0, y));
		assert_false(is_white(&image, 6, y));
	}
	for (int x = 0; x < image.width; x++) {
		assert_false(is_white(&image, x, 0));
		assert_false(is_white(&image, x, 8));
	}
	sim_image_release(&image);
}

static void test_scaled_glyph_pixels_are_squares(void **state)
{
	struct sim_image image;
	assert_int_equal(sim_image_init(&image, 40, 30), 0);
	font_draw_text(&image, 0, 0, 3, "-", white); /* row 3 is the only one set: ##### */
	for (int y = 0; y < 30; y++)
		for (int x = 0; x < 40; x++)
			assert_int_equal(is_white(&image, x, y), y >= 9 && y < 12 && x < 15);
	sim_image_release(&image);
}

static void test_second_character_advances_six_columns(void **state)
{
	struct sim_image image;
	assert_int_equal(sim_image_init(&image, 20, 7), 0);
	font_draw_text(&image, 0, 0, 1, " L", white); /* 'L': left column set in every row */
	for (int y = 0; y < 7; y++) {
		assert_false(is_white(&image, 5, y));
		assert_true(is_white(&image, 6, y));
	}
	assert_true(is_white(&image, 10, 6));
	assert_false(is_white(&image, 11, 6));
	sim_image_release(&image);
}

static void test_lowercase_and_unknown_characters(void **state)
{
	assert_ptr_equal(font_glyph('a'), font_glyph('A'));
	assert_ptr_equal(font_glyph('z'), font_glyph('Z'));
	assert_ptr_equal(font_glyph('@'), font_glyph('?'));
	assert_non_null(font_glyph('\x7f'));
}

static void test_every_glyph_differs(void **state)
{
	const char *characters = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ:-./_#()? ";
	for (const char *a = characters; *a != '\0'; a++)
		for (const char *b = a + 1; *b != '\0'; b++)
			assert_memory_not_equal(font_glyph(*a), font_glyph(*b), FONT_GLYPH_HEIGHT);
}

static void test_text_width(void **state)
{
	assert_int_equal(font_text_width("", 3), 0);
	assert_int_equal(font_text_width("A", 1), 5);
	assert_int_equal(font_text_width("AB", 1), 11);
	assert_int_equal(font_text_width("12:00", 3), (5 * 6 - 1) * 3);
}

static void test_scene_shows_the_name(void **state)
{
	struct sim_image a, b;
	assert_int_equal(sim_image_init(&a, FRAME_WIDTH, FRAME_HEIGHT), 0);
	assert_int_equal(sim_image_init(&b, FRAME_WIDTH, FRAME_HEIGHT), 0);
	frame_render_scene(&a, 1700000000000LL, 7, "DOOR A");
	frame_render_scene(&b, 1700000000000LL, 7, "DOOR B");
	/* "DOOR " is the same; the sixth character (at x = 10 + 5 * 18) differs. */
	assert_true(same_pixels(&a, &b, 10, 10, 5 * 18 - 3, 21));
	assert_false(same_pixels(&a, &b, 10 + 5 * 18, 10, 15, 21));
	sim_image_release(&a);
	sim_image_release(&b);
}

static void test_scene_shows_the_time(void **state)
{
	struct sim_image a, b;
	assert_int_equal(sim_image_init(&a, FRAME_WIDTH, FRAME_HEIGHT), 0);
	assert_int_equal(sim_image_init(&b, FRAME_WIDTH, FRAME_HEIGHT), 0);
	/* 2023-11-14 22:13:20 and 22:13:21 UTC: only the last digit of the stamp changes. */
	frame_render_scene(&a, 1700000000000LL, 7, "X");
	frame_render_scene(&b, 1700000001000LL, 7, "X");
	int y = FRAME_HEIGHT - 10 - 21;
	int last_digit_x = 10 + 18 * 18; /* "2023-11-14 22:13:2" is 18 characters */
	assert_false(same_pixels(&a, &b, last_digit_x, y, 15, 21));
	assert_true(is_white(&a, 10 + 1 * 3, y)); /* '2' row 0: .###. */
	sim_image_release(&a);
	sim_image_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_frame_jpeg_decodes_to_the_frame_size),
	    cmocka_unit_test(test_encode_refuses_bad_quality),
	    cmocka_unit_test(test_glyph_one_sets_exactly_its_pixels),
	    cmocka_unit_test(test_scaled_glyph_pixels_are_squares),
	    cmocka_unit_test(test_second_character_advances_six_columns),
	    cmocka_unit_test(test_lowercase_and_unknown_characters),
	    cmocka_unit_test(test_every_glyph_differs),
	    cmocka_unit_test(test_text_width),
	    cmocka_unit_test(test_scene_shows_the_name),
	    cmocka_unit_test(test_scene_shows_the_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
