/* Actions on one camera and what it reports: PUT .../state/{newState}, POST .../move, GET
 * .../opening-hours, POST /frame-requests and GET .../video-upload-metrics (docs/API.md
 * "Cameras"). State questions go to the lifecycle through api/camera_access.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/camera_access.h"
#include "api/routes.h"
#include "calendar/site_schedule.h"
#include "calendar/site_time.h"
#include "device/hub.h"
#include "domain/camera_json.h"
#include "domain/upload_window.h"
#include "util/base64.h"
#include "util/log.h"
#include "util/shortest_double.h"
#include "util/timeutil.h"

#define UPLOAD_WINDOW_DEFAULT (24 * 60 * 60) /* seconds: the last 24 hours */

/* --- PUT /cameras/{cameraId}/state/{newState} ----------------------------------------------- */

/* running → CAMERA_ACTION_RUN, paused → CAMERA_ACTION_PAUSE; 422 for any other newState. */
static bool state_action_or_reply(struct http_request *request, enum camera_action *out)
{
	const char *name = http_path_param(request, 1);
	if (name != NULL && strcmp(name, "running") == 0) {
		*out = CAMERA_ACTION_RUN;
		return true;
	}
	if (name != NULL && strcmp(name, "paused") == 0) {
		*out = CAMERA_ACTION_PAUSE;
		return true;
	}
	http_reply_error(request, 422, "path parameter 'newState' must be running or paused");
	return false;
}

static enum store_result write_state(struct http_request *request, const struct camera *current, enum camera_state next,
                                     void *context, struct camera *out)
{
	struct store *store = request->app->store;
	struct change_origin origin;
	api_change_origin(request, &origin);
	return store->ops->camera_set_state(store, current->id, current->state, next, origin.at_ms / 1000, &origin,
	                                    out);
}

static enum MHD_Result put_state(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_WRITERS, "change the state of cameras"))
		return http_replied(request);
	char id[UUID_BUFFER_SIZE];
	enum camera_action action;
	struct camera camera;
	if (!api_path_uuid_or_reply(request, 0, "cameraId", id) || !state_action_or_reply(request, &action) ||
	    !camera_access_load_or_reply(request, id, &camera) ||
	    !camera_access_transition_or_reply(request, &camera, action, write_state, NULL))
		return http_replied(request);
	api_add_location(request, "/cameras/%s", camera.id);
	return camera_access_reply(request, 201, &camera, true);
}

/* --- POST /cameras/{cameraId}/move ------------------------------------------------------------ */

static const char *const move_fields[] = {"siteId", NULL};

static bool parse_move_or_reply(struct http_request *request, char site_id[UUID_BUFFER_SIZE])
{
	json_t *body = NULL;
	if (!api_parse_body_or_reply(request, move_fields, &body))
		return false;
	bool valid = api_uuid_field_or_reply(request, body, "siteId", true, site_id, NULL);
	json_decref(body);
	return valid;
}

/* A camera moves only within its organisation; the lifecycle is asked first so that a
 * registered or decommissioned camera gets the lifecycle's answer. */
static bool same_organisation_or_reply(struct http_request *request, const struct camera *camera,
                                       const struct site *site)
{
	enum camera_state next;
	enum lifecycle_result decision = lifecycle_next_state(camera->state, CAMERA_ACTION_MOVE, &next);
	if (decision != LIFECYCLE_OK) {
		camera_access_refuse(request, camera, CAMERA_ACTION_MOVE, decision);
		return false;
	}
	if (strcmp(camera->organisation_id, site->organisation_id) == 0)
		return true;
	http_reply_error(request, 422,
	                 "site %s belongs to another organisation than camera %s; a camera moves only "
	                 "between the sites of its organisation",
	                 site->id, camera->id);
	return false;
}

