/* Wall time → UTC with the C library over the system tz database (/usr/share/zoneinfo, kept up to
 * date by Debian's tzdata package). No tz rules live here: the only question asked of the zone is
 * "what is the UTC offset at instant t?", answered by glibc's localtime_r (tm_gmtoff).
 *
 * glibc's localtime_r reads the zone chosen by the last tzset(), which reads the TZ environment
 * variable. To switch zones safely among threads:
 * - once (pthread_once), putenv() puts tz_variable, a static buffer of fixed capacity, into the
 *   environment, so environ points at it; TZ is never given to setenv/unsetenv, so environ is never
 *   reallocated afterwards on our account;
 * - a switch rewrites tz_variable in place ("TZ=:/usr/share/zoneinfo/<zone>", an absolute path, so
 *   TZDIR is not consulted) and calls tzset(), under zone_lock;
 * - every conversion holds zone_lock from its switch through its last localtime_r, so no other
 *   conversion changes the zone under it.
 * Zone names are checked by time_zone_is_known (characters, no "..", a TZif file) before they are
 * ever written into the environment or opened.
 *
 * The conversion of a wall time W (w = W read as if it were UTC, in epoch seconds), with
 * offset(t) = tm_gmtoff of localtime_r(t):
 * - candidate offsets: offset at w - 2 d, w - 1 d, w, w + 1 d, w + 2 d, and offset(w - o) for
 *   each of those o (so an offset in force for less than a day near W is not missed);
 * - o is valid when offset(w - o) == o, i.e. the instant w - o shows W; the answer is the
 *   smallest valid w - o (in a fall-back overlap: the first occurrence);
 * - none valid: W is in a spring-forward gap from offset b (before) to a (after), b < a, which is
 *   seen as offset(w - a) == b and offset(w - b) == a; the answer is w - b, the instant that shows
 *   W + (a - b): W moved forward by the gap's length. */
#include "domain/local_time.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/time_zone.h"
#include "util/civil_date.h"

#define ZONE_NAME_MAX  64 /* longer than any IANA name; as time_zone.c allows at most */
#define MINUTES_IN_DAY 1440
#define OFFSET_SAMPLES 5                    /* w - 2 d … w + 2 d */
#define CANDIDATES_MAX (2 * OFFSET_SAMPLES) /* the samples and offset(w - sample) */
#define TZ_PREFIX      "TZ=:" TIME_ZONE_DIRECTORY "/"
#define TZ_INITIAL     "TZ=UTC0" /* a POSIX rule: no file needed at startup */
#define TZ_CAPACITY    128       /* > sizeof(TZ_PREFIX) + ZONE_NAME_MAX */
#define TZDATA_ZI      TIME_ZONE_DIRECTORY "/tzdata.zi"
#define VERSION_MAX    16

_Static_assert(sizeof(TZ_PREFIX) + ZONE_NAME_MAX < TZ_CAPACITY, "tz_variable too small");

struct local_time_calendar {
	char zone[ZONE_NAME_MAX + 1];
};

/* ---- the process's TZ, owned by this file ---- */

static pthread_once_t environment_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;
static char tz_variable[TZ_CAPACITY] = TZ_INITIAL; /* in environ after environment_once */
static bool environment_ready;                     /* putenv succeeded; written once */
static char current_zone[ZONE_NAME_MAX + 1];       /* what tz_variable names; "" = TZ_INITIAL */

static void install_tz_variable(void)
{
	environment_ready = putenv(tz_variable) == 0;
	if (environment_ready)
		tzset();
}

/* The characters time_zone_is_known allows, checked again here because the name is about to go
 * into the environment: letters, digits, '/', '_', '-', '+'; no leading '/', no "..". */
static bool zone_name_is_plain(const char *zone)
{
	size_t length = strlen(zone);
	if (length == 0 || length > ZONE_NAME_MAX || zone[0] == '/' || strstr(zone, "..") != NULL)
		return false;
	for (size_t i = 0; i < length; i++) {
		char c = zone[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
		      c == '_' || c == '-' || c == '+'))
			return false;
	}
	return true;
}

