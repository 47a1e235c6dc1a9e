/* Asynchronous requests: POST /register-camera-requests and /put-camera-state-requests store a
 * request (status created) and wake the worker before answering 202; GET /<kind>/{requestId}
 * shows its status and message. The worker (jobs/async_worker.c) carries them out. */
#include <stdio.h>
#include <string.h>

#include "api/common.h"
#include "api/routes.h"
#include "domain/lifecycle.h"
#include "jobs/async_worker.h"
#include "util/log.h"
#include "util/timeutil.h"

/* Fills the fields every new request shares: a fresh id, status created, the time, msg. */
static bool request_new_or_reply(struct http_request *request, enum async_kind kind, const char *camera_id,
                                 struct async_request *out)
{
	memset(out, 0, sizeof(*out));
	if (uuid_generate_text(out->id) != 0) {
		log_error("async: cannot generate a request id");
		http_reply_error(request, 500, "internal error");
		return false;
	}
	out->kind = kind;
	out->status = ASYNC_CREATED;
	memcpy(out->camera_id, camera_id, sizeof(out->camera_id));
	struct change_origin origin;
	api_change_origin(request, &origin);
	out->requester = origin.actor;
	out->created_at = origin.at_ms / 1000;
	out->updated_at = out->created_at;
	return true;
}

/* Stores the request (group-committed with others arriving at the same time), wakes the worker and
 * answers 202 {id, msg, status}. */
static enum MHD_Result accept_request(struct http_request *request, const struct async_request *async_request)
{
	enum store_result result = async_worker_store(request->app->worker, async_request, 1);
	if (result != STORE_OK)
		return api_store_failure(request, result, "request", "a request with this id already exists");
	json_t *body = json_pack("{s:s, s:s, s:s}", "id", async_request->id, "msg", async_request->message, "status",
	                         async_status_name(async_request->status));
	api_add_location(request, "%s/%s",
	                 async_request->kind == ASYNC_REGISTER_CAMERA ? "/register-camera-requests"
	                                                              : "/put-camera-state-requests",
	                 async_request->id);
	return http_reply_json(request, 202, body);
}

/* Reads request {requestId} (path parameter 0) of the given kind; false after answering. */
static bool load_request_or_reply(struct http_request *request, enum async_kind kind, const char *what,
                                  struct async_request *out)
{
	char id[UUID_BUFFER_SIZE];
	if (!api_path_uuid_or_reply(request, 0, "requestId", id))
		return false;
	struct store *store = request->app->store;
	enum store_result result = store->ops->async_get(store, id, out);
	if (result == STORE_OK && out->kind != kind)
		result = STORE_NOT_FOUND;
	if (result != STORE_OK) {
		api_store_failure(request, result, what, NULL);
		return false;
	}
	return true;
}

/* {id, msg, status, cameraId, createdAt, updatedAt}, which each kind then extends. */
static json_t *request_json(const struct async_request *async_request)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "id", async_request->id, "msg", async_request->message,
	                 "status", async_status_name(async_request->status), "cameraId", async_request->camera_id,
	                 "createdAt", api_json_time_or_null(async_request->created_at), "updatedAt",
	                 api_json_time_or_null(async_request->updated_at));
}

static const char *const register_fields[] = {"cameraId", "serialNumber", NULL};

static enum MHD_Result post_register_request(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_OPERATOR, "register cameras"))
		return http_replied(request);
	json_t *body = NULL;
	if (!api_parse_body_or_reply(request, register_fields, &body))
		return http_replied(request);
	char camera_id[UUID_BUFFER_SIZE];
	char serial[CAMERA_SERIAL_MAX + 1];
	bool valid = api_uuid_field_or_reply(request, body, "cameraId", true, camera_id, NULL) &&
	             api_string_field_or_reply(request, body, "serialNumber", FIELD_REQUIRED, 1, CAMERA_SERIAL_MAX,
	                                       serial, sizeof(serial), NULL, NULL);
	json_decref(body);
	if (!valid)
		return http_replied(request);

	struct async_request async_request;
	if (!request_new_or_reply(request, ASYNC_REGISTER_CAMERA, camera_id, &async_request))
		return http_replied(request);
	snprintf(async_request.serial_number, sizeof(async_request.serial_number), "%s", serial);
	snprintf(async_request.message, sizeof(async_request.message), "registration of camera %s accepted", camera_id);
	return accept_request(request, &async_request);
}

static enum MHD_Result get_register_request(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_OPERATOR, "read camera registration requests"))
		return http_replied(request);
	struct async_request async_request;
	if (!load_request_or_reply(request, ASYNC_REGISTER_CAMERA, "register-camera request", &async_request))
		return http_replied(request);
	json_t *body = request_json(&async_request);
	if (body != NULL)
		json_object_set_new(body, "serialNumber", json_string(async_request.serial_number));
	return http_reply_json(request, 200, body);
}