static enum store_result write_move(struct http_request *request, const struct camera *current, enum camera_state next,
                                    void *context, struct camera *out)
{
	struct store *store = request->app->store;
	struct change_origin origin;
	api_change_origin(request, &origin);
	return store->ops->camera_move(store, current->id, current->state, context, &origin, out);
}

static enum MHD_Result post_move(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_WRITERS, "move cameras"))
		return http_replied(request);
	char id[UUID_BUFFER_SIZE], site_id[UUID_BUFFER_SIZE];
	struct camera camera;
	struct site site;
	if (!api_path_uuid_or_reply(request, 0, "cameraId", id) || !parse_move_or_reply(request, site_id) ||
	    !camera_access_load_or_reply(request, id, &camera) ||
	    !camera_access_site_or_reply(request, site_id, &site) ||
	    !same_organisation_or_reply(request, &camera, &site))
		return http_replied(request);
	struct camera_placement placement = {0};
	memcpy(placement.organisation_id, site.organisation_id, sizeof(placement.organisation_id));
	memcpy(placement.site_id, site.id, sizeof(placement.site_id));
	if (uuid_generate_text(placement.camera_position_id) != 0)
		return http_reply_error(request, 500, "internal error");
	placement.at = time_now_seconds();
	if (!camera_access_transition_or_reply(request, &camera, CAMERA_ACTION_MOVE, write_move, &placement))
		return http_replied(request);
	api_add_location(request, "/cameras/%s", camera.id);
	return camera_access_reply(request, 201, &camera, true);
}

/* --- GET /cameras/{cameraId}/opening-hours ----------------------------------------------------- */

/* ?date=YYYY-MM-DD (years 1..9999) into date; without it today's date in zone. 422 when malformed. */
static bool query_date_or_reply(struct http_request *request, const char *zone, struct schedule_date *date)
{
	const char *text = http_query(request, "date");
	int year, month, day;
	if (text == NULL) {
		if (!site_time_date_at(zone, time_now_seconds(), &year, &month, &day)) {
			log_error("cameras: cannot tell today's date in zone '%s'", zone);
			http_reply_error(request, 500, "internal error");
			return false;
		}
	} else if (!time_parse_date(text, &year, &month, &day) || !schedule_date_is_valid(year, month, day) ||
	           (year == 9999 && month == 12 && day == 31)) {
		http_reply_error(
		    request, 422,
		    "query parameter 'date' must be a calendar date YYYY-MM-DD from 0001-01-01 to 9999-12-30");
		return false;
	}
	schedule_date_set(date, year, month, day);
	return true;
}

/* The camera's site into site; false (answered) when the store fails. A camera never placed has
 * no site: *placed is false then. */
static bool camera_site_or_reply(struct http_request *request, const struct camera *camera, struct site *site,
                                 bool *placed)
{
	*placed = camera->site_id[0] != '\0';
	if (!*placed)
		return true;
	struct store *store = request->app->store;
	enum store_result result = store->ops->site_get(store, camera->site_id, site);
	if (result != STORE_OK) {
		api_store_failure(request, result, "site", NULL);
		return false;
	}
	return true;
}

static enum MHD_Result get_opening_hours(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_READERS, "read opening hours"))
		return http_replied(request);
	char id[UUID_BUFFER_SIZE];
	struct camera camera;
	struct site site;
	bool placed = false;
	if (!api_path_uuid_or_reply(request, 0, "cameraId", id) || !camera_access_load_or_reply(request, id, &camera) ||
	    !camera_site_or_reply(request, &camera, &site, &placed))
		return http_replied(request);
	struct schedule_date date;
	if (!query_date_or_reply(request, placed ? site.time_zone : "UTC", &date))
		return http_replied(request);
	struct day_schedule day = {0};
	if (placed) {
		struct store *store = request->app->store;
		struct weekly_schedule weekly;
		enum store_result result = site_schedule_weekly(store, site.id, &weekly);
		if (result == STORE_OK)
			result = site_schedule_day(store, site.id, &weekly, &date, &day);
		if (result != STORE_OK)
			return api_store_failure(request, result, "site", NULL);
	}
	int error = 0;
	json_t *instants =
	    site_time_opening_hours(placed ? site.time_zone : "UTC", &day, date.year, date.month, date.day, &error);
	if (instants == NULL)
		log_error("cameras: opening hours of camera %s failed (%d)", camera.id, error);
	return http_reply_json(request, 200, instants); /* NULL answers 500 */
}

