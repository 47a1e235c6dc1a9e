/* /webhooks: where events are delivered. Admins manage their organisation's webhooks, operators
 * any and the fleet's (no organisation: every event). The secret is generated here and shown only
 * in the answers of creation and rotation; during a rotation the old secret signs too, for 24 h.
 * A URL is checked when it is set (webhooks/target.h) and again by the sender at each connection. */
#include <openssl/rand.h>
#include <string.h>

#include "api/list_query.h"
#include "api/organisations.h"
#include "api/routes.h"
#include "api/webhooks.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "webhooks/sender.h"
#include "webhooks/target.h"

#define WEBHOOKS_PER_ORGANISATION 100            /* and as many for the whole fleet */
#define PREVIOUS_SECRET_MS        (24 * 3600000) /* how long a rotated-out secret still signs */

static const char *const webhook_create_fields[] = {"url", "events", "description", "organisationId", NULL};
static const char *const webhook_patch_fields[] = {"url", "events", "description", "enabled", NULL};
/* What GET answers besides, accepted in a PATCH: with their current values, but failingSince,
 * which deliveries change by themselves between a GET and the PATCH, with any. */
static const char *const webhook_read_only[] = {"id", "organisationId", "createdAt", "failingSince", NULL};
static const char *const webhook_compared[] = {"id", "organisationId", "createdAt", NULL};

json_t *api_json_millis_or_null(int64_t epoch_ms)
{
	if (epoch_ms == 0)
		return json_null();
	char text[RFC3339_BUFFER_SIZE];
	time_format_rfc3339_millis(epoch_ms, text);
	return json_string(text);
}

static json_t *webhook_json(const struct webhook *webhook)
{
	return json_pack("{s:s,s:s,s:o,s:s,s:o,s:b,s:o,s:o}", "id", webhook->id, "url", webhook->url, "events",
	                 webhook_event_mask_json(webhook->event_mask), "description", webhook->description,
	                 "organisationId", api_json_string_or_null(webhook->organisation_id), "enabled",
	                 webhook->enabled, "createdAt", api_json_millis_or_null(webhook->created_at_ms), "failingSince",
	                 api_json_millis_or_null(webhook->failing_since_ms));
}

/* The webhook with its secret: only creation and rotation show it. */
static enum MHD_Result reply_with_secret(struct http_request *request, unsigned status, const struct webhook *webhook)
{
	json_t *body = webhook_json(webhook);
	if (body != NULL && json_object_set_new(body, "secret", json_string(webhook->secret)) != 0) {
		json_decref(body);
		body = NULL;
	}
	return http_reply_json(request, status, body);
}

static bool new_secret_or_reply(struct http_request *request, char secret[WEBHOOK_SECRET_SIZE])
{
	unsigned char random[WEBHOOK_SECRET_BYTES];
	if (RAND_bytes(random, sizeof(random)) != 1) {
		http_reply_error(request, 500, "internal error");
		return false;
	}
	webhook_secret_format(random, secret);
	explicit_bzero(random, sizeof(random));
	return true;
}

/* ?field "events" of body, when present, into *mask; 400 when malformed. */
static bool events_field_or_reply(struct http_request *request, json_t *body, bool required, unsigned *mask)
{
	json_t *events = json_object_get(body, "events");
	if (events == NULL && !required)
		return true;
	const char *problem = NULL;
	if (webhook_event_mask_from_json(events, mask, &problem))
		return true;
	http_reply_error(request, 400, "field 'events': %s", problem);
	return false;
}

/* Field "url" of body into webhook->url (required or not), checked as a delivery target (422).
 * When the field is absent (a PATCH that leaves it), webhook->url stays as it was. */
static bool url_field_or_reply(struct http_request *request, json_t *body, bool required, struct webhook *webhook)
{
	bool present = false;
	char url[sizeof(webhook->url)];
	if (!api_string_field_or_reply(request, body, "url", required ? FIELD_REQUIRED : FIELD_OPTIONAL, 1,
	                               WEBHOOK_URL_MAX, url, sizeof(url), &present, NULL))
		return false;
	if (!present)
		return true;
	const char *problem = webhook_target_problem(url, request->app->config.allow_private_webhooks);
	if (problem != NULL) {
		http_reply_error(request, 422, "%s", problem);
		return false;
	}
	memcpy(webhook->url, url, sizeof(url));
	return true;
}

/* Field "description" of body, when present, into webhook->description; absent, it stays as it was
 * (the parser empties its output for an absent field, which would blank it on every PATCH). */
static bool description_field_or_reply(struct http_request *request, json_t *body, struct webhook *webhook)
{
	bool present = false;
	char description[sizeof(webhook->description)];
	if (!api_string_field_or_reply(request, body, "description", FIELD_OPTIONAL, 0, WEBHOOK_DESCRIPTION_CHARS,
	                               description, sizeof(description), &present, NULL))
		return false;
	if (present)
		memcpy(webhook->description, description, sizeof(description));
	return true;
}

