/* Site opening hours (PRODUCT.md "Around the seed"): the weekly schedule
 * (GET/PUT /sites/{siteId}/opening-hours) and exceptions by local date
 * (GET/PUT/DELETE /sites/{siteId}/opening-hours/exceptions/{date}, and their list). Writes by
 * operators and the site organisation's admins; reads also by viewers who can see the site.
 * Every write is checked against its neighbours so that no two intervals ever overlap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/routes.h"
#include "calendar/site_schedule.h"
#include "api/sites.h"
#include "util/civil_date.h"
#include "util/log.h"
#include "util/timeutil.h"

/* Exceptions a site may have (a tenant must not grow a site's rows, and the work of checking a
 * weekly schedule against them, without bound). Sites that had more before the cap keep them. */
#define SITE_EXCEPTIONS_MAX 1000

static const char *const weekly_fields[] = {"weekly", NULL};
static const char *const exception_fields[] = {"intervals", NULL};
/* What GET answers besides: accepted in a PUT with the path's date. */
static const char *const exception_read_only[] = {"date", NULL};

/* One exception of a site: its local date and the intervals in force on it. */
struct exception_entry {
	struct schedule_date date;
	struct day_schedule day;
};

/* The site's exceptions, loaded to check a new weekly schedule against them; entries grow as
 * rows arrive (malloc'd; exception_set_free releases them). */
struct exception_set {
	size_t count, capacity;
	struct exception_entry *entries;
	bool corrupt; /* a stored row did not parse */
	bool out_of_memory;
};

static void exception_set_free(struct exception_set *set)
{
	free(set->entries);
	set->entries = NULL;
	set->count = set->capacity = 0;
}

/* Room for one more entry; false when memory runs out. */
static bool exception_set_reserve(struct exception_set *set)
{
	if (set->count < set->capacity)
		return true;
	size_t capacity = set->capacity ? set->capacity * 2 : 64;
	struct exception_entry *grown = realloc(set->entries, capacity * sizeof(*grown));
	if (grown == NULL)
		return false;
	set->entries = grown;
	set->capacity = capacity;
	return true;
}

/* Role check, siteId and visibility; false when the request has been answered. */
static bool load_site_or_reply(struct http_request *request, unsigned roles, const char *action, struct site *site)
{
	char id[UUID_BUFFER_SIZE];
	return api_require_role_or_reply(request, roles, action) && api_path_uuid_or_reply(request, 0, "siteId", id) &&
	       api_site_load_visible_or_reply(request, id, site);
}

/* The {date} path parameter; 422 when it is not a real YYYY-MM-DD date. */
static bool path_date_or_reply(struct http_request *request, struct schedule_date *date)
{
	int year, month, day;
	if (!time_parse_date(http_path_param(request, 1), &year, &month, &day) ||
	    !schedule_date_is_valid(year, month, day) || (year == 9999 && month == 12 && day == 31)) {
		http_reply_error(request, 422,
		                 "path parameter 'date' must be a date YYYY-MM-DD from 0001-01-01 to 9999-12-30");
		return false;
	}
	schedule_date_set(date, year, month, day);
	return true;
}

static void sort_week(struct weekly_schedule *weekly)
{
	for (int d = 0; d < SCHEDULE_DAYS_IN_WEEK; d++)
		schedule_day_sort(&weekly->days[d]);
}

/* ---- the weekly schedule ---- */

static enum MHD_Result get_weekly(struct http_request *request)
{
	struct site site;
	if (!load_site_or_reply(request, ROLES_READERS, "read opening hours", &site))
		return http_replied(request);
	struct weekly_schedule weekly;
	enum store_result result = site_schedule_weekly(request->app->store, site.id, &weekly);
	if (result != STORE_OK)
		return api_store_failure(request, result, "site", NULL);
	return http_reply_json(request, 200, schedule_weekly_json(&weekly));
}

