/* /cameras/{cameraId}/device-credentials: operators (any camera, registered ones included) and
 * the camera organisation's admins issue, rotate (issue again) and revoke the credentials a
 * camera uses to get its device token (docs/API.md "Device link"). The secret is shown once and
 * stored as a keyed hash (auth/secret_keys.h); the device hub forgets what it cached about the camera. */
#include <string.h>

#include "api/camera_access.h"
#include "api/routes.h"
#include "auth/password.h"
#include "auth/secret_keys.h"
#include "device/hub.h"
#include "util/timeutil.h"

/* The states a camera may be in to get device credentials. */
#define CREDENTIAL_STATES                                                                                              \
	(CAMERA_STATE_BIT(CAMERA_REGISTERED) | CAMERA_STATE_BIT(CAMERA_RUNNING) | CAMERA_STATE_BIT(CAMERA_PAUSED))

static enum MHD_Result refuse_decommissioned(struct http_request *request, const char *camera_id)
{
	return http_reply_error(request, 422,
	                        "camera %s is decommissioned; device credentials are issued for registered, running "
	                        "or paused cameras",
	                        camera_id);
}

/* The store refused the write (STORE_CONFLICT): the camera was decommissioned meanwhile, or an
 * API client that is not a device already uses the camera's id. */
static enum MHD_Result explain_conflict(struct http_request *request, const char *camera_id)
{
	struct store *store = request->app->store;
	struct camera camera;
	enum store_result result = store->ops->camera_get(store, camera_id, &camera);
	if (result != STORE_OK)
		return api_store_failure(request, result, "camera", NULL);
	if (camera.state == CAMERA_DECOMMISSIONED)
		return refuse_decommissioned(request, camera_id);
	return http_reply_error(request, 409, "an API client with id %s already exists; it cannot be this camera's",
	                        camera_id);
}

static enum MHD_Result post_credentials(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_WRITERS, "issue device credentials"))
		return http_replied(request);
	char id[UUID_BUFFER_SIZE];
	struct camera camera;
	if (!api_path_uuid_or_reply(request, 0, "cameraId", id) || !camera_access_load_or_reply(request, id, &camera))
		return http_replied(request);
	if (camera.state == CAMERA_DECOMMISSIONED)
		return refuse_decommissioned(request, id);
	char secret[CLIENT_SECRET_SIZE];
	char hash[SECRET_MAC_HASH_SIZE];
	if (password_generate_secret(secret) != 0 || secret_keys_hash(request->app->secret_keys, secret, hash) != 0) {
		explicit_bzero(secret, sizeof(secret));
		return http_reply_error(request, 500, "internal error");
	}
	struct store *store = request->app->store;
	int64_t issued_ms = 0;
	enum store_result result =
	    store->ops->device_credentials_put(store, id, hash, time_now_millis(), CREDENTIAL_STATES, &issued_ms);
	device_hub_forget(request->app->hub, id);
	if (result == STORE_CONFLICT) {
		explicit_bzero(secret, sizeof(secret));
		return explain_conflict(request, id);
	}
	if (result != STORE_OK) {
		explicit_bzero(secret, sizeof(secret));
		return api_store_failure(request, result, "camera", NULL);
	}
	json_t *body = json_pack("{s:s, s:s, s:o}", "clientId", id, "clientSecret", secret, "issuedAt",
	                         api_json_time_or_null(issued_ms / 1000));
	explicit_bzero(secret, sizeof(secret));
	http_reply_add_header(request, "Cache-Control", "no-store");
	api_add_location(request, "/cameras/%s", id); /* the credentials are read nowhere: their camera */
	return http_reply_json(request, 201, body);
}

static enum MHD_Result delete_credentials(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_WRITERS, "revoke device credentials"))
		return http_replied(request);
	char id[UUID_BUFFER_SIZE];
	struct camera camera;
	if (!api_path_uuid_or_reply(request, 0, "cameraId", id) || !camera_access_load_or_reply(request, id, &camera))
		return http_replied(request);
	struct store *store = request->app->store;
	enum store_result result = store->ops->device_credentials_delete(store, id);
	device_hub_forget(request->app->hub, id);
	if (result == STORE_NOT_FOUND)
		return http_reply_error(request, 404, "camera %s has no device credentials", id);
	if (result != STORE_OK)
		return api_store_failure(request, result, "camera", NULL);
	return http_reply_empty(request, 204);
}

const struct route device_credential_routes[] = {
    {.method = "POST",
     .pattern = "/cameras/{cameraId}/device-credentials",
     .handler = post_credentials,
     .roles = ROLES_WRITERS},
    {.method = "DELETE",
     .pattern = "/cameras/{cameraId}/device-credentials",
     .handler = delete_credentials,
     .roles = ROLES_WRITERS},
    {.method = NULL},
};
