/* The camera as the API shows it: the seed's 17 keys and reportedState, written straight into a text
 * buffer (single answers and long listings alike). Pure: no I/O, the clock is a parameter. */
#ifndef CAMFLEET_DOMAIN_CAMERA_JSON_H
#define CAMFLEET_DOMAIN_CAMERA_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/camera.h"

/* An upper bound of the length of any camera's JSON text (every field at its maximum size and
 * fully escaped): a buffer of this size always fits camera_json_write's output. */
#define CAMERA_JSON_MAX_LENGTH 8192

/* True when the camera counts as online at now: a heartbeat within online_window seconds and
 * no clean shutdown reported since. */
bool camera_is_online(const struct camera *camera, int64_t now, unsigned online_window);

/* Writes the camera object as compact JSON text into buffer (size bytes, no NUL added), with the
 * four metric keys only when include_metrics; returns its length, or 0 when it does not fit or
 * cannot be encoded (a text field that is not valid UTF-8). */
size_t camera_json_write(const struct camera *camera, bool include_metrics, int64_t now, unsigned online_window,
                         char *buffer, size_t size);

#endif
