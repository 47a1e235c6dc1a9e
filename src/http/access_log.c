/* The access log line of a finished request (http/access_log.h). Everything a client chose
 * (method, path, request id, a login name) is escaped, so that no request can forge a line. */
#include "http/access_log.h"

#include <inttypes.h>
#include <stdio.h>

#include "http/router.h"
#include "util/log.h"
#include "util/log_escape.h"

#define LOGIN_NAME_MAX 256 /* bytes of a tried username or client id shown; longer ones are cut */

/* " sub=... role=... org=..." for a request with a verified token (or a login that got one),
 * " login_failed=\"KIND:NAME\"" for a failed login; "" otherwise. */
static const char *who(const struct http_request *request, char *out, size_t size)
{
	const struct principal *principal = &request->principal;
	if (principal->role != ROLE_NONE) {
		snprintf(out, size, " sub=%s role=%s org=%s", principal->subject, role_name(principal->role),
		         principal->organisation_id[0] != '\0' ? principal->organisation_id : "-");
	} else if (request->login_failed != NULL) {
		char name[LOG_ESCAPE_SIZE(LOGIN_NAME_MAX)];
		snprintf(out, size, " login_failed=\"%s:%s\"", request->login_failed_client ? "client" : "user",
		         log_escape(request->login_failed, name, sizeof(name)));
	} else {
		out[0] = '\0';
	}
	return out;
}

static enum log_level routine_level(const struct http_request *request)
{
	bool device = request->route != NULL && (request->route->flags & ROUTE_DEVICE_TRAFFIC) != 0;
	return device && !request->app->config.log_device_requests ? LOG_DEBUG : LOG_INFO;
}

void http_access_log(const struct http_request *request, enum MHD_RequestTerminationCode code, uint64_t duration_ns)
{
	bool answered = code == MHD_REQUEST_TERMINATED_COMPLETED_OK || request->status != 0;
	enum log_level level = answered || request->resume != NULL ? routine_level(request) : LOG_WARN;
	if (!log_level_enabled(level)) /* a camera's request at debug: nothing to escape or format */
		return;
	uint64_t whole_ms = duration_ns / 1000000, thousandths = duration_ns / 1000 % 1000; /* no float formatting */
	char method[LOG_ESCAPE_SIZE(16)], path[1024], id[LOG_ESCAPE_SIZE(HTTP_REQUEST_ID_SIZE)];
	char caller[UUID_BUFFER_SIZE * 2 + LOG_ESCAPE_SIZE(LOGIN_NAME_MAX) + 64];
	log_escape(request->method, method, sizeof(method));
	log_escape(request->path, path, sizeof(path));
	log_escape(request->request_id, id, sizeof(id));
	who(request, caller, sizeof(caller));
	if (answered)
		log_write(level, "%s %s %u %" PRIu64 ".%03" PRIu64 "ms id=%s%s", method, path, request->status,
		          whole_ms, thousandths, id, caller);
	else if (request->resume != NULL) /* suspended, waiting: the client went away, as clients may */
		log_write(level, "%s %s ended by the client while waiting, after %" PRIu64 ".%03" PRIu64 "ms id=%s%s",
		          method, path, whole_ms, thousandths, id, caller);
	else
		log_warn("%s %s aborted (code %d) after %" PRIu64 ".%03" PRIu64 "ms id=%s%s", method, path, (int)code,
		         whole_ms, thousandths, id, caller);
}
