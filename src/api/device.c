/* The device endpoints (docs/API.md "Device link"): heartbeat, video upload reports, the command
 * long-poll and frame uploads. Role device only; the camera is the token's subject, and the token
 * must still be bound to the camera's current device credentials (401 otherwise). Heartbeats and
 * long-polls wait in the device hub (src/device/) without holding a thread. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/common.h"
#include "api/routes.h"
#include "device/hub.h"
#include "device/jpeg_check.h"
#include "domain/lifecycle.h"
#include "util/log.h"
#include "util/timeutil.h"

#define COMMANDS_WAIT_MAX     30                            /* seconds a long-poll may wait */
#define UPLOAD_BYTES_MAX      (1024ll * 1024 * 1024 * 1024) /* one report: at most 1 TiB */
#define UPLOAD_SECONDS_MAX    86400.0                       /* one report: at most a day of video */
#define UPLOAD_FUTURE_SECONDS 300                           /* uploadedAt at most 5 minutes ahead */
#define UPLOAD_PAST_SECONDS   (7 * 86400)                   /* and at most 7 days old */
#define HEARTBEAT_REPLY_MAX   128                           /* bytes of a heartbeat's answer */

/* --- who is calling ------------------------------------------------------------------------------ */

static enum MHD_Result reply_credentials_gone(struct http_request *request)
{
	http_reply_add_header(request, "WWW-Authenticate",
	                      "Bearer realm=\"camfleet\", error=\"invalid_token\", error_description=\"the device "
	                      "credentials this token was issued for were rotated or revoked\"");
	return http_reply_error(request, 401,
	                        "the device credentials this token was issued for were rotated or revoked; "
	                        "get a new token with the current credentials");
}

/* The calling camera (role device, token bound to its current credentials) into *camera; 403 for
 * other roles, 401 when the credentials changed since the token was issued. While the server
 * shuts down, every answer asks the camera to close its connection, so that the drain ends. */
static bool device_caller_or_reply(struct http_request *request, struct device_camera *camera)
{
	if (!api_require_role_or_reply(request, ROLE_BIT(ROLE_DEVICE), "use the device endpoints"))
		return false;
	if (device_hub_closing(request->app->hub))
		http_reply_add_header(request, "Connection", "close");
	const struct principal *caller = &request->principal;
	enum store_result result = device_hub_camera(request->app->hub, caller->subject, camera);
	if (result == STORE_OK && camera->has_credentials && caller->kind == SUBJECT_CLIENT &&
	    camera->secret_issued_ms == caller->credential_issued_ms)
		return true;
	if (result == STORE_OK || result == STORE_NOT_FOUND)
		reply_credentials_gone(request);
	else
		api_store_failure(request, result, "camera", NULL);
	return false;
}

/* --- POST /device/heartbeat -------------------------------------------------------------------- */

static const char *const heartbeat_fields[] = {
    "encodedFramesProportion", "networkTransmitRate", "videoBacklog", "videoUploadLatency", "status", "state", NULL};

/* A required JSON number of body in [min, max] (max HUGE_VAL: no upper bound); 400 otherwise. */
static bool number_field_or_reply(struct http_request *request, json_t *body, const char *name, double min, double max,
                                  double *out)
{
	json_t *value = json_object_get(body, name);
	if (value == NULL) {
		http_reply_error(request, 400, "field '%s' is required", name);
		return false;
	}
	if (!json_is_number(value)) {
		http_reply_error(request, 400, "field '%s' must be a number", name);
		return false;
	}
	*out = json_number_value(value);
	if (isfinite(*out) && *out >= min && *out <= max)
		return true;
	if (max == HUGE_VAL)
		http_reply_error(request, 400, "field '%s' must be a number at least %g", name, min);
	else
		http_reply_error(request, 400, "field '%s' must be a number from %g to %g", name, min, max);
	return false;
}

/* Optional "status": "online" (default) or "shutting_down". */
static bool status_field_or_reply(struct http_request *request, json_t *body, bool *shutting_down)
{
	char status[16];
	bool given = false;
	if (!api_string_field_or_reply(request, body, "status", FIELD_OPTIONAL, 0, sizeof(status) - 1, status,
	                               sizeof(status), &given, NULL))
		return false;
	*shutting_down = given && strcmp(status, "shutting_down") == 0;
	if (!given || *shutting_down || strcmp(status, "online") == 0)
		return true;
	http_reply_error(request, 400, "field 'status' must be online or shutting_down");
	return false;
}

