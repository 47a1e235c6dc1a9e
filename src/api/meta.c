/* Operational endpoints: liveness, readiness, Prometheus metrics and the OpenAPI document. */
#include <stdio.h>
#include <stdlib.h>

#include "api/common.h"
#include "api/routes.h"
#include "http/metrics.h"

extern const char openapi_document[];
extern const size_t openapi_document_length;

static enum MHD_Result get_healthz(struct http_request *request)
{
	return http_reply_static(request, 200, "application/json", "{\"status\":\"ok\"}", 15);
}

static enum MHD_Result get_readyz(struct http_request *request)
{
	struct store *store = request->app->store;
	enum store_result result = store->ops->ping(store);
	if (result != STORE_OK) {
		http_reply_add_header(request, "Retry-After", "1");
		return http_reply_error(request, 503, "not ready: the database does not answer");
	}
	return http_reply_static(request, 200, "application/json", "{\"status\":\"ready\"}", 18);
}

static enum MHD_Result get_metrics(struct http_request *request)
{
	struct store *store = request->app->store;
	int64_t depth = 0;
	char extra[256];
	extra[0] = '\0';
	if (store->ops->async_pending_count(store, &depth) == STORE_OK)
		snprintf(extra, sizeof(extra),
			 "# HELP camfleet_async_queue_depth Asynchronous requests created or processing.\n"
			 "# TYPE camfleet_async_queue_depth gauge\ncamfleet_async_queue_depth %lld\n",
			 (long long)depth);
	size_t length = 0;
	char *text = http_metrics_render(request->app->metrics, extra, &length);
	if (text == NULL)
		return http_reply_error(request, 500, "internal error");
	return http_reply_owned(request, 200, "text/plain; version=0.0.4", text, length);
}

static enum MHD_Result get_openapi(struct http_request *request)
{
	return http_reply_static(request, 200, "application/json", openapi_document, openapi_document_length);
}

const struct route meta_routes[] = {
	{"GET", "/healthz", get_healthz, ROUTE_PUBLIC, 0},
	{"GET", "/readyz", get_readyz, ROUTE_PUBLIC, 0},
	{"GET", "/metrics", get_metrics, ROUTE_PUBLIC, 0},
	{"GET", "/openapi.json", get_openapi, ROUTE_PUBLIC, 0},
	{NULL, NULL, NULL, 0, 0},
};
