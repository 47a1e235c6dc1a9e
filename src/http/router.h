/* The route table: method + path pattern ("/cameras/{}/state/{}") → handler. Patterns are
 * split into segments once at start-up; matching a request allocates nothing. */
#ifndef CAMFLEET_HTTP_ROUTER_H
#define CAMFLEET_HTTP_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"

typedef enum MHD_Result (*http_handler_fn)(struct http_request *request);

enum route_flags {
	ROUTE_PUBLIC = 1 << 0,     /* no access token needed */
	ROUTE_LARGE_BODY = 1 << 1, /* accepts bodies up to max_upload_bytes (frames), not max_body_bytes */
	/* A POST, PUT, PATCH or DELETE whose handler runs on the libmicrohttpd thread, not on the
	 * handler pool (http/handler_pool.h): it suspends the request itself, or never waits. */
	ROUTE_ON_HTTP_THREAD = 1 << 2,
	/* A camera's own traffic (heartbeats, long-polls, uploads): its access line is written at
	 * debug unless --log-device-requests (http/access_log.c). */
	ROUTE_DEVICE_TRAFFIC = 1 << 3,
	/* Waits for something to happen by design (a long-poll, a stream): its duration goes to its own
	 * histogram, not the request-latency one (http/metrics.c). */
	ROUTE_LONG_POLL = 1 << 4,
};

/* Tables are written with designated initialisers:
 * {.method = "GET", .pattern = "/cameras/{cameraId}", .handler = get_camera, .roles = ROLES_READERS}. */
struct route {
	const char *method;
	const char *pattern; /* literal segments and {name} placeholders */
	http_handler_fn handler;
	/* ROLE_BIT masks (auth/policy.h) of the roles that may call it: checked from the headers,
	 * before any body is read (401/403); 0 for ROUTE_PUBLIC routes. Handlers check again, finer. */
	unsigned roles;
	unsigned flags;
	/* The query parameters it takes, comma-separated ("siteId,limit,after"); NULL: none. Any other
	 * parameter is refused with 400 before the handler runs: a typo must not widen a request. */
	const char *query;
	unsigned index; /* position in the table; set by router_init, used by metrics */
};

enum router_match { ROUTER_MATCHED, ROUTER_NO_PATH, ROUTER_WRONG_METHOD };

/* Prepares the table (count entries); returns 0, or -1 when a pattern is invalid. */
int router_init(struct route *routes, size_t count) __attribute__((warn_unused_result));
/* Finds the route for method and path, filling request->route and its path parameters
 * (copied into the request arena). On ROUTER_WRONG_METHOD, allow (size bytes) receives the
 * comma-separated methods that the path accepts. */
enum router_match router_match(struct http_request *request, char *allow, size_t allow_size);
/* Whether route takes the query parameter name (route->query). */
bool router_query_allowed(const struct route *route, const char *name);
/* The table given to router_init, and its length. */
const struct route *router_routes(size_t *count);

#endif
