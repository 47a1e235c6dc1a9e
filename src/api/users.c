/* /users: people who sign in with the password grant, and the sites granted to them. Admins
 * manage the users of their organisation, operators everyone; a viewer may read only itself and
 * its own grants. Passwords are stored as argon2id hashes and never shown. */
#include <stdlib.h>
#include <string.h>

#include "api/list_reply.h"
#include "api/organisations.h"
#include "api/routes.h"
#include "auth/password.h"
#include "http/rate_limit.h"
#include "auth/tokens.h"
#include "util/timeutil.h"

#define PASSWORD_MIN_CHARACTERS 8
#define PASSWORD_MAX_CHARACTERS 200
#define PASSWORD_MAX_BYTES      (4 * PASSWORD_MAX_CHARACTERS)
#define GRANTED_SITES_MAX       1000

static const char *const user_create_fields[] = {"email", "password", "role", "organisationId", NULL};
static const char *const user_patch_fields[] = {"email", "password", "role", NULL};
/* What GET answers besides: accepted in a PATCH with the current values. */
static const char *const user_read_only[] = {"id", "organisationId", "createdAt", NULL};
static const char *const user_sites_fields[] = {"siteIds", NULL};

static json_t *user_json(const struct user *user)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o}", "id", user->id, "email", user->email, "role",
	                 role_name(user->role), "organisationId", api_json_string_or_null(user->organisation_id),
	                 "createdAt", api_json_time_or_null(user->created_at));
}

/* ---- body fields ---- */

/* Something@something, without spaces or control characters: a plausible address. */
static bool email_is_plausible(const char *email)
{
	const char *at = strchr(email, '@');
	if (at == NULL || at == email || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return false;
	for (const unsigned char *c = (const unsigned char *)email; *c != '\0'; c++)
		if (*c <= ' ' || *c == 0x7f)
			return false;
	return true;
}

static bool email_field_or_reply(struct http_request *request, json_t *body, enum field_need need,
                                 char out[EMAIL_MAX + 1], bool *present)
{
	if (!api_string_field_or_reply(request, body, "email", need, 1, EMAIL_MAX, out, EMAIL_MAX + 1, present, NULL))
		return false;
	if (*present && !email_is_plausible(out)) {
		http_reply_error(request, 400, "field 'email' must be an email address (name@domain, no spaces)");
		return false;
	}
	return true;
}

static size_t utf8_characters(const char *text)
{
	size_t count = 0;
	for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++)
		count += (*c & 0xc0) != 0x80;
	return count;
}

/* Reads the password (8..200 characters) into out when present; the caller hashes it. */
static bool password_field_or_reply(struct http_request *request, json_t *body, enum field_need need,
                                    char out[PASSWORD_MAX_BYTES + 1], bool *present)
{
	if (!api_string_field_or_reply(request, body, "password", need, 1, PASSWORD_MAX_BYTES, out,
	                               PASSWORD_MAX_BYTES + 1, present, NULL))
		return false;
	size_t characters = utf8_characters(out);
	if (*present && (characters < PASSWORD_MIN_CHARACTERS || characters > PASSWORD_MAX_CHARACTERS)) {
		http_reply_error(request, 400, "field 'password' must be %d to %d characters long",
		                 PASSWORD_MIN_CHARACTERS, PASSWORD_MAX_CHARACTERS);
		return false;
	}
	return true;
}

/* Hashes password into hash and wipes the plain text; 500 when hashing fails, 503 when the argon2 gate is full. */
static bool hash_password_or_reply(struct http_request *request, char password[PASSWORD_MAX_BYTES + 1],
                                   char hash[PASSWORD_HASH_SIZE])
{
	int hashed = password_hash(password, hash);
	explicit_bzero(password, PASSWORD_MAX_BYTES + 1);
	if (hashed == 0)
		return true;
	if (hashed == PASSWORD_BUSY)
		rate_limit_reply_busy(request);
	else
		http_reply_error(request, 500, "internal error");
	return false;
}

