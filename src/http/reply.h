/* Answering a request: JSON bodies, the {code, message} error shape, empty answers, raw bytes
 * and streamed bodies. Each function queues exactly one response and returns the value the
 * libmicrohttpd access handler must return. */
#ifndef CAMFLEET_HTTP_REPLY_H
#define CAMFLEET_HTTP_REPLY_H

#include <jansson.h>
#include <stdint.h>

#include "http/request.h"

/* Adds a header to the response this request will send (name and value must outlive the
 * request: static text or arena memory). At most HTTP_MAX_EXTRA_HEADERS. */
void http_reply_add_header(struct http_request *request, const char *name, const char *value);

/* What a handler returns after a helper has already answered the request. */
static inline enum MHD_Result http_replied(const struct http_request *request)
{
	return request->queue_failed ? MHD_NO : MHD_YES;
}

/* Queues the answer a handler left while it ran on the handler pool (request->reply_deferred);
 * on a libmicrohttpd thread, once the request is resumed. Without one it returns what the handler
 * returned. */
enum MHD_Result http_reply_send_deferred(struct http_request *request);

/* Sends body as JSON with status; takes ownership of body (it is released here). */
enum MHD_Result http_reply_json(struct http_request *request, unsigned status, json_t *body);
/* Sends {"code": status, "message": <formatted>} with status. */
enum MHD_Result http_reply_error(struct http_request *request, unsigned status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
/* Sends a status with no body (204 and the like). */
enum MHD_Result http_reply_empty(struct http_request *request, unsigned status);
/* Sends length bytes of static data (never freed) with the given content type. */
enum MHD_Result http_reply_static(struct http_request *request, unsigned status, const char *content_type,
                                  const void *data, size_t length);
/* Sends a malloc'd buffer, which the response frees when sent. JSON and text of at least 1 KiB go
 * out gzip-compressed when the client's Accept-Encoding takes gzip (Vary: Accept-Encoding). */
enum MHD_Result http_reply_owned(struct http_request *request, unsigned status, const char *content_type, void *data,
                                 size_t length);

/* Sends length bytes of data that several responses may share (not copied); release(context)
 * is called exactly once, when this response no longer needs them (also when it fails). */
enum MHD_Result http_reply_shared(struct http_request *request, unsigned status, const char *content_type,
                                  const void *data, size_t length, void (*release)(void *context), void *context);

/* Produces the next part of a streamed body into buffer (at most max bytes); returns the
 * number of bytes written, 0 never (use HTTP_STREAM_END), or HTTP_STREAM_END / HTTP_STREAM_ERROR. */
typedef ssize_t (*http_stream_fn)(void *context, uint64_t position, char *buffer, size_t max);
#define HTTP_STREAM_END   ((ssize_t)MHD_CONTENT_READER_END_OF_STREAM)
#define HTTP_STREAM_ERROR ((ssize_t)MHD_CONTENT_READER_END_WITH_ERROR)
/* Sends a chunked body produced by fn, asked for at most block_size bytes at a time (the response
 * holds a buffer of that size: keep it small for long-lived streams); free_context is called on
 * context when done. */
enum MHD_Result http_reply_stream(struct http_request *request, unsigned status, const char *content_type,
                                  size_t block_size, http_stream_fn fn, void *context,
                                  void (*free_context)(void *context));

/* The same for a long answer (a listing): gzip-compressed as it is produced when the client's
 * Accept-Encoding takes gzip, with Content-Encoding: gzip and Vary: Accept-Encoding. */
enum MHD_Result http_reply_stream_compressible(struct http_request *request, unsigned status, const char *content_type,
                                               size_t block_size, http_stream_fn fn, void *context,
                                               void (*free_context)(void *context));

#endif
