/* The access log: one line per finished request (http/server.c calls it once the request ends). */
#ifndef CAMFLEET_HTTP_ACCESS_LOG_H
#define CAMFLEET_HTTP_ACCESS_LOG_H

#include <microhttpd.h>
#include <stdint.h>

#include "http/request.h"

/* Writes request's line: method, path, status, duration, request id, and who made it (sub, role,
 * organisation of its token; the username or client id a failed login tried). A camera's own
 * traffic (ROUTE_DEVICE_TRAFFIC) is written at debug unless --log-device-requests; a request the
 * client left while it waited (a long-poll the camera ended) is no warning; any other request
 * that ended without an answer is. */
void http_access_log(const struct http_request *request, enum MHD_RequestTerminationCode code, uint64_t duration_ns);

#endif
