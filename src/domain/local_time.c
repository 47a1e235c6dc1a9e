/* Wall time → UTC with ICU's C calendar API: a proleptic Gregorian calendar of the zone, with
 * UCAL_SKIPPED_WALL_TIME = UCAL_WALLTIME_LAST (a gap moves the time forward by its length) and
 * UCAL_REPEATED_WALL_TIME = UCAL_WALLTIME_FIRST (an overlap takes the first occurrence). */
#include "domain/local_time.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

#define ZONE_ID_MAX     64 /* longer than any IANA name */
#define MINUTES_IN_DAY  1440
#define CALENDAR_LOCALE "en_US_POSIX"

struct local_time_calendar {
	UCalendar *icu;
};

/* Copies an ASCII zone name into UTF-16; false when it is empty, too long or not printable ASCII. */
static bool zone_to_uchars(const char *zone, UChar out[ZONE_ID_MAX + 1])
{
	if (zone == NULL)
		return false;
	size_t length = strlen(zone);
	if (length == 0 || length > ZONE_ID_MAX)
		return false;
	for (size_t i = 0; i < length; i++)
		if (zone[i] <= ' ' || zone[i] > '~')
			return false;
	u_charsToUChars(zone, out, (int32_t)length + 1);
	return true;
}

bool local_time_zone_is_known(const char *zone)
{
	UChar id[ZONE_ID_MAX + 1];
	if (!zone_to_uchars(zone, id) || strcmp(zone, "Etc/Unknown") == 0)
		return false;
	UChar canonical[ZONE_ID_MAX + 1];
	UBool is_system = 0;
	UErrorCode status = U_ZERO_ERROR;
	ucal_getCanonicalTimeZoneID(id, -1, canonical, ZONE_ID_MAX + 1, &is_system, &status);
	return U_SUCCESS(status) && is_system;
}

const char *local_time_zone_data_version(void)
{
	UErrorCode status = U_ZERO_ERROR;
	const char *version = ucal_getTZDataVersion(&status);
	return U_SUCCESS(status) && version != NULL ? version : "unknown";
}

static bool is_leap_year(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static bool date_is_valid(int year, int month, int day)
{
	static const int days_in_month[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1)
		return false;
	return day <= days_in_month[month - 1] + (month == 2 && is_leap_year(year) ? 1 : 0);
}

enum local_time_result local_time_calendar_open(const char *zone, struct local_time_calendar **out)
{
	*out = NULL;
	UChar id[ZONE_ID_MAX + 1];
	if (!local_time_zone_is_known(zone) || !zone_to_uchars(zone, id))
		return LOCAL_TIME_UNKNOWN_ZONE;
	struct local_time_calendar *calendar = malloc(sizeof(*calendar));
	if (calendar == NULL)
		return LOCAL_TIME_NO_MEMORY;
	UErrorCode status = U_ZERO_ERROR;
	calendar->icu = ucal_open(id, -1, CALENDAR_LOCALE, UCAL_GREGORIAN, &status);
	if (U_SUCCESS(status))
		ucal_setGregorianChange(calendar->icu, U_DATE_MIN, &status); /* Gregorian before 1582 too */
	if (U_FAILURE(status)) {
		local_time_calendar_close(calendar);
		return LOCAL_TIME_ZONE_DATA_ERROR;
	}
	ucal_setAttribute(calendar->icu, UCAL_LENIENT, 1); /* lets hour 24 be the next day's 00:00 */
	ucal_setAttribute(calendar->icu, UCAL_SKIPPED_WALL_TIME, UCAL_WALLTIME_LAST);
	ucal_setAttribute(calendar->icu, UCAL_REPEATED_WALL_TIME, UCAL_WALLTIME_FIRST);
	*out = calendar;
	return LOCAL_TIME_OK;
}

void local_time_calendar_close(struct local_time_calendar *calendar)
{
	if (calendar == NULL)
		return;
	if (calendar->icu != NULL)
		ucal_close(calendar->icu);
	free(calendar);
}

/* Milliseconds since the epoch of the wall time, by the calendar's current wall-time rules. */
static bool wall_time_millis(UCalendar *icu, int year, int month, int day, int minute_of_day, UDate *millis)
{
	UErrorCode status = U_ZERO_ERROR;
	ucal_clear(icu);
	ucal_setDateTime(icu, year, month - 1, day, minute_of_day / 60, minute_of_day % 60, 0, &status);
	*millis = ucal_getMillis(icu, &status);
	return U_SUCCESS(status);
}

enum local_time_result local_time_calendar_to_utc(struct local_time_calendar *calendar, int year, int month, int day,
                                                  int minute_of_day, int64_t *epoch_seconds)
{
	if (calendar == NULL || !date_is_valid(year, month, day) || minute_of_day < 0 || minute_of_day > MINUTES_IN_DAY)
		return LOCAL_TIME_INVALID_ARGUMENT;
	UDate millis;
	if (!wall_time_millis(calendar->icu, year, month, day, minute_of_day, &millis))
		return LOCAL_TIME_ZONE_DATA_ERROR;
	*epoch_seconds = (int64_t)floor(millis / 1000.0);
	return LOCAL_TIME_OK;
}

enum local_time_result local_time_calendar_date_exists(struct local_time_calendar *calendar, int year, int month,
                                                       int day, bool *exists)
{
	if (calendar == NULL || !date_is_valid(year, month, day))
		return LOCAL_TIME_INVALID_ARGUMENT;
	/* The first instant at or after the date's midnight (the end of a gap holding it) ... */
	UCalendar *icu = calendar->icu;
	UDate millis;
	ucal_setAttribute(icu, UCAL_SKIPPED_WALL_TIME, UCAL_WALLTIME_NEXT_VALID);
	bool computed = wall_time_millis(icu, year, month, day, 0, &millis);
	ucal_setAttribute(icu, UCAL_SKIPPED_WALL_TIME, UCAL_WALLTIME_LAST);
	if (!computed)
		return LOCAL_TIME_ZONE_DATA_ERROR;
	/* ... falls on the date unless the gap swallowed the whole date. */
	UErrorCode status = U_ZERO_ERROR;
	ucal_setMillis(icu, millis, &status);
	int32_t local_year = ucal_get(icu, UCAL_EXTENDED_YEAR, &status);
	int32_t local_month = ucal_get(icu, UCAL_MONTH, &status);
	int32_t local_day = ucal_get(icu, UCAL_DATE, &status);
	if (U_FAILURE(status))
		return LOCAL_TIME_ZONE_DATA_ERROR;
	*exists = local_year == year && local_month == month - 1 && local_day == day;
	return LOCAL_TIME_OK;
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