/* Makes zone the one localtime_r answers for; the caller holds zone_lock. */
static bool switch_zone_locked(const char *zone)
{
	if (strcmp(current_zone, zone) == 0)
		return true;
	char next[TZ_CAPACITY];
	int length = snprintf(next, sizeof(next), "%s%s", TZ_PREFIX, zone);
	if (length < 0 || (size_t)length >= sizeof(next))
		return false;
	memcpy(tz_variable, next, (size_t)length + 1); /* in place: environ keeps pointing here */
	tzset();
	memcpy(current_zone, zone, strlen(zone) + 1);
	return true;
}

/* The UTC offset, in seconds, in force at instant t in the current zone (caller holds zone_lock). */
static bool offset_at(int64_t t, long *offset)
{
	time_t instant = (time_t)t;
	struct tm fields;
	if ((int64_t)instant != t || localtime_r(&instant, &fields) == NULL)
		return false;
	*offset = fields.tm_gmtoff;
	return true;
}

/* ---- calendar arithmetic (util/civil_date.h) ---- */

/* The dates this module converts: years 1..9999. */
static bool date_is_valid(int year, int month, int day)
{
	return year >= 1 && year <= 9999 && civil_date_exists(year, month, day);
}

/* The wall time read as if it were UTC: the w of the rules above. */
static int64_t wall_as_utc(int year, int month, int day, int minute_of_day)
{
	return civil_days_from_date(year, month, day) * CIVIL_SECONDS_IN_DAY + (int64_t)minute_of_day * 60;
}

/* ---- the conversion (caller holds zone_lock, zone switched) ---- */

/* Adds offset to candidates (room for CANDIDATES_MAX) unless it is there. At most OFFSET_SAMPLES
 * samples and one shown offset per sample are ever added, so the bound holds; it is still checked
 * before the write. */
static void add_candidate(long *candidates, size_t *count, long offset)
{
	for (size_t i = 0; i < *count; i++)
		if (candidates[i] == offset)
			return;
	if (*count >= CANDIDATES_MAX)
		return;
	candidates[(*count)++] = offset;
}

/* Fills *instant with the answer for w; *gap_before and *gap_after with the offsets around the gap
 * when w is in one (*in_gap), for date_exists. */
static enum local_time_result convert_locked(int64_t w, int64_t *instant, bool *in_gap, long *gap_before,
                                             long *gap_after)
{
	long candidates[CANDIDATES_MAX];
	size_t count = 0;
	for (int k = -2; k <= 2; k++) {
		long offset;
		if (!offset_at(w + (int64_t)k * CIVIL_SECONDS_IN_DAY, &offset))
			return LOCAL_TIME_ZONE_DATA_ERROR;
		add_candidate(candidates, &count, offset);
	}
	long shown[CANDIDATES_MAX]; /* shown[i] = offset(w - candidates[i]) */
	for (size_t i = 0; i < count; i++) {
		if (!offset_at(w - candidates[i], &shown[i]))
			return LOCAL_TIME_ZONE_DATA_ERROR;
	}
	size_t sampled = count;
	for (size_t i = 0; i < sampled; i++)
		add_candidate(candidates, &count, shown[i]);
	for (size_t i = sampled; i < count; i++) {
		if (!offset_at(w - candidates[i], &shown[i]))
			return LOCAL_TIME_ZONE_DATA_ERROR;
	}

	bool found = false;
	for (size_t i = 0; i < count; i++) {
		if (shown[i] == candidates[i] && (!found || w - candidates[i] < *instant)) {
			*instant = w - candidates[i];
			found = true;
		}
	}
	*in_gap = !found;
	if (found)
		return LOCAL_TIME_OK;
	/* A gap from b to a: offset(w - a) == b and offset(w - b) == a, with b < a. */
	for (size_t i = 0; i < count; i++) {
		long after = candidates[i];
		long before = shown[i];
		if (before >= after)
			continue;
		for (size_t j = 0; j < count; j++) {
			if (candidates[j] == before && shown[j] == after) {
				*instant = w - before;
				*gap_before = before;
				*gap_after = after;
				return LOCAL_TIME_OK;
			}
		}
	}
	return LOCAL_TIME_ZONE_DATA_ERROR; /* more than one change within the day: not seen in tzdata */
}

