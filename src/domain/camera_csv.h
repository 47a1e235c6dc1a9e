/* One line of a camera registration CSV (`camfleet admin register-cameras`): "cameraId,serialNumber",
 * each field optionally in double quotes (a quote inside one doubled), spaces around fields ignored,
 * an optional header line first, an empty cameraId meaning "generate one". Pure logic: checks the
 * line as POST /register-camera-batches checks an item (a UUID; 1 to 128 bytes of UTF-8). */
#ifndef CAMFLEET_DOMAIN_CAMERA_CSV_H
#define CAMFLEET_DOMAIN_CAMERA_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/camera.h"
#include "util/uuid.h"

enum camera_csv_line {
	CAMERA_CSV_PAIR,    /* id (lowercase; "" when the line leaves it empty) and serial are filled */
	CAMERA_CSV_BLANK,   /* an empty line: nothing to register */
	CAMERA_CSV_HEADER,  /* "cameraId,serialNumber" (any case) as the first line */
	CAMERA_CSV_INVALID, /* error (error_size bytes) says what is wrong */
};

/* Parses line (length bytes, without its "\n"; a final "\r" is ignored); first tells whether it is
 * the file's first line (the only one that may be the header). */
enum camera_csv_line camera_csv_parse(const char *line, size_t length, bool first, char id[UUID_BUFFER_SIZE],
                                      char serial[CAMERA_SERIAL_MAX + 1], char *error, size_t error_size);

#endif
