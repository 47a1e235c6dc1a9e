/* The opening hours answer of GET /cameras/{cameraId}/opening-hours: the instants that
 * domain/opening_hours_compute.h works out for one local date at a site, as the JSON array of
 * RFC 3339 UTC strings (open, close, open, close, ...) the API sends. */
#ifndef CAMFLEET_DOMAIN_OPENING_HOURS_H
#define CAMFLEET_DOMAIN_OPENING_HOURS_H

#include <jansson.h>

#include "domain/local_time.h"
#include "domain/schedule.h"

/* The instants of the intervals of day_of_date, which open on the local date year-month-day in
 * the zone offset_at, as a new JSON array the caller releases ([] for a closed day). NULL on
 * failure, with *error set to the negative enum opening_hours_error; an error of 0 with NULL
 * means memory ran out. */
json_t *opening_hours_instants(local_time_offset_fn *offset_at, const struct day_schedule *day_of_date, int year,
                               int month, int day, int *error);

#endif
