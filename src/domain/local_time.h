/* Local wall-clock time in an IANA time zone turned into a UTC instant, by the C library over the
 * system tz database (/usr/share/zoneinfo, Debian's tzdata). A wall time that does not exist (a
 * spring-forward gap) is moved forward by the gap's length; an ambiguous one (a fall-back overlap)
 * takes its first occurrence. Thread-safe: each calendar belongs to one caller, and conversions in
 * different threads are serialised on one lock.
 *
 * This module owns the process's TZ environment variable: at its first conversion it puts its own
 * TZ into the environment, and it switches zones by rewriting that variable and calling tzset().
 * Nothing else in the process may set TZ (setenv, unsetenv, putenv), and localtime, localtime_r,
 * mktime and strftime's %Z elsewhere would see whichever zone was converted last: use gmtime_r,
 * timegm and this module instead. */
#ifndef CAMFLEET_DOMAIN_LOCAL_TIME_H
#define CAMFLEET_DOMAIN_LOCAL_TIME_H

#include <stdbool.h>
#include <stdint.h>

enum local_time_result {
	LOCAL_TIME_OK = 0,
	LOCAL_TIME_UNKNOWN_ZONE = -1,     /* not a zone of the system tz database */
	LOCAL_TIME_INVALID_ARGUMENT = -2, /* not a date of years 1..9999, or minute not 0..1440 */
	LOCAL_TIME_ZONE_DATA_ERROR = -3,  /* the C library or the zone data failed */
	LOCAL_TIME_NO_MEMORY = -4,
};

/* A calendar of one zone, for several conversions in a row; owned by one thread at a time. */
struct local_time_calendar;

/* True when zone names a zone of the system tz database ("Europe/London", "UTC", or a link such
 * as "US/Eastern"): a safe relative name (letters, digits, '/', '_', '-', '+'; no "..", no leading
 * '/', at most 64 characters) of a TZif file under /usr/share/zoneinfo, other than the posix/ and
 * right/ trees, "localtime" and "posixrules" (see domain/time_zone.h). False for names with no
 * file ("GMT+5", "Etc/Unknown", "Not/AZone"), other spellings ("europe/london"), unsafe names
 * ("../etc/passwd") and NULL. */
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

/* The IANA release of the system tz database ("2025b", from the first line of
 * /usr/share/zoneinfo/tzdata.zi), for logs; "unknown" when that file is missing or unreadable. */
const char *local_time_zone_data_version(void);

/* local_time_calendar_to_utc on a calendar of zone opened and closed for this one call. */
enum local_time_result local_time_to_utc(const char *zone, int year, int month, int day, int minute_of_day,
                                         int64_t *epoch_seconds) __attribute__((warn_unused_result));

/* The local date in zone at the given instant (epoch seconds): "today there" for time_now_seconds(). */
enum local_time_result local_time_date_at(const char *zone, int64_t instant, int *year, int *month, int *day)
	__attribute__((warn_unused_result));

/* Installs this module's TZ variable. Call once at start-up, before other threads run, so the one
 * change to the environment cannot race with another thread reading it. */
enum local_time_result local_time_init(void) __attribute__((warn_unused_result));

#endif
