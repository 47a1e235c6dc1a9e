/* Response construction on libmicrohttpd: every answer gets its content type, the request id,
 * `X-Content-Type-Options: nosniff`, `Cache-Control: no-store` (unless the handler set its own
 * Cache-Control) and any headers the handler added, and its status is remembered for the access
 * log. */
#include "http/reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/gzip.h"
#include "util/log.h"
#include "util/log_escape.h"
#include "util/utf8.h"

void http_reply_add_header(struct http_request *request, const char *name, const char *value)
{
	if (request->extra_header_count >= HTTP_MAX_EXTRA_HEADERS) {
		char method[LOG_ESCAPE_SIZE(16)], path[512];
		log_error("http: too many extra headers on %s %s; dropped %s",
		          log_escape(request->method, method, sizeof(method)),
		          log_escape(request->path, path, sizeof(path)), name);
		return;
	}
	if (strcasecmp(name, MHD_HTTP_HEADER_CACHE_CONTROL) == 0)
		request->cache_control_set = true;
	request->extra_headers[request->extra_header_count].name = name;
	request->extra_headers[request->extra_header_count].value = value;
	request->extra_header_count++;
}

static enum MHD_Result queue(struct http_request *request, unsigned status, const char *content_type,
                             struct MHD_Response *response)
{
	if (response == NULL) {
		char method[LOG_ESCAPE_SIZE(16)], path[512];
		log_error("http: cannot create response for %s %s", log_escape(request->method, method, sizeof(method)),
		          log_escape(request->path, path, sizeof(path)));
		return MHD_NO;
	}
	if (content_type != NULL)
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(response, "X-Request-Id", request->request_id);
	/* Static text: nothing is formatted per answer. No answer of the API is a document a browser
	 * should sniff, and none may be kept by a cache unless its handler says so (the JWKS). */
	MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
	if (!request->cache_control_set)
		MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (request->close_after_reply) /* answered before a body that will not be read */
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION, "close");
	for (size_t i = 0; i < request->extra_header_count; i++)
		MHD_add_response_header(response, request->extra_headers[i].name, request->extra_headers[i].value);
	if (request->reply_deferred) { /* on the handler pool: the libmicrohttpd thread sends it */
		if (request->deferred_response != NULL) {
			char method[LOG_ESCAPE_SIZE(16)], path[512];
			log_error("http: %s %s answered twice; the second answer (%u) is dropped",
			          log_escape(request->method, method, sizeof(method)),
			          log_escape(request->path, path, sizeof(path)), status);
			MHD_destroy_response(response);
			return MHD_NO;
		}
		request->status = status;
		request->deferred_response = response;
		return MHD_YES;
	}
	request->status = status;
	enum MHD_Result result = MHD_queue_response(request->connection, status, response);
	MHD_destroy_response(response);
	if (result != MHD_YES)
		request->queue_failed = true;
	return result;
}

enum MHD_Result http_reply_send_deferred(struct http_request *request)
{
	struct MHD_Response *response = request->deferred_response;
	if (response == NULL)
		return request->deferred_result; /* answered nothing: MHD_NO closes the connection */
	request->deferred_response = NULL;
	enum MHD_Result result = MHD_queue_response(request->connection, request->status, response);
	MHD_destroy_response(response);
	if (result != MHD_YES)
		request->queue_failed = true;
	return result;
}

/* Whether a body of this type and length is worth gzip: text of at least GZIP_MIN_BYTES (a JPEG
 * or other binary would not shrink). Such an answer varies with Accept-Encoding, whoever asks. */
static bool compressible(const char *content_type, size_t length)
{
	return length >= GZIP_MIN_BYTES && content_type != NULL &&
	       (strncmp(content_type, "application/json", 16) == 0 || strncmp(content_type, "text/", 5) == 0);
}

/* Adds the content-coding headers of an answer that may be compressed; true when the client
 * takes gzip. */
static bool negotiate_gzip(struct http_request *request)
{
	http_reply_add_header(request, "Vary", "Accept-Encoding");
	return gzip_accepted(http_header(request, "Accept-Encoding"));
}

enum MHD_Result http_reply_owned(struct http_request *request, unsigned status, const char *content_type, void *data,
                                 size_t length)
{
	if (compressible(content_type, length) && negotiate_gzip(request)) {
		size_t compressed_length = 0;
		char *compressed = gzip_compress(data, length, &compressed_length);
		if (compressed != NULL) { /* else it goes out as it is: no smaller, or no memory */
			free(data);
			data = compressed;
			length = compressed_length;
			http_reply_add_header(request, "Content-Encoding", "gzip");
		}
	}
	struct MHD_Response *response = MHD_create_response_from_buffer_with_free_callback(length, data, free);
	if (response == NULL)
		free(data);
	return queue(request, status, content_type, response);
}

