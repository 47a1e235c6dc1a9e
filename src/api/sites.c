/* /sites: the places of an organisation, each with an IANA time zone (required: it decides every
 * opening-hours answer). Admins and operators manage them; viewer users see only the sites granted
 * to them. A site with running or paused cameras cannot be deleted (409); decommissioned cameras
 * do not hold it (their position history is kept). */
#include <stdio.h>
#include <string.h>

#include "api/list_reply.h"
#include "api/organisations.h"
#include "api/sites.h"
#include "api/routes.h"
#include "util/timeutil.h"
#include "util/zoneinfo.h"

static const char *const site_create_fields[] = {"name", "timeZone", "organisationId", NULL};
static const char *const site_patch_fields[] = {"name", "timeZone", NULL};
/* What GET answers besides: accepted in a PATCH with the current values. */
static const char *const site_read_only[] = {"id", "organisationId", "createdAt", NULL};

static json_t *site_json(const struct site *site)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", site->id, "organisationId", site->organisation_id, "name",
	                 site->name, "timeZone", site->time_zone, "createdAt", api_json_time_or_null(site->created_at));
}

/* Reads the timeZone field into out (left unchanged when absent, unless required: then 400 saying
 * why it is needed); 400 unless a known zone. */
static bool time_zone_field_or_reply(struct http_request *request, json_t *body, bool required,
                                     char out[TIME_ZONE_MAX + 1])
{
	char time_zone[TIME_ZONE_MAX + 1];
	bool present = false;
	if (required && json_object_get(body, "timeZone") == NULL) {
		http_reply_error(request, 400,
		                 "field 'timeZone' is required: the site's time zone decides every opening-hours "
		                 "answer (an IANA time zone such as 'Europe/London', or 'UTC')");
		return false;
	}
	if (!api_string_field_or_reply(request, body, "timeZone", FIELD_OPTIONAL, 1, TIME_ZONE_MAX, time_zone,
	                               sizeof(time_zone), &present, NULL))
		return false;
	if (!present)
		return true;
	if (!zoneinfo_zone_is_known(time_zone)) {
		http_reply_error(request, 400,
		                 "field 'timeZone' must be an IANA time zone known to the system, such as "
		                 "'Europe/Paris' or 'UTC'");
		return false;
	}
	memcpy(out, time_zone, sizeof(time_zone));
	return true;
}

/* Parses the creation body into site (organisation still to be resolved into organisation_id). */
static bool parse_new_site_or_reply(struct http_request *request, struct site *site, bool *organisation_given,
                                    char organisation_id[UUID_BUFFER_SIZE])
{
	json_t *body = NULL;
	if (!api_parse_body_or_reply(request, site_create_fields, &body))
		return false;
	bool valid =
	    api_string_field_or_reply(request, body, "name", FIELD_REQUIRED, 1, ENTITY_NAME_CHARS, site->name,
	                              sizeof(site->name), NULL, NULL) &&
	    time_zone_field_or_reply(request, body, true, site->time_zone) &&
	    api_uuid_field_or_reply(request, body, "organisationId", false, organisation_id, organisation_given);
	json_decref(body);
	return valid;
}

static enum MHD_Result post_site(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_WRITERS, "create sites"))
		return http_replied(request);
	struct site site = {0};
	bool organisation_given = false;
	char organisation_id[UUID_BUFFER_SIZE];
	if (!parse_new_site_or_reply(request, &site, &organisation_given, organisation_id) ||
	    !api_organisation_for_new_or_reply(request, organisation_given, organisation_id, site.organisation_id))
		return http_replied(request);
	if (uuid_generate_text(site.id) != 0)
		return http_reply_error(request, 500, "internal error");
	site.created_at = time_now_seconds();
	struct store *store = request->app->store;
	enum store_result result = store->ops->site_insert(store, &site);
	if (result == STORE_CONFLICT) /* the organisation was deleted meanwhile */
		return http_reply_error(request, 404, "organisation %s not found", site.organisation_id);
	if (result != STORE_OK)
		return api_store_failure(request, result, "site", NULL);
	api_add_location(request, "/sites/%s", site.id);
	return http_reply_json(request, 201, site_json(&site));
}

static int append_site(void *context, const struct site *site)
{
	return api_list_append(context, site_json(site));
}

/* Viewer users see only the sites granted to them; everyone else all of the organisation's. */
static enum store_result fill_sites(struct http_request *request, const char *organisation_id, json_t *list)
{
	const struct principal *caller = &request->principal;
	const char *granted_to = policy_limited_to_granted_sites(caller) ? caller->subject : "";
	struct store *store = request->app->store;
	return store->ops->site_list(store, organisation_id, granted_to, append_site, list);
}

/* Operators see every site (optionally of ?organisationId=); admins and viewer clients their
 * organisation's; viewer users the sites granted to them. */
static enum MHD_Result list_sites(struct http_request *request)
{
	return api_list_reply(request, ROLES_READERS, "list sites", "site", fill_sites);
}

