/* libmicrohttpd glue: per-request context (arena, body buffer, request id), body limits,
 * dispatch through the router with bearer-token authentication and the route's roles checked
 * from the headers before any body is read, and the metrics and access log line
 * (http/access_log.c) of every request. */
#include "http/server.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "auth/policy.h"
#include "auth/tokens.h"
#include "http/access_log.h"
#include "http/connection_deadlines.h"
#include "http/handler_pool.h"
#include "http/metrics.h"
#include "http/rate_limit.h"
#include "http/reply.h"
#include "util/log.h"
#include "util/log_escape.h"
#include "util/timeutil.h"

struct http_server {
	struct MHD_Daemon *daemon;
	struct app *app;
	struct handler_pool *handlers;          /* runs the handlers that may wait (runs_on_pool) */
	struct connection_deadlines *deadlines; /* closes connections slow to send a request head */
	atomic_int in_flight;
	atomic_bool quiesced; /* new connections are closed as soon as they are accepted */
};

static atomic_uint_fast64_t request_counter;
static uint32_t request_id_prefix;

/* Bodies of requests nobody has authenticated (public routes that take one: POST /oauth/token)
 * held at once across all connections; beyond it such a request gets 503 + Retry-After before
 * its body is read. Each request reserves its Content-Length (or the body limit when chunked)
 * on its first call and gives it back when it ends. */
#define UNAUTHENTICATED_BODY_BYTES_MAX ((size_t)8 * 1024 * 1024)
static atomic_size_t unauthenticated_body_bytes;

