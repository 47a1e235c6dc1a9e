/* A site's opening at an instant (see site_opening.h): the intervals of the local dates from the
 * day before today (an interval may run past midnight) to the horizon, in order, turned into UTC
 * instants by calendar/site_time.c. */
#include "calendar/site_opening.h"

#include <stdbool.h>
#include <stdlib.h>

#include "calendar/site_schedule.h"
#include "calendar/site_time.h"
#include "domain/opening_hours_compute.h"
#include "util/log.h"

static int stop_at_first(void *context, const char *date, const char *intervals_json)
{
	(void)date;
	(void)intervals_json;
	*(bool *)context = true;
	return 1;
}

/* Whether the site has opening hours at all: a weekly schedule (read into weekly) or an exception. */
static enum store_result site_has_hours(struct store *store, const char *site_id, struct weekly_schedule *weekly,
                                        bool *has_hours)
{
	char *text = NULL;
	enum store_result result = store->ops->site_hours_get(store, site_id, &text);
	free(text);
	*has_hours = result == STORE_OK;
	if (result != STORE_OK && result != STORE_NOT_FOUND)
		return result;
	if (!*has_hours)
		result = store->ops->site_exception_list(store, site_id, stop_at_first, has_hours);
	return result == STORE_OK ? site_schedule_weekly(store, site_id, weekly) : result;
}

/* Looks at the intervals opening on date: sets out when one holds now or is the next to open;
 * *decided once out is final. */
static enum store_result look_at_date(struct store *store, const struct site *site,
                                      const struct weekly_schedule *weekly, const struct schedule_date *date,
                                      int64_t now, struct site_opening *out, bool *decided)
{
	struct day_schedule day;
	enum store_result result = site_schedule_day(store, site->id, weekly, date, &day);
	if (result != STORE_OK)
		return result;
	int64_t instants[OPENING_HOURS_MAX_INSTANTS];
	int count = site_time_instants(site->time_zone, &day, date->year, date->month, date->day, instants,
	                               OPENING_HOURS_MAX_INSTANTS);
	if (count < 0) {
		log_error("site %s: opening hours of %s cannot be computed (%d)", site->id, date->text, count);
		return STORE_ERROR;
	}
	for (int i = 0; i + 1 < count; i += 2) {
		if (instants[i] <= now && now < instants[i + 1]) {
			*out = (struct site_opening){.open = true};
			*decided = true;
			return STORE_OK;
		}
		if (instants[i] > now) {
			*out = (struct site_opening){.open = false, .next_open_ms = instants[i] * 1000};
			*decided = true;
			return STORE_OK;
		}
	}
	return STORE_OK;
}

enum store_result site_opening_at(struct store *store, const struct site *site, int64_t now_ms,
                                  struct site_opening *out)
{
	*out = (struct site_opening){.open = true};
	struct weekly_schedule weekly;
	bool has_hours = false;
	enum store_result result = site_has_hours(store, site->id, &weekly, &has_hours);
	if (result != STORE_OK || !has_hours)
		return result;
	int64_t now = now_ms / 1000;
	int year, month, day;
	if (!site_time_date_at(site->time_zone, now, &year, &month, &day)) {
		log_error("site %s: cannot tell its local date in zone '%s'", site->id, site->time_zone);
		return STORE_ERROR;
	}
	struct schedule_date today;
	schedule_date_set(&today, year, month, day);
	*out = (struct site_opening){.open = false, .next_open_ms = 0};
	bool decided = false;
	for (int offset = -1; offset <= ALERT_OPENING_HORIZON_DAYS && !decided && result == STORE_OK; offset++) {
		struct schedule_date date = schedule_date_offset(&today, offset);
		result = look_at_date(store, site, &weekly, &date, now, out, &decided);
	}
	return result;
}
