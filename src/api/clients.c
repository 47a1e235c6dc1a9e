/* /clients: API clients for programs (OAuth client_credentials). The secret is generated here,
 * shown once in the creation answer and stored only as a keyed hash (auth/secret_keys.h). Deleting a client stops
 * new tokens; tokens already issued stay valid until they expire. */
#include <string.h>

#include "api/list_reply.h"
#include "api/organisations.h"
#include "api/routes.h"
#include "auth/password.h"
#include "auth/secret_keys.h"
#include "auth/tokens.h"
#include "util/timeutil.h"

static const char *const client_create_fields[] = {"name", "role", "organisationId", NULL};

static json_t *client_json(const struct client *client)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o}", "clientId", client->id, "name", client->name, "role",
	                 role_name(client->role), "organisationId", api_json_string_or_null(client->organisation_id),
	                 "createdAt", api_json_time_or_null(client->created_at));
}

/* Reads role (operator, admin or viewer); the operator role needs an operator caller (403). */
static bool role_field_or_reply(struct http_request *request, json_t *body, enum role *out)
{
	char text[16];
	if (!api_string_field_or_reply(request, body, "role", FIELD_REQUIRED, 1, sizeof(text) - 1, text, sizeof(text),
	                               NULL, NULL))
		return false;
	*out = role_from_name(text);
	if (*out != ROLE_OPERATOR && *out != ROLE_ADMIN && *out != ROLE_VIEWER) {
		http_reply_error(request, 400, "field 'role' must be operator, admin or viewer");
		return false;
	}
	return *out != ROLE_OPERATOR || api_require_role_or_reply(request, ROLES_OPERATOR, "create operator clients");
}

/* Parses the creation body into client; organisation still to be resolved. */
static bool parse_new_client_or_reply(struct http_request *request, struct client *client, bool *organisation_given,
                                      char organisation_id[UUID_BUFFER_SIZE])
{
	json_t *body = NULL;
	if (!api_parse_body_or_reply(request, client_create_fields, &body))
		return false;
	bool valid =
	    api_string_field_or_reply(request, body, "name", FIELD_REQUIRED, 1, ENTITY_NAME_CHARS, client->name,
	                              sizeof(client->name), NULL, NULL) &&
	    role_field_or_reply(request, body, &client->role) &&
	    api_uuid_field_or_reply(request, body, "organisationId", false, organisation_id, organisation_given);
	json_decref(body);
	return valid;
}

/* Fills the client's id and a fresh secret (into secret), storing the secret's hash. */
static bool make_credentials_or_reply(struct http_request *request, struct client *client,
                                      char secret[CLIENT_SECRET_SIZE])
{
	_Static_assert(SECRET_MAC_HASH_SIZE <= sizeof(client->secret_hash), "a keyed hash fits a client's");
	if (uuid_generate_text(client->id) == 0 && password_generate_secret(secret) == 0 &&
	    secret_keys_hash(request->app->secret_keys, secret, client->secret_hash) == 0)
		return true;
	http_reply_error(request, 500, "internal error");
	return false;
}

static enum MHD_Result post_client(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_WRITERS, "create API clients"))
		return http_replied(request);
	struct client client = {0};
	bool organisation_given = false;
	char organisation_id[UUID_BUFFER_SIZE];
	char secret[CLIENT_SECRET_SIZE];
	if (!parse_new_client_or_reply(request, &client, &organisation_given, organisation_id))
		return http_replied(request);
	if (client.role == ROLE_OPERATOR && organisation_given)
		return http_reply_error(request, 400,
		                        "operators belong to no organisation: drop field 'organisationId'");
	if ((client.role != ROLE_OPERATOR &&
	     !api_organisation_for_new_or_reply(request, organisation_given, organisation_id,
	                                        client.organisation_id)) ||
	    !make_credentials_or_reply(request, &client, secret))
		return http_replied(request);
	client.created_at = time_now_seconds();
	struct store *store = request->app->store;
	enum store_result result = store->ops->client_insert(store, &client);
	if (result == STORE_CONFLICT) /* the organisation was deleted meanwhile */
		return http_reply_error(request, 404, "organisation %s not found", client.organisation_id);
	if (result != STORE_OK)
		return api_store_failure(request, result, "client", NULL);
	json_t *body = client_json(&client);
	if (body != NULL && json_object_set_new(body, "clientSecret", json_string(secret)) != 0) {
		json_decref(body);
		body = NULL;
	}
	explicit_bzero(secret, sizeof(secret));
	api_add_location(request, "/clients/%s", client.id);
	return http_reply_json(request, 201, body);
}

