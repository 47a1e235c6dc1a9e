/* Drawing primitives on an in-memory RGB image, all clipped to the image's bounds. */
#include "sim/image.h"

#include <stdlib.h>

int sim_image_init(struct sim_image *image, int width, int height)
{
	image->width = 0;
	image->height = 0;
	image->pixels = NULL;
	if (width <= 0 || height <= 0)
		return -1;
	image->pixels = calloc((size_t)width * (size_t)height, 3);
	if (image->pixels == NULL)
		return -1;
	image->width = width;
	image->height = height;
	return 0;
}

void sim_image_release(struct sim_image *image)
{
	free(image->pixels);
	image->pixels = NULL;
	image->width = 0;
	image->height = 0;
}

struct sim_color sim_image_get(const struct sim_image *image, int x, int y)
{
	const uint8_t *pixel = image->pixels + ((size_t)y * (size_t)image->width + (size_t)x) * 3;
	return (struct sim_color){pixel[0], pixel[1], pixel[2]};
}

void sim_image_set(struct sim_image *image, int x, int y, struct sim_color color)
{
	if (x < 0 || y < 0 || x >= image->width || y >= image->height)
		return;
	uint8_t *pixel = image->pixels + ((size_t)y * (size_t)image->width + (size_t)x) * 3;
	pixel[0] = color.red;
	pixel[1] = color.green;
	pixel[2] = color.blue;
}

/* Clips [*start, *start + *length) to [0, limit); false when nothing is left. */
static int clip_span(int *start, int *length, int limit)
{
	int begin = *start < 0 ? 0 : *start;
	int end = *start + *length;
	if (end > limit)
		end = limit;
	if (end <= begin)
		return 0;
	*start = begin;
	*length = end - begin;
	return 1;
}

void sim_image_fill_rect(struct sim_image *image, int x, int y, int width, int height, struct sim_color color)
{
	if (!clip_span(&x, &width, image->width) || !clip_span(&y, &height, image->height))
		return;
	for (int row = y; row < y + height; row++) {
		uint8_t *pixel = image->pixels + ((size_t)row * (size_t)image->width + (size_t)x) * 3;
		for (int column = 0; column < width; column++, pixel += 3) {
			pixel[0] = color.red;
			pixel[1] = color.green;
			pixel[2] = color.blue;
		}
	}
}

void sim_image_blend_rect(struct sim_image *image, int x, int y, int width, int height, struct sim_color color,
                          unsigned alpha)
{
	if (alpha > 256)
		alpha = 256;
	if (!clip_span(&x, &width, image->width) || !clip_span(&y, &height, image->height))
		return;
	unsigned keep = 256 - alpha;
	for (int row = y; row < y + height; row++) {
		uint8_t *pixel = image->pixels + ((size_t)row * (size_t)image->width + (size_t)x) * 3;
		for (int column = 0; column < width; column++, pixel += 3) {
			pixel[0] = (uint8_t)((pixel[0] * keep + color.red * alpha) / 256);
			pixel[1] = (uint8_t)((pixel[1] * keep + color.green * alpha) / 256);
			pixel[2] = (uint8_t)((pixel[2] * keep + color.blue * alpha) / 256);
		}
	}
}

void sim_image_fill_ellipse(struct sim_image *image, int cx, int cy, int rx, int ry, struct sim_color color)
{
	if (rx <= 0 || ry <= 0)
		return;
	long rx2 = (long)rx * rx, ry2 = (long)ry * ry;
	for (int dy = -ry; dy <= ry; dy++) {
		/* Half-width of the row: the largest dx with dx^2/rx^2 + dy^2/ry^2 <= 1. */
		long remaining = rx2 * (ry2 - (long)dy * dy);
		int half = 0;
		while ((long)(half + 1) * (half + 1) * ry2 <= remaining)
			half++;
		sim_image_fill_rect(image, cx - half, cy + dy, 2 * half + 1, 1, color);
	}
}