static int collect_exception(void *context, const char *date_text, const char *intervals_json)
{
	struct exception_set *set = context;
	if (!exception_set_reserve(set)) { /* the bound comes before the write into entries[count] */
		set->out_of_memory = true;
		return 1;
	}
	struct exception_entry *entry = &set->entries[set->count];
	int year, month, day;
	json_t *intervals = json_loads(intervals_json, 0, NULL);
	char error[256];
	bool parsed = intervals != NULL && time_parse_date(date_text, &year, &month, &day) &&
	              schedule_parse_intervals(intervals, &entry->day, error, sizeof(error));
	json_decref(intervals);
	if (!parsed) {
		set->corrupt = true;
		return 1;
	}
	schedule_date_set(&entry->date, year, month, day);
	set->count++;
	return 0;
}

/* The intervals in force on date under weekly and the loaded exceptions. */
static const struct day_schedule *day_in_force(const struct weekly_schedule *weekly, const struct exception_set *set,
                                               const struct schedule_date *date)
{
	for (size_t i = 0; i < set->count; i++)
		if (strcmp(set->entries[i].date.text, date->text) == 0)
			return &set->entries[i].day;
	return &weekly->days[civil_weekday(date->year, date->month, date->day)];
}

/* Checks every exception against its neighbours under the new weekly schedule. */
static bool exceptions_fit(const struct weekly_schedule *weekly, const struct exception_set *set, char *error,
                           size_t error_size)
{
	for (size_t i = 0; i < set->count; i++) {
		const struct exception_entry *entry = &set->entries[i];
		struct schedule_date before = schedule_date_offset(&entry->date, -1);
		struct schedule_date after = schedule_date_offset(&entry->date, 1);
		char detail[400];
		if (!schedule_validate_sequence(day_in_force(weekly, set, &before), &entry->day,
		                                day_in_force(weekly, set, &after), detail, sizeof(detail))) {
			snprintf(error, error_size, "with the exception of %s: %s", entry->date.text, detail);
			return false;
		}
	}
	return true;
}

static enum MHD_Result store_weekly(struct http_request *request, const struct site *site,
                                    const struct weekly_schedule *weekly)
{
	json_t *canonical = schedule_weekly_json(weekly);
	char *text = canonical != NULL ? json_dumps(canonical, JSON_COMPACT) : NULL;
	if (text == NULL) {
		json_decref(canonical);
		return http_reply_error(request, 500, "internal error");
	}
	struct store *store = request->app->store;
	enum store_result result = store->ops->site_hours_put(store, site->id, text, time_now_seconds());
	free(text);
	if (result != STORE_OK) {
		json_decref(canonical);
		return api_store_failure(request, result, "site", NULL);
	}
	return http_reply_json(request, 200, canonical);
}

static enum MHD_Result put_weekly(struct http_request *request)
{
	struct site site;
	json_t *body = NULL;
	if (!load_site_or_reply(request, ROLES_WRITERS, "change opening hours", &site) ||
	    !api_parse_body_or_reply(request, weekly_fields, &body))
		return http_replied(request);
	struct weekly_schedule weekly;
	char error[512];
	bool valid = schedule_parse_weekly(body, &weekly, error, sizeof(error)) &&
	             schedule_validate_weekly(&weekly, error, sizeof(error));
	json_decref(body);
	if (!valid)
		return http_reply_error(request, 400, "%s", error);
	sort_week(&weekly);
	struct exception_set set = {0};
	struct store *store = request->app->store;
	enum store_result result = store->ops->site_exception_list(store, site.id, collect_exception, &set);
	if (result != STORE_OK || set.corrupt || set.out_of_memory) {
		exception_set_free(&set);
		if (set.corrupt)
			log_error("opening hours: site %s has an exception that does not parse", site.id);
		return api_store_failure(request, result != STORE_OK ? result : STORE_ERROR, "site", NULL);
	}
	bool fits = exceptions_fit(&weekly, &set, error, sizeof(error));
	exception_set_free(&set);
	if (!fits)
		return http_reply_error(request, 400, "%s", error);
	return store_weekly(request, &site, &weekly);
}