/* Optional "state": what the camera is doing, "running" or "paused" (absent: not said). */
static bool reported_state_field_or_reply(struct http_request *request, json_t *body, enum camera_reported_state *out)
{
	char state[16];
	bool given = false;
	*out = CAMERA_REPORTED_UNKNOWN;
	if (!api_string_field_or_reply(request, body, "state", FIELD_OPTIONAL, 0, sizeof(state) - 1, state,
	                               sizeof(state), &given, NULL))
		return false;
	if (!given || (camera_reported_state_from_name(state, out) && *out != CAMERA_REPORTED_UNKNOWN))
		return true;
	http_reply_error(request, 400, "field 'state' must be running or paused (what the camera is doing now)");
	return false;
}

static bool parse_heartbeat_or_reply(struct http_request *request, struct heartbeat *beat)
{
	json_t *body = NULL;
	if (!api_parse_body_or_reply(request, heartbeat_fields, &body))
		return false;
	bool valid =
	    number_field_or_reply(request, body, "encodedFramesProportion", 0.0, 1.0,
	                          &beat->encoded_frames_proportion) &&
	    number_field_or_reply(request, body, "networkTransmitRate", 0.0, HUGE_VAL, &beat->network_transmit_rate) &&
	    number_field_or_reply(request, body, "videoBacklog", 0.0, HUGE_VAL, &beat->video_backlog) &&
	    number_field_or_reply(request, body, "videoUploadLatency", 0.0, HUGE_VAL, &beat->video_upload_latency) &&
	    status_field_or_reply(request, body, &beat->shutting_down) &&
	    reported_state_field_or_reply(request, body, &beat->reported_state);
	json_decref(body);
	return valid;
}

/* Seconds between heartbeats the server asks for: three within the online window. */
static unsigned heartbeat_interval(const struct app_config *config)
{
	return config->online_window >= 3 ? config->online_window / 3 : 1;
}

/* Answers a written heartbeat (or the failure to write it). */
static enum MHD_Result reply_heartbeat(struct http_request *request, const struct heartbeat_result *written)
{
	if (written->result != STORE_OK)
		return api_store_failure(request, written->result, "camera", NULL);
	if (!written->outcome.found)
		return reply_credentials_gone(request);
	/* Written directly, not through jansson: every camera gets this answer every few seconds, and
	 * nothing in it needs escaping (a fixed word, a timestamp, a number). */
	char now[RFC3339_BUFFER_SIZE];
	time_format_rfc3339(time_now_seconds(), now);
	const char *desired = written->outcome.state == CAMERA_RUNNING ? "running" : "paused";
	char *body = malloc(HEARTBEAT_REPLY_MAX);
	if (body == NULL)
		return http_reply_error(request, 500, "internal error");
	int length = snprintf(body, HEARTBEAT_REPLY_MAX,
	                      "{\"desiredState\":\"%s\",\"serverTime\":\"%s\",\"heartbeatInterval\":%u}", desired, now,
	                      heartbeat_interval(&request->app->config));
	if (length < 0 || length >= HEARTBEAT_REPLY_MAX) {
		free(body);
		return http_reply_error(request, 500, "internal error");
	}
	return http_reply_owned(request, 200, "application/json", body, (size_t)length);
}

/* Continuation: the batch holding the heartbeat was written (or failed). */
static enum MHD_Result heartbeat_written(struct http_request *request)
{
	return reply_heartbeat(request, request->resume_context);
}

/* Shutting down: no more batches; the heartbeat is written on its own. */
static enum MHD_Result write_heartbeat_now(struct http_request *request, const struct heartbeat *beat)
{
	struct store *store = request->app->store;
	struct heartbeat_result written;
	written.result = store->ops->camera_heartbeats_write(store, beat, 1, &written.outcome);
	return reply_heartbeat(request, &written);
}

static enum MHD_Result post_heartbeat(struct http_request *request)
{
	struct device_camera camera;
	struct heartbeat beat;
	memset(&beat, 0, sizeof(beat));
	if (!device_caller_or_reply(request, &camera) || !parse_heartbeat_or_reply(request, &beat))
		return http_replied(request);
	memcpy(beat.camera_id, request->principal.subject, sizeof(beat.camera_id));
	beat.credential_issued_ms = request->principal.credential_issued_ms; /* revoked meanwhile: not written */
	beat.at = time_now_seconds();
	const struct app_config *config = &request->app->config;
	struct alert_settings alerts = {config->online_window, config->offline_alert_after,
	                                config->offline_reminder_after};
	beat.alert_due_ms = health_alert_heartbeat_due_ms(beat.at, beat.shutting_down, &alerts);
	switch (device_hub_heartbeat(request->app->hub, request, &beat, heartbeat_written)) {
	case DEVICE_SUSPENDED: return MHD_YES; /* heartbeat_written answers */
	case DEVICE_ANSWER_NOW: return write_heartbeat_now(request, &beat);
	case DEVICE_FAILED: break;
	}
	return http_reply_error(request, 500, "internal error");
}

