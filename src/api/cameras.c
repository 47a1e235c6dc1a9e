/* /cameras: claim (POST), read one (GET), list with filters and keyset pages or a stream of
 * every row (GET), rename (PATCH) and decommission (DELETE). docs/API.md "Cameras" is the
 * contract; the lifecycle (domain/lifecycle.h) decides every state question. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/camera_access.h"
#include "api/camera_read_batch.h"
#include "api/list_query.h"
#include "api/routes.h"
#include "device/hub.h"
#include "domain/camera_json.h"
#include "util/log.h"
#include "util/timeutil.h"

#define LIST_LIMIT_MAX  1000
#define LIST_CHUNK_ROWS 256 /* rows fetched per refill of a streamed listing */

/* --- POST /cameras ---------------------------------------------------------------------------- */

static const char *const claim_fields[] = {"name", "serialNumber", "siteId", NULL};

struct claim_request {
	char serial_number[CAMERA_SERIAL_MAX + 1];
	char site_id[UUID_BUFFER_SIZE];
	bool has_name;
	char name[CAMERA_TEXT_MAX + 1];
};

static bool parse_claim_or_reply(struct http_request *request, struct claim_request *claim)
{
	json_t *body = NULL;
	if (!api_parse_body_or_reply(request, claim_fields, &body))
		return false;
	bool valid = api_string_field_or_reply(request, body, "serialNumber", FIELD_REQUIRED, 1, CAMERA_SERIAL_MAX,
	                                       claim->serial_number, sizeof(claim->serial_number), NULL, NULL) &&
	             api_uuid_field_or_reply(request, body, "siteId", true, claim->site_id, NULL) &&
	             api_string_field_or_reply(request, body, "name", FIELD_NULLABLE, 0, CAMERA_TEXT_CHARS, claim->name,
	                                       sizeof(claim->name), &claim->has_name, NULL);
	json_decref(body);
	return valid;
}

/* Loads the camera to claim by serial and lets the lifecycle accept the claim. */
static bool claimable_camera_or_reply(struct http_request *request, const char *serial_number, struct camera *out)
{
	struct store *store = request->app->store;
	enum store_result result = store->ops->camera_get_by_serial(store, serial_number, out);
	if (result == STORE_NOT_FOUND) {
		http_reply_error(request, 404, "no camera with serial number '%s'", serial_number);
		return false;
	}
	if (result != STORE_OK) {
		api_store_failure(request, result, "camera", NULL);
		return false;
	}
	enum camera_state next;
	enum lifecycle_result decision = lifecycle_next_state(out->state, CAMERA_ACTION_CLAIM, &next);
	if (decision != LIFECYCLE_OK) {
		camera_access_refuse(request, out, CAMERA_ACTION_CLAIM, decision);
		return false;
	}
	return true;
}

static enum MHD_Result post_camera(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_WRITERS, "claim cameras"))
		return http_replied(request);
	struct claim_request claim;
	struct site site;
	struct camera camera;
	if (!parse_claim_or_reply(request, &claim) || !camera_access_site_or_reply(request, claim.site_id, &site) ||
	    !claimable_camera_or_reply(request, claim.serial_number, &camera))
		return http_replied(request);
	struct camera_placement placement = {0};
	memcpy(placement.organisation_id, site.organisation_id, sizeof(placement.organisation_id));
	memcpy(placement.site_id, site.id, sizeof(placement.site_id));
	if (uuid_generate_text(placement.camera_position_id) != 0)
		return http_reply_error(request, 500, "internal error");
	struct change_origin origin;
	api_change_origin(request, &origin);
	placement.at = origin.at_ms / 1000;
	struct store *store = request->app->store;
	enum store_result result =
	    store->ops->camera_claim(store, claim.serial_number, lifecycle_allowed_from(CAMERA_ACTION_CLAIM),
	                             &placement, claim.has_name, claim.name, &origin, &camera);
	if (result == STORE_CONFLICT) /* claimed by someone else meanwhile */
		return camera_access_refuse(request, &camera, CAMERA_ACTION_CLAIM, LIFECYCLE_CONFLICT);
	if (result != STORE_OK)
		return api_store_failure(request, result, "camera", NULL);
	api_add_location(request, "/cameras/%s", camera.id);
	return camera_access_reply(request, 201, &camera, true);
}

