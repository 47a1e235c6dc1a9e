/* Operational endpoints: liveness, readiness, Prometheus metrics (operator tokens; or the
 * separate --metrics-listen address) and the OpenAPI document. */
#include <stdio.h>
#include <stdlib.h>

#include "api/common.h"
#include "api/fleet_metrics.h"
#include "api/meta.h"
#include "api/routes.h"
#include "http/metrics.h"
#include "store/camera_cache.h"

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

/* The store's families: the async queue depth, and the camera cache when there is one. */
static void store_metrics(struct store *store, struct text_buffer *out)
{
	int64_t depth = 0;
	if (store->ops->async_pending_count(store, &depth) == STORE_OK)
		text_buffer_append(out,
		                   "# HELP camfleet_async_queue_depth Asynchronous requests created or processing.\n"
		                   "# TYPE camfleet_async_queue_depth gauge\ncamfleet_async_queue_depth %lld\n",
		                   (long long)depth);
	struct camera_cache_usage cache;
	if (store->camera_cache != NULL) {
		camera_cache_usage(store->camera_cache, &cache);
		text_buffer_append(
		    out,
		    "# HELP camfleet_camera_cache_rows Camera rows kept in memory (SQLite server).\n"
		    "# TYPE camfleet_camera_cache_rows gauge\ncamfleet_camera_cache_rows %zu\n"
		    "# HELP camfleet_camera_cache_bytes Bytes of the camera rows kept in memory.\n"
		    "# TYPE camfleet_camera_cache_bytes gauge\ncamfleet_camera_cache_bytes %zu\n"
		    "# HELP camfleet_camera_cache_hits_total Camera reads answered from memory.\n"
		    "# TYPE camfleet_camera_cache_hits_total counter\ncamfleet_camera_cache_hits_total %llu\n"
		    "# HELP camfleet_camera_cache_misses_total Camera reads that went to the database.\n"
		    "# TYPE camfleet_camera_cache_misses_total counter\ncamfleet_camera_cache_misses_total %llu\n",
		    cache.rows, cache.bytes, (unsigned long long)cache.hits, (unsigned long long)cache.misses);
	}
}

char *api_metrics_text(struct app *app, size_t *length)
{
	struct text_buffer out = TEXT_BUFFER_INIT;
	http_metrics_render(app->metrics, &out);
	store_metrics(app->store, &out);
	fleet_metrics_render(app->fleet_metrics, app, &out);
	return text_buffer_finish(&out, length);
}

static enum MHD_Result get_metrics(struct http_request *request)
{
	size_t length = 0;
	char *text = api_metrics_text(request->app, &length);
	if (text == NULL)
		return http_reply_error(request, 500, "internal error");
	return http_reply_owned(request, 200, "text/plain; version=0.0.4", text, length);
}

static enum MHD_Result get_openapi(struct http_request *request)
{
	return http_reply_static(request, 200, "application/json", openapi_document, openapi_document_length);
}

const struct route meta_routes[] = {
    {.method = "GET", .pattern = "/healthz", .handler = get_healthz, .flags = ROUTE_PUBLIC},
    {.method = "GET", .pattern = "/readyz", .handler = get_readyz, .flags = ROUTE_PUBLIC},
    {.method = "GET", .pattern = "/metrics", .handler = get_metrics, .roles = ROLES_OPERATOR},
    {.method = "GET", .pattern = "/openapi.json", .handler = get_openapi, .flags = ROUTE_PUBLIC},
    {.method = NULL},
};
