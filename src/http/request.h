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

#define HTTP_MAX_PATH_PARAMS   4
#define HTTP_MAX_EXTRA_HEADERS 12 /* a handler's few + RateLimit-Policy, RateLimit, Retry-After */
#define HTTP_REQUEST_ID_SIZE   65

struct route;
struct http_request;

/* Called on a libmicrohttpd worker thread when a suspended request is resumed; it must answer
 * the request (or suspend it again). */
typedef enum MHD_Result (*http_resume_fn)(struct http_request *request);

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
	int match;                 /* enum router_match of method and path */
	const char *allow;         /* for ROUTER_WRONG_METHOD: the methods the path accepts */
	const char *path_params[HTTP_MAX_PATH_PARAMS];
	size_t path_param_count;
	char *body; /* NUL-terminated, malloc'd, freed with the request */
	size_t body_length;
	size_t body_capacity;
	bool body_too_large;
	bool body_announced;        /* Content-Length above 0, or chunked (server.c) */
	uint64_t content_length;    /* announced; 0 when chunked or none */
	struct principal principal; /* set for authenticated routes (and by a login that succeeded) */
	/* A failed login: the username or client id tried (never the secret), for the access log. */
	const char *login_failed;
	bool login_failed_client; /* login_failed is a client id, not a username */
	char request_id[HTTP_REQUEST_ID_SIZE];
	struct http_header_pair extra_headers[HTTP_MAX_EXTRA_HEADERS];
	size_t extra_header_count;
	uint64_t started_ns;
	http_resume_fn resume;           /* set while suspended: what answers the request once resumed */
	void *resume_context;            /* for the resume function; owned by whoever suspended */
	unsigned status;                 /* the status answered; 0 until then */
	bool queue_failed;               /* libmicrohttpd refused the response: the connection will close */
	bool cache_control_set;          /* the handler added its own Cache-Control (else no-store) */
	bool admitted;                   /* the checks before the body ran (server.c: admit) */
	bool close_after_reply;          /* answered before its body was read: the connection closes */
	size_t unauthenticated_reserved; /* bytes of the unauthenticated body budget held (server.c) */
	/* Run on the handler pool (http/handler_pool.h): while the handler runs there, reply.c keeps
	 * its answer here instead of queueing it, and the libmicrohttpd thread queues it on resume. */
	bool reply_deferred;
	enum MHD_Result deferred_result;        /* what the handler returned */
	struct MHD_Response *deferred_response; /* the answer it left; NULL when none */
	struct http_request *pool_next;         /* the pool's queue */
	struct arena arena;                     /* last: its inline buffer needs no zeroing */
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

/* Suspends the request without answering it: the worker thread is free for other requests
 * until http_request_resume() is called (from any thread); then resume(request) runs on a worker
 * thread and answers. Call only from a handler, with no response queued. Whoever suspends must
 * guarantee that the request is resumed exactly once (including at shutdown). */
void http_request_suspend(struct http_request *request, http_resume_fn resume, void *context);
/* Resumes a suspended request (safe from any thread). */
void http_request_resume(struct http_request *request);

#endif
