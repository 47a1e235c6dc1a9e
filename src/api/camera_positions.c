/* GET /cameras/{cameraId}/positions: where the camera has been placed (each claim and move),
 * newest first, visible like the camera. A caller sees only its own organisation's positions (not
 * those of an organisation that held the camera earlier); a viewer only those at its granted
 * sites; the operator all. */
#include "api/camera_access.h"
#include "api/routes.h"

/* The newest positions answered at most: a camera moved more often than this shows its latest. */
#define CAMERA_POSITIONS_MAX 1000

static int add_position(void *context, const struct camera_position *position)
{
	json_t *item = json_pack("{s:s, s:s, s:s, s:o, s:o}", "cameraPositionId", position->id, "organisationId",
	                         position->organisation_id, "siteId", position->site_id, "startedAt",
	                         api_json_time_or_null(position->started_at), "endedAt",
	                         api_json_time_or_null(position->ended_at));
	return item != NULL && json_array_append_new(context, item) == 0 ? 0 : -1;
}

static enum MHD_Result get_positions(struct http_request *request)
{
	char id[UUID_BUFFER_SIZE];
	struct camera camera;
	if (!api_path_uuid_or_reply(request, 0, "cameraId", id) || !camera_access_load_or_reply(request, id, &camera))
		return http_replied(request);
	const struct principal *caller = &request->principal;
	const char *organisation_id = caller->role == ROLE_OPERATOR ? "" : caller->organisation_id;
	const char *granted_user_id = policy_limited_to_granted_sites(caller) ? caller->subject : "";
	json_t *positions = json_array();
	if (positions == NULL)
		return http_reply_error(request, 500, "internal error");
	struct store *store = request->app->store;
	enum store_result result = store->ops->camera_position_list(store, id, organisation_id, granted_user_id,
	                                                            CAMERA_POSITIONS_MAX, add_position, positions);
	if (result != STORE_OK) {
		json_decref(positions);
		return api_store_failure(request, result, "camera positions", NULL);
	}
	return http_reply_json(request, 200, positions);
}

const struct route camera_position_routes[] = {
    {.method = "GET", .pattern = "/cameras/{cameraId}/positions", .handler = get_positions, .roles = ROLES_READERS},
    {.method = NULL},
};
