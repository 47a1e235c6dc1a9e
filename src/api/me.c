/* GET /me: who the caller's token stands for — kind (user, client, device), id, role,
 * organisation, the user's email, the sites a viewer is limited to, and when the token expires —
 * so that a tool signed in with a token can show its user who they are and what they reach. */
#include "api/common.h"
#include "api/routes.h"
#include "util/timeutil.h"

static const char *kind_name(const struct principal *caller)
{
	if (caller->role == ROLE_DEVICE)
		return "device";
	return caller->kind == SUBJECT_USER ? "user" : "client";
}

static int append_site_id(void *context, const char *site_id)
{
	return json_array_append_new(context, json_string(site_id)) == 0 ? 0 : -1;
}

/* The sites a viewer user is limited to (sorted), or null for a caller that reaches every site
 * of its organisation (or of the fleet); NULL with the request answered on failure. */
static json_t *granted_sites_or_reply(struct http_request *request)
{
	const struct principal *caller = &request->principal;
	if (!policy_limited_to_granted_sites(caller))
		return json_null();
	json_t *site_ids = json_array();
	if (site_ids == NULL) {
		http_reply_error(request, 500, "internal error");
		return NULL;
	}
	struct store *store = request->app->store;
	enum store_result result = store->ops->user_sites_list(store, caller->subject, append_site_id, site_ids);
	if (result != STORE_OK) {
		json_decref(site_ids);
		api_store_failure(request, result, "user", NULL);
		return NULL;
	}
	return site_ids;
}

/* The user's email, or null for a client or device; NULL with the request answered on failure
 * (404 should the user be gone: its token is then refused within a second anyway). */
static json_t *email_or_reply(struct http_request *request)
{
	const struct principal *caller = &request->principal;
	if (caller->kind != SUBJECT_USER)
		return json_null();
	struct user user;
	struct store *store = request->app->store;
	enum store_result result = store->ops->user_get(store, caller->subject, &user);
	if (result != STORE_OK) {
		api_store_failure(request, result, "user", NULL);
		return NULL;
	}
	return json_string(user.email);
}

static enum MHD_Result get_me(struct http_request *request)
{
	const struct principal *caller = &request->principal;
	json_t *email = email_or_reply(request);
	if (email == NULL)
		return http_replied(request);
	json_t *site_ids = granted_sites_or_reply(request);
	if (site_ids == NULL) {
		json_decref(email);
		return http_replied(request);
	}
	json_t *body = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "kind", kind_name(caller), "id",
	                         caller->subject, "role", role_name(caller->role), "organisationId",
	                         api_json_string_or_null(caller->organisation_id), "email", email, "grantedSiteIds",
	                         site_ids, "tokenExpiresAt", api_json_time_or_null(caller->expires_at));
	return http_reply_json(request, 200, body); /* NULL answers 500 */
}

const struct route me_routes[] = {
    {.method = "GET", .pattern = "/me", .handler = get_me, .roles = ROLES_READERS | ROLE_BIT(ROLE_DEVICE)},
    {.method = NULL},
};