/* --- GET /cameras/{cameraId} ------------------------------------------------------------------- */

/* The batched read is back (see camera_read_batch.h): the same checks as a direct read. */
static enum MHD_Result get_camera_read(struct http_request *request)
{
	const struct camera_read *read = request->resume_context;
	bool include_metrics;
	if (!camera_access_include_metrics_or_reply(request, &include_metrics) ||
	    !camera_access_check_or_reply(request, read->id, read->result, &read->camera))
		return http_replied(request);
	return camera_access_reply(request, 200, &read->camera, include_metrics);
}

static enum MHD_Result get_camera(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_READERS, "read cameras"))
		return http_replied(request);
	char id[UUID_BUFFER_SIZE];
	bool include_metrics;
	if (!api_path_uuid_or_reply(request, 0, "cameraId", id) ||
	    !camera_access_include_metrics_or_reply(request, &include_metrics))
		return http_replied(request);
	struct camera_read_batch *reads = request->app->camera_reads;
	if (reads != NULL && camera_read_batch_submit(reads, request, id, get_camera_read))
		return MHD_YES; /* suspended: get_camera_read answers */
	struct camera camera;
	if (!camera_access_load_or_reply(request, id, &camera))
		return http_replied(request);
	return camera_access_reply(request, 200, &camera, include_metrics);
}

/* --- PATCH /cameras/{cameraId} ----------------------------------------------------------------- */

static const char *const patch_fields[] = {"name", "direction1Alias", "direction2Alias", NULL};
/* What GET answers besides, accepted in a PATCH: with their current values, but the device status
 * (isOnline ... reportedState), which the camera's heartbeats change between a GET and the PATCH,
 * with any. */
static const char *const patch_read_only[] = {"id",
                                              "serialNumber",
                                              "state",
                                              "organisationId",
                                              "siteId",
                                              "cameraPositionId",
                                              "claimedAt",
                                              "reportedState",
                                              "isOnline",
                                              "lastSeenAt",
                                              "lastVideoAt",
                                              "encodedFramesProportion",
                                              "networkTransmitRate",
                                              "videoBacklog",
                                              "videoUploadLatency",
                                              NULL};
static const char *const patch_compared[] = {"id",     "serialNumber",     "state",     "organisationId",
                                             "siteId", "cameraPositionId", "claimedAt", NULL};

/* Reads one nullable text field: set when given (a string or null), has when a string. */
static bool patch_field_or_reply(struct http_request *request, json_t *body, const char *name, bool *set, bool *has,
                                 char out[CAMERA_TEXT_MAX + 1])
{
	bool is_null = false;
	if (!api_string_field_or_reply(request, body, name, FIELD_NULLABLE, 0, CAMERA_TEXT_CHARS, out,
	                               CAMERA_TEXT_MAX + 1, has, &is_null))
		return false;
	*set = *has || is_null;
	return true;
}

/* Reads the change body into patch; on true *body is the body, its read-only fields still to be
 * checked against the camera (camera_read_only_or_reply), a reference the caller releases. */
static bool parse_patch_or_reply(struct http_request *request, struct camera_patch *patch, json_t **body)
{
	if (!api_parse_change_body_or_reply(request, patch_fields, patch_read_only, body))
		return false;
	bool valid = patch_field_or_reply(request, *body, "name", &patch->set_name, &patch->has_name, patch->name) &&
	             patch_field_or_reply(request, *body, "direction1Alias", &patch->set_direction1_alias,
	                                  &patch->has_direction1_alias, patch->direction1_alias) &&
	             patch_field_or_reply(request, *body, "direction2Alias", &patch->set_direction2_alias,
	                                  &patch->has_direction2_alias, patch->direction2_alias);
	if (!valid) {
		json_decref(*body);
		*body = NULL;
	}
	return valid;
}