/* --- POST /device/video-uploads ---------------------------------------------------------------- */

static const char *const upload_fields[] = {"bytes", "seconds", "uploadedAt", NULL};

struct video_upload {
	int64_t bytes;
	double seconds;
	int64_t uploaded_at;
};

static bool bytes_field_or_reply(struct http_request *request, json_t *body, int64_t *out)
{
	json_t *value = json_object_get(body, "bytes");
	if (value == NULL) {
		http_reply_error(request, 400, "field 'bytes' is required");
		return false;
	}
	if (!json_is_integer(value) || json_integer_value(value) < 0 || json_integer_value(value) > UPLOAD_BYTES_MAX) {
		http_reply_error(request, 400, "field 'bytes' must be a whole number from 0 to %lld", UPLOAD_BYTES_MAX);
		return false;
	}
	*out = (int64_t)json_integer_value(value);
	return true;
}

/* Optional uploadedAt (default now): RFC 3339, at most 5 minutes ahead, at most 7 days old. */
static bool uploaded_at_field_or_reply(struct http_request *request, json_t *body, int64_t *out)
{
	char text[64];
	bool given = false;
	int64_t now = time_now_seconds();
	*out = now;
	if (!api_string_field_or_reply(request, body, "uploadedAt", FIELD_OPTIONAL, 1, sizeof(text) - 1, text,
	                               sizeof(text), &given, NULL))
		return false;
	if (!given)
		return true;
	if (!time_parse_rfc3339(text, out)) {
		http_reply_error(request, 400,
		                 "field 'uploadedAt' must be an RFC 3339 timestamp such as 2019-08-24T14:15:22Z");
		return false;
	}
	if (*out <= now + UPLOAD_FUTURE_SECONDS && *out >= now - UPLOAD_PAST_SECONDS)
		return true;
	http_reply_error(request, 400,
	                 "field 'uploadedAt' must be at most 5 minutes in the future and at most 7 days old");
	return false;
}

static bool parse_upload_or_reply(struct http_request *request, struct video_upload *upload)
{
	json_t *body = NULL;
	if (!api_parse_body_or_reply(request, upload_fields, &body))
		return false;
	bool valid = bytes_field_or_reply(request, body, &upload->bytes) &&
	             number_field_or_reply(request, body, "seconds", 0.0, UPLOAD_SECONDS_MAX, &upload->seconds) &&
	             uploaded_at_field_or_reply(request, body, &upload->uploaded_at);
	json_decref(body);
	return valid;
}

static enum MHD_Result post_video_upload(struct http_request *request)
{
	struct device_camera camera;
	struct video_upload upload;
	if (!device_caller_or_reply(request, &camera) || !parse_upload_or_reply(request, &upload))
		return http_replied(request);
	struct store *store = request->app->store;
	enum store_result result =
	    store->ops->video_upload_insert(store, request->principal.subject, request->principal.credential_issued_ms,
	                                    upload.uploaded_at, upload.bytes, upload.seconds);
	if (result == STORE_NOT_FOUND)
		return reply_credentials_gone(request);
	if (result != STORE_OK)
		return api_store_failure(request, result, "camera", NULL);
	api_add_location(request, "/cameras/%s/video-upload-metrics", request->principal.subject);
	return http_reply_json(request, 201,
	                       json_pack("{s:o}", "uploadedAt", api_json_time_or_null(upload.uploaded_at)));
}

/* --- GET /device/commands ------------------------------------------------------------------------- */

/* ?wait=S, a whole number of seconds 0..30 (default 0); 422 otherwise. */
static bool query_wait_or_reply(struct http_request *request, unsigned *out)
{
	const char *text = http_query(request, "wait");
	*out = 0;
	if (text == NULL)
		return true;
	size_t length = strlen(text);
	bool digits = length > 0 && length <= 2 && strspn(text, "0123456789") == length;
	if (digits && (unsigned)atoi(text) <= COMMANDS_WAIT_MAX) {
		*out = (unsigned)atoi(text);
		return true;
	}
	http_reply_error(request, 422, "query parameter 'wait' must be a whole number of seconds from 0 to %d",
	                 COMMANDS_WAIT_MAX);
	return false;
}

static enum MHD_Result reply_commands(struct http_request *request, const struct device_commands *commands)
{
	json_t *list = json_array();
	for (size_t i = 0; list != NULL && i < commands->count; i++) {
		const struct device_command *command = &commands->items[i];
		char requested_at[RFC3339_BUFFER_SIZE];
		time_format_rfc3339(command->requested_at, requested_at);
		json_t *item =
		    json_pack("{s:s, s:s, s:s}", "id", command->id, "type", command->type, "requestedAt", requested_at);
		if (item == NULL || json_array_append_new(list, item) != 0) {
			json_decref(list);
			list = NULL;
		}
	}
	return http_reply_json(request, 200, list != NULL ? json_pack("{s:o}", "commands", list) : NULL);
}