static int append_client(void *context, const struct client *client)
{
	return api_list_append(context, client_json(client));
}

static enum store_result fill_clients(struct http_request *request, const char *organisation_id, json_t *list)
{
	struct store *store = request->app->store;
	return store->ops->client_list(store, organisation_id, append_client, list);
}

/* Operators list every client (optionally of ?organisationId=); admins their organisation's. */
static enum MHD_Result list_clients(struct http_request *request)
{
	return api_list_reply(request, ROLES_WRITERS, "list API clients", "client", fill_clients);
}

/* Role check for reading a client: operators and admins may; a viewer client only itself (else 403). */
static bool may_read_client_or_reply(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_READERS, "read API clients"))
		return false;
	const struct principal *caller = &request->principal;
	if (caller->role != ROLE_VIEWER)
		return true;
	const char *path_id = http_path_param(request, 0);
	char id[UUID_BUFFER_SIZE];
	if (caller->kind == SUBJECT_CLIENT && path_id != NULL && uuid_normalize(path_id, id) &&
	    strcmp(id, caller->subject) == 0)
		return true;
	http_reply_error(request, 403, "role 'viewer' may read only its own API client");
	return false;
}

/* Fetches client id if the caller may see it (operators all, admins their organisation's); else 404.
 * Device credentials are not API clients to manage here (/cameras/{id}/device-credentials is). */
static bool load_visible_or_reply(struct http_request *request, const char *id, struct client *out)
{
	struct store *store = request->app->store;
	enum store_result result = store->ops->client_get(store, id, out);
	if (result == STORE_OK &&
	    (out->role == ROLE_DEVICE || !policy_organisation_visible(&request->principal, out->organisation_id)))
		result = STORE_NOT_FOUND;
	if (result == STORE_OK)
		return true;
	api_store_failure(request, result, "client", NULL);
	return false;
}

static enum MHD_Result get_client(struct http_request *request)
{
	char id[UUID_BUFFER_SIZE];
	struct client client;
	if (!may_read_client_or_reply(request) || !api_path_uuid_or_reply(request, 0, "clientId", id) ||
	    !load_visible_or_reply(request, id, &client))
		return http_replied(request);
	return http_reply_json(request, 200, client_json(&client));
}

static enum MHD_Result delete_client(struct http_request *request)
{
	char id[UUID_BUFFER_SIZE];
	struct client client;
	if (!api_require_role_or_reply(request, ROLES_WRITERS, "delete API clients") ||
	    !api_path_uuid_or_reply(request, 0, "clientId", id) || !load_visible_or_reply(request, id, &client))
		return http_replied(request);
	struct store *store = request->app->store;
	int64_t tokens_valid_from = token_revocation_stamp(); /* the client's tokens end with it */
	enum store_result result = store->ops->client_delete(store, id, tokens_valid_from);
	if (result != STORE_OK)
		return api_store_failure(request, result, "client", NULL);
	token_revoke_subject(request->app->tokens, id, tokens_valid_from);
	return http_reply_empty(request, 204);
}

const struct route client_routes[] = {
    {.method = "POST", .pattern = "/clients", .handler = post_client, .roles = ROLES_WRITERS},
    {.method = "GET",
     .pattern = "/clients",
     .handler = list_clients,
     .roles = ROLES_WRITERS,
     .query = "organisationId"},
    {.method = "GET", .pattern = "/clients/{clientId}", .handler = get_client, .roles = ROLES_READERS},
    {.method = "DELETE", .pattern = "/clients/{clientId}", .handler = delete_client, .roles = ROLES_WRITERS},
    {.method = NULL},
};
