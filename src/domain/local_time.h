/* Local wall-clock time in a time zone turned into a UTC instant, and an instant into its local
 * date, by rules alone: a zone comes in as a function that tells its UTC offset at an instant
 * (for the system tz database, util/zoneinfo.h's zoneinfo_offset_at inside zoneinfo_with_zone),
 * so this module reads nothing. A wall time that does not exist (a spring-forward gap) is moved
 * forward by the gap's length; an ambiguous one (a fall-back overlap) takes its first
 * occurrence. */
#ifndef CAMFLEET_DOMAIN_LOCAL_TIME_H
#define CAMFLEET_DOMAIN_LOCAL_TIME_H

#include <stdbool.h>
#include <stdint.h>

/* A zone: *offset = its UTC offset in seconds (east of UTC positive) in force at instant (epoch
 * seconds); false when the zone cannot tell. */
typedef bool local_time_offset_fn(int64_t instant, long *offset);

enum local_time_result {
	LOCAL_TIME_OK = 0,
	LOCAL_TIME_INVALID_ARGUMENT = -2, /* not a date of years 1..9999, or minute not 0..1440 */
	LOCAL_TIME_ZONE_DATA_ERROR = -3,  /* the zone could not tell an offset, or its offsets make no sense */
};

/* The UTC instant (epoch seconds) of the local wall time minute_of_day minutes after the midnight
 * of year-month-day (1440 = the next day's 00:00) in the zone offset_at, with the gap and overlap
 * rules above. */
enum local_time_result local_time_to_utc(local_time_offset_fn *offset_at, int year, int month, int day,
                                         int minute_of_day, int64_t *epoch_seconds) __attribute__((warn_unused_result));

/* Whether some instant has year-month-day as its local date in the zone offset_at; false for a
 * date the zone skipped entirely (Pacific/Apia went from 2011-12-29 24:00 straight to 2011-12-31
 * 00:00). */
enum local_time_result local_time_date_exists(local_time_offset_fn *offset_at, int year, int month, int day,
                                              bool *exists) __attribute__((warn_unused_result));

/* The local date in the zone offset_at at instant (epoch seconds): "today there" for
 * time_now_seconds(). */
enum local_time_result local_time_date_at(local_time_offset_fn *offset_at, int64_t instant, int *year, int *month,
                                          int *day) __attribute__((warn_unused_result));

#endif
