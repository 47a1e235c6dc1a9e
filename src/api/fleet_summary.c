/* GET /fleet-summary: how many of the cameras GET /cameras shows the caller by default (running and
 * paused, in the caller's scope) are online, offline and paused, in all and per site — from one
 * aggregate statement, so that a dashboard counts a fleet of any size without reading it. */
#include <string.h>

#include "api/camera_access.h"
#include "api/common.h"
#include "api/routes.h"
#include "util/timeutil.h"

/* The counts of one place (the fleet or a site), as the dashboard shows them: a paused camera is
 * paused whether it beats or not; a running one online or offline by camera_is_online's rule. */
struct summary_counts {
	json_int_t online, offline, paused;
};

struct summary_build {
	struct summary_counts fleet, site;
	json_t *sites;                  /* the array of per-site objects; owned by the build */
	bool has_site;                  /* site and site_id hold a site whose groups are being added */
	bool site_is_null;              /* that site is "no site" */
	char site_id[UUID_BUFFER_SIZE]; /* its id when not null */
	bool failed;                    /* out of memory: the answer is 500 */
};

static void counts_add(struct summary_counts *counts, enum camera_state state, bool online, int64_t count)
{
	if (state == CAMERA_PAUSED)
		counts->paused += count;
	else if (online)
		counts->online += count;
	else
		counts->offline += count;
}

static json_t *counts_json(const struct summary_counts *counts, json_t *site_id)
{
	json_int_t cameras = counts->online + counts->offline + counts->paused;
	if (site_id == NULL)
		return json_pack("{s:I, s:I, s:I, s:I}", "cameras", cameras, "online", counts->online, "offline",
		                 counts->offline, "paused", counts->paused);
	return json_pack("{s:o, s:I, s:I, s:I, s:I}", "siteId", site_id, "cameras", cameras, "online", counts->online,
	                 "offline", counts->offline, "paused", counts->paused);
}

/* Appends the site being added (if any) to the sites array. */
static void close_site(struct summary_build *build)
{
	if (!build->has_site)
		return;
	json_t *site_id = build->site_is_null ? json_null() : json_string(build->site_id);
	json_t *site = site_id != NULL ? counts_json(&build->site, site_id) : NULL; /* takes site_id */
	if (site == NULL || json_array_append_new(build->sites, site) != 0)
		build->failed = true;
	build->has_site = false;
}

static bool same_site(const struct summary_build *build, const char *site_id)
{
	if (site_id == NULL)
		return build->site_is_null;
	return !build->site_is_null && strcmp(build->site_id, site_id) == 0;
}

/* The camera_site_count_groups callback: memory only, never the store (its connection is held). */
static int add_group(void *context, const char *site_id, enum camera_state state, bool online, int64_t count)
{
	struct summary_build *build = context;
	if (!build->has_site || !same_site(build, site_id)) {
		close_site(build);
		build->has_site = true;
		build->site_is_null = site_id == NULL;
		build->site_id[0] = '\0';
		if (site_id != NULL && strlen(site_id) >= sizeof(build->site_id)) {
			build->failed = true; /* ids are UUIDs: never */
			return 1;
		}
		if (site_id != NULL)
			memcpy(build->site_id, site_id, strlen(site_id) + 1);
		memset(&build->site, 0, sizeof(build->site));
	}
	counts_add(&build->fleet, state, online, count);
	counts_add(&build->site, state, online, count);
	return build->failed ? 1 : 0;
}

static enum MHD_Result get_fleet_summary(struct http_request *request)
{
	struct camera_filter scope = {0};
	scope.state_mask =
	    CAMERA_STATE_BIT(CAMERA_RUNNING) | CAMERA_STATE_BIT(CAMERA_PAUSED); /* GET /cameras' default */
	scope.online_since = time_now_seconds() - (int64_t)request->app->config.online_window;
	camera_access_scope_to_caller(&request->principal, &scope);

	struct summary_build build = {.sites = json_array()};
	if (build.sites == NULL)
		return http_reply_error(request, 500, "internal error");
	struct store *store = request->app->store;
	enum store_result result = store->ops->camera_site_count_groups(store, &scope, add_group, &build);
	if (result != STORE_OK) {
		json_decref(build.sites);
		return api_store_failure(request, result, "camera", NULL);
	}
	close_site(&build);
	json_t *body = build.failed ? NULL : counts_json(&build.fleet, NULL);
	if (body == NULL) {
		json_decref(build.sites);
		return http_reply_error(request, 500, "internal error");
	}
	if (json_object_set_new(body, "sites", build.sites) != 0) { /* took build.sites, even failing */
		json_decref(body);
		return http_reply_error(request, 500, "internal error");
	}
	return http_reply_json(request, 200, body);
}

const struct route fleet_summary_routes[] = {
    {.method = "GET", .pattern = "/fleet-summary", .handler = get_fleet_summary, .roles = ROLES_READERS},
    {.method = NULL},
};
