/* /webhooks/{id}/deliveries and /webhooks/{id}/test: a webhook's delivery log (newest first),
 * retrying one delivery, and sending a webhook.test event to the webhook alone. Retry and test
 * answer 202 with the pending delivery at once and wake the sender; its outcome shows in the log. */
#include <string.h>

#include "api/list_query.h"
#include "api/routes.h"
#include "api/webhooks.h"
#include "util/timeutil.h"
#include "webhooks/sender.h"

json_t *api_delivery_json(const struct webhook_delivery *delivery)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:I,s:o,s:o,s:o,s:o,s:o}", "id", delivery->id, "eventId", delivery->event_id,
	                 "eventType", event_type_name(delivery->event_type), "status",
	                 delivery_status_name(delivery->status), "attempts", (json_int_t)delivery->attempts,
	                 "createdAt", api_json_millis_or_null(delivery->created_at_ms), "lastAttemptAt",
	                 api_json_millis_or_null(delivery->last_attempt_at_ms), "nextAttemptAt",
	                 api_json_millis_or_null(delivery->next_attempt_at_ms), "responseStatus",
	                 delivery->response_status != 0 ? json_integer(delivery->response_status) : json_null(),
	                 "error", api_json_string_or_null(delivery->error));
}

struct status_parse {
	unsigned mask;
	const char *unknown;
};

static int add_status(void *context, const char *value)
{
	struct status_parse *parse = context;
	enum delivery_status status;
	if (!delivery_status_from_name(value, &status)) {
		parse->unknown = value;
		return 1;
	}
	parse->mask |= 1u << status;
	return 0;
}

struct delivery_page {
	json_t *list;
	unsigned wanted, rows;
	char last_id[UUID_BUFFER_SIZE];
	bool failed;
};

static int add_delivery(void *context, const struct webhook_delivery *delivery)
{
	struct delivery_page *page = context;
	if (++page->rows > page->wanted)
		return 1;
	if (json_array_append_new(page->list, api_delivery_json(delivery)) != 0) {
		page->failed = true;
		return 1;
	}
	memcpy(page->last_id, delivery->id, sizeof(page->last_id));
	return 0;
}

/* GET ?status= (repeatable: pending, succeeded, failed) &limit= &after= */
static enum MHD_Result list_deliveries(struct http_request *request)
{
	struct webhook webhook;
	struct status_parse statuses = {0, NULL};
	struct page_cursor page = {0};
	if (!api_webhook_load_or_reply(request, &webhook) ||
	    !api_query_limit_or_reply(request, WEBHOOK_LIST_LIMIT_MAX, &page.limit) ||
	    !api_query_uuid_or_reply(request, "after", page.after_id))
		return http_replied(request);
	if (http_query_each(request, "status", add_status, &statuses) != 0)
		return http_reply_error(request, 422, "query parameter 'status' must be pending, succeeded or failed");
	unsigned limit = page.limit != 0 ? page.limit : WEBHOOK_LIST_LIMIT_DEFAULT;
	struct delivery_page rows = {.list = json_array(), .wanted = limit};
	if (rows.list == NULL)
		return http_reply_error(request, 500, "internal error");
	page.limit = limit + 1;
	struct store *store = request->app->store;
	enum store_result result =
	    store->ops->delivery_list(store, webhook.id, statuses.mask, &page, add_delivery, &rows);
	if (result != STORE_OK || rows.failed) {
		json_decref(rows.list);
		return api_store_failure(request, result != STORE_OK ? result : STORE_ERROR, "webhook", NULL);
	}
	if (rows.rows > rows.wanted) {
		char path[64 + UUID_BUFFER_SIZE];
		snprintf(path, sizeof(path), "/webhooks/%s/deliveries", webhook.id);
		api_add_next_link(request, path, limit, rows.last_id);
	}
	return http_reply_json(request, 200, rows.list);
}

static enum MHD_Result get_delivery(struct http_request *request)
{
	struct webhook webhook;
	char id[UUID_BUFFER_SIZE];
	if (!api_webhook_load_or_reply(request, &webhook) || !api_path_uuid_or_reply(request, 1, "deliveryId", id))
		return http_replied(request);
	struct webhook_delivery delivery;
	struct store *store = request->app->store;
	enum store_result result = store->ops->delivery_get(store, webhook.id, id, &delivery);
	if (result != STORE_OK)
		return api_store_failure(request, result, "delivery", NULL);
	return http_reply_json(request, 200, api_delivery_json(&delivery));
}

/* Sends the delivery again now (also a succeeded one); its back-off starts over. */
static enum MHD_Result retry_delivery(struct http_request *request)
{
	struct webhook webhook;
	char id[UUID_BUFFER_SIZE];
	if (!api_webhook_load_or_reply(request, &webhook) || !api_path_uuid_or_reply(request, 1, "deliveryId", id))
		return http_replied(request);
	if (!webhook.enabled)
		return http_reply_error(request, 409,
		                        "the webhook is disabled; enable it (PATCH 'enabled': true) first");
	struct webhook_delivery delivery;
	struct store *store = request->app->store;
	enum store_result result = store->ops->delivery_retry(store, webhook.id, id, time_now_millis(), &delivery);
	if (result != STORE_OK)
		return api_store_failure(request, result, "delivery", NULL);
	webhook_sender_wake(request->app->webhooks);
	api_add_location(request, "/webhooks/%s/deliveries/%s", delivery.webhook_id, delivery.id);
	return http_reply_json(request, 202, api_delivery_json(&delivery));
}

/* A webhook.test event (also in the audit log) delivered to this webhook only, at once. */
static enum MHD_Result test_webhook(struct http_request *request)
{
	struct webhook webhook;
	if (!api_webhook_load_or_reply(request, &webhook))
		return http_replied(request);
	if (!webhook.enabled)
		return http_reply_error(request, 409,
		                        "the webhook is disabled; enable it (PATCH 'enabled': true) first");
	json_t *data = json_pack("{s:s,s:s}", "webhookId", webhook.id, "url", webhook.url);
	char *data_json = data != NULL ? json_dumps(data, JSON_COMPACT) : NULL;
	json_decref(data);
	if (data_json == NULL)
		return http_reply_error(request, 500, "internal error");
	struct change_origin origin;
	api_change_origin(request, &origin);
	struct webhook_delivery delivery;
	struct store *store = request->app->store;
	enum store_result result = store->ops->webhook_test(store, &webhook, &origin, data_json, &delivery);
	free(data_json);
	if (result != STORE_OK)
		return api_store_failure(request, result, "webhook", NULL);
	webhook_sender_wake(request->app->webhooks);
	api_add_location(request, "/webhooks/%s/deliveries/%s", delivery.webhook_id, delivery.id);
	return http_reply_json(request, 202, api_delivery_json(&delivery));
}

const struct route webhook_delivery_routes[] = {
    {.method = "GET",
     .pattern = "/webhooks/{webhookId}/deliveries",
     .handler = list_deliveries,
     .roles = ROLES_WRITERS,
     .query = "status,limit,after"},
    {.method = "GET",
     .pattern = "/webhooks/{webhookId}/deliveries/{deliveryId}",
     .handler = get_delivery,
     .roles = ROLES_WRITERS},
    {.method = "POST",
     .pattern = "/webhooks/{webhookId}/deliveries/{deliveryId}/retry",
     .handler = retry_delivery,
     .roles = ROLES_WRITERS},
    {.method = "POST", .pattern = "/webhooks/{webhookId}/test", .handler = test_webhook, .roles = ROLES_WRITERS},
    {.method = NULL},
};
