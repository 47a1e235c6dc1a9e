/* Scene painting and JPEG encoding for simulated camera frames. Everything here is pure
 * computation on memory: no clock is read (the time comes in) and nothing is written out. */
#include "sim/frame_render.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "sim/font.h"
#include "util/timeutil.h"

static uint8_t mix(uint8_t from, uint8_t to, int step, int steps)
{
	return (uint8_t)(from + (to - from) * step / (steps > 0 ? steps : 1));
}

/* Sky from deep blue at the top to a pale horizon, then a grey pavement with a kerb line. */
static void paint_background(struct sim_image *image, int horizon)
{
	const struct sim_color zenith = {28, 78, 160}, haze = {170, 205, 235};
	for (int y = 0; y < horizon; y++) {
		struct sim_color color = {mix(zenith.red, haze.red, y, horizon),
		                          mix(zenith.green, haze.green, y, horizon),
		                          mix(zenith.blue, haze.blue, y, horizon)};
		sim_image_fill_rect(image, 0, y, image->width, 1, color);
	}
	int ground = image->height - horizon;
	for (int y = horizon; y < image->height; y++) {
		uint8_t shade = mix(120, 80, y - horizon, ground);
		sim_image_fill_rect(image, 0, y, image->width, 1,
		                    (struct sim_color){shade, shade, (uint8_t)(shade + 6)});
	}
	sim_image_fill_rect(image, 0, horizon, image->width, 3, (struct sim_color){210, 210, 200});
}

/* A sun that crosses the sky once every ten minutes, and three clouds drifting right. */
static void paint_sky(struct sim_image *image, int horizon, double seconds, uint64_t seed)
{
	double sun_phase = (double)((int64_t)seconds % 600) / 600.0;
	int sun_x = (int)(sun_phase * (image->width + 80)) - 40;
	sim_image_fill_ellipse(image, sun_x, horizon / 3, 26, 26, (struct sim_color){255, 226, 120});
	for (int i = 0; i < 3; i++) {
		int width = 60 + (int)((seed >> (8 * i)) % 50);
		double speed = 6.0 + 3.0 * i;
		int span = image->width + 2 * width;
		int x = (int)((int64_t)(seconds * speed + (double)((seed >> (4 * i)) % 997)) % span) - width;
		int y = 20 + i * (horizon / 5);
		struct sim_color cloud = {240, 243, 248};
		sim_image_fill_ellipse(image, x, y, width / 2, 12, cloud);
		sim_image_fill_ellipse(image, x + width / 4, y - 8, width / 3, 12, cloud);
	}
}

/* People walking both ways and a car, crossing a dashed yellow counting line. */
static void paint_street(struct sim_image *image, int horizon, double seconds, uint64_t seed)
{
	int line_x = image->width / 2;
	for (int y = horizon + 4; y < image->height; y += 18)
		sim_image_fill_rect(image, line_x - 2, y, 4, 10, (struct sim_color){250, 210, 40});
	const struct sim_color coats[] = {{200, 60, 60}, {60, 120, 200}, {70, 160, 90}, {220, 150, 50}, {150, 80, 170}};
	int span = image->width + 40;
	for (int i = 0; i < 5; i++) {
		double speed = 25.0 + (double)((seed >> (5 * i)) % 30);
		int offset = (int)((seed >> (3 * i)) % (uint64_t)span);
		int travelled = (int)((int64_t)(seconds * speed) % span);
		int x =
		    (i % 2 == 0) ? (offset + travelled) % span - 20 : image->width + 20 - (offset + travelled) % span;
		int foot = horizon + 40 + i * ((image->height - horizon - 60) / 5);
		int height = 34 + i * 4;
		sim_image_fill_rect(image, x - 6, foot - height, 12, height - 10, coats[i]);
		sim_image_fill_ellipse(image, x, foot - height - 6, 6, 7, (struct sim_color){235, 195, 160});
		sim_image_fill_rect(image, x - 5, foot - 10, 4, 10, (struct sim_color){40, 40, 50});
		sim_image_fill_rect(image, x + 1, foot - 10, 4, 10, (struct sim_color){40, 40, 50});
	}
	int car_span = image->width + 200;
	int car_x = (int)((int64_t)(seconds * 90.0 + (double)(seed % 500)) % car_span) - 100;
	int car_y = image->height - 46;
	sim_image_fill_rect(image, car_x, car_y, 100, 26, (struct sim_color){30, 90, 150});
	sim_image_fill_rect(image, car_x + 20, car_y - 16, 56, 18, (struct sim_color){30, 90, 150});
	sim_image_fill_rect(image, car_x + 26, car_y - 12, 20, 12, (struct sim_color){180, 220, 240});
	sim_image_fill_rect(image, car_x + 50, car_y - 12, 20, 12, (struct sim_color){180, 220, 240});
	sim_image_fill_ellipse(image, car_x + 22, car_y + 26, 10, 10, (struct sim_color){20, 20, 20});
	sim_image_fill_ellipse(image, car_x + 78, car_y + 26, 10, 10, (struct sim_color){20, 20, 20});
}

/* White text on a dark translucent band, so it reads on any background. */
static void paint_label(struct sim_image *image, int x, int y, int scale, const char *text)
{
	int padding = 2 * scale;
	sim_image_blend_rect(image, x - padding, y - padding, font_text_width(text, scale) + 2 * padding,
	                     FONT_GLYPH_HEIGHT * scale + 2 * padding, (struct sim_color){0, 0, 0}, 170);
	font_draw_text(image, x, y, scale, text, (struct sim_color){255, 255, 255});
}

