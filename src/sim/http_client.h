/* A thin asynchronous HTTP client on libcurl's multi interface: one thread runs many requests
 * at once, connections are kept alive and reused, and each request reports back through a
 * callback. Promise: when http_client_send returns NULL, or a call is cancelled, its callback
 * is never called; otherwise it is called exactly once, from http_client_run. */
#ifndef CAMFLEET_SIM_HTTP_CLIENT_H
#define CAMFLEET_SIM_HTTP_CLIENT_H

#include <stddef.h>

struct http_client;
struct http_call;

struct http_request {
	const char *method;       /* "GET", "POST", "PUT", "DELETE", ... */
	const char *path;         /* appended to the client's base URL, e.g. "/cameras?state=running" */
	const char *bearer_token; /* Authorization: Bearer ..., or NULL */
	const char *basic_user;   /* HTTP Basic credentials, or NULL */
	const char *basic_password;
	const char *content_type; /* of the body, or NULL */
	const void *body;         /* copied by http_client_send; NULL for none */
	size_t body_length;
	long timeout_millis; /* whole request; 0 = the client's default */
};

struct http_result {
	long status;       /* HTTP status, 0 when no response came */
	const char *error; /* NULL when a response came; else what went wrong (connection refused, timeout) */
	const char *body;  /* response body, NUL-terminated; valid only during the callback */
	size_t body_length;
};

/* Called once per finished call; may send new requests and cancel other calls. */
typedef void (*http_done_fn)(const struct http_result *result, void *context);

/* A client for base_url (no trailing slash) with at most max_connections open (requests beyond
 * wait for one), kept open for reuse. Returns NULL when libcurl cannot be set up. Free with
 * http_client_free. */
struct http_client *http_client_new(const char *base_url, unsigned max_connections);
/* Cancels every call in flight (no callbacks) and frees the client. */
void http_client_free(struct http_client *client);
/* Starts a request; returns its call (valid until its callback returns or it is cancelled), or
 * NULL when it could not be started. */
struct http_call *http_client_send(struct http_client *client, const struct http_request *request, http_done_fn done,
                                   void *context);
/* Stops a call in flight; its callback will not be called. */
void http_call_cancel(struct http_client *client, struct http_call *call);
/* Waits up to timeout_millis for network activity, moves every transfer on and calls the
 * callbacks of those that finished. Returns 0, or -1 when libcurl failed. */
int http_client_run(struct http_client *client, int timeout_millis) __attribute__((warn_unused_result));
/* How many calls are in flight. */
size_t http_client_in_flight(const struct http_client *client);

#endif