/* Reads role (operator, admin or viewer); an operator role needs an operator caller (403). */
static bool role_field_or_reply(struct http_request *request, json_t *body, enum field_need need, enum role *out,
                                bool *present)
{
	char text[16];
	if (!api_string_field_or_reply(request, body, "role", need, 1, sizeof(text) - 1, text, sizeof(text), present,
	                               NULL))
		return false;
	if (!*present)
		return true;
	*out = role_from_name(text);
	if (*out != ROLE_OPERATOR && *out != ROLE_ADMIN && *out != ROLE_VIEWER) {
		http_reply_error(request, 400, "field 'role' must be operator, admin or viewer");
		return false;
	}
	if (*out == ROLE_OPERATOR)
		return api_require_role_or_reply(request, ROLES_OPERATOR, "give users the operator role");
	return true;
}

/* ---- create and list ---- */

/* Parses the creation body into user and password; organisation still to be resolved. */
static bool parse_new_user_or_reply(struct http_request *request, struct user *user,
                                    char password[PASSWORD_MAX_BYTES + 1], bool *organisation_given,
                                    char organisation_id[UUID_BUFFER_SIZE])
{
	json_t *body = NULL;
	if (!api_parse_body_or_reply(request, user_create_fields, &body))
		return false;
	bool present = false;
	bool valid =
	    email_field_or_reply(request, body, FIELD_REQUIRED, user->email, &present) &&
	    role_field_or_reply(request, body, FIELD_REQUIRED, &user->role, &present) &&
	    api_uuid_field_or_reply(request, body, "organisationId", false, organisation_id, organisation_given) &&
	    password_field_or_reply(request, body, FIELD_REQUIRED, password, &present);
	json_decref(body);
	return valid;
}

static enum MHD_Result post_user(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_WRITERS, "create users"))
		return http_replied(request);
	struct user user = {0};
	char password[PASSWORD_MAX_BYTES + 1];
	bool organisation_given = false;
	char organisation_id[UUID_BUFFER_SIZE];
	if (!parse_new_user_or_reply(request, &user, password, &organisation_given, organisation_id))
		return http_replied(request);
	if (user.role == ROLE_OPERATOR && organisation_given)
		return http_reply_error(request, 400,
		                        "operators belong to no organisation: drop field 'organisationId'");
	bool ready =
	    (user.role == ROLE_OPERATOR ||
	     api_organisation_for_new_or_reply(request, organisation_given, organisation_id, user.organisation_id)) &&
	    hash_password_or_reply(request, password, user.password_hash);
	explicit_bzero(password, sizeof(password));
	if (!ready)
		return http_replied(request);
	if (uuid_generate_text(user.id) != 0)
		return http_reply_error(request, 500, "internal error");
	user.created_at = time_now_seconds();
	struct store *store = request->app->store;
	enum store_result result = store->ops->user_insert(store, &user);
	if (result == STORE_CONFLICT)
		return http_reply_error(request, 409, "a user with email '%s' already exists", user.email);
	if (result != STORE_OK)
		return api_store_failure(request, result, "user", NULL);
	api_add_location(request, "/users/%s", user.id);
	return http_reply_json(request, 201, user_json(&user));
}

static int append_user(void *context, const struct user *user)
{
	return api_list_append(context, user_json(user));
}

static enum store_result fill_users(struct http_request *request, const char *organisation_id, json_t *list)
{
	struct store *store = request->app->store;
	return store->ops->user_list(store, organisation_id, append_user, list);
}

/* Operators list everyone (optionally of ?organisationId=); admins their organisation's users. */
static enum MHD_Result list_users(struct http_request *request)
{
	return api_list_reply(request, ROLES_WRITERS, "list users", "user", fill_users);
}

/* ---- one user ---- */

/* Role check for reading a user or its grants: operators and admins may; a viewer only its own
 * (else 403). */