void frame_render_scene(struct sim_image *image, int64_t epoch_millis, uint64_t seed, const char *name)
{
	int horizon = image->height * 11 / 20;
	double seconds = (double)epoch_millis / 1000.0;
	paint_background(image, horizon);
	paint_sky(image, horizon, seconds, seed);
	paint_street(image, horizon, seconds, seed);

	int scale = image->width >= 480 ? 3 : 1;
	char label[64];
	snprintf(label, sizeof(label), "%.40s", name != NULL ? name : "");
	paint_label(image, 10, 10, scale, label);
	char stamp[RFC3339_BUFFER_SIZE];
	time_format_rfc3339(epoch_millis / 1000, stamp);
	/* "YYYY-MM-DDTHH:MM:SSZ" reads better as "YYYY-MM-DD HH:MM:SS UTC". */
	char when[40];
	snprintf(when, sizeof(when), "%.10s %.8s UTC", stamp, stamp + 11);
	paint_label(image, 10, image->height - 10 - FONT_GLYPH_HEIGHT * scale, scale, when);
}

/* libjpeg reports fatal errors through error_exit, which must not return: jump back out. */
struct jpeg_failure {
	struct jpeg_error_mgr manager;
	jmp_buf escape;
};

static void jpeg_fail(j_common_ptr info)
{
	struct jpeg_failure *failure = (struct jpeg_failure *)info->err;
	longjmp(failure->escape, 1);
}

/* A destination that grows one malloc'd buffer, so the caller always knows what to free. */
struct jpeg_buffer {
	struct jpeg_destination_mgr manager;
	unsigned char *data;
	size_t capacity;
	size_t length; /* set when compression finishes */
};

static void buffer_init(j_compress_ptr info)
{
	struct jpeg_buffer *buffer = (struct jpeg_buffer *)info->dest;
	buffer->manager.next_output_byte = buffer->data;
	buffer->manager.free_in_buffer = buffer->capacity;
}

static boolean buffer_grow(j_compress_ptr info)
{
	struct jpeg_buffer *buffer = (struct jpeg_buffer *)info->dest;
	/* libjpeg calls this only when the buffer is full. */
	unsigned char *grown = realloc(buffer->data, buffer->capacity * 2);
	if (grown == NULL)
		ERREXIT1(info, JERR_OUT_OF_MEMORY, 10);
	buffer->data = grown;
	buffer->manager.next_output_byte = grown + buffer->capacity;
	buffer->manager.free_in_buffer = buffer->capacity;
	buffer->capacity *= 2;
	return TRUE;
}

static void buffer_finish(j_compress_ptr info)
{
	struct jpeg_buffer *buffer = (struct jpeg_buffer *)info->dest;
	buffer->length = buffer->capacity - buffer->manager.free_in_buffer;
}

int frame_encode_jpeg(const struct sim_image *image, int quality, unsigned char **jpeg, size_t *jpeg_length)
{
	*jpeg = NULL;
	*jpeg_length = 0;
	if (image->pixels == NULL || quality < 1 || quality > 100)
		return -1;
	struct jpeg_buffer buffer = {.capacity = 64 * 1024};
	buffer.data = malloc(buffer.capacity);
	if (buffer.data == NULL)
		return -1;
	buffer.manager.init_destination = buffer_init;
	buffer.manager.empty_output_buffer = buffer_grow;
	buffer.manager.term_destination = buffer_finish;

	struct jpeg_compress_struct info;
	struct jpeg_failure failure;
	info.err = jpeg_std_error(&failure.manager);
	failure.manager.error_exit = jpeg_fail;
	if (setjmp(failure.escape) != 0) {
		/* buffer's address went to libjpeg, so it lives in memory and holds the current
		 * data pointer (a realloc may have moved it since setjmp). */
		jpeg_destroy_compress(&info);
		free(buffer.data);
		return -1;
	}
	jpeg_create_compress(&info);
	info.dest = &buffer.manager;
	info.image_width = (JDIMENSION)image->width;
	info.image_height = (JDIMENSION)image->height;
	info.input_components = 3;
	info.in_color_space = JCS_RGB;
	jpeg_set_defaults(&info);
	jpeg_set_quality(&info, quality, TRUE);
	jpeg_start_compress(&info, TRUE);
	while (info.next_scanline < info.image_height) {
		JSAMPROW row = image->pixels + (size_t)info.next_scanline * (size_t)image->width * 3;
		jpeg_write_scanlines(&info, &row, 1);
	}
	jpeg_finish_compress(&info);
	jpeg_destroy_compress(&info);
	*jpeg = buffer.data;
	*jpeg_length = buffer.length;
	return 0;
}

int frame_render_jpeg(struct sim_image *scratch, int64_t epoch_millis, uint64_t seed, const char *name,
                      unsigned char **jpeg, size_t *jpeg_length)
{
	*jpeg = NULL;
	*jpeg_length = 0;
	if (scratch->pixels == NULL && sim_image_init(scratch, FRAME_WIDTH, FRAME_HEIGHT) != 0)
		return -1;
	frame_render_scene(scratch, epoch_millis, seed, name);
	return frame_encode_jpeg(scratch, FRAME_JPEG_QUALITY, jpeg, jpeg_length);
}
