/* A small libmicrohttpd daemon of its own, so that /metrics can be reached without a token on an
 * address the API's clients never see. Every answer is decided from the request line: a body is
 * never read (an answer before it closes the connection). */
#include "http/metrics_listener.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "http/server.h"
#include "util/log.h"

struct metrics_listener {
	struct MHD_Daemon *daemon;
	struct app *app;
	metrics_text_fn text;
};

static const char not_found[] = "{\"code\":404,\"message\":\"this address serves only GET /metrics\"}";
static const char failed[] = "{\"code\":500,\"message\":\"internal error\"}";

static enum MHD_Result send_answer(struct MHD_Connection *connection, unsigned status, const char *content_type,
                                   struct MHD_Response *response)
{
	if (response == NULL)
		return MHD_NO;
	MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	enum MHD_Result result = MHD_queue_response(connection, status, response);
	MHD_destroy_response(response);
	return result;
}

static enum MHD_Result send_static(struct MHD_Connection *connection, unsigned status, const char *json)
{
	struct MHD_Response *response =
	    MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_PERSISTENT);
	return send_answer(connection, status, "application/json", response);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size,
                              void **request_context)
{
	struct metrics_listener *listener = cls;
	static int seen; /* marks a request whose headers were seen: its answer comes on the next call */
	bool metrics = strcmp(url, "/metrics") == 0 && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
	if (!metrics)
		return send_static(connection, 404, not_found);
	if (*request_context == NULL) {
		*request_context = &seen; /* answered on the next call: the connection can be kept */
		return MHD_YES;
	}
	if (*upload_data_size != 0) { /* a GET with a body: ignored */
		*upload_data_size = 0;
		return MHD_YES;
	}
	size_t length = 0;
	char *text = listener->text(listener->app, &length);
	if (text == NULL)
		return send_static(connection, 500, failed);
	struct MHD_Response *response = MHD_create_response_from_buffer_with_free_callback(length, text, free);
	if (response == NULL)
		free(text);
	return send_answer(connection, 200, "text/plain; version=0.0.4", response);
}

struct metrics_listener *metrics_listener_start(struct app *app, metrics_text_fn text)
{
	const struct app_config *config = &app->config;
	struct sockaddr_storage address;
	socklen_t address_length;
	if (http_address_resolve(config->metrics_listen_host, config->metrics_listen_port, &address, &address_length) !=
	    0)
		return NULL;
	struct metrics_listener *listener = calloc(1, sizeof(*listener));
	if (listener == NULL)
		return NULL;
	listener->app = app;
	listener->text = text;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	if (address.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	listener->daemon = MHD_start_daemon(
	    flags, (uint16_t)config->metrics_listen_port, NULL, NULL, answer, listener, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&address, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)64, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)10, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(8 * 1024), MHD_OPTION_END);
	if (listener->daemon == NULL) {
		log_error("http: cannot listen for metrics on %s:%u", config->metrics_listen_host,
		          config->metrics_listen_port);
		free(listener);
		return NULL;
	}
	log_info("metrics (GET /metrics, no token) on %s:%u", config->metrics_listen_host, config->metrics_listen_port);
	return listener;
}

void metrics_listener_stop(struct metrics_listener *listener)
{
	if (listener == NULL)
		return;
	MHD_stop_daemon(listener->daemon);
	free(listener);
}