/* Continuation: a command came, or the wait ended. */
static enum MHD_Result commands_ready(struct http_request *request)
{
	const struct device_commands *commands = request->resume_context;
	if (commands->closing) /* shutting down: do not come back on this connection */
		http_reply_add_header(request, "Connection", "close");
	return reply_commands(request, commands);
}

static enum MHD_Result get_commands(struct http_request *request)
{
	struct device_camera camera;
	unsigned wait = 0;
	if (!device_caller_or_reply(request, &camera) || !query_wait_or_reply(request, &wait))
		return http_replied(request);
	struct device_commands now;
	switch (device_hub_poll_commands(request->app->hub, request, request->principal.subject, wait, commands_ready,
	                                 &now)) {
	case DEVICE_SUSPENDED: return MHD_YES; /* commands_ready answers */
	case DEVICE_ANSWER_NOW: return reply_commands(request, &now);
	case DEVICE_FAILED: break;
	}
	return http_reply_error(request, 500, "internal error");
}

/* --- POST /device/frames --------------------------------------------------------------------------- */

/* Content-Type image/jpeg (parameters allowed); 415 otherwise. */
static bool jpeg_content_type_or_reply(struct http_request *request)
{
	const char *type = http_header(request, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (type != NULL && strncasecmp(type, "image/jpeg", 10) == 0 &&
	    (type[10] == '\0' || type[10] == ';' || type[10] == ' '))
		return true;
	http_reply_error(request, 415, "header 'Content-Type' must be image/jpeg, with the JPEG image as the body");
	return false;
}

static bool jpeg_body_or_reply(struct http_request *request)
{
	unsigned width = 0, height = 0;
	if (jpeg_check_header((const unsigned char *)request->body, request->body_length, &width, &height))
		return true;
	http_reply_error(request, 400, "the body is not a JPEG image: its header cannot be read");
	return false;
}

static enum MHD_Result post_frame(struct http_request *request)
{
	struct device_camera camera;
	if (!device_caller_or_reply(request, &camera) || !jpeg_content_type_or_reply(request) ||
	    !jpeg_body_or_reply(request))
		return http_replied(request);
	const char *camera_id = request->principal.subject;
	const unsigned char *jpeg = (const unsigned char *)request->body;
	int64_t taken_at = time_now_seconds();
	struct store *store = request->app->store;
	enum store_result result = store->ops->frame_put(store, camera_id, request->principal.credential_issued_ms,
	                                                 jpeg, request->body_length, taken_at);
	if (result == STORE_NOT_FOUND)
		return reply_credentials_gone(request);
	if (result != STORE_OK)
		return api_store_failure(request, result, "frame", NULL);
	struct device_frame *frame = device_frame_new(jpeg, request->body_length, taken_at);
	if (frame != NULL)
		device_hub_frame_arrived(request->app->hub, camera_id, frame);
	else
		log_error("device: no memory to hand the frame of camera %s to its waiters", camera_id);
	device_frame_release(frame);
	api_add_location(request, "/cameras/%s", camera_id);
	return http_reply_json(request, 201, json_pack("{s:o}", "timestamp", api_json_time_or_null(taken_at)));
}

const struct route device_routes[] = {
    {.method = "POST",
     .pattern = "/device/heartbeat",
     .handler = post_heartbeat,
     .roles = ROLE_BIT(ROLE_DEVICE),
     .flags = ROUTE_ON_HTTP_THREAD | ROUTE_DEVICE_TRAFFIC}, /* group commit, suspended (device/heartbeat_batch.c) */
    {.method = "POST",
     .pattern = "/device/video-uploads",
     .handler = post_video_upload,
     .roles = ROLE_BIT(ROLE_DEVICE),
     .flags = ROUTE_DEVICE_TRAFFIC},
    {.method = "GET",
     .pattern = "/device/commands",
     .handler = get_commands,
     .roles = ROLE_BIT(ROLE_DEVICE),
     .flags = ROUTE_DEVICE_TRAFFIC | ROUTE_LONG_POLL,
     .query = "wait"},
    {.method = "POST",
     .pattern = "/device/frames",
     .handler = post_frame,
     .roles = ROLE_BIT(ROLE_DEVICE),
     .flags = ROUTE_LARGE_BODY | ROUTE_DEVICE_TRAFFIC},
    {.method = NULL},
};