enum MHD_Result http_reply_json(struct http_request *request, unsigned status, json_t *body)
{
	if (body == NULL)
		return http_reply_error(request, 500, "internal error");
	char *text = json_dumps(body, JSON_COMPACT); /* serialised once, into its own allocation */
	json_decref(body);
	if (text == NULL)
		return MHD_NO;
	return http_reply_owned(request, status, "application/json", text, strlen(text));
}

enum MHD_Result http_reply_error(struct http_request *request, unsigned status, const char *format, ...)
{
	char raw[512], message[512];
	va_list args;
	va_start(args, format);
	vsnprintf(raw, sizeof(raw), format, args);
	va_end(args);
	utf8_sanitize(raw, message, sizeof(message)); /* paths and values may carry any bytes */
	json_t *body = json_pack("{s:i, s:s}", "code", (int)status, "message", message);
	if (body == NULL) {
		return http_reply_static(request, 500, "application/json",
		                         "{\"code\":500,\"message\":\"internal error\"}", 39);
	}
	return http_reply_json(request, status, body);
}

enum MHD_Result http_reply_empty(struct http_request *request, unsigned status)
{
	struct MHD_Response *response = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	return queue(request, status, NULL, response);
}

enum MHD_Result http_reply_static(struct http_request *request, unsigned status, const char *content_type,
                                  const void *data, size_t length)
{
	struct MHD_Response *response = MHD_create_response_from_buffer(length, (void *)data, MHD_RESPMEM_PERSISTENT);
	return queue(request, status, content_type, response);
}

enum MHD_Result http_reply_shared(struct http_request *request, unsigned status, const char *content_type,
                                  const void *data, size_t length, void (*release)(void *context), void *context)
{
	struct MHD_Response *response =
	    MHD_create_response_from_buffer_with_free_callback_cls(length, (void *)data, release, context);
	if (response == NULL)
		release(context);
	return queue(request, status, content_type, response);
}

struct stream_adapter {
	http_stream_fn fn;
	void *context;
	void (*free_context)(void *context);
	struct gzip_stream *gzip; /* compresses what fn produces; NULL: fn's bytes go out as they are */
};

static ssize_t stream_read(void *cls, uint64_t position, char *buffer, size_t max)
{
	struct stream_adapter *adapter = cls;
	if (adapter->gzip != NULL)
		return gzip_stream_read(adapter->gzip, buffer, max);
	return adapter->fn(adapter->context, position, buffer, max);
}

static void stream_free(void *cls)
{
	struct stream_adapter *adapter = cls;
	gzip_stream_free(adapter->gzip);
	if (adapter->free_context != NULL)
		adapter->free_context(adapter->context);
	free(adapter);
}

static enum MHD_Result reply_stream(struct http_request *request, unsigned status, const char *content_type,
                                    size_t block_size, http_stream_fn fn, void *context,
                                    void (*free_context)(void *context), bool compress)
{
	struct stream_adapter *adapter = malloc(sizeof(*adapter));
	if (adapter == NULL) {
		if (free_context != NULL)
			free_context(context);
		return http_reply_error(request, 500, "internal error");
	}
	/* No compressor to spare (too many compressed answers in flight): this one goes out plain. */
	adapter->gzip = compress ? gzip_stream_new(fn, context, HTTP_STREAM_END, HTTP_STREAM_ERROR) : NULL;
	if (adapter->gzip != NULL)
		http_reply_add_header(request, "Content-Encoding", "gzip");
	adapter->fn = fn;
	adapter->context = context;
	adapter->free_context = free_context;
	struct MHD_Response *response =
	    MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, block_size, stream_read, adapter, stream_free);
	if (response == NULL) {
		stream_free(adapter);
		return http_reply_error(request, 500, "internal error");
	}
	return queue(request, status, content_type, response);
}

enum MHD_Result http_reply_stream(struct http_request *request, unsigned status, const char *content_type,
                                  size_t block_size, http_stream_fn fn, void *context,
                                  void (*free_context)(void *context))
{
	return reply_stream(request, status, content_type, block_size, fn, context, free_context, false);
}

enum MHD_Result http_reply_stream_compressible(struct http_request *request, unsigned status, const char *content_type,
                                               size_t block_size, http_stream_fn fn, void *context,
                                               void (*free_context)(void *context))
{
	bool compress = negotiate_gzip(request);
	return reply_stream(request, status, content_type, block_size, fn, context, free_context, compress);
}