static bool may_read_user_or_reply(struct http_request *request, const char *action)
{
	if (!api_require_role_or_reply(request, ROLES_READERS, action))
		return false;
	const struct principal *caller = &request->principal;
	if (caller->role != ROLE_VIEWER)
		return true;
	const char *path_id = http_path_param(request, 0);
	char id[UUID_BUFFER_SIZE];
	if (caller->kind == SUBJECT_USER && path_id != NULL && uuid_normalize(path_id, id) &&
	    strcmp(id, caller->subject) == 0)
		return true;
	http_reply_error(request, 403, "role 'viewer' may %s of its own user only", action);
	return false;
}

/* Fetches user id if the caller may see it (operators all, others their organisation's); else 404. */
static bool load_visible_or_reply(struct http_request *request, const char *id, struct user *out)
{
	struct store *store = request->app->store;
	enum store_result result = store->ops->user_get(store, id, out);
	if (result == STORE_OK && !policy_organisation_visible(&request->principal, out->organisation_id))
		result = STORE_NOT_FOUND;
	if (result == STORE_OK)
		return true;
	api_store_failure(request, result, "user", NULL);
	return false;
}

static enum MHD_Result get_user(struct http_request *request)
{
	char id[UUID_BUFFER_SIZE];
	struct user user;
	if (!may_read_user_or_reply(request, "read the details") || !api_path_uuid_or_reply(request, 0, "userId", id) ||
	    !load_visible_or_reply(request, id, &user))
		return http_replied(request);
	return http_reply_json(request, 200, user_json(&user));
}

struct user_patch {
	bool has_email, has_password, has_role;
	bool ends_tokens; /* set by apply_user_patch_or_reply: the role or the password changes */
	char email[EMAIL_MAX + 1];
	char password[PASSWORD_MAX_BYTES + 1];
	enum role role;
};

/* Reads the change body into patch; on true *body is the body (its read-only fields still to be
 * checked against the user: user_read_only_or_reply), a reference the caller releases. */
static bool parse_user_patch_or_reply(struct http_request *request, struct user_patch *patch, json_t **body)
{
	if (!api_parse_change_body_or_reply(request, user_patch_fields, user_read_only, body))
		return false;
	bool valid = email_field_or_reply(request, *body, FIELD_OPTIONAL, patch->email, &patch->has_email) &&
	             role_field_or_reply(request, *body, FIELD_OPTIONAL, &patch->role, &patch->has_role) &&
	             password_field_or_reply(request, *body, FIELD_OPTIONAL, patch->password, &patch->has_password);
	if (!valid) {
		json_decref(*body);
		*body = NULL;
	}
	return valid;
}

/* 400 unless the read-only fields body carries are user's current ones. */
static bool user_read_only_or_reply(struct http_request *request, json_t *body, const struct user *user)
{
	json_t *current = user_json(user);
	bool unchanged = api_read_only_fields_or_reply(request, body, current, user_read_only);
	json_decref(current);
	return unchanged;
}

/* Applies patch to user (hashing a new password); 422 when the role would cross between operator
 * and an organisation. */
static bool apply_user_patch_or_reply(struct http_request *request, struct user_patch *patch, struct user *user)
{
	bool has_organisation = user->organisation_id[0] != '\0';
	if (patch->has_role && (patch->role == ROLE_OPERATOR) == has_organisation) {
		http_reply_error(request, 422,
		                 has_organisation
		                     ? "a user of an organisation cannot become an operator"
		                     : "an operator belongs to no organisation and cannot become admin or viewer");
		return false;
	}
	if (patch->has_email)
		memcpy(user->email, patch->email, sizeof(user->email));
	patch->ends_tokens = patch->has_password || (patch->has_role && patch->role != user->role);
	if (patch->has_role)
		user->role = patch->role;
	return !patch->has_password || hash_password_or_reply(request, patch->password, user->password_hash);
}