/* --- POST /frame-requests ---------------------------------------------------------------------- */

static const char *const frame_fields[] = {"cameraId", NULL};

static bool parse_frame_request_or_reply(struct http_request *request, char camera_id[UUID_BUFFER_SIZE])
{
	json_t *body = NULL;
	if (!api_parse_body_or_reply(request, frame_fields, &body))
		return false;
	bool valid = api_uuid_field_or_reply(request, body, "cameraId", true, camera_id, NULL);
	json_decref(body);
	return valid;
}

/* Only a running camera processes video and so has frames to give. */
static bool camera_gives_frames_or_reply(struct http_request *request, const struct camera *camera)
{
	if (camera->state == CAMERA_RUNNING)
		return true;
	http_reply_error(request, 409, "camera %s is %s; frames can be requested from running cameras only", camera->id,
	                 camera_state_name(camera->state));
	return false;
}

/* The seed's 404 "No image available", saying why. Only the camera not answering in time gets
 * Retry-After: its frame may still come (and is then served for --frame-max-age). */
static enum MHD_Result no_image_in_time(struct http_request *request)
{
	http_reply_add_header(request, "Retry-After", "1");
	return http_reply_error(request, 404,
	                        "No image available: the camera did not upload a frame within --frame-wait (%u s); "
	                        "it may still send one, try again",
	                        request->app->config.frame_wait);
}

static enum MHD_Result no_image_offline(struct http_request *request, const struct camera *camera)
{
	if (camera->last_seen_at == 0)
		return http_reply_error(request, 404,
		                        "No image available: camera %s is offline; it has never sent a heartbeat "
		                        "(lastSeenAt null)",
		                        camera->id);
	char last_seen[RFC3339_BUFFER_SIZE];
	time_format_rfc3339(camera->last_seen_at, last_seen);
	if (camera->reported_offline)
		return http_reply_error(request, 404,
		                        "No image available: camera %s is offline; it said it was shutting down "
		                        "(lastSeenAt %s)",
		                        camera->id, last_seen);
	return http_reply_error(request, 404,
	                        "No image available: camera %s is offline; its last heartbeat (lastSeenAt %s) is "
	                        "older than --online-window (%u s)",
	                        camera->id, last_seen, request->app->config.online_window);
}

static enum MHD_Result no_image_without_waiting(struct http_request *request)
{
	return http_reply_error(request, 404,
	                        "No image available: no frame newer than --frame-max-age (%u s) is stored and "
	                        "waiting for the camera is disabled (--frame-wait 0)",
	                        request->app->config.frame_max_age);
}

/* 503 with Retry-After: the request may succeed on another node or a moment later. */
static enum MHD_Result frame_unavailable(struct http_request *request, const char *reason)
{
	http_reply_add_header(request, "Retry-After", "1");
	return http_reply_error(request, 503, "%s; try again", reason);
}

static enum MHD_Result reply_frame(struct http_request *request, const unsigned char *jpeg, size_t length,
                                   int64_t taken_at)
{
	char *image = malloc(base64_encoded_size(length));
	if (image == NULL)
		return http_reply_error(request, 500, "internal error");
	base64_encode(jpeg, length, image);
	char timestamp[RFC3339_BUFFER_SIZE];
	time_format_rfc3339(taken_at, timestamp);
	json_t *body = json_pack("{s:s, s:s}", "image", image, "timestamp", timestamp);
	free(image);
	return http_reply_json(request, 200, body);
}