/* The organisation of a new webhook: operators name one or none (the whole fleet), admins get
 * their own. */
static bool organisation_or_reply(struct http_request *request, json_t *body, char out[UUID_BUFFER_SIZE])
{
	bool given = false;
	char given_id[UUID_BUFFER_SIZE];
	if (!api_uuid_field_or_reply(request, body, "organisationId", false, given_id, &given))
		return false;
	if (request->principal.role == ROLE_OPERATOR && !given) {
		out[0] = '\0';
		return true;
	}
	return api_organisation_for_new_or_reply(request, given, given_id, out);
}

static enum MHD_Result post_webhook(struct http_request *request)
{
	struct webhook webhook = {.enabled = true};
	json_t *body = NULL;
	if (!api_parse_body_or_reply(request, webhook_create_fields, &body))
		return http_replied(request);
	bool valid = events_field_or_reply(request, body, true, &webhook.event_mask) &&
	             description_field_or_reply(request, body, &webhook) &&
	             organisation_or_reply(request, body, webhook.organisation_id) &&
	             url_field_or_reply(request, body, true, &webhook);
	json_decref(body);
	if (!valid || !new_secret_or_reply(request, webhook.secret))
		return http_replied(request);
	if (uuid_generate_text(webhook.id) != 0)
		return http_reply_error(request, 500, "internal error");
	webhook.created_at_ms = time_now_millis();
	struct store *store = request->app->store;
	enum store_result result = store->ops->webhook_insert(store, &webhook, WEBHOOKS_PER_ORGANISATION);
	if (result != STORE_OK)
		return api_store_failure(request, result, "organisation",
		                         result == STORE_LIMIT
		                             ? "at most 100 webhooks per organisation (and as many for "
		                               "the whole fleet); delete one first"
		                             : "the organisation was deleted");
	log_info("webhooks: %s created webhook %s for %s", request->principal.subject, webhook.id,
	         webhook.organisation_id[0] != '\0' ? webhook.organisation_id : "the whole fleet");
	api_add_location(request, "/webhooks/%s", webhook.id);
	enum MHD_Result answer = reply_with_secret(request, 201, &webhook);
	explicit_bzero(webhook.secret, sizeof(webhook.secret));
	return answer;
}

bool api_webhook_load_or_reply(struct http_request *request, struct webhook *out)
{
	char id[UUID_BUFFER_SIZE];
	if (!api_path_uuid_or_reply(request, 0, "webhookId", id))
		return false;
	struct store *store = request->app->store;
	enum store_result result = store->ops->webhook_get(store, id, out);
	if (result == STORE_OK && request->principal.role != ROLE_OPERATOR &&
	    !policy_organisation_visible(&request->principal, out->organisation_id))
		result = STORE_NOT_FOUND;
	if (result == STORE_OK)
		return true;
	api_store_failure(request, result, "webhook", NULL);
	return false;
}

struct webhook_page {
	json_t *list;
	unsigned wanted, rows;
	char last_id[UUID_BUFFER_SIZE];
	bool failed;
};

static int add_webhook(void *context, const struct webhook *webhook)
{
	struct webhook_page *page = context;
	if (++page->rows > page->wanted)
		return 1;
	if (json_array_append_new(page->list, webhook_json(webhook)) != 0) {
		page->failed = true;
		return 1;
	}
	memcpy(page->last_id, webhook->id, sizeof(page->last_id));
	return 0;
}

/* Operators see every webhook (or ?organisationId='s), admins their organisation's; id order. */
static enum MHD_Result list_webhooks(struct http_request *request)
{
	char organisation_id[UUID_BUFFER_SIZE];
	struct page_cursor page = {0};
	if (!api_query_uuid_or_reply(request, "organisationId", organisation_id) ||
	    !api_query_limit_or_reply(request, WEBHOOK_LIST_LIMIT_MAX, &page.limit) ||
	    !api_query_uuid_or_reply(request, "after", page.after_id))
		return http_replied(request);
	if (request->principal.role != ROLE_OPERATOR)
		memcpy(organisation_id, request->principal.organisation_id, sizeof(organisation_id));
	unsigned limit = page.limit != 0 ? page.limit : WEBHOOK_LIST_LIMIT_DEFAULT;
	struct webhook_page rows = {.list = json_array(), .wanted = limit};
	if (rows.list == NULL)
		return http_reply_error(request, 500, "internal error");
	page.limit = limit + 1;
	struct store *store = request->app->store;
	enum store_result result = store->ops->webhook_list(store, organisation_id, &page, add_webhook, &rows);
	if (result != STORE_OK || rows.failed) {
		json_decref(rows.list);
		return api_store_failure(request, result != STORE_OK ? result : STORE_ERROR, "webhook", NULL);
	}
	if (rows.rows > rows.wanted)
		api_add_next_link(request, "/webhooks", limit, rows.last_id);
	return http_reply_json(request, 200, rows.list);
}

