/* /organisations: customers of the fleet. Operators create, rename and delete them; admins and
 * viewers see only their own. Deleting one that still has sites, users, clients or cameras is 409. */
#include <string.h>

#include "api/list_reply.h"
#include "api/organisations.h"
#include "api/routes.h"
#include "util/timeutil.h"

static const char *const organisation_fields[] = {"name", NULL};
/* What GET answers besides: accepted in a PATCH with the current values. */
static const char *const organisation_read_only[] = {"id", "createdAt", NULL};

static json_t *organisation_json(const struct organisation *organisation)
{
	return json_pack("{s:s, s:s, s:o}", "id", organisation->id, "name", organisation->name, "createdAt",
	                 api_json_time_or_null(organisation->created_at));
}

bool api_organisation_for_new_or_reply(struct http_request *request, bool given, const char *given_id,
                                       char out[UUID_BUFFER_SIZE])
{
	const struct principal *caller = &request->principal;
	if (caller->role == ROLE_OPERATOR && !given) {
		http_reply_error(request, 400,
		                 "field 'organisationId' is required: an operator must name the organisation");
		return false;
	}
	const char *wanted = given ? given_id : caller->organisation_id;
	if (!policy_organisation_visible(caller, wanted)) {
		http_reply_error(request, 404, "organisation %s not found", wanted);
		return false;
	}
	struct store *store = request->app->store;
	struct organisation organisation;
	enum store_result result = store->ops->organisation_get(store, wanted, &organisation);
	if (result != STORE_OK) {
		api_store_failure(request, result, "organisation", NULL);
		return false;
	}
	memcpy(out, organisation.id, UUID_BUFFER_SIZE);
	return true;
}

/* Reads the body {"name": ...} into name (required to create, optional to change); false after
 * answering 400. To change (kept not NULL) the body may also carry the read-only fields of a GET's
 * answer, and on true *kept is the body to check them in (a reference the caller releases). No
 * I/O: fuzz/ calls it too. */
static bool parse_organisation_body_or_reply(struct http_request *request, enum field_need need,
                                             char name[ENTITY_NAME_MAX + 1], bool *has_name, json_t **kept)
{
	json_t *body = NULL;
	bool parsed = kept != NULL
	                  ? api_parse_change_body_or_reply(request, organisation_fields, organisation_read_only, &body)
	                  : api_parse_body_or_reply(request, organisation_fields, &body);
	if (!parsed)
		return false;
	bool valid = api_string_field_or_reply(request, body, "name", need, 1, ENTITY_NAME_CHARS, name,
	                                       ENTITY_NAME_MAX + 1, has_name, NULL);
	if (valid && kept != NULL)
		*kept = body;
	else
		json_decref(body);
	return valid;
}

/* 400 unless the read-only fields body carries are organisation's current ones. */
static bool organisation_read_only_or_reply(struct http_request *request, json_t *body,
                                            const struct organisation *organisation)
{
	json_t *current = organisation_json(organisation);
	bool unchanged = api_read_only_fields_or_reply(request, body, current, organisation_read_only);
	json_decref(current);
	return unchanged;
}

static enum MHD_Result post_organisation(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_OPERATOR, "create organisations"))
		return http_replied(request);
	struct organisation organisation = {0};
	bool has_name = false;
	if (!parse_organisation_body_or_reply(request, FIELD_REQUIRED, organisation.name, &has_name, NULL))
		return http_replied(request);
	if (uuid_generate_text(organisation.id) != 0)
		return http_reply_error(request, 500, "internal error");
	organisation.created_at = time_now_seconds();
	struct store *store = request->app->store;
	enum store_result result = store->ops->organisation_insert(store, &organisation);
	if (result != STORE_OK)
		return api_store_failure(request, result, "organisation",
		                         "an organisation with this id already exists");
	api_add_location(request, "/organisations/%s", organisation.id);
	return http_reply_json(request, 201, organisation_json(&organisation));
}

static int append_organisation(void *context, const struct organisation *organisation)
{
	return api_list_append(context, organisation_json(organisation));
}

