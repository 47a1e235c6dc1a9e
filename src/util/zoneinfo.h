/* The system tz database (/usr/share/zoneinfo, kept up to date by Debian's tzdata package) as the
 * C library reads it: which zone names it has, the UTC offset of a zone at an instant, and the
 * database's version. camfleet's only time-zone I/O: the rules that turn wall times into instants
 * (domain/local_time.h) are pure and take zoneinfo_offset_at as their input.
 *
 * This module owns the process's TZ environment variable: at its first use it puts its own TZ
 * into the environment, and it switches zones by rewriting that variable and calling tzset(),
 * under one lock. Nothing else in the process may set TZ (setenv, unsetenv, putenv), and
 * localtime, localtime_r, mktime and strftime's %Z elsewhere would see whichever zone was entered
 * last: use gmtime_r, timegm, util/civil_date.h and this module instead. */
#ifndef CAMFLEET_UTIL_ZONEINFO_H
#define CAMFLEET_UTIL_ZONEINFO_H

#include <stdbool.h>
#include <stdint.h>

/* Where the zoneinfo files live. */
#define ZONEINFO_DIRECTORY "/usr/share/zoneinfo"
/* The longest zone name accepted: longer than any IANA name. */
#define ZONEINFO_NAME_MAX 64

enum zoneinfo_result {
	ZONEINFO_OK = 0,
	ZONEINFO_UNKNOWN_ZONE = -1, /* not a zone of the system tz database */
	ZONEINFO_ERROR = -2,        /* TZ, the lock or the C library failed */
};

/* True when zone is a safe relative name (letters, digits, '/', '_', '-', '+' only, so never
 * "..", no empty segment, no leading or trailing '/', at most ZONEINFO_NAME_MAX characters) of a
 * regular file under ZONEINFO_DIRECTORY starting with the TZif magic, other than the posix/ and
 * right/ trees, "localtime" and "posixrules". "UTC", "Europe/Paris" and links such as
 * "US/Eastern" are known; "GMT+5", "europe/london", "../etc/passwd" and NULL are not. */
bool zoneinfo_zone_is_known(const char *zone);

/* Calls work(context) with zone as the zone zoneinfo_offset_at answers for, holding the lock that
 * serialises every use of the process's zone (keep work short: other threads wait). Returns
 * ZONEINFO_OK after work ran; ZONEINFO_UNKNOWN_ZONE or ZONEINFO_ERROR, without calling it, when
 * zone is not known or cannot be entered. */
enum zoneinfo_result zoneinfo_with_zone(const char *zone, void (*work)(void *context), void *context)
    __attribute__((warn_unused_result));

/* The UTC offset in seconds (east of UTC positive) in force at instant (epoch seconds) in the
 * zone of the zoneinfo_with_zone call it runs inside; false outside such a call or when the C
 * library cannot tell. A domain/local_time.h local_time_offset_fn. */
bool zoneinfo_offset_at(int64_t instant, long *offset);

/* The IANA release of the system tz database ("2025b", from the first line of
 * ZONEINFO_DIRECTORY/tzdata.zi), for logs; "unknown" when that file is missing or unreadable. */
const char *zoneinfo_data_version(void);

/* Installs this module's TZ variable. Call once at start-up, before other threads run, so the one
 * change to the environment cannot race with another thread reading it. */
enum zoneinfo_result zoneinfo_init(void) __attribute__((warn_unused_result));

#endif