/* Continuation of a frame request that waited for the camera's upload. */
static enum MHD_Result frame_waited(struct http_request *request)
{
	struct device_frame_wait *waited = request->resume_context;
	if (waited->closing)
		http_reply_add_header(request, "Connection", "close");
	if (waited->frame == NULL && waited->closing)
		return frame_unavailable(request, "the server is shutting down");
	if (waited->frame == NULL)
		return no_image_in_time(request);
	return device_frame_reply(request, waited->frame); /* takes over the wait's reference */
}

/* No fresh frame is stored: wait (without a thread) for the camera to upload one. */
static enum MHD_Result await_frame(struct http_request *request, const struct camera *camera)
{
	const struct app_config *config = &request->app->config;
	bool online = camera_is_online(camera, time_now_seconds(), config->online_window);
	enum device_frame_refusal refusal;
	switch (device_hub_await_frame(request->app->hub, request, camera->id, online, config->frame_wait, frame_waited,
	                               &refusal)) {
	case DEVICE_SUSPENDED: return MHD_YES; /* frame_waited answers */
	case DEVICE_ANSWER_NOW:
	case DEVICE_FAILED: break;
	}
	switch (refusal) {
	case DEVICE_FRAME_CAMERA_UNREACHABLE: return no_image_offline(request, camera);
	case DEVICE_FRAME_WAIT_DISABLED: return no_image_without_waiting(request);
	case DEVICE_FRAME_CLOSING: return frame_unavailable(request, "the server is shutting down");
	case DEVICE_FRAME_QUEUE_FULL:
		return frame_unavailable(request, "too many commands are waiting for this camera");
	case DEVICE_FRAME_NO_MEMORY: break;
	}
	return http_reply_error(request, 500, "internal error");
}

/* A stored frame no older than --frame-max-age answers at once; otherwise the camera is asked
 * for one through its command long-poll (docs/API.md "Live frame and online status"). */
static enum MHD_Result post_frame_request(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_READERS, "request frames"))
		return http_replied(request);
	char id[UUID_BUFFER_SIZE];
	struct camera camera;
	if (!parse_frame_request_or_reply(request, id) || !camera_access_load_or_reply(request, id, &camera) ||
	    !camera_gives_frames_or_reply(request, &camera))
		return http_replied(request);
	struct store *store = request->app->store;
	unsigned char *jpeg = NULL;
	size_t length = 0;
	int64_t taken_at = 0;
	enum store_result result = store->ops->frame_latest(store, id, &jpeg, &length, &taken_at);
	if (result == STORE_NOT_FOUND)
		return await_frame(request, &camera);
	if (result != STORE_OK)
		return api_store_failure(request, result, "frame", NULL);
	enum MHD_Result answer;
	/* A frame older than the claim belongs to a previous installation (a claim drops those; this
	 * guards a frame that raced it): never served to the new owner. */
	if (taken_at < time_now_seconds() - (int64_t)request->app->config.frame_max_age || taken_at < camera.claimed_at)
		answer = await_frame(request, &camera);
	else
		answer = reply_frame(request, jpeg, length, taken_at);
	free(jpeg);
	return answer;
}

/* --- GET /cameras/{cameraId}/video-upload-metrics ---------------------------------------------- */

/* An optional RFC 3339 query parameter into *out (left as is when absent); 422 when malformed. */
static bool query_time_or_reply(struct http_request *request, const char *name, bool *given, int64_t *out)
{
	const char *text = http_query(request, name);
	*given = text != NULL;
	if (text == NULL || time_parse_rfc3339(text, out))
		return true;
	http_reply_error(request, 422,
	                 "query parameter '%s' must be an RFC 3339 timestamp such as 2019-08-24T14:15:22Z", name);
	return false;
}

/* The window [from, to): to defaults to now, from to 24 hours before to; 422 when from is
 * after to. */