/* Locks, switches to the calendar's zone, converts, unlocks. */
static enum local_time_result convert(const struct local_time_calendar *calendar, int64_t w, int64_t *instant,
                                      bool *in_gap, long *gap_before, long *gap_after)
{
	if (pthread_once(&environment_once, install_tz_variable) != 0 || !environment_ready)
		return LOCAL_TIME_ZONE_DATA_ERROR;
	if (pthread_mutex_lock(&zone_lock) != 0)
		return LOCAL_TIME_ZONE_DATA_ERROR;
	enum local_time_result result = LOCAL_TIME_ZONE_DATA_ERROR;
	if (switch_zone_locked(calendar->zone))
		result = convert_locked(w, instant, in_gap, gap_before, gap_after);
	if (pthread_mutex_unlock(&zone_lock) != 0)
		return LOCAL_TIME_ZONE_DATA_ERROR;
	return result;
}

/* ---- the public interface ---- */

bool local_time_zone_is_known(const char *zone)
{
	return zone != NULL && zone_name_is_plain(zone) && time_zone_is_known(zone);
}

enum local_time_result local_time_calendar_open(const char *zone, struct local_time_calendar **out)
{
	*out = NULL;
	if (!local_time_zone_is_known(zone))
		return LOCAL_TIME_UNKNOWN_ZONE;
	struct local_time_calendar *calendar = malloc(sizeof(*calendar));
	if (calendar == NULL)
		return LOCAL_TIME_NO_MEMORY;
	memcpy(calendar->zone, zone, strlen(zone) + 1); /* at most ZONE_NAME_MAX, checked above */
	*out = calendar;
	return LOCAL_TIME_OK;
}

void local_time_calendar_close(struct local_time_calendar *calendar)
{
	free(calendar);
}

enum local_time_result local_time_calendar_to_utc(struct local_time_calendar *calendar, int year, int month, int day,
                                                  int minute_of_day, int64_t *epoch_seconds)
{
	if (calendar == NULL || epoch_seconds == NULL || !date_is_valid(year, month, day) || minute_of_day < 0 ||
	    minute_of_day > MINUTES_IN_DAY)
		return LOCAL_TIME_INVALID_ARGUMENT;
	bool in_gap;
	long before, after;
	return convert(calendar, wall_as_utc(year, month, day, minute_of_day), epoch_seconds, &in_gap, &before, &after);
}

/* The local date at instant t in the current zone (caller holds zone_lock). */
static bool local_date_locked(int64_t t, int *year, int *month, int *day)
{
	time_t instant = (time_t)t;
	struct tm fields;
	if ((int64_t)instant != t || localtime_r(&instant, &fields) == NULL)
		return false;
	*year = fields.tm_year + 1900;
	*month = fields.tm_mon + 1;
	*day = fields.tm_mday;
	return true;
}

/* The date exists unless its midnight is in a gap that ends after the date: the first instant at
 * or after the midnight is then the gap's end, the first t in (w - after, w - before] with
 * offset(t) == after, found by bisection; the date exists when that instant's local date is it. */
static enum local_time_result date_exists_locked(const struct local_time_calendar *calendar, int year, int month,
                                                 int day, bool *exists)
{
	if (!switch_zone_locked(calendar->zone))
		return LOCAL_TIME_ZONE_DATA_ERROR;
	int64_t w = wall_as_utc(year, month, day, 0);
	int64_t instant;
	bool in_gap = false;
	long before = 0, after = 0;
	enum local_time_result result = convert_locked(w, &instant, &in_gap, &before, &after);
	if (result != LOCAL_TIME_OK)
		return result;
	if (!in_gap) {
		*exists = true; /* the midnight itself is shown */
		return LOCAL_TIME_OK;
	}
	int64_t low = w - after;   /* offset(low) == before */
	int64_t high = w - before; /* offset(high) == after */
	while (high - low > 1) {
		int64_t middle = low + (high - low) / 2;
		long offset;
		if (!offset_at(middle, &offset))
			return LOCAL_TIME_ZONE_DATA_ERROR;
		if (offset == after)
			high = middle;
		else
			low = middle;
	}
	int local_year, local_month, local_day;
	if (!local_date_locked(high, &local_year, &local_month, &local_day))
		return LOCAL_TIME_ZONE_DATA_ERROR;
	*exists = local_year == year && local_month == month && local_day == day;
	return LOCAL_TIME_OK;
}