static enum MHD_Result get_webhook(struct http_request *request)
{
	struct webhook webhook;
	if (!api_webhook_load_or_reply(request, &webhook))
		return http_replied(request);
	return http_reply_json(request, 200, webhook_json(&webhook));
}

/* PATCH: url, events, description, enabled; a field left out keeps its value. Enabling a disabled
 * webhook forgets its failures. */
static enum MHD_Result patch_webhook(struct http_request *request)
{
	struct webhook webhook;
	json_t *body = NULL;
	if (!api_webhook_load_or_reply(request, &webhook) ||
	    !api_parse_change_body_or_reply(request, webhook_patch_fields, webhook_read_only, &body))
		return http_replied(request);
	json_t *current = webhook_json(&webhook);
	bool unchanged = api_read_only_fields_or_reply(request, body, current, webhook_compared);
	json_decref(current);
	if (!unchanged) {
		json_decref(body);
		return http_replied(request);
	}
	json_t *enabled_field = json_object_get(body, "enabled");
	bool valid = events_field_or_reply(request, body, false, &webhook.event_mask) &&
	             description_field_or_reply(request, body, &webhook);
	if (valid && enabled_field != NULL && !json_is_boolean(enabled_field)) {
		http_reply_error(request, 400, "field 'enabled' must be true or false");
		valid = false;
	}
	valid = valid && url_field_or_reply(request, body, false, &webhook);
	bool enabled = json_is_true(enabled_field);
	json_decref(body);
	if (!valid)
		return http_replied(request);
	struct webhook updated;
	struct store *store = request->app->store;
	enum store_result result =
	    store->ops->webhook_update(store, &webhook, enabled_field != NULL ? &enabled : NULL, &updated);
	if (result != STORE_OK)
		return api_store_failure(request, result, "webhook", NULL);
	if (updated.enabled && !webhook.enabled)
		webhook_sender_wake(request->app->webhooks); /* its pending deliveries may go now */
	return http_reply_json(request, 200, webhook_json(&updated));
}

static enum MHD_Result delete_webhook(struct http_request *request)
{
	struct webhook webhook;
	if (!api_webhook_load_or_reply(request, &webhook))
		return http_replied(request);
	struct store *store = request->app->store;
	enum store_result result = store->ops->webhook_delete(store, webhook.id);
	if (result != STORE_OK)
		return api_store_failure(request, result, "webhook", NULL);
	return http_reply_empty(request, 204);
}

/* A new secret; the current one keeps signing beside it for 24 h (both signatures are sent). */
static enum MHD_Result rotate_secret(struct http_request *request)
{
	struct webhook webhook;
	char secret[WEBHOOK_SECRET_SIZE];
	if (!api_webhook_load_or_reply(request, &webhook) || !new_secret_or_reply(request, secret))
		return http_replied(request);
	int64_t previous_until = time_now_millis() + PREVIOUS_SECRET_MS;
	struct store *store = request->app->store;
	enum store_result result = store->ops->webhook_rotate_secret(store, webhook.id, secret, previous_until);
	if (result != STORE_OK)
		return api_store_failure(request, result, "webhook", NULL);
	memcpy(webhook.previous_secret, webhook.secret, sizeof(webhook.previous_secret));
	memcpy(webhook.secret, secret, sizeof(webhook.secret));
	webhook.previous_secret_until_ms = previous_until;
	enum MHD_Result answer = reply_with_secret(request, 200, &webhook);
	explicit_bzero(secret, sizeof(secret));
	explicit_bzero(&webhook, sizeof(webhook));
	return answer;
}

const struct route webhook_routes[] = {
    {.method = "POST", .pattern = "/webhooks", .handler = post_webhook, .roles = ROLES_WRITERS},
    {.method = "GET",
     .pattern = "/webhooks",
     .handler = list_webhooks,
     .roles = ROLES_WRITERS,
     .query = "organisationId,limit,after"},
    {.method = "GET", .pattern = "/webhooks/{webhookId}", .handler = get_webhook, .roles = ROLES_WRITERS},
    {.method = "PATCH", .pattern = "/webhooks/{webhookId}", .handler = patch_webhook, .roles = ROLES_WRITERS},
    {.method = "DELETE", .pattern = "/webhooks/{webhookId}", .handler = delete_webhook, .roles = ROLES_WRITERS},
    {.method = "POST",
     .pattern = "/webhooks/{webhookId}/rotate-secret",
     .handler = rotate_secret,
     .roles = ROLES_WRITERS},
    {.method = NULL},
};
