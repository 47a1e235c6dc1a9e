/* The "data" object of the four health-alert events (docs/API.md "Events"), as compact JSON text.
 * Pure: no I/O. */
#ifndef CAMFLEET_DOMAIN_HEALTH_ALERT_EVENT_H
#define CAMFLEET_DOMAIN_HEALTH_ALERT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/camera.h"

/* camera.offline and camera.online: {"camera": the camera (event_camera_data), "offlineSince":
 * RFC 3339, and "reminder": true for a reminder}. malloc'd; NULL when out of memory. */
char *health_alert_camera_data(const struct camera *camera, int64_t now, unsigned online_window,
                               int64_t offline_since_ms, bool reminder);

/* site.offline and site.online: {"cameraIds": [...], "offlineSince": RFC 3339}. malloc'd; NULL
 * when out of memory. */
char *health_alert_site_data(const char *const *camera_ids, size_t count, int64_t offline_since_ms);

#endif
