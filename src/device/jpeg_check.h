/* Checks that uploaded bytes are a JPEG image: libjpeg-turbo reads its header from memory (with
 * an error manager that returns instead of exiting the process). Pure: no I/O. */
#ifndef CAMFLEET_DEVICE_JPEG_CHECK_H
#define CAMFLEET_DEVICE_JPEG_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* True when data (length bytes) starts with a JPEG header libjpeg can read, with an image of at
 * least one pixel; its size goes to *width and *height. */
bool jpeg_check_header(const unsigned char *data, size_t length, unsigned *width, unsigned *height);

#endif
