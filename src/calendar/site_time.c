/* The domain's local-time rules over util/zoneinfo.c: each function enters the zone once and runs
 * the pure computation inside, with zoneinfo_offset_at as the zone's offsets. */
#include "calendar/site_time.h"

#include "domain/local_time.h"
#include "domain/opening_hours.h"
#include "domain/opening_hours_compute.h"
#include "util/zoneinfo.h"

struct date_at_work {
	int64_t instant;
	int year, month, day;
	enum local_time_result result;
};

static void find_date_at(void *context)
{
	struct date_at_work *work = context;
	work->result = local_time_date_at(zoneinfo_offset_at, work->instant, &work->year, &work->month, &work->day);
}

bool site_time_date_at(const char *zone, int64_t instant, int *year, int *month, int *day)
{
	struct date_at_work work = {.instant = instant, .result = LOCAL_TIME_ZONE_DATA_ERROR};
	if (zoneinfo_with_zone(zone, find_date_at, &work) != ZONEINFO_OK || work.result != LOCAL_TIME_OK)
		return false;
	*year = work.year;
	*month = work.month;
	*day = work.day;
	return true;
}

struct opening_hours_work {
	const struct day_schedule *day_of_date;
	int year, month, day;
	json_t *instants;
	int error;
};

static void find_opening_hours(void *context)
{
	struct opening_hours_work *work = context;
	work->instants = opening_hours_instants(zoneinfo_offset_at, work->day_of_date, work->year, work->month,
	                                        work->day, &work->error);
}

json_t *site_time_opening_hours(const char *zone, const struct day_schedule *day_of_date, int year, int month, int day,
                                int *error)
{
	struct opening_hours_work work = {.day_of_date = day_of_date, .year = year, .month = month, .day = day};
	enum zoneinfo_result entered = zoneinfo_with_zone(zone, find_opening_hours, &work);
	if (entered != ZONEINFO_OK) {
		*error = entered == ZONEINFO_UNKNOWN_ZONE ? SITE_TIME_UNKNOWN_ZONE : SITE_TIME_ZONE_ERROR;
		return NULL;
	}
	*error = work.error;
	return work.instants;
}

struct instants_work {
	const struct day_schedule *day_of_date;
	int year, month, day;
	int64_t *instants;
	size_t max;
	int count;
};

static void find_instants(void *context)
{
	struct instants_work *work = context;
	work->count = opening_hours_for_date(zoneinfo_offset_at, work->day_of_date, work->year, work->month, work->day,
	                                     work->instants, work->max);
}

int site_time_instants(const char *zone, const struct day_schedule *day_of_date, int year, int month, int day,
                       int64_t *instants, size_t max)
{
	struct instants_work work = {day_of_date, year, month, day, instants, max, SITE_TIME_ZONE_ERROR};
	enum zoneinfo_result entered = zoneinfo_with_zone(zone, find_instants, &work);
	if (entered != ZONEINFO_OK)
		return entered == ZONEINFO_UNKNOWN_ZONE ? SITE_TIME_UNKNOWN_ZONE : SITE_TIME_ZONE_ERROR;
	return work.count;
}