static enum MHD_Result patch_user(struct http_request *request)
{
	char id[UUID_BUFFER_SIZE];
	struct user_patch patch = {0};
	struct user user;
	json_t *body = NULL;
	bool ready = api_require_role_or_reply(request, ROLES_WRITERS, "change users") &&
	             api_path_uuid_or_reply(request, 0, "userId", id) &&
	             parse_user_patch_or_reply(request, &patch, &body) && load_visible_or_reply(request, id, &user) &&
	             user_read_only_or_reply(request, body, &user) && apply_user_patch_or_reply(request, &patch, &user);
	explicit_bzero(patch.password, sizeof(patch.password));
	json_decref(body);
	if (!ready)
		return http_replied(request);
	struct store *store = request->app->store;
	int64_t tokens_valid_from = patch.ends_tokens ? token_revocation_stamp() : 0;
	enum store_result result = store->ops->user_update(store, &user, tokens_valid_from);
	if (result == STORE_CONFLICT)
		return http_reply_error(request, 409, "a user with email '%s' already exists", user.email);
	if (result != STORE_OK)
		return api_store_failure(request, result, "user", NULL);
	if (tokens_valid_from != 0)
		token_revoke_subject(request->app->tokens, user.id, tokens_valid_from);
	return http_reply_json(request, 200, user_json(&user));
}

static enum MHD_Result delete_user(struct http_request *request)
{
	char id[UUID_BUFFER_SIZE];
	struct user user;
	if (!api_require_role_or_reply(request, ROLES_WRITERS, "delete users") ||
	    !api_path_uuid_or_reply(request, 0, "userId", id) || !load_visible_or_reply(request, id, &user))
		return http_replied(request);
	struct store *store = request->app->store;
	int64_t tokens_valid_from = token_revocation_stamp(); /* the user's tokens end with it */
	enum store_result result = store->ops->user_delete(store, id, tokens_valid_from);
	if (result != STORE_OK)
		return api_store_failure(request, result, "user", NULL);
	token_revoke_subject(request->app->tokens, id, tokens_valid_from);
	return http_reply_empty(request, 204);
}

/* ---- granted sites ---- */

static int append_site_id(void *context, const char *site_id)
{
	return api_list_append(context, json_string(site_id));
}

/* Answers 200 {"siteIds": [...]} with the user's grants as stored. */
static enum MHD_Result reply_site_ids(struct http_request *request, const char *user_id)
{
	json_t *site_ids = json_array();
	if (site_ids == NULL)
		return http_reply_error(request, 500, "internal error");
	struct store *store = request->app->store;
	enum store_result result = store->ops->user_sites_list(store, user_id, append_site_id, site_ids);
	if (result != STORE_OK) {
		json_decref(site_ids);
		return api_store_failure(request, result, "user", NULL);
	}
	return http_reply_json(request, 200, json_pack("{s:o}", "siteIds", site_ids));
}

static enum MHD_Result get_user_sites(struct http_request *request)
{
	char id[UUID_BUFFER_SIZE];
	struct user user;
	if (!may_read_user_or_reply(request, "read the granted sites") ||
	    !api_path_uuid_or_reply(request, 0, "userId", id) || !load_visible_or_reply(request, id, &user))
		return http_replied(request);
	return reply_site_ids(request, id);
}

struct site_id_list {
	char (*ids)[UUID_BUFFER_SIZE]; /* request arena */
	const char **pointers;         /* request arena; pointers[i] == ids[i] */
	size_t count;
};