/* ---- exceptions ---- */

static json_t *exception_json(const struct schedule_date *date, const struct day_schedule *day)
{
	return json_pack("{s:s, s:o}", "date", date->text, "intervals", schedule_day_json(day));
}

/* Checks day (to be in force on date) against the days in force before and after it. */
static enum store_result check_neighbours(struct store *store, const struct site *site,
                                          const struct schedule_date *date, const struct day_schedule *day, bool *fits,
                                          char *error, size_t error_size)
{
	struct weekly_schedule weekly;
	struct day_schedule before, after;
	struct schedule_date day_before = schedule_date_offset(date, -1);
	struct schedule_date day_after = schedule_date_offset(date, 1);
	enum store_result result = site_schedule_weekly(store, site->id, &weekly);
	if (result == STORE_OK)
		result = site_schedule_day(store, site->id, &weekly, &day_before, &before);
	if (result == STORE_OK)
		result = site_schedule_day(store, site->id, &weekly, &day_after, &after);
	if (result == STORE_OK)
		*fits = schedule_validate_sequence(&before, day, &after, error, error_size);
	return result;
}

static enum MHD_Result get_exception(struct http_request *request)
{
	struct site site;
	struct schedule_date date;
	if (!load_site_or_reply(request, ROLES_READERS, "read opening hours", &site) ||
	    !path_date_or_reply(request, &date))
		return http_replied(request);
	struct day_schedule day;
	bool found = false;
	enum store_result result = site_schedule_exception(request->app->store, site.id, &date, &day, &found);
	if (result == STORE_OK && !found)
		result = STORE_NOT_FOUND;
	if (result != STORE_OK)
		return api_store_failure(request, result, "opening-hours exception", NULL);
	return http_reply_json(request, 200, exception_json(&date, &day));
}

static enum MHD_Result put_exception(struct http_request *request)
{
	struct site site;
	struct schedule_date date;
	json_t *body = NULL;
	if (!load_site_or_reply(request, ROLES_WRITERS, "change opening hours", &site) ||
	    !path_date_or_reply(request, &date) ||
	    !api_parse_change_body_or_reply(request, exception_fields, exception_read_only, &body))
		return http_replied(request);
	json_t *current = json_pack("{s:s}", "date", date.text);
	bool unchanged = api_read_only_fields_or_reply(request, body, current, exception_read_only);
	json_decref(current);
	if (!unchanged) {
		json_decref(body);
		return http_replied(request);
	}
	struct day_schedule day;
	char error[512];
	json_t *intervals = json_object_get(body, "intervals");
	bool valid = intervals != NULL;
	if (!valid)
		snprintf(error, sizeof(error), "field 'intervals' is required (use [] for a closed day)");
	else
		valid = schedule_parse_intervals(intervals, &day, error, sizeof(error));
	json_decref(body);
	if (!valid)
		return http_reply_error(request, 400, "%s", error);
	schedule_day_sort(&day);
	struct store *store = request->app->store;
	bool fits = false;
	enum store_result result = check_neighbours(store, &site, &date, &day, &fits, error, sizeof(error));
	if (result != STORE_OK)
		return api_store_failure(request, result, "site", NULL);
	if (!fits)
		return http_reply_error(request, 400, "%s", error);
	json_t *canonical = schedule_day_json(&day);
	char *text = canonical != NULL ? json_dumps(canonical, JSON_COMPACT) : NULL;
	json_decref(canonical);
	if (text == NULL)
		return http_reply_error(request, 500, "internal error");
	result =
	    store->ops->site_exception_put(store, site.id, date.text, text, time_now_seconds(), SITE_EXCEPTIONS_MAX);
	free(text);
	if (result == STORE_LIMIT)
		return http_reply_error(
		    request, 409,
		    "site %s already has %d opening-hours exceptions, the most a site may have; "
		    "delete past or unneeded ones (DELETE .../opening-hours/exceptions/{date}) first",
		    site.id, SITE_EXCEPTIONS_MAX);
	if (result != STORE_OK)
		return api_store_failure(request, result, "site", NULL);
	return http_reply_json(request, 200, exception_json(&date, &day));
}