/* Operators list every organisation; everyone else sees a list of their own. */
static enum MHD_Result list_organisations(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_READERS, "list organisations"))
		return http_replied(request);
	struct store *store = request->app->store;
	const struct principal *caller = &request->principal;
	json_t *list = json_array();
	if (list == NULL)
		return http_reply_error(request, 500, "internal error");
	enum store_result result = STORE_OK;
	if (caller->role == ROLE_OPERATOR) {
		result = store->ops->organisation_list(store, append_organisation, list);
	} else {
		struct organisation own;
		result = store->ops->organisation_get(store, caller->organisation_id, &own);
		if (result == STORE_OK)
			result = append_organisation(list, &own) == 0 ? STORE_OK : STORE_ERROR;
		else if (result == STORE_NOT_FOUND)
			result = STORE_OK;
	}
	if (result != STORE_OK) {
		json_decref(list);
		return api_store_failure(request, result, "organisation", NULL);
	}
	return http_reply_json(request, 200, list);
}

/* Fetches the organisation named by the path if the caller may see it (else answers 404). */
static bool load_visible_or_reply(struct http_request *request, const char *id, struct organisation *out)
{
	struct store *store = request->app->store;
	enum store_result result = STORE_NOT_FOUND;
	if (policy_organisation_visible(&request->principal, id))
		result = store->ops->organisation_get(store, id, out);
	if (result == STORE_OK)
		return true;
	api_store_failure(request, result, "organisation", NULL);
	return false;
}

static enum MHD_Result get_organisation(struct http_request *request)
{
	char id[UUID_BUFFER_SIZE];
	struct organisation organisation;
	if (!api_require_role_or_reply(request, ROLES_READERS, "read organisations") ||
	    !api_path_uuid_or_reply(request, 0, "organisationId", id) ||
	    !load_visible_or_reply(request, id, &organisation))
		return http_replied(request);
	return http_reply_json(request, 200, organisation_json(&organisation));
}

static enum MHD_Result patch_organisation(struct http_request *request)
{
	char id[UUID_BUFFER_SIZE];
	char name[ENTITY_NAME_MAX + 1];
	bool has_name = false;
	struct organisation organisation;
	json_t *body = NULL;
	bool ready = api_require_role_or_reply(request, ROLES_OPERATOR, "change organisations") &&
	             api_path_uuid_or_reply(request, 0, "organisationId", id) &&
	             parse_organisation_body_or_reply(request, FIELD_OPTIONAL, name, &has_name, &body) &&
	             load_visible_or_reply(request, id, &organisation) &&
	             organisation_read_only_or_reply(request, body, &organisation);
	json_decref(body);
	if (!ready)
		return http_replied(request);
	if (has_name)
		memcpy(organisation.name, name, sizeof(name));
	struct store *store = request->app->store;
	enum store_result result = store->ops->organisation_update(store, &organisation);
	if (result != STORE_OK)
		return api_store_failure(request, result, "organisation", NULL);
	return http_reply_json(request, 200, organisation_json(&organisation));
}

static enum MHD_Result delete_organisation(struct http_request *request)
{
	char id[UUID_BUFFER_SIZE];
	if (!api_require_role_or_reply(request, ROLES_OPERATOR, "delete organisations") ||
	    !api_path_uuid_or_reply(request, 0, "organisationId", id))
		return http_replied(request);
	struct store *store = request->app->store;
	enum store_result result = store->ops->organisation_delete(store, id);
	if (result != STORE_OK)
		return api_store_failure(request, result, "organisation",
		                         "the organisation still has sites, users, API clients or cameras; remove them "
		                         "first");
	return http_reply_empty(request, 204);
}

const struct route organisation_routes[] = {
    {.method = "POST", .pattern = "/organisations", .handler = post_organisation, .roles = ROLES_OPERATOR},
    {.method = "GET", .pattern = "/organisations", .handler = list_organisations, .roles = ROLES_READERS},
    {.method = "GET",
     .pattern = "/organisations/{organisationId}",
     .handler = get_organisation,
     .roles = ROLES_READERS},
    {.method = "PATCH",
     .pattern = "/organisations/{organisationId}",
     .handler = patch_organisation,
     .roles = ROLES_OPERATOR},
    {.method = "DELETE",
     .pattern = "/organisations/{organisationId}",
     .handler = delete_organisation,
     .roles = ROLES_OPERATOR},
    {.method = NULL},
};
