/* Shared steps of the camera handlers: visibility (auth/policy.h) answered as 404 or as a list's
 * scope, the strict includeMetrics flag, the camera answer (domain/camera_json.h) and lifecycle writes. */
#include "api/camera_access.h"

#include <stdlib.h>
#include <string.h>

#include "domain/camera_json.h"
#include "util/timeutil.h"

bool camera_access_check_or_reply(struct http_request *request, const char *id, enum store_result read,
                                  const struct camera *camera)
{
	enum store_result result = read;
	if (result == STORE_OK)
		result = policy_camera_visible(request->app->store, &request->principal, camera);
	if (result == STORE_OK)
		return true;
	if (result == STORE_NOT_FOUND)
		http_reply_error(request, 404, "camera %s not found", id);
	else
		api_store_failure(request, result, "camera", NULL);
	return false;
}

bool camera_access_load_or_reply(struct http_request *request, const char *id, struct camera *out)
{
	struct store *store = request->app->store;
	char wanted[UUID_BUFFER_SIZE];
	memcpy(wanted, id, sizeof(wanted)); /* id may point into out */
	return camera_access_check_or_reply(request, wanted, store->ops->camera_get(store, wanted, out), out);
}

bool camera_access_site_or_reply(struct http_request *request, const char *site_id, struct site *out)
{
	struct store *store = request->app->store;
	enum store_result result = store->ops->site_get(store, site_id, out);
	if (result == STORE_OK)
		result = policy_site_visible(store, &request->principal, out->id, out->organisation_id);
	if (result == STORE_OK)
		return true;
	if (result == STORE_NOT_FOUND)
		http_reply_error(request, 404, "site %s not found", site_id);
	else
		api_store_failure(request, result, "site", NULL);
	return false;
}

void camera_access_scope_to_caller(const struct principal *caller, struct camera_filter *filter)
{
	if (caller->role == ROLE_OPERATOR)
		return;
	memcpy(filter->organisation_id, caller->organisation_id, sizeof(filter->organisation_id));
	if (policy_limited_to_granted_sites(caller))
		memcpy(filter->granted_user_id[0], caller->subject, sizeof(filter->granted_user_id[0]));
}

bool camera_access_include_metrics_or_reply(struct http_request *request, bool *out)
{
	return api_query_bool_or_reply(request, "includeMetrics", true, out);
}

json_t *camera_access_json(struct http_request *request, const struct camera *camera)
{
	char text[CAMERA_JSON_MAX_LENGTH];
	size_t length =
	    camera_json_write(camera, true, time_now_seconds(), request->app->config.online_window, text, sizeof(text));
	return length > 0 ? json_loadb(text, length, 0, NULL) : NULL;
}

enum MHD_Result camera_access_reply(struct http_request *request, unsigned status, const struct camera *camera,
                                    bool include_metrics)
{
	/* The direct writer, not a jansson object: this is the hottest answer of the API. */
	char text[CAMERA_JSON_MAX_LENGTH];
	size_t length = camera_json_write(camera, include_metrics, time_now_seconds(),
	                                  request->app->config.online_window, text, sizeof(text));
	char *body = length > 0 ? malloc(length) : NULL;
	if (body == NULL)
		return http_reply_error(request, 500, "internal error");
	memcpy(body, text, length);
	return http_reply_owned(request, status, "application/json", body, length);
}

static const char *action_verb(enum camera_action action)
{
	switch (action) {
	case CAMERA_ACTION_CLAIM: return "claimed";
	case CAMERA_ACTION_RUN:
	case CAMERA_ACTION_PAUSE: return "set to running or paused";
	case CAMERA_ACTION_DECOMMISSION: return "decommissioned";
	case CAMERA_ACTION_MOVE: return "moved";
	case CAMERA_ACTION_PATCH: return "changed";
	}
	return "changed";
}

enum MHD_Result camera_access_refuse(struct http_request *request, const struct camera *camera,
                                     enum camera_action action, enum lifecycle_result refusal)
{
	if (refusal == LIFECYCLE_CONFLICT) /* the state may be another organisation's business: not named */
		return http_reply_error(request, 409, "camera with serial number '%s' has already been claimed",
		                        camera->serial_number);
	return http_reply_error(request, 422, "camera %s is %s; only running or paused cameras can be %s", camera->id,
	                        camera_state_name(camera->state), action_verb(action));
}

bool camera_access_transition_or_reply(struct http_request *request, struct camera *camera, enum camera_action action,
                                       camera_write_fn write, void *context)
{
	for (int attempt = 0;; attempt++) {
		enum camera_state next;
		enum lifecycle_result decision = lifecycle_next_state(camera->state, action, &next);
		if (decision != LIFECYCLE_OK) {
			camera_access_refuse(request, camera, action, decision);
			return false;
		}
		struct camera after;
		enum store_result result = write(request, camera, next, context, &after);
		if (result == STORE_OK) {
			*camera = after;
			return true;
		}
		if (result != STORE_CONFLICT || attempt > 0) {
			api_store_failure(request, result, "camera",
			                  "the camera changed while this request was being carried out; retry");
			return false;
		}
		if (!camera_access_load_or_reply(request, camera->id, camera))
			return false;
	}
}
