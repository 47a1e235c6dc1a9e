/* GET /events: the audit log, newest first, keyset-paginated like GET /cameras. What a caller
 * sees follows the camera rules: operators every event, others their organisation's, viewer
 * users only those of the sites granted to them. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/event_visibility.h"
#include "api/events.h"
#include "api/list_query.h"
#include "api/routes.h"
#include "auth/policy.h"
#include "domain/event.h"
#include "util/log.h"
#include "util/timeutil.h"

#define EVENT_LIMIT_DEFAULT 100
#define EVENT_LIMIT_MAX     1000

struct type_parse {
	unsigned mask;
	const char *unknown;
};

static int add_type(void *context, const char *value)
{
	struct type_parse *parse = context;
	enum event_type type;
	if (!event_type_from_name(value, &type)) {
		parse->unknown = value;
		return 1;
	}
	parse->mask |= EVENT_TYPE_BIT(type);
	return 0;
}

/* Every ?type= (repeatable) into a mask; 422 naming an unknown one and the known ones. */
static bool parse_types_or_reply(struct http_request *request, unsigned *mask)
{
	struct type_parse parse = {0, NULL};
	if (http_query_each(request, "type", add_type, &parse) == 0) {
		*mask = parse.mask;
		return true;
	}
	char known[512] = "";
	size_t used = 0;
	for (unsigned i = 0; i < EVENT_TYPE_COUNT && used < sizeof(known); i++)
		used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%s", i > 0 ? ", " : "",
		                         event_type_name((enum event_type)i));
	http_reply_error(request, 422, "query parameter 'type' must be one of %s, not '%s'", known, parse.unknown);
	return false;
}

/* ?since= (RFC 3339, its milliseconds kept: an event's occurredAt selects that event and later
 * ones) into epoch milliseconds, 0 when absent; 422 when malformed. */
static bool parse_since_or_reply(struct http_request *request, int64_t *since_ms)
{
	const char *value = http_query(request, "since");
	*since_ms = 0;
	if (value == NULL)
		return true;
	if (!time_parse_rfc3339_millis(value, since_ms)) {
		http_reply_error(request, 422,
		                 "query parameter 'since' must be an RFC 3339 time, e.g. 2026-12-01T08:00:00Z");
		return false;
	}
	return true;
}

bool api_event_filter_or_reply(struct http_request *request, struct event_filter *filter)
{
	if (!parse_types_or_reply(request, &filter->type_mask) ||
	    !api_query_uuid_or_reply(request, "cameraId", filter->camera_id) ||
	    !api_query_uuid_or_reply(request, "siteId", filter->site_id) ||
	    !parse_since_or_reply(request, &filter->since_ms))
		return false;
	const struct principal *caller = &request->principal;
	if (caller->role != ROLE_OPERATOR)
		memcpy(filter->organisation_id, caller->organisation_id, sizeof(filter->organisation_id));
	if (policy_limited_to_granted_sites(caller))
		memcpy(filter->granted_user_id, caller->subject, sizeof(filter->granted_user_id));
	return true;
}

struct event_page {
	const struct viewer_sites *viewer_sites; /* a viewer user's granted sites; NULL for other callers */
	json_t *list;
	unsigned wanted; /* the page's size; one more row tells whether another page follows */
	unsigned rows;
	char last_id[UUID_BUFFER_SIZE];
	bool failed;
};

static int add_event(void *context, const struct event_record *event)
{
	struct event_page *page = context;
	if (++page->rows > page->wanted)
		return 1;
	const struct event_record *shown = event;
	struct event_record copy;
	char *copy_data = NULL;
	if (page->viewer_sites != NULL &&
	    !event_as_viewer_sees_it(page->viewer_sites, event, &copy, &copy_data, &shown)) {
		log_error("events: cannot show event %s to a viewer", event->id);
		page->failed = true;
		return 1;
	}
	json_t *item = event_json(shown);
	free(copy_data);
	if (item == NULL || json_array_append_new(page->list, item) != 0) {
		log_error("events: cannot show event %s", event->id);
		page->failed = true;
		return 1;
	}
	memcpy(page->last_id, event->id, sizeof(page->last_id));
	return 0;
}

static enum MHD_Result list_events(struct http_request *request)
{
	struct event_filter filter = {0};
	unsigned limit = 0;
	if (!api_event_filter_or_reply(request, &filter) ||
	    !api_query_limit_or_reply(request, EVENT_LIMIT_MAX, &limit) ||
	    !api_query_uuid_or_reply(request, "after", filter.before_id))
		return http_replied(request);
	if (limit == 0)
		limit = EVENT_LIMIT_DEFAULT;
	struct store *store = request->app->store;
	struct viewer_sites viewer_sites = {0};
	if (filter.granted_user_id[0] != '\0') {
		enum store_result loaded = viewer_sites_load(store, filter.granted_user_id, &viewer_sites);
		if (loaded != STORE_OK) {
			viewer_sites_free(&viewer_sites);
			return api_store_failure(request, loaded, "event", NULL);
		}
	}
	struct event_page page = {.viewer_sites = filter.granted_user_id[0] != '\0' ? &viewer_sites : NULL,
	                          .list = json_array(),
	                          .wanted = limit};
	if (page.list == NULL) {
		viewer_sites_free(&viewer_sites);
		return http_reply_error(request, 500, "internal error");
	}
	filter.limit = limit + 1;
	enum store_result result = store->ops->event_list(store, &filter, add_event, &page);
	viewer_sites_free(&viewer_sites);
	if (result != STORE_OK || page.failed) {
		json_decref(page.list);
		return result != STORE_OK ? api_store_failure(request, result, "event", NULL)
		                          : http_reply_error(request, 500, "internal error");
	}
	if (page.rows > page.wanted)
		api_add_next_link(request, "/events", limit, page.last_id);
	return http_reply_json(request, 200, page.list);
}

const struct route event_routes[] = {
    {.method = "GET",
     .pattern = "/events",
     .handler = list_events,
     .roles = ROLES_READERS,
     .query = "type,cameraId,siteId,since,limit,after"},
    {0},
};