/* 400 unless the read-only fields body carries are camera's current ones. */
static bool camera_read_only_or_reply(struct http_request *request, json_t *body, const struct camera *camera)
{
	json_t *current = camera_access_json(request, camera);
	bool unchanged = api_read_only_fields_or_reply(request, body, current, patch_compared);
	json_decref(current);
	return unchanged;
}

static enum store_result write_patch(struct http_request *request, const struct camera *current, enum camera_state next,
                                     void *context, struct camera *out)
{
	struct store *store = request->app->store;
	struct change_origin origin;
	api_change_origin(request, &origin);
	return store->ops->camera_patch(store, current->id, current->state, context, &origin, out);
}

static enum MHD_Result patch_camera(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_WRITERS, "change cameras"))
		return http_replied(request);
	char id[UUID_BUFFER_SIZE];
	struct camera_patch patch = {0};
	struct camera camera;
	json_t *body = NULL;
	bool done = api_path_uuid_or_reply(request, 0, "cameraId", id) &&
	            parse_patch_or_reply(request, &patch, &body) && camera_access_load_or_reply(request, id, &camera) &&
	            camera_read_only_or_reply(request, body, &camera) &&
	            camera_access_transition_or_reply(request, &camera, CAMERA_ACTION_PATCH, write_patch, &patch);
	json_decref(body);
	if (!done)
		return http_replied(request);
	return camera_access_reply(request, 200, &camera, true);
}

/* --- DELETE /cameras/{cameraId} ---------------------------------------------------------------- */

/* Decommissioning revokes the device credentials in the same transaction (store.h); the device
 * hub then forgets its cached check so that the camera's tokens are refused at once. */
static enum store_result write_state(struct http_request *request, const struct camera *current, enum camera_state next,
                                     void *context, struct camera *out)
{
	struct store *store = request->app->store;
	struct change_origin origin;
	api_change_origin(request, &origin);
	return store->ops->camera_set_state(store, current->id, current->state, next, origin.at_ms / 1000, &origin,
	                                    out);
}

static enum MHD_Result delete_camera(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_WRITERS, "decommission cameras"))
		return http_replied(request);
	char id[UUID_BUFFER_SIZE];
	struct camera camera;
	if (!api_path_uuid_or_reply(request, 0, "cameraId", id) || !camera_access_load_or_reply(request, id, &camera) ||
	    !camera_access_transition_or_reply(request, &camera, CAMERA_ACTION_DECOMMISSION, write_state, NULL))
		return http_replied(request);
	device_hub_forget(request->app->hub, id);
	return http_reply_empty(request, 204);
}

/* --- GET /cameras: the query ------------------------------------------------------------------- */

struct list_query {
	struct camera_filter filter;
	bool include_metrics;
	unsigned limit; /* 0: every row, streamed */
	bool nothing;   /* the userId filter names someone outside the caller's reach */
};

struct state_parse {
	unsigned mask;
	const char *unknown;
};

static int add_state(void *context, const char *value)
{
	struct state_parse *parse = context;
	enum camera_state state;
	if (!camera_state_from_name(value, &state)) {
		parse->unknown = value;
		return 1;
	}
	parse->mask |= CAMERA_STATE_BIT(state);
	return 0;
}

static bool parse_states_or_reply(struct http_request *request, unsigned *mask)
{
	struct state_parse parse = {0, NULL};
	if (http_query_each(request, "state", add_state, &parse) != 0) {
		http_reply_error(
		    request, 422,
		    "query parameter 'state' must be running, paused, decommissioned or registered, not '%s'",
		    parse.unknown);
		return false;
	}
	*mask = parse.mask != 0 ? parse.mask : CAMERA_STATE_BIT(CAMERA_RUNNING) | CAMERA_STATE_BIT(CAMERA_PAUSED);
	return true;
}