static int compare_ids(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Sorts the ids and drops repeats. */
static void deduplicate(struct site_id_list *list)
{
	qsort(list->ids, list->count, sizeof(list->ids[0]), compare_ids);
	size_t kept = 0;
	for (size_t i = 0; i < list->count; i++)
		if (kept == 0 || strcmp(list->ids[kept - 1], list->ids[i]) != 0)
			memmove(list->ids[kept++], list->ids[i], UUID_BUFFER_SIZE);
	list->count = kept;
	for (size_t i = 0; i < kept; i++)
		list->pointers[i] = list->ids[i];
}

/* Reads {"siteIds": [uuid...]} into list (arena memory); 400 naming the bad item. */
static bool parse_site_ids_or_reply(struct http_request *request, struct site_id_list *list)
{
	json_t *body = NULL;
	if (!api_parse_body_or_reply(request, user_sites_fields, &body))
		return false;
	json_t *array = json_object_get(body, "siteIds");
	size_t count = json_array_size(array);
	bool valid = json_is_array(array) && count <= GRANTED_SITES_MAX;
	if (array == NULL)
		http_reply_error(request, 400, "field 'siteIds' is required");
	else if (!valid)
		http_reply_error(request, 400, "field 'siteIds' must be an array of at most %d site ids (UUIDs)",
		                 GRANTED_SITES_MAX);
	list->count = 0;
	if (valid && count > 0) {
		list->ids = arena_alloc(&request->arena, count * sizeof(list->ids[0]));
		list->pointers = arena_alloc(&request->arena, count * sizeof(list->pointers[0]));
		if (list->ids == NULL || list->pointers == NULL) {
			http_reply_error(request, 500, "internal error");
			valid = false;
		}
	}
	for (size_t i = 0; valid && i < count; i++) {
		const char *text = json_string_value(json_array_get(array, i));
		valid = text != NULL && uuid_normalize(text, list->ids[i]);
		if (!valid)
			http_reply_error(request, 400, "field 'siteIds[%zu]' must be a site id (UUID)", i);
	}
	json_decref(body);
	if (valid && count > 0) {
		list->count = count;
		deduplicate(list);
	}
	return valid;
}

/* Every site must exist in the user's organisation; 404 naming the first that does not. */
static bool sites_grantable_or_reply(struct http_request *request, const struct user *user,
                                     const struct site_id_list *list)
{
	struct store *store = request->app->store;
	for (size_t i = 0; i < list->count; i++) {
		struct site site;
		enum store_result result = store->ops->site_get(store, list->ids[i], &site);
		if (result == STORE_OK && strcmp(site.organisation_id, user->organisation_id) != 0)
			result = STORE_NOT_FOUND;
		if (result == STORE_NOT_FOUND) {
			http_reply_error(request, 404, "site %s not found in the user's organisation", list->ids[i]);
			return false;
		}
		if (result != STORE_OK) {
			api_store_failure(request, result, "site", NULL);
			return false;
		}
	}
	return true;
}

static enum MHD_Result put_user_sites(struct http_request *request)
{
	char id[UUID_BUFFER_SIZE];
	struct site_id_list list = {0};
	struct user user;
	if (!api_require_role_or_reply(request, ROLES_WRITERS, "grant sites") ||
	    !api_path_uuid_or_reply(request, 0, "userId", id) || !parse_site_ids_or_reply(request, &list) ||
	    !load_visible_or_reply(request, id, &user) || !sites_grantable_or_reply(request, &user, &list))
		return http_replied(request);
	struct store *store = request->app->store;
	enum store_result result = store->ops->user_sites_set(store, id, list.pointers, list.count);
	if (result != STORE_OK) /* NOT_FOUND: the user or a site was deleted meanwhile */
		return api_store_failure(request, result, "user or site", NULL);
	return reply_site_ids(request, id);
}

const struct route user_routes[] = {
    {.method = "POST", .pattern = "/users", .handler = post_user, .roles = ROLES_WRITERS},
    {.method = "GET", .pattern = "/users", .handler = list_users, .roles = ROLES_WRITERS, .query = "organisationId"},
    {.method = "GET", .pattern = "/users/{userId}", .handler = get_user, .roles = ROLES_READERS},
    {.method = "PATCH", .pattern = "/users/{userId}", .handler = patch_user, .roles = ROLES_WRITERS},
    {.method = "DELETE", .pattern = "/users/{userId}", .handler = delete_user, .roles = ROLES_WRITERS},
    {.method = "PUT", .pattern = "/users/{userId}/sites", .handler = put_user_sites, .roles = ROLES_WRITERS},
    {.method = "GET", .pattern = "/users/{userId}/sites", .handler = get_user_sites, .roles = ROLES_READERS},
    {.method = NULL},
};
