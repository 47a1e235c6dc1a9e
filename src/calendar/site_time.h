/* A site's local time, for the camera handlers and the health-alert evaluator: the rules of
 * domain/local_time.h and domain/opening_hours*.h run over the system tz database
 * (util/zoneinfo.h), each call one locked use of the zone. */
#ifndef CAMFLEET_CALENDAR_SITE_TIME_H
#define CAMFLEET_CALENDAR_SITE_TIME_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/schedule.h"

/* Failures of site_time_opening_hours besides the negative enum opening_hours_error values. */
enum site_time_error {
	SITE_TIME_UNKNOWN_ZONE = -11, /* not a zone of the system tz database */
	SITE_TIME_ZONE_ERROR = -12,   /* the zone could not be entered (TZ, lock) */
};

/* The local date in zone (an IANA name) at instant (epoch seconds): "today there" for
 * time_now_seconds(). False when the zone is unknown or the tz database fails. */
bool site_time_date_at(const char *zone, int64_t instant, int *year, int *month, int *day)
    __attribute__((warn_unused_result));

/* domain/opening_hours.h's instants of day_of_date on the local date year-month-day in zone: a new
 * JSON array the caller releases, or NULL with *error set (an enum opening_hours_error or enum
 * site_time_error; 0 when memory ran out). */
json_t *site_time_opening_hours(const char *zone, const struct day_schedule *day_of_date, int year, int month, int day,
                                int *error);

/* opening_hours_for_date (domain/opening_hours_compute.h) in zone: the UTC instants (epoch
 * seconds) of day_of_date's intervals on the local date, how many (up to max), or a negative enum
 * opening_hours_error or enum site_time_error. */
int site_time_instants(const char *zone, const struct day_schedule *day_of_date, int year, int month, int day,
                       int64_t *instants, size_t max) __attribute__((warn_unused_result));

#endif