const char *http_query(struct http_request *request, const char *name)
{
	return MHD_lookup_connection_value(request->connection, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(struct http_request *request, const char *name)
{
	return MHD_lookup_connection_value(request->connection, MHD_HEADER_KIND, name);
}

struct query_each_context {
	const char *name;
	int (*fn)(void *context, const char *value);
	void *context;
	int result;
};

static enum MHD_Result query_each_visit(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct query_each_context *each = cls;
	if (key == NULL || strcmp(key, each->name) != 0)
		return MHD_YES;
	each->result = each->fn(each->context, value != NULL ? value : "");
	return each->result == 0 ? MHD_YES : MHD_NO;
}

int http_query_each(struct http_request *request, const char *name, int (*fn)(void *context, const char *value),
                    void *context)
{
	struct query_each_context each = {name, fn, context, 0};
	MHD_get_connection_values(request->connection, MHD_GET_ARGUMENT_KIND, query_each_visit, &each);
	return each.result;
}

static bool request_id_acceptable(const char *text)
{
	size_t length = strlen(text);
	if (length == 0 || length >= HTTP_REQUEST_ID_SIZE)
		return false;
	for (size_t i = 0; i < length; i++) {
		char c = text[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* The request-head deadline of a connection (set by connection_notified), or NULL. */
static struct connection_deadline *connection_deadline_of(struct MHD_Connection *connection)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return info != NULL ? info->socket_context : NULL;
}

static struct http_request *request_new(struct http_server *server, struct MHD_Connection *connection,
                                        const char *method, const char *url)
{
	struct http_request *request = malloc(sizeof(*request));
	if (request == NULL)
		return NULL;
	memset(request, 0, offsetof(struct http_request, arena));
	request->app = server->app;
	request->connection = connection;
	request->started_ns = time_monotonic_nanos();
	arena_init(&request->arena);
	request->method = method;
	request->path = url;
	const char *given = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-Request-Id");
	if (given != NULL && request_id_acceptable(given)) {
		snprintf(request->request_id, sizeof(request->request_id), "%s", given);
	} else {
		uint64_t n = atomic_fetch_add_explicit(&request_counter, 1, memory_order_relaxed);
		snprintf(request->request_id, sizeof(request->request_id), "%08x%08llx", request_id_prefix,
		         (unsigned long long)n);
	}
	return request;
}

static void request_free(struct http_request *request)
{
	if (request->unauthenticated_reserved > 0)
		atomic_fetch_sub(&unauthenticated_body_bytes, request->unauthenticated_reserved);
	if (request->deferred_response != NULL) /* never sent: the connection ended while suspended */
		MHD_destroy_response(request->deferred_response);
	free(request->body);
	arena_release(&request->arena);
	free(request);
}

static bool append_body(struct http_request *request, const char *data, size_t size, size_t limit)
{
	if (request->body_too_large)
		return true;
	if (request->body_length + size > limit) {
		request->body_too_large = true;
		return true;
	}
	if (request->body_length + size + 1 > request->body_capacity) {
		size_t capacity = request->body_capacity ? request->body_capacity * 2 : 1024;
		while (capacity < request->body_length + size + 1)
			capacity *= 2;
		if (capacity > limit + 1)
			capacity = limit + 1;
		char *grown = realloc(request->body, capacity);
		if (grown == NULL)
			return false;
		request->body = grown;
		request->body_capacity = capacity;
	}
	memcpy(request->body + request->body_length, data, size);
	request->body_length += size;
	request->body[request->body_length] = '\0';
	return true;
}

static enum MHD_Result reply_unauthorized(struct http_request *request, const char *reason)
{
	char *challenge = arena_printf(
	    &request->arena, "Bearer realm=\"camfleet\", error=\"invalid_token\", error_description=\"%s\"", reason);
	http_reply_add_header(request, "WWW-Authenticate", challenge != NULL ? challenge : "Bearer realm=\"camfleet\"");
	return http_reply_error(request, 401, "%s", reason);
}

static enum MHD_Result authenticate(struct http_request *request)
{
	const char *authorization = http_header(request, MHD_HTTP_HEADER_AUTHORIZATION);
	if (authorization == NULL) {
		http_reply_add_header(request, "WWW-Authenticate", "Bearer realm=\"camfleet\"");
		return http_reply_error(request, 401,
		                        "missing Authorization header: send 'Authorization: Bearer <token>'");
	}
	if (strncasecmp(authorization, "Bearer ", 7) != 0)
		return reply_unauthorized(request, "the Authorization header must use the Bearer scheme");
	const char *token = authorization + 7;
	while (*token == ' ')
		token++;
	enum token_result result = token_verify(request->app->tokens, token, strlen(token), &request->principal);
	if (result != TOKEN_OK)
		return reply_unauthorized(request, token_result_text(result));
	return MHD_YES;
}

/* Authentication (401) and the route's roles (403), from the headers alone: true when the caller
 * may go on, else false with the request answered. The one gate every non-public route passes
 * before its body is read; handlers check roles again (finer, per body). */
static bool authorize_or_reply(struct http_request *request)
{
	if (authenticate(request) != MHD_YES || request->status != 0)
		return false;
	if (policy_role_allowed(&request->principal, request->route->roles))
		return true;
	http_reply_error(request, 403, "role '%s' is not allowed to %s %s", role_name(request->principal.role),
	                 request->method, request->route->pattern);
	return false;
}

/* The largest body the matched route accepts (unmatched requests get the default). */
static size_t body_limit(const struct http_request *request)
{
	const struct app_config *config = &request->app->config;
	if (request->route != NULL && (request->route->flags & ROUTE_LARGE_BODY))
		return config->max_upload_bytes;
	return config->max_body_bytes;
}

/* Each connection has a buffer (libmicrohttpd's memory pool) for the request line and headers; the
 * library clears it for every request, so it is kept small. Headers beyond HEADER_BYTES_MAX get a
 * JSON 431 from camfleet; beyond the buffer, libmicrohttpd answers 431 itself. */
#define CONNECTION_BUFFER_BYTES (8 * 1024)
#define HEADER_BYTES_MAX        (6 * 1024)

/* Connections the kernel queues before libmicrohttpd accepts them (a burst of reconnecting
 * cameras); the kernel caps it at net.core.somaxconn (4096 by default since Linux 5.4). */
#define LISTEN_BACKLOG 4096

static enum MHD_Result add_header_bytes(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	size_t *total = cls;
	*total += strlen(key) + (value != NULL ? strlen(value) : 0) + 4;
	return MHD_YES;
}

/* Bytes of the request line and headers, roughly as sent. */
static size_t header_bytes(struct http_request *request)
{
	size_t total = strlen(request->method) + strlen(request->path) + 12;
	MHD_get_connection_values(request->connection, MHD_HEADER_KIND | MHD_GET_ARGUMENT_KIND, add_header_bytes,
	                          &total);
	return total;
}

static enum MHD_Result reply_too_large(struct http_request *request)
{
	request->body_too_large = true;
	return http_reply_error(request, 413, "request body exceeds the limit of %zu bytes", body_limit(request));
}

/* Reads Content-Length into request->content_length and sets request->body_announced (a
 * Content-Length above 0, or a chunked body). */
static void read_body_announcement(struct http_request *request)
{
	const char *length_text = http_header(request, MHD_HTTP_HEADER_CONTENT_LENGTH);
	request->content_length = length_text != NULL ? strtoull(length_text, NULL, 10) : 0;
	request->body_announced =
	    request->content_length > 0 || http_header(request, MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
}

/* A public route's body counts against UNAUTHENTICATED_BODY_BYTES_MAX; false (answered 503)
 * when the budget is spent. */
static bool reserve_unauthenticated_body_or_reply(struct http_request *request, size_t bytes)
{
	size_t before = atomic_fetch_add(&unauthenticated_body_bytes, bytes);
	if (before + bytes > UNAUTHENTICATED_BODY_BYTES_MAX) {
		atomic_fetch_sub(&unauthenticated_body_bytes, bytes);
		http_reply_add_header(request, MHD_HTTP_HEADER_RETRY_AFTER, "1");
		http_reply_error(request, 503, "too many unauthenticated request bodies in progress; retry shortly");
		return false;
	}
	request->unauthenticated_reserved = bytes;
	return true;
}

/* Before any body is read: everything that can be refused from the headers is refused here
 * (431, 404, 405, 401, 403, 413, 503), so that nobody without a token, or with the wrong role,
 * costs the server a body's memory. Runs once per request. */
/* The first query parameter the route does not take, or NULL. */
struct unknown_query {
	const struct route *route;
	const char *name;
};

static enum MHD_Result find_unknown_query(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	(void)value;
	struct unknown_query *found = cls;
	if (key == NULL || router_query_allowed(found->route, key))
		return MHD_YES;
	found->name = key;
	return MHD_NO;
}

/* 400 for a query parameter the route does not take, naming it and those it does (a typo such as
 * ?siteld= must not list the whole fleet); true when every parameter is known. */
static bool known_query_or_reply(struct http_request *request)
{
	struct unknown_query found = {request->route, NULL};
	MHD_get_connection_values(request->connection, MHD_GET_ARGUMENT_KIND, find_unknown_query, &found);
	if (found.name == NULL)
		return true;
	const struct route *route = request->route;
	if (route->query == NULL)
		http_reply_error(request, 400, "unknown query parameter '%s': %s %s takes no query parameters",
		                 found.name, route->method, route->pattern);
	else
		http_reply_error(request, 400, "unknown query parameter '%s': %s %s takes %s", found.name,
		                 route->method, route->pattern, route->query);
	return false;
}

static void admit(struct http_request *request)
{
	request->admitted = true;
	if (header_bytes(request) > HEADER_BYTES_MAX) {
		http_reply_error(request, 431, "request headers exceed the limit of %d bytes", HEADER_BYTES_MAX);
		return;
	}
	switch (request->match) {
	case ROUTER_NO_PATH: http_reply_error(request, 404, "no such resource: %s", request->path); return;
	case ROUTER_WRONG_METHOD:
		http_reply_add_header(request, MHD_HTTP_HEADER_ALLOW, request->allow);
		http_reply_error(request, 405, "method %s is not allowed on %s; allowed: %s", request->method,
		                 request->path, request->allow);
		return;
	case ROUTER_MATCHED: break;
	}
	bool public_route = (request->route->flags & ROUTE_PUBLIC) != 0;
	if (!public_route && (!authorize_or_reply(request) || !rate_limit_admit_or_reply(request)))
		return;
	if (!known_query_or_reply(request))
		return;
	if (!request->body_announced)
		return;
	size_t limit = body_limit(request);
	if (request->content_length > limit) {
		reply_too_large(request);
		return;
	}
	if (public_route)
		reserve_unauthenticated_body_or_reply(
		    request, request->content_length > 0 ? (size_t)request->content_length : limit);
}

static bool runs_on_pool(const struct http_request *request);

/* Before a write (a route that runs on the handler pool) by a user or client: a revocation another
 * node answered holds at once, also before its message arrives (auth/tokens.h
 * token_confirm_current). */
static enum token_result subject_still_current(struct http_request *request)
{
	if ((request->route->flags & ROUTE_PUBLIC) != 0 || !runs_on_pool(request))
		return TOKEN_OK;
	return token_confirm_current(request->app->tokens, &request->principal);
}

/* 401 for a revoked subject, 503 when the database could not tell. */
static enum MHD_Result reply_subject_not_current(struct http_request *request, enum token_result result)
{
	if (result == TOKEN_REVOKED)
		return reply_unauthorized(request, token_result_text(result));
	http_reply_add_header(request, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	return http_reply_error(request, 503, "the database is unavailable; retry shortly");
}

static enum MHD_Result run_handler(struct http_request *request)
{
	enum token_result current = subject_still_current(request);
	if (current != TOKEN_OK)
		return reply_subject_not_current(request, current);
	enum MHD_Result result = request->route->handler(request);
	if (request->status == 0 && request->resume == NULL && result == MHD_YES) {
		char method[LOG_ESCAPE_SIZE(16)];
		log_error("http: handler for %s %s answered nothing",
		          log_escape(request->method, method, sizeof(method)), request->route->pattern);
		return http_reply_error(request, 500, "internal error");
	}
	return result;
}

/* A pool thread's work: the handler, its answer kept for the libmicrohttpd thread. */
static void run_on_pool(struct http_request *request)
{
	request->reply_deferred = true;
	request->deferred_result = run_handler(request);
	request->reply_deferred = false;
}

/* Back on a libmicrohttpd thread after run_on_pool: send what the handler answered. */
static enum MHD_Result send_pool_answer(struct http_request *request)
{
	return http_reply_send_deferred(request);
}

/* Whether the request's handler runs on the pool: the writes (they may wait for the database's
 * write lock or a round trip), unless their route suspends the request itself. Reads never wait
 * for a writer (SQLite's WAL; PostgreSQL reads of cameras are batched off these threads). */
static bool runs_on_pool(const struct http_request *request)
{
	if (request->route->flags & ROUTE_ON_HTTP_THREAD)
		return false;
	const char *method = request->route->method;
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

static enum MHD_Result dispatch(struct http_server *server, struct http_request *request)
{
	if (request->body_too_large)
		return reply_too_large(request);
	if (server->handlers != NULL && runs_on_pool(request) &&
	    handler_pool_submit(server->handlers, request, send_pool_answer))
		return MHD_YES;
	return run_handler(request); /* here, or the pool is stopping (shutdown): here after all */
}

void http_request_suspend(struct http_request *request, http_resume_fn resume, void *context)
{
	if (request->reply_deferred) { /* a programming error the route table must fix */
		log_error("http: the handler of %s suspends its request on the handler pool; its route needs "
		          "ROUTE_ON_HTTP_THREAD",
		          request->route->pattern);
		abort();
	}
	request->resume = resume;
	request->resume_context = context;
	MHD_suspend_connection(request->connection);
}

void http_request_resume(struct http_request *request)
{
	MHD_resume_connection(request->connection);
}

/* A resumed request: run its continuation, which answers (or suspends again). */
static enum MHD_Result continue_resumed(struct http_request *request)
{
	http_resume_fn resume = request->resume;
	request->resume = NULL;
	enum MHD_Result result = resume(request);
	if (request->status == 0 && request->resume == NULL && result == MHD_YES) {
		char method[LOG_ESCAPE_SIZE(16)], path[512];
		log_error("http: resumed %s %s answered nothing", log_escape(request->method, method, sizeof(method)),
		          log_escape(request->path, path, sizeof(path)));
		return http_reply_error(request, 500, "internal error");
	}
	return result;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                                      const char *version, const char *upload_data, size_t *upload_data_size,
                                      void **request_context)
{
	struct http_server *server = cls;
	struct http_request *request = *request_context;
	if (request == NULL) { /* the first call: the request head is complete */
		struct connection_deadline *deadline = connection_deadline_of(connection);
		if (deadline != NULL)
			connection_deadline_clear(deadline);
		request = request_new(server, connection, method, url);
		if (request == NULL)
			return MHD_NO;
		*request_context = request;
		atomic_fetch_add(&server->in_flight, 1);
		char allow[128];
		request->match = router_match(request, allow, sizeof(allow));
		if (request->match == ROUTER_WRONG_METHOD)
			request->allow = arena_strdup(&request->arena, allow);
		/* A request with a body is admitted now, on the first call, before any of it is read;
		 * an answer now closes the connection (libmicrohttpd never reads that body). One without
		 * a body is admitted on the next call, so that an early answer keeps the connection. */
		read_body_announcement(request);
		if (!request->body_announced)
			return MHD_YES;
		request->close_after_reply = true;
		admit(request);
		request->close_after_reply = false;
		return request->queue_failed ? MHD_NO : MHD_YES;
	}
	if (request->resume != NULL)
		return continue_resumed(request);
	if (request->status != 0) { /* answered early (admit): discard what still arrives */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		if (!append_body(request, upload_data, *upload_data_size, body_limit(request)))
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (!request->admitted) {
		admit(request);
		if (request->status != 0)
			return request->queue_failed ? MHD_NO : MHD_YES;
	}
	return dispatch(server, request);
}

static void request_completed(void *cls, struct MHD_Connection *connection, void **request_context,
                              enum MHD_RequestTerminationCode code)
{
	struct http_server *server = cls;
	struct connection_deadline *deadline = connection_deadline_of(connection);
	if (deadline != NULL) /* answered: on keep-alive, the next request head is due */
		connection_deadline_rearm(server->deadlines, deadline);
	struct http_request *request = *request_context;
	if (request == NULL)
		return;
	uint64_t duration = time_monotonic_nanos() - request->started_ns;
	http_metrics_record(server->app->metrics, request->route, request->status, duration);
	http_access_log(request, code, duration);
	request_free(request);
	*request_context = NULL;
	atomic_fetch_sub(&server->in_flight, 1);
}

/* Every connection gets a request-head deadline when it is accepted, given up when it closes
 * (before libmicrohttpd closes its socket). */
static void connection_notified(void *cls, struct MHD_Connection *connection, void **socket_context,
                                enum MHD_ConnectionNotificationCode code)
{
	struct http_server *server = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *info =
		    MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = info != NULL ? connection_deadlines_add(server->deadlines, info->connect_fd) : NULL;
	} else if (*socket_context != NULL) {
		connection_deadlines_remove(server->deadlines, *socket_context);
		*socket_context = NULL;
	}
}

static void mhd_log(void *cls, const char *format, va_list args)
{
	char message[512], escaped[1024];
	vsnprintf(message, sizeof(message), format, args);
	size_t length = strlen(message);
	while (length > 0 && message[length - 1] == '\n')
		message[--length] = '\0';
	log_warn("libmicrohttpd: %s", log_escape(message, escaped, sizeof(escaped))); /* may quote the request */
}

int http_address_resolve(const char *host, unsigned port_number, struct sockaddr_storage *out, socklen_t *length)
{
	struct addrinfo hints = {0}, *found = NULL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	char port[16];
	snprintf(port, sizeof(port), "%u", port_number);
	int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &found);
	if (rc != 0 || found == NULL) {
		log_error("http: cannot resolve listen address %s: %s", host, gai_strerror(rc));
		return -1;
	}
	memcpy(out, found->ai_addr, found->ai_addrlen);
	*length = found->ai_addrlen;
	freeaddrinfo(found);
	return 0;
}

/* Once quiesced, every new connection is closed as it is accepted. (libmicrohttpd's own
 * MHD_quiesce_daemon() races its epoll workers, which may take the listening socket out of their
 * epoll sets themselves first; the library then aborts the process: "Failed to remove listen FD
 * from epoll set". Refusing connections here needs no change to the workers' sets.) */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *address, socklen_t length)
{
	const struct http_server *server = cls;
	return atomic_load_explicit(&server->quiesced, memory_order_relaxed) ? MHD_NO : MHD_YES;
}

struct http_server *http_server_start(struct app *app, struct route *routes, size_t route_count)
{
	if (router_init(routes, route_count) != 0)
		return NULL;
	struct http_server *server = calloc(1, sizeof(*server));
	if (server == NULL)
		return NULL;
	server->app = app;
	request_id_prefix = (uint32_t)time_now_millis() ^ ((uint32_t)getpid() << 16);
	struct sockaddr_storage address;
	socklen_t address_length;
	if (http_address_resolve(app->config.listen_host, app->config.listen_port, &address, &address_length) != 0) {
		free(server);
		return NULL;
	}
	server->deadlines = connection_deadlines_start(app->config.header_timeout, app->config.connection_timeout);
	if (server->deadlines == NULL) {
		free(server);
		return NULL;
	}
	server->handlers = handler_pool_start(app->config.write_threads, run_on_pool);
	if (server->handlers == NULL) {
		connection_deadlines_stop(server->deadlines);
		free(server);
		return NULL;
	}
	unsigned flags =
	    MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO | MHD_USE_ITC;
	if (address.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	server->daemon = MHD_start_daemon(
	    flags, (uint16_t)app->config.listen_port, accept_policy, server, access_handler, server,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)app->config.threads, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned int)app->config.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned int)app->config.max_connections_per_address, /* 0: none */
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)app->config.connection_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_BUFFER_BYTES, MHD_OPTION_LISTEN_BACKLOG_SIZE,
	    (unsigned int)LISTEN_BACKLOG, MHD_OPTION_NOTIFY_COMPLETED, request_completed, server,
	    MHD_OPTION_NOTIFY_CONNECTION, connection_notified, server, MHD_OPTION_END);
	if (server->daemon == NULL) {
		log_error("http: cannot listen on %s:%u", app->config.listen_host, app->config.listen_port);
		handler_pool_stop(server->handlers);
		connection_deadlines_stop(server->deadlines);
		free(server);
		return NULL;
	}
	return server;
}

void http_server_quiesce(struct http_server *server)
{
	if (server != NULL)
		atomic_store(&server->quiesced, true);
}

void http_server_stop(struct http_server *server, unsigned grace_seconds)
{
	if (server == NULL)
		return;
	http_server_quiesce(server);
	uint64_t deadline = time_monotonic_nanos() + (uint64_t)grace_seconds * 1000000000ull;
	while (atomic_load(&server->in_flight) > 0 && time_monotonic_nanos() < deadline) {
		struct timespec pause = {0, 20 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
	/* Before the daemon: what the pool still runs is resumed and answered while the daemon can. */
	handler_pool_stop(server->handlers);
	MHD_stop_daemon(server->daemon);
	connection_deadlines_stop(server->deadlines); /* after the daemon: every connection is closed */
	free(server);
}
