/* What the webhook endpoints (api/webhooks.c, api/webhook_deliveries.c) share: finding a webhook
 * the caller may manage, and the answers' shapes. */
#ifndef CAMFLEET_API_WEBHOOKS_H
#define CAMFLEET_API_WEBHOOKS_H

#include "api/common.h"

#define WEBHOOK_LIST_LIMIT_DEFAULT 100
#define WEBHOOK_LIST_LIMIT_MAX     1000

/* Reads path parameter 0 as a webhook id and the webhook into out if the caller may manage it
 * (operators every webhook, admins their organisation's); 404 otherwise. */
bool api_webhook_load_or_reply(struct http_request *request, struct webhook *out);

/* A delivery as GET /webhooks/{id}/deliveries shows it; NULL when out of memory. */
json_t *api_delivery_json(const struct webhook_delivery *delivery);

/* RFC 3339 (milliseconds) of epoch milliseconds, or null when 0. */
json_t *api_json_millis_or_null(int64_t epoch_ms);

#endif