/* Narrows the filter to what user can see; false when the two scopes cannot meet. */
static bool narrow_to_user(const struct user *user, struct camera_filter *filter)
{
	if (user->role == ROLE_OPERATOR)
		return true;
	if (filter->organisation_id[0] == '\0')
		memcpy(filter->organisation_id, user->organisation_id, sizeof(filter->organisation_id));
	else if (strcmp(filter->organisation_id, user->organisation_id) != 0)
		return false;
	if (user->role != ROLE_VIEWER)
		return true;
	size_t slot = filter->granted_user_id[0][0] == '\0' ? 0 : 1;
	memcpy(filter->granted_user_id[slot], user->id, sizeof(filter->granted_user_id[slot]));
	return true;
}

/* Applies ?userId=: keeps the cameras that user can see; a user unknown or outside the
 * caller's reach leaves nothing. */
static bool apply_user_filter_or_reply(struct http_request *request, const char *user_id, struct list_query *query)
{
	struct store *store = request->app->store;
	struct user user;
	enum store_result result = store->ops->user_get(store, user_id, &user);
	if (result == STORE_NOT_FOUND ||
	    (result == STORE_OK && !policy_organisation_visible(&request->principal, user.organisation_id))) {
		query->nothing = true;
		return true;
	}
	if (result != STORE_OK) {
		api_store_failure(request, result, "user", NULL);
		return false;
	}
	query->nothing = !narrow_to_user(&user, &query->filter);
	return true;
}

/* ?serialNumber= (exact), ?isOnline=true|false and ?q= (a substring of the name or the serial
 * number, any case) into the filter; false when answered (422). */
static bool parse_search_or_reply(struct http_request *request, struct camera_filter *filter)
{
	const char *serial = http_query(request, "serialNumber");
	if (serial != NULL) {
		size_t length = strlen(serial);
		if (length == 0 || length > CAMERA_SERIAL_MAX) {
			http_reply_error(request, 422, "query parameter 'serialNumber' must be 1 to %d bytes",
			                 CAMERA_SERIAL_MAX);
			return false;
		}
		memcpy(filter->serial_number, serial, length + 1);
	}
	const char *online = http_query(request, "isOnline");
	if (online != NULL) {
		if (strcmp(online, "true") != 0 && strcmp(online, "false") != 0) {
			http_reply_error(request, 422, "query parameter 'isOnline' must be true or false");
			return false;
		}
		filter->online = strcmp(online, "true") == 0 ? CAMERA_FILTER_ONLINE : CAMERA_FILTER_OFFLINE;
		filter->online_since = time_now_seconds() - (int64_t)request->app->config.online_window;
	}
	const char *text = http_query(request, "q");
	if (text != NULL && text[0] != '\0') {
		if (strlen(text) > CAMERA_TEXT_MAX) {
			http_reply_error(request, 422, "query parameter 'q' must be at most %d bytes", CAMERA_TEXT_MAX);
			return false;
		}
		/* %text%, lowercased, with LIKE's % and _ and the escape character itself escaped */
		char *out = filter->text_pattern;
		*out++ = '%';
		for (const char *c = text; *c != '\0'; c++) {
			if (*c == '%' || *c == '_' || *c == '\\')
				*out++ = '\\';
			*out++ = (char)tolower((unsigned char)*c);
		}
		*out++ = '%';
		*out = '\0';
	}
	return true;
}

