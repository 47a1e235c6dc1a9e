/* One HTTP request as handlers see it: method, path parameters, query, body, caller, and a
 * per-request arena released when the request ends. Handlers answer through http/reply.h. */
#ifndef CAMFLEET_HTTP_REQUEST_H
#define CAMFLEET_HTTP_REQUEST_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "auth/principal.h"
#include "util/arena.h"

#define HTTP_MAX_PATH_PARAMS 4
#define HTTP_MAX_EXTRA_HEADERS 4
#define HTTP_REQUEST_ID_SIZE 65

struct route;

struct http_header_pair {
	const char *name;
	const char *value;
};

struct http_request {
	struct app *app;
	struct MHD_Connection *connection;
	const char *method;
	const char *path;
	const struct route *route; /* NULL when no route matched */
	const char *path_params[HTTP_MAX_PATH_PARAMS];
	size_t path_param_count;
	char *body; /* NUL-terminated, malloc'd, freed with the request */
	size_t body_length;
	size_t body_capacity;
	bool body_too_large;
	struct principal principal; /* set for authenticated routes */
	struct arena arena;
	char request_id[HTTP_REQUEST_ID_SIZE];
	struct http_header_pair extra_headers[HTTP_MAX_EXTRA_HEADERS];
	size_t extra_header_count;
	uint64_t started_ns;
	unsigned status;   /* the status answered; 0 until then */
	bool queue_failed; /* libmicrohttpd refused the response: the connection will close */
};

/* The i-th {parameter} of the matched route's path pattern. */
static inline const char *http_path_param(const struct http_request *request, size_t index)
{
	return index < request->path_param_count ? request->path_params[index] : NULL;
}

/* The first value of query parameter name, or NULL. */
const char *http_query(struct http_request *request, const char *name);
/* Calls fn for every value of query parameter name (repeated parameters); stops when fn
 * returns non-zero and returns that value, else 0. */
int http_query_each(struct http_request *request, const char *name, int (*fn)(void *context, const char *value),
		    void *context);
/* The value of request header name (case-insensitive), or NULL. */
const char *http_header(struct http_request *request, const char *name);

#endif
