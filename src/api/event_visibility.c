/* A viewer's view of an event (see event_visibility.h). */
#include "api/event_visibility.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int add_site(void *context, const char *site_id)
{
	struct viewer_sites *sites = context;
	if (sites->count == sites->capacity) {
		size_t capacity = sites->capacity > 0 ? sites->capacity * 2 : 8;
		void *grown = realloc(sites->ids, capacity * sizeof(*sites->ids));
		if (grown == NULL) {
			sites->failed = true;
			return 1;
		}
		sites->ids = grown;
		sites->capacity = capacity;
	}
	size_t length = strlen(site_id);
	if (length >= sizeof(sites->ids[0])) /* not an id this store writes */
		return 0;
	memcpy(sites->ids[sites->count++], site_id, length + 1);
	return 0;
}

enum store_result viewer_sites_load(struct store *store, const char *viewer_id, struct viewer_sites *sites)
{
	memset(sites, 0, sizeof(*sites));
	enum store_result result = store->ops->user_sites_list(store, viewer_id, add_site, sites);
	if (result == STORE_OK && sites->failed)
		return STORE_ERROR;
	return result;
}

void viewer_sites_free(struct viewer_sites *sites)
{
	free(sites->ids);
	memset(sites, 0, sizeof(*sites));
}

static bool granted(const struct viewer_sites *sites, const char *site_id)
{
	for (size_t i = 0; i < sites->count; i++)
		if (strcmp(sites->ids[i], site_id) == 0)
			return true;
	return false;
}

bool event_as_viewer_sees_it(const struct viewer_sites *sites, const struct event_record *event,
                             struct event_record *copy, char **copy_data, const struct event_record **shown)
{
	*shown = event;
	*copy_data = NULL;
	if (event->type != EVENT_CAMERA_MOVED || event->data_json == NULL)
		return true;
	json_t *data = json_loads(event->data_json, 0, NULL);
	if (data == NULL)
		return false;
	const char *from = json_string_value(json_object_get(data, "fromSiteId"));
	bool ok = true;
	if (from != NULL && !granted(sites, from)) {
		ok = json_object_set_new(data, "fromSiteId", json_null()) == 0 &&
		     (*copy_data = json_dumps(data, JSON_COMPACT)) != NULL;
		if (ok) {
			*copy = *event;
			copy->data_json = *copy_data;
			*shown = copy;
		}
	}
	json_decref(data);
	return ok;
}