static bool parse_list_query_or_reply(struct http_request *request, struct list_query *query)
{
	char user_id[UUID_BUFFER_SIZE];
	struct camera_filter *filter = &query->filter;
	if (!camera_access_include_metrics_or_reply(request, &query->include_metrics) ||
	    !parse_states_or_reply(request, &filter->state_mask) ||
	    !api_query_uuid_or_reply(request, "siteId", filter->site_id) ||
	    !api_query_uuid_or_reply(request, "userId", user_id) ||
	    !api_query_limit_or_reply(request, LIST_LIMIT_MAX, &query->limit) ||
	    !api_query_uuid_or_reply(request, "after", filter->after_id) || !parse_search_or_reply(request, filter))
		return false;
	camera_access_scope_to_caller(&request->principal, filter);
	return user_id[0] == '\0' || apply_user_filter_or_reply(request, user_id, query);
}

/* --- GET /cameras: the rows as JSON text -------------------------------------------------------- */

/* Rows written as JSON text into a growing buffer, max_rows per fill; one more row is fetched
 * to learn whether another fill (or page) follows. */
struct camera_text {
	char *text;
	size_t length, capacity;
	unsigned max_rows, rows;
	bool any_row; /* a row was written by an earlier fill: the next needs a comma */
	bool has_more, failed;
	char last_id[UUID_BUFFER_SIZE];
	bool include_metrics;
	int64_t now;
	unsigned online_window;
};

static bool text_reserve(struct camera_text *t, size_t extra)
{
	if (t->capacity - t->length >= extra)
		return true;
	size_t capacity = t->capacity > 0 ? t->capacity : 4 * CAMERA_JSON_MAX_LENGTH;
	while (capacity - t->length < extra)
		capacity *= 2;
	char *grown = realloc(t->text, capacity);
	if (grown == NULL)
		return false;
	t->text = grown;
	t->capacity = capacity;
	return true;
}

static bool text_append(struct camera_text *t, const char *text)
{
	size_t length = strlen(text);
	if (!text_reserve(t, length))
		return false;
	memcpy(t->text + t->length, text, length);
	t->length += length;
	return true;
}

/* The camera_list row callback: it only writes memory, never calls the store (whose connection
 * is held while rows are read). */
static int text_row(void *context, const struct camera *camera)
{
	struct camera_text *t = context;
	if (t->rows == t->max_rows) {
		t->has_more = true;
		return 1;
	}
	if (!text_reserve(t, CAMERA_JSON_MAX_LENGTH + 1)) {
		t->failed = true;
		return 1;
	}
	size_t start = t->length + (t->any_row ? 1 : 0);
	size_t written = camera_json_write(camera, t->include_metrics, t->now, t->online_window, t->text + start,
	                                   t->capacity - start);
	if (written == 0) {
		log_error("cameras: cannot encode camera %s as JSON", camera->id);
		t->failed = true;
		return 1;
	}
	if (t->any_row)
		t->text[t->length] = ',';
	t->length = start + written;
	t->rows++;
	t->any_row = true;
	memcpy(t->last_id, camera->id, sizeof(t->last_id));
	return 0;
}

/* Appends the next rows after filter->after_id and advances the cursor past them. */
static enum store_result text_fill(struct store *store, struct camera_filter *filter, struct camera_text *t)
{
	t->rows = 0;
	t->has_more = false;
	filter->limit = t->max_rows + 1;
	enum store_result result = store->ops->camera_list(store, filter, text_row, t);
	if (result == STORE_OK && t->failed)
		result = STORE_ERROR;
	if (result == STORE_OK && t->rows > 0)
		memcpy(filter->after_id, t->last_id, sizeof(filter->after_id));
	return result;
}

/* --- GET /cameras: pages and the stream ------------------------------------------------------------ */

struct camera_stream {
	struct store *store;
	struct camera_filter filter;
	struct camera_text text;
	size_t offset; /* bytes of text already handed out */
	bool finished; /* the closing ']' is in text */
};

static void stream_free(void *context)
{
	struct camera_stream *stream = context;
	free(stream->text.text);
	free(stream);
}

/* Closes the array when the last fill found nothing more. */
static bool stream_seal(struct camera_stream *stream)
{
	if (stream->text.has_more)
		return true;
	stream->finished = true;
	return text_append(&stream->text, "]");
}

