/* Reading a site's opening hours from the store into domain/schedule.h structures. The store
 * keeps the JSON the API validated; a stored text that no longer parses is a store error. */
#include "calendar/site_schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/civil_date.h"
#include "util/log.h"

void schedule_date_set(struct schedule_date *date, int year, int month, int day)
{
	date->year = year;
	date->month = month;
	date->day = day;
	snprintf(date->text, sizeof(date->text), "%04u-%02u-%02u", (unsigned)year % 10000u, (unsigned)month % 100u,
	         (unsigned)day % 100u);
}

struct schedule_date schedule_date_offset(const struct schedule_date *date, int days)
{
	struct schedule_date out;
	int year, month, day;
	civil_date_add_days(date->year, date->month, date->day, days, &year, &month, &day);
	schedule_date_set(&out, year, month, day);
	return out;
}

enum store_result site_schedule_weekly(struct store *store, const char *site_id, struct weekly_schedule *out)
{
	memset(out, 0, sizeof(*out));
	char *text = NULL;
	enum store_result result = store->ops->site_hours_get(store, site_id, &text);
	if (result == STORE_NOT_FOUND)
		return STORE_OK;
	if (result != STORE_OK)
		return result;
	json_t *body = json_loads(text, 0, NULL);
	free(text);
	char error[256];
	bool parsed = body != NULL && schedule_parse_weekly(body, out, error, sizeof(error));
	json_decref(body);
	if (!parsed) {
		log_error("site %s: stored weekly opening hours do not parse", site_id);
		return STORE_ERROR;
	}
	return STORE_OK;
}

enum store_result site_schedule_exception(struct store *store, const char *site_id, const struct schedule_date *date,
                                          struct day_schedule *out, bool *found)
{
	memset(out, 0, sizeof(*out));
	*found = false;
	char *text = NULL;
	enum store_result result = store->ops->site_exception_get(store, site_id, date->text, &text);
	if (result == STORE_NOT_FOUND)
		return STORE_OK;
	if (result != STORE_OK)
		return result;
	json_t *intervals = json_loads(text, 0, NULL);
	free(text);
	char error[256];
	bool parsed = intervals != NULL && schedule_parse_intervals(intervals, out, error, sizeof(error));
	json_decref(intervals);
	if (!parsed) {
		log_error("site %s: stored exception of %s does not parse", site_id, date->text);
		return STORE_ERROR;
	}
	*found = true;
	return STORE_OK;
}

enum store_result site_schedule_day(struct store *store, const char *site_id, const struct weekly_schedule *weekly,
                                    const struct schedule_date *date, struct day_schedule *out)
{
	bool found = false;
	enum store_result result = site_schedule_exception(store, site_id, date, out, &found);
	if (result != STORE_OK || found)
		return result;
	*out = weekly->days[civil_weekday(date->year, date->month, date->day)];
	return STORE_OK;
}