/* Reads body field newState: 400 when missing or not a string, 422 when not a request state. */
static bool read_new_state_or_reply(struct http_request *request, json_t *body, char out[16], enum camera_state *target)
{
	json_t *value = json_object_get(body, "newState");
	if (!json_is_string(value)) {
		char unused[1];
		if (api_string_field_or_reply(request, body, "newState", FIELD_REQUIRED, 1, 0, unused, sizeof(unused),
		                              NULL, NULL))
			http_reply_error(request, 400, "field 'newState' must be a string");
		return false;
	}
	const char *text = json_string_value(value);
	if (strlen(text) != json_string_length(value) || !camera_state_from_request_name(text, target)) {
		http_reply_error(request, 422, "field 'newState' must be 'claimed' or 'claimed_paused'");
		return false;
	}
	snprintf(out, 16, "%s", text);
	return true;
}

/* Reads the camera and checks the caller sees it (404 otherwise); false after answering. */
static bool load_visible_camera_or_reply(struct http_request *request, const char *camera_id, struct camera *out)
{
	struct store *store = request->app->store;
	enum store_result result = store->ops->camera_get(store, camera_id, out);
	if (result == STORE_OK)
		result = policy_camera_visible(store, &request->principal, out);
	if (result != STORE_OK) {
		api_store_failure(request, result, "camera", NULL);
		return false;
	}
	return true;
}

/* 422 unless the camera may go to target now (running or paused, not registered or decommissioned). */
static bool check_transition_or_reply(struct http_request *request, const struct camera *camera,
                                      enum camera_state target)
{
	enum camera_action action = target == CAMERA_RUNNING ? CAMERA_ACTION_RUN : CAMERA_ACTION_PAUSE;
	enum camera_state next;
	if (lifecycle_next_state(camera->state, action, &next) == LIFECYCLE_OK)
		return true;
	http_reply_error(request, 422, "camera is %s; only running or paused cameras can change state",
	                 camera_state_name(camera->state));
	return false;
}

static const char *const put_state_fields[] = {"cameraId", "newState", NULL};

static enum MHD_Result post_put_state_request(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_WRITERS, "change camera states"))
		return http_replied(request);
	json_t *body = NULL;
	if (!api_parse_body_or_reply(request, put_state_fields, &body))
		return http_replied(request);
	char camera_id[UUID_BUFFER_SIZE];
	char new_state[16];
	enum camera_state target = CAMERA_RUNNING;
	bool valid = api_uuid_field_or_reply(request, body, "cameraId", true, camera_id, NULL) &&
	             read_new_state_or_reply(request, body, new_state, &target);
	json_decref(body);
	if (!valid)
		return http_replied(request);

	struct camera camera;
	if (!load_visible_camera_or_reply(request, camera_id, &camera) ||
	    !check_transition_or_reply(request, &camera, target))
		return http_replied(request);
	struct async_request async_request;
	if (!request_new_or_reply(request, ASYNC_PUT_CAMERA_STATE, camera_id, &async_request))
		return http_replied(request);
	memcpy(async_request.new_state, new_state, sizeof(async_request.new_state));
	memcpy(async_request.organisation_id, camera.organisation_id, sizeof(async_request.organisation_id));
	snprintf(async_request.message, sizeof(async_request.message), "change of camera %s to %s accepted", camera_id,
	         new_state);
	return accept_request(request, &async_request);
}

/* For a caller limited to granted sites (a viewer): true when the request's camera is at one of
 * them now; otherwise answers 404 (the request is as invisible as its camera) and returns false. */
static bool camera_granted_or_reply(struct http_request *request, const struct async_request *async_request,
                                    const char *what)
{
	struct store *store = request->app->store;
	struct camera camera;
	enum store_result result = store->ops->camera_get(store, async_request->camera_id, &camera);
	if (result == STORE_OK)
		result = policy_camera_visible(store, &request->principal, &camera);
	if (result == STORE_OK)
		return true;
	api_store_failure(request, result, what, NULL);
	return false;
}

static enum MHD_Result get_put_state_request(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_READERS, "read camera state requests"))
		return http_replied(request);
	struct async_request async_request;
	const char *what = "put-camera-state request";
	if (!load_request_or_reply(request, ASYNC_PUT_CAMERA_STATE, what, &async_request))
		return http_replied(request);
	if (!policy_organisation_visible(&request->principal, async_request.organisation_id))
		return api_store_failure(request, STORE_NOT_FOUND, what, NULL);
	if (policy_limited_to_granted_sites(&request->principal) &&
	    !camera_granted_or_reply(request, &async_request, what))
		return http_replied(request);
	json_t *body = request_json(&async_request);
	if (body != NULL)
		json_object_set_new(body, "newState", json_string(async_request.new_state));
	return http_reply_json(request, 200, body);
}

const struct route async_request_routes[] = {
    {.method = "POST",
     .pattern = "/register-camera-requests",
     .handler = post_register_request,
     .roles = ROLES_OPERATOR},
    {.method = "GET",
     .pattern = "/register-camera-requests/{requestId}",
     .handler = get_register_request,
     .roles = ROLES_OPERATOR},
    {.method = "POST",
     .pattern = "/put-camera-state-requests",
     .handler = post_put_state_request,
     .roles = ROLES_WRITERS},
    {.method = "GET",
     .pattern = "/put-camera-state-requests/{requestId}",
     .handler = get_put_state_request,
     .roles = ROLES_READERS},
    {.method = NULL},
};