/* Replaces the handed-out text with the next chunk of rows (no statement stays open between
 * calls: each refill is one keyset query). */
static bool stream_refill(struct camera_stream *stream)
{
	stream->text.length = 0;
	stream->offset = 0;
	enum store_result result = text_fill(stream->store, &stream->filter, &stream->text);
	if (result != STORE_OK) {
		log_error("cameras: listing stopped after %s: store error %d", stream->filter.after_id, (int)result);
		return false;
	}
	return stream_seal(stream);
}

static ssize_t stream_next(void *context, uint64_t position, char *buffer, size_t max)
{
	struct camera_stream *stream = context;
	if (stream->offset == stream->text.length) {
		if (stream->finished)
			return HTTP_STREAM_END;
		if (!stream_refill(stream))
			return HTTP_STREAM_ERROR;
	}
	size_t count = stream->text.length - stream->offset;
	if (count > max)
		count = max;
	memcpy(buffer, stream->text.text + stream->offset, count);
	stream->offset += count;
	return (ssize_t)count;
}

/* Answers the first fill: the whole array when it is complete or a page, else a stream that
 * fetches the rest chunk by chunk. A full page links to the next one (docs/API.md: "when a page
 * is full"), which may turn out empty. */
static enum MHD_Result reply_listing(struct http_request *request, struct camera_stream *stream, unsigned limit)
{
	if (!stream->text.has_more || limit > 0) {
		if (limit > 0 && stream->text.rows == limit)
			api_add_next_link(request, "/cameras", limit, stream->text.last_id);
		stream->text.has_more = false;
		if (!stream_seal(stream)) {
			stream_free(stream);
			return http_reply_error(request, 500, "internal error");
		}
		char *text = stream->text.text;
		size_t length = stream->text.length;
		free(stream);
		return http_reply_owned(request, 200, "application/json", text, length);
	}
	return http_reply_stream_compressible(request, 200, "application/json", 16 * 1024, stream_next, stream,
	                                      stream_free);
}

static enum MHD_Result list_cameras(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_READERS, "list cameras"))
		return http_replied(request);
	struct list_query query = {0};
	if (!parse_list_query_or_reply(request, &query))
		return http_replied(request);
	if (query.nothing)
		return http_reply_static(request, 200, "application/json", "[]", 2);
	struct camera_stream *stream = calloc(1, sizeof(*stream));
	if (stream == NULL)
		return http_reply_error(request, 500, "internal error");
	stream->store = request->app->store;
	stream->filter = query.filter;
	stream->text.max_rows = query.limit > 0 ? query.limit : LIST_CHUNK_ROWS;
	stream->text.include_metrics = query.include_metrics;
	stream->text.now = time_now_seconds();
	stream->text.online_window = request->app->config.online_window;
	enum store_result result = STORE_ERROR;
	if (text_append(&stream->text, "["))
		result = text_fill(stream->store, &stream->filter, &stream->text);
	if (result != STORE_OK) {
		stream_free(stream);
		return api_store_failure(request, result, "camera", NULL);
	}
	return reply_listing(request, stream, query.limit);
}

const struct route camera_routes[] = {
    {.method = "POST", .pattern = "/cameras", .handler = post_camera, .roles = ROLES_WRITERS},
    {.method = "GET",
     .pattern = "/cameras",
     .handler = list_cameras,
     .roles = ROLES_READERS,
     .query = "state,siteId,userId,includeMetrics,limit,after,serialNumber,isOnline,q"},
    {.method = "GET",
     .pattern = "/cameras/{cameraId}",
     .handler = get_camera,
     .roles = ROLES_READERS,
     .query = "includeMetrics"},
    {.method = "PATCH", .pattern = "/cameras/{cameraId}", .handler = patch_camera, .roles = ROLES_WRITERS},
    {.method = "DELETE", .pattern = "/cameras/{cameraId}", .handler = delete_camera, .roles = ROLES_WRITERS},
    {.method = NULL},
};