static bool query_window_or_reply(struct http_request *request, int64_t *from, int64_t *to)
{
	bool from_given, to_given;
	/* Default: the last 24 hours up to and including the current second (the store's window
	 * is [from, to), with second-precision upload times). */
	*to = time_now_seconds() + 1;
	if (!query_time_or_reply(request, "from", &from_given, from) ||
	    !query_time_or_reply(request, "to", &to_given, to))
		return false;
	if (!from_given)
		*from = *to - UPLOAD_WINDOW_DEFAULT;
	if (*from <= *to)
		return true;
	http_reply_error(request, 422, "query parameter 'from' must not be after 'to'");
	return false;
}

/* The totals over [from, to): raw reports within the last 48 hours, whole hour buckets before
 * (domain/upload_window.h). The two parts cover disjoint times, so a report arriving between the
 * two reads is counted at most once. */
static enum store_result upload_totals_over(struct store *store, const char *id, int64_t from, int64_t to,
                                            struct upload_totals *out)
{
	struct upload_window_plan plan = upload_window_plan(from, to, time_now_seconds());
	enum store_result result = store->ops->upload_totals(store, id, plan.raw_from, plan.raw_to, out);
	if (result != STORE_OK || !upload_window_uses_hours(&plan))
		return result;
	struct upload_totals hours = {0, 0.0};
	result = store->ops->upload_hour_totals(store, id, plan.hours_from, plan.hours_to, &hours);
	out->bytes += hours.bytes;
	out->seconds += hours.seconds;
	return result;
}

static enum MHD_Result get_upload_metrics(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_READERS, "read video upload metrics"))
		return http_replied(request);
	char id[UUID_BUFFER_SIZE];
	int64_t from, to;
	struct camera camera;
	if (!api_path_uuid_or_reply(request, 0, "cameraId", id) || !query_window_or_reply(request, &from, &to) ||
	    !camera_access_load_or_reply(request, id, &camera))
		return http_replied(request);
	struct store *store = request->app->store;
	struct upload_totals totals = {0, 0.0};
	/* Uploads count from the claim on: what a previous installation uploaded (a claim drops it)
	 * or what the camera reports as uploaded before this claim is not the owner's. */
	if (from < camera.claimed_at)
		from = camera.claimed_at;
	if (to < from)
		to = from;
	enum store_result result = upload_totals_over(store, id, from, to, &totals);
	if (result != STORE_OK)
		return api_store_failure(request, result, "upload metrics", NULL);
	char seconds[SHORTEST_DOUBLE_SIZE];
	shortest_double_format(totals.seconds, seconds);
	size_t size = sizeof("{\"uploadSize\":,\"uploadTime\":}") + 24 + SHORTEST_DOUBLE_SIZE;
	char *body = malloc(size);
	if (body == NULL)
		return http_reply_error(request, 500, "internal error");
	int length = snprintf(body, size, "{\"uploadSize\":%lld,\"uploadTime\":%s}", (long long)totals.bytes, seconds);
	return http_reply_owned(request, 200, "application/json", body, (size_t)length);
}

const struct route camera_action_routes[] = {
    {.method = "PUT", .pattern = "/cameras/{cameraId}/state/{newState}", .handler = put_state, .roles = ROLES_WRITERS},
    {.method = "POST", .pattern = "/cameras/{cameraId}/move", .handler = post_move, .roles = ROLES_WRITERS},
    {.method = "GET",
     .pattern = "/cameras/{cameraId}/opening-hours",
     .handler = get_opening_hours,
     .roles = ROLES_READERS,
     .query = "date"},
    {.method = "POST",
     .pattern = "/frame-requests",
     .handler = post_frame_request,
     .roles = ROLES_READERS,
     .flags = ROUTE_ON_HTTP_THREAD}, /* waits for the frame suspended (device/frame_capture.c) */
    {.method = "GET",
     .pattern = "/cameras/{cameraId}/video-upload-metrics",
     .handler = get_upload_metrics,
     .roles = ROLES_READERS,
     .query = "from,to"},
    {.method = NULL},
};
