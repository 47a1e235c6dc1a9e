/* An RGB raster in memory (8 bits per channel, rows top to bottom) and the few drawing
 * primitives the simulated cameras paint their scenes with. Drawing clips at the edges. */
#ifndef CAMFLEET_SIM_IMAGE_H
#define CAMFLEET_SIM_IMAGE_H

#include <stdint.h>

struct sim_color {
	uint8_t red, green, blue;
};

struct sim_image {
	int width;
	int height;
	uint8_t *pixels; /* width * height * 3 bytes, owned by the image */
};

/* Allocates a black width x height image; returns 0, or -1 when out of memory. */
int sim_image_init(struct sim_image *image, int width, int height) __attribute__((warn_unused_result));
/* Frees the pixels; the image may be initialised again. */
void sim_image_release(struct sim_image *image);
/* The color of pixel (x, y), which must lie inside the image. */
struct sim_color sim_image_get(const struct sim_image *image, int x, int y);
/* Sets pixel (x, y); nothing happens outside the image. */
void sim_image_set(struct sim_image *image, int x, int y, struct sim_color color);
/* Fills the rectangle [x, x + width) x [y, y + height), clipped to the image. */
void sim_image_fill_rect(struct sim_image *image, int x, int y, int width, int height, struct sim_color color);
/* Darkens or tints the rectangle: each pixel becomes (pixel * (256 - alpha) + color * alpha) / 256. */
void sim_image_blend_rect(struct sim_image *image, int x, int y, int width, int height, struct sim_color color,
                          unsigned alpha);
/* Fills the ellipse centred on (cx, cy) with radii rx, ry. */
void sim_image_fill_ellipse(struct sim_image *image, int cx, int cy, int rx, int ry, struct sim_color color);

#endif