enum local_time_result local_time_calendar_date_exists(struct local_time_calendar *calendar, int year, int month,
                                                       int day, bool *exists)
{
	if (calendar == NULL || exists == NULL || !date_is_valid(year, month, day))
		return LOCAL_TIME_INVALID_ARGUMENT;
	if (pthread_once(&environment_once, install_tz_variable) != 0 || !environment_ready)
		return LOCAL_TIME_ZONE_DATA_ERROR;
	if (pthread_mutex_lock(&zone_lock) != 0)
		return LOCAL_TIME_ZONE_DATA_ERROR;
	enum local_time_result result = date_exists_locked(calendar, year, month, day, exists);
	if (pthread_mutex_unlock(&zone_lock) != 0)
		return LOCAL_TIME_ZONE_DATA_ERROR;
	return result;
}

/* ---- the data version ---- */

static pthread_once_t version_once = PTHREAD_ONCE_INIT;
static char zone_data_version[VERSION_MAX] = "unknown";

/* Reads "# version 2025b" from tzdata.zi's first line; leaves "unknown" on any failure. */
static void read_zone_data_version(void)
{
	FILE *file = fopen(TZDATA_ZI, "re");
	if (file == NULL)
		return;
	char line[64];
	bool read = fgets(line, sizeof(line), file) != NULL;
	if (fclose(file) != 0 || !read)
		return;
	static const char prefix[] = "# version ";
	if (strncmp(line, prefix, sizeof(prefix) - 1) != 0)
		return;
	const char *version = line + sizeof(prefix) - 1;
	size_t length = strcspn(version, "\r\n");
	if (length == 0 || length >= VERSION_MAX)
		return;
	for (size_t i = 0; i < length; i++)
		if (!((version[i] >= '0' && version[i] <= '9') || (version[i] >= 'a' && version[i] <= 'z')))
			return;
	memcpy(zone_data_version, version, length);
	zone_data_version[length] = '\0';
}

const char *local_time_zone_data_version(void)
{
	if (pthread_once(&version_once, read_zone_data_version) != 0)
		return "unknown";
	return zone_data_version;
}

enum local_time_result local_time_to_utc(const char *zone, int year, int month, int day, int minute_of_day,
                                         int64_t *epoch_seconds)
{
	struct local_time_calendar *calendar;
	enum local_time_result result = local_time_calendar_open(zone, &calendar);
	if (result != LOCAL_TIME_OK)
		return result;
	result = local_time_calendar_to_utc(calendar, year, month, day, minute_of_day, epoch_seconds);
	local_time_calendar_close(calendar);
	return result;
}

/* ---- the local date of an instant ---- */

enum local_time_result local_time_date_at(const char *zone, int64_t instant, int *year, int *month, int *day)
{
	if (zone == NULL || year == NULL || month == NULL || day == NULL || !local_time_zone_is_known(zone))
		return LOCAL_TIME_UNKNOWN_ZONE;
	if (pthread_once(&environment_once, install_tz_variable) != 0 || !environment_ready)
		return LOCAL_TIME_ZONE_DATA_ERROR;
	if (pthread_mutex_lock(&zone_lock) != 0)
		return LOCAL_TIME_ZONE_DATA_ERROR;
	enum local_time_result result = LOCAL_TIME_ZONE_DATA_ERROR;
	if (switch_zone_locked(zone) && local_date_locked(instant, year, month, day))
		result = LOCAL_TIME_OK;
	if (pthread_mutex_unlock(&zone_lock) != 0)
		return LOCAL_TIME_ZONE_DATA_ERROR;
	return result;
}

enum local_time_result local_time_init(void)
{
	if (pthread_once(&environment_once, install_tz_variable) != 0 || !environment_ready)
		return LOCAL_TIME_ZONE_DATA_ERROR;
	return LOCAL_TIME_OK;
}