static enum MHD_Result delete_exception(struct http_request *request)
{
	struct site site;
	struct schedule_date date;
	if (!load_site_or_reply(request, ROLES_WRITERS, "change opening hours", &site) ||
	    !path_date_or_reply(request, &date))
		return http_replied(request);
	struct store *store = request->app->store;
	struct day_schedule existing, weekday;
	struct weekly_schedule weekly;
	bool found = false, fits = false;
	char error[512];
	enum store_result result = site_schedule_exception(store, site.id, &date, &existing, &found);
	if (result == STORE_OK && !found)
		result = STORE_NOT_FOUND;
	if (result == STORE_OK)
		result = site_schedule_weekly(store, site.id, &weekly);
	if (result != STORE_OK)
		return api_store_failure(request, result, "opening-hours exception", NULL);
	weekday = weekly.days[civil_weekday(date.year, date.month, date.day)];
	result = check_neighbours(store, &site, &date, &weekday, &fits, error, sizeof(error));
	if (result != STORE_OK)
		return api_store_failure(request, result, "site", NULL);
	if (!fits)
		return http_reply_error(request, 409,
		                        "removing the exception of %s would bring back its weekday's hours, which "
		                        "overlap a neighbour: %s",
		                        date.text, error);
	result = store->ops->site_exception_delete(store, site.id, date.text);
	if (result != STORE_OK)
		return api_store_failure(request, result, "opening-hours exception", NULL);
	return http_reply_empty(request, 204);
}

static int append_exception(void *context, const char *date_text, const char *intervals_json)
{
	json_t *list = context;
	json_t *intervals = json_loads(intervals_json, 0, NULL);
	json_t *item = intervals != NULL ? json_pack("{s:s, s:o}", "date", date_text, "intervals", intervals) : NULL;
	return item == NULL || json_array_append_new(list, item) != 0;
}

static enum MHD_Result list_exceptions(struct http_request *request)
{
	struct site site;
	if (!load_site_or_reply(request, ROLES_READERS, "read opening hours", &site))
		return http_replied(request);
	json_t *list = json_array();
	if (list == NULL)
		return http_reply_error(request, 500, "internal error");
	struct store *store = request->app->store;
	enum store_result result = store->ops->site_exception_list(store, site.id, append_exception, list);
	if (result != STORE_OK) {
		json_decref(list);
		return api_store_failure(request, result, "site", NULL);
	}
	return http_reply_json(request, 200, list);
}

const struct route opening_hours_routes[] = {
    {.method = "GET", .pattern = "/sites/{siteId}/opening-hours", .handler = get_weekly, .roles = ROLES_READERS},
    {.method = "PUT", .pattern = "/sites/{siteId}/opening-hours", .handler = put_weekly, .roles = ROLES_WRITERS},
    {.method = "GET",
     .pattern = "/sites/{siteId}/opening-hours/exceptions",
     .handler = list_exceptions,
     .roles = ROLES_READERS},
    {.method = "GET",
     .pattern = "/sites/{siteId}/opening-hours/exceptions/{date}",
     .handler = get_exception,
     .roles = ROLES_READERS},
    {.method = "PUT",
     .pattern = "/sites/{siteId}/opening-hours/exceptions/{date}",
     .handler = put_exception,
     .roles = ROLES_WRITERS},
    {.method = "DELETE",
     .pattern = "/sites/{siteId}/opening-hours/exceptions/{date}",
     .handler = delete_exception,
     .roles = ROLES_WRITERS},
    {.method = NULL},
};
