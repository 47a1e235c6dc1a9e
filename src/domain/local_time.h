/* Local wall-clock time in an IANA time zone turned into a UTC instant, by ICU's calendar (its
 * built-in zone data; the process's TZ is never read or changed). A wall time that does not exist
 * (a spring-forward gap) is moved forward by the gap's length; an ambiguous one (a fall-back
 * overlap) takes its first occurrence. Thread-safe: each calendar belongs to one caller. */
#ifndef CAMFLEET_DOMAIN_LOCAL_TIME_H
#define CAMFLEET_DOMAIN_LOCAL_TIME_H

#include <stdbool.h>
#include <stdint.h>

enum local_time_result {
	LOCAL_TIME_OK = 0,
	LOCAL_TIME_UNKNOWN_ZONE = -1,     /* ICU does not know the zone */
	LOCAL_TIME_INVALID_ARGUMENT = -2, /* not a date of years 1..9999, or minute not 0..1440 */
	LOCAL_TIME_ZONE_DATA_ERROR = -3,  /* ICU reported a failure */
	LOCAL_TIME_NO_MEMORY = -4,
};

/* A calendar of one zone, for several conversions in a row; owned by one thread at a time. */
struct local_time_calendar;

/* True when ICU knows zone as a system time-zone ID ("Europe/London", "UTC", or a link such as
 * "US/Eastern"); false for custom IDs ("GMT+5"), "Etc/Unknown", other spellings and NULL. */
bool local_time_zone_is_known(const char *zone);

/* Opens a calendar of zone into *out; the caller closes it with local_time_calendar_close. */
enum local_time_result local_time_calendar_open(const char *zone, struct local_time_calendar **out)
    __attribute__((warn_unused_result));

/* Releases a calendar from local_time_calendar_open; NULL is ignored. */
void local_time_calendar_close(struct local_time_calendar *calendar);

/* The UTC instant (epoch seconds) of the local wall time minute_of_day minutes after the midnight
 * of year-month-day (1440 = the next day's 00:00), with the gap and overlap rules above. */
enum local_time_result local_time_calendar_to_utc(struct local_time_calendar *calendar, int year, int month, int day,
                                                  int minute_of_day, int64_t *epoch_seconds)
    __attribute__((warn_unused_result));

/* Whether some instant has year-month-day as its local date; false for a date the zone skipped
 * entirely (Pacific/Apia went from 2011-12-29 24:00 straight to 2011-12-31 00:00). */
enum local_time_result local_time_calendar_date_exists(struct local_time_calendar *calendar, int year, int month,
                                                       int day, bool *exists) __attribute__((warn_unused_result));

/* The IANA release of ICU's built-in zone data ("2022e"), for logs; "unknown" when ICU fails. */
const char *local_time_zone_data_version(void);

/* local_time_calendar_to_utc on a calendar of zone opened and closed for this one call. */
enum local_time_result local_time_to_utc(const char *zone, int year, int month, int day, int minute_of_day,
                                         int64_t *epoch_seconds) __attribute__((warn_unused_result));

#endif
