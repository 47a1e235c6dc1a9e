/* The picture a simulated camera sends when asked for a frame: a synthetic street scene that
 * moves with time (sky, sun, clouds, people and cars crossing a counting line), with the
 * camera's name and the UTC time written in, encoded as a JPEG with libjpeg-turbo. */
#ifndef CAMFLEET_SIM_FRAME_RENDER_H
#define CAMFLEET_SIM_FRAME_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "sim/image.h"

#define FRAME_WIDTH        640
#define FRAME_HEIGHT       360
#define FRAME_JPEG_QUALITY 80

/* Paints the scene at wall-clock time epoch_millis into image (any size; FRAME_WIDTH x
 * FRAME_HEIGHT is what cameras send). seed varies the scene between cameras; name is written
 * top-left and the UTC time ("YYYY-MM-DD HH:MM:SS UTC") bottom-left. */
void frame_render_scene(struct sim_image *image, int64_t epoch_millis, uint64_t seed, const char *name);
/* Encodes image as a baseline JPEG at quality 1..100. On success returns 0 and hands back a
 * malloc'd buffer in *jpeg (the caller frees it) of *jpeg_length bytes; -1 on failure. */
int frame_encode_jpeg(const struct sim_image *image, int quality, unsigned char **jpeg, size_t *jpeg_length)
    __attribute__((warn_unused_result));
/* Renders and encodes one camera frame (FRAME_WIDTH x FRAME_HEIGHT) using scratch as the
 * raster (initialised on first use, reused after); same result contract as frame_encode_jpeg. */
int frame_render_jpeg(struct sim_image *scratch, int64_t epoch_millis, uint64_t seed, const char *name,
                      unsigned char **jpeg, size_t *jpeg_length) __attribute__((warn_unused_result));

#endif