bool api_site_load_visible_or_reply(struct http_request *request, const char *id, struct site *out)
{
	struct store *store = request->app->store;
	enum store_result result = store->ops->site_get(store, id, out);
	if (result == STORE_OK)
		result = policy_site_visible(store, &request->principal, out->id, out->organisation_id);
	if (result == STORE_OK)
		return true;
	api_store_failure(request, result, "site", NULL);
	return false;
}

static enum MHD_Result get_site(struct http_request *request)
{
	char id[UUID_BUFFER_SIZE];
	struct site site;
	if (!api_require_role_or_reply(request, ROLES_READERS, "read sites") ||
	    !api_path_uuid_or_reply(request, 0, "siteId", id) || !api_site_load_visible_or_reply(request, id, &site))
		return http_replied(request);
	return http_reply_json(request, 200, site_json(&site));
}

/* Reads the change body {"name"?, "timeZone"?} (and the read-only fields of a GET's answer): name
 * when has_name, time_zone left unchanged when absent; false after answering 400. On true *body
 * is the body, its read-only fields still to be checked (a reference the caller releases). No
 * I/O but the time zone lookup: fuzz/ calls it too. */
static bool parse_site_patch_or_reply(struct http_request *request, char name[ENTITY_NAME_MAX + 1], bool *has_name,
                                      char time_zone[TIME_ZONE_MAX + 1], json_t **body)
{
	if (!api_parse_change_body_or_reply(request, site_patch_fields, site_read_only, body))
		return false;
	bool valid = api_string_field_or_reply(request, *body, "name", FIELD_OPTIONAL, 1, ENTITY_NAME_CHARS, name,
	                                       ENTITY_NAME_MAX + 1, has_name, NULL) &&
	             time_zone_field_or_reply(request, *body, false, time_zone);
	if (!valid) {
		json_decref(*body);
		*body = NULL;
	}
	return valid;
}

/* 400 unless the read-only fields body carries are site's current ones. */
static bool site_read_only_or_reply(struct http_request *request, json_t *body, const struct site *site)
{
	json_t *current = site_json(site);
	bool unchanged = api_read_only_fields_or_reply(request, body, current, site_read_only);
	json_decref(current);
	return unchanged;
}

static enum MHD_Result patch_site(struct http_request *request)
{
	char id[UUID_BUFFER_SIZE];
	char name[ENTITY_NAME_MAX + 1];
	char time_zone[TIME_ZONE_MAX + 1] = "";
	bool has_name = false;
	struct site site;
	json_t *body = NULL;
	bool ready = api_require_role_or_reply(request, ROLES_WRITERS, "change sites") &&
	             api_path_uuid_or_reply(request, 0, "siteId", id) &&
	             parse_site_patch_or_reply(request, name, &has_name, time_zone, &body) &&
	             api_site_load_visible_or_reply(request, id, &site) &&
	             site_read_only_or_reply(request, body, &site);
	json_decref(body);
	if (!ready)
		return http_replied(request);
	if (has_name)
		memcpy(site.name, name, sizeof(name));
	if (time_zone[0] != '\0')
		memcpy(site.time_zone, time_zone, sizeof(time_zone));
	struct store *store = request->app->store;
	enum store_result result = store->ops->site_update(store, &site);
	if (result != STORE_OK)
		return api_store_failure(request, result, "site", NULL);
	return http_reply_json(request, 200, site_json(&site));
}

static enum MHD_Result delete_site(struct http_request *request)
{
	char id[UUID_BUFFER_SIZE];
	struct site site;
	if (!api_require_role_or_reply(request, ROLES_WRITERS, "delete sites") ||
	    !api_path_uuid_or_reply(request, 0, "siteId", id) || !api_site_load_visible_or_reply(request, id, &site))
		return http_replied(request);
	struct store *store = request->app->store;
	struct change_origin origin;
	api_change_origin(request, &origin);
	enum store_result result = store->ops->site_delete(store, id, &origin);
	if (result != STORE_OK)
		return api_store_failure(
		    request, result, "site",
		    "running or paused cameras are placed at this site; move them to another site or "
		    "decommission them first");
	return http_reply_empty(request, 204);
}

const struct route site_routes[] = {
    {.method = "POST", .pattern = "/sites", .handler = post_site, .roles = ROLES_WRITERS},
    {.method = "GET", .pattern = "/sites", .handler = list_sites, .roles = ROLES_READERS, .query = "organisationId"},
    {.method = "GET", .pattern = "/sites/{siteId}", .handler = get_site, .roles = ROLES_READERS},
    {.method = "PATCH", .pattern = "/sites/{siteId}", .handler = patch_site, .roles = ROLES_WRITERS},
    {.method = "DELETE", .pattern = "/sites/{siteId}", .handler = delete_site, .roles = ROLES_WRITERS},
    {.method = NULL},
};
