/* Setting up one simulated camera with the operator's token: find or register it, claim or
 * move it to --site, issue its device credentials, then get its device token (camera.c).
 * Each step is one request; transient failures (no connection, 429, 5xx) are retried a few
 * times, anything else ends the simulator's setup with a message naming the camera and step. */
#include <stdio.h>
#include <string.h>

#include "sim/fleet.h"

#define SETUP_ATTEMPTS           5
#define REGISTER_POLL_MAX_MILLIS 1000

static const char *const step_names[] = {
    [CAMERA_CHECK] = "looking it up (GET /cameras/{id})",
    [CAMERA_REGISTER] = "registering it (POST /register-camera-requests)",
    [CAMERA_REGISTER_POLL] = "following its registration (GET /register-camera-requests/{id})",
    [CAMERA_CLAIM] = "claiming it (POST /cameras)",
    [CAMERA_CLAIM_CHECK] = "checking its claim (GET /cameras/{id})",
    [CAMERA_MOVE] = "moving it (POST /cameras/{id}/move)",
    [CAMERA_CREDENTIALS] = "issuing its device credentials (POST /cameras/{id}/device-credentials)",
    [CAMERA_TOKEN] = "getting its device token (POST /oauth/token)",
};

static void fail_step(struct sim_camera *camera, const struct http_result *result, const char *hint)
{
	char detail[400];
	sim_describe(result, detail, sizeof(detail));
	sim_fail(camera->sim, "camera %u (%s, serial %s): %s failed: %s%s", camera->index + 1, camera->record->id,
	         camera->record->serial_number, step_names[camera->phase], detail, hint != NULL ? hint : "");
}

static void go_to(struct sim_camera *camera, enum camera_phase phase, int64_t due)
{
	camera->phase = phase;
	camera->setup_due = due;
	camera->setup_attempts = 0;
	sim_camera_schedule(camera);
}

/* Retries a transient failure later; otherwise ends setup. */
static void retry_or_fail(struct sim_camera *camera, const struct http_result *result, const char *hint)
{
	bool transient = result->error != NULL || result->status == 429 || result->status >= 500;
	if (transient && ++camera->setup_attempts < SETUP_ATTEMPTS) {
		camera->setup_due = sim_now() + (500LL << camera->setup_attempts);
		sim_camera_schedule(camera);
		return;
	}
	fail_step(camera, result, hint);
}

/* After the camera exists on the server: claim or move it when needed, then credentials. */
static void after_registered(struct sim_camera *camera, const char *state, const char *site_id)
{
	const char *wanted_site = camera->sim->options->site_id;
	int64_t now = sim_now();
	if (wanted_site[0] == '\0') {
		if (state != NULL && strcmp(state, "decommissioned") == 0) {
			sim_fail(camera->sim, "camera %u (%s) is decommissioned; give --site to claim it again",
			         camera->index + 1, camera->record->id);
			return;
		}
		go_to(camera, CAMERA_CREDENTIALS, now);
		return;
	}
	bool claimed = state != NULL && (strcmp(state, "running") == 0 || strcmp(state, "paused") == 0);
	if (!claimed)
		go_to(camera, CAMERA_CLAIM, now);
	else if (site_id == NULL || strcmp(site_id, wanted_site) != 0)
		go_to(camera, CAMERA_MOVE, now);
	else
		go_to(camera, CAMERA_CREDENTIALS, now);
}

/* Adopts the name the server has for the camera (someone may have renamed it). */
static void adopt_name(struct sim_camera *camera, json_t *body)
{
	const char *name = json_string_value(json_object_get(body, "name"));
	if (name != NULL && strlen(name) < sizeof(camera->record->name) && strcmp(name, camera->record->name) != 0) {
		snprintf(camera->record->name, sizeof(camera->record->name), "%s", name);
		camera->sim->state_dirty = true;
	}
}

static void check_done(const struct http_result *result, void *context)
{
	struct sim_camera *camera = context;
	camera->setup_call = NULL;
	if (result->status == 404) {
		go_to(camera, CAMERA_REGISTER, sim_now());
		return;
	}
	json_t *body = result->status == 200 ? sim_response_json(result) : NULL;
	if (body == NULL) {
		retry_or_fail(camera, result, NULL);
		return;
	}
	adopt_name(camera, body);
	const char *state = json_string_value(json_object_get(body, "state"));
	const char *site_id = json_string_value(json_object_get(body, "siteId"));
	if (camera->phase == CAMERA_CLAIM_CHECK) {
		const char *wanted_site = camera->sim->options->site_id;
		if (site_id != NULL && strcmp(site_id, wanted_site) == 0)
			go_to(camera, CAMERA_CREDENTIALS, sim_now());
		else
			sim_fail(camera->sim, "camera %u (%s, serial %s) is already claimed at site %s, not %s",
			         camera->index + 1, camera->record->id, camera->record->serial_number,
			         site_id != NULL ? site_id : "(none visible)", wanted_site);
	} else {
		after_registered(camera, state, site_id);
	}
	json_decref(body);
}

static void register_done(const struct http_result *result, void *context)
{
	struct sim_camera *camera = context;
	camera->setup_call = NULL;
	json_t *body = result->status == 202 ? sim_response_json(result) : NULL;
	const char *request_id = json_string_value(json_object_get(body, "id"));
	if (request_id == NULL || strlen(request_id) >= sizeof(camera->register_request_id)) {
		retry_or_fail(camera, result,
		              result->status == 403 ? " (the simulator needs an operator's API client)" : NULL);
		json_decref(body);
		return;
	}
	snprintf(camera->register_request_id, sizeof(camera->register_request_id), "%s", request_id);
	json_decref(body);
	camera->register_polls = 0;
	go_to(camera, CAMERA_REGISTER_POLL, sim_now() + 50);
}

static void register_poll_done(const struct http_result *result, void *context)
{
	struct sim_camera *camera = context;
	camera->setup_call = NULL;
	json_t *body = result->status == 200 ? sim_response_json(result) : NULL;
	const char *status = json_string_value(json_object_get(body, "status"));
	if (status == NULL) {
		retry_or_fail(camera, result, NULL);
	} else if (strcmp(status, "succeeded") == 0) {
		camera->sim->counters.registered++;
		after_registered(camera, "registered", NULL);
	} else if (strcmp(status, "failed") == 0) {
		const char *message = json_string_value(json_object_get(body, "msg"));
		sim_fail(camera->sim, "camera %u (%s, serial %s): the server could not register it: %s",
		         camera->index + 1, camera->record->id, camera->record->serial_number,
		         message != NULL ? message : "(no reason given)");
	} else {
		int64_t delay = 50LL << (camera->register_polls < 5 ? camera->register_polls : 5);
		camera->register_polls++;
		camera->setup_due = sim_now() + (delay < REGISTER_POLL_MAX_MILLIS ? delay : REGISTER_POLL_MAX_MILLIS);
		sim_camera_schedule(camera);
	}
	json_decref(body);
}

static void claim_done(const struct http_result *result, void *context)
{
	struct sim_camera *camera = context;
	camera->setup_call = NULL;
	if (result->status == 201) {
		json_t *body = sim_response_json(result);
		adopt_name(camera, body);
		json_decref(body);
		if (camera->phase == CAMERA_CLAIM)
			camera->sim->counters.claimed++;
		go_to(camera, CAMERA_CREDENTIALS, sim_now());
	} else if (result->status == 409 && camera->phase == CAMERA_CLAIM) {
		go_to(camera, CAMERA_CLAIM_CHECK, sim_now());
	} else if (result->status == 404) {
		fail_step(camera, result, " (is --site the id of a site this client can see?)");
	} else {
		retry_or_fail(camera, result, NULL);
	}
}

static void credentials_done(const struct http_result *result, void *context)
{
	struct sim_camera *camera = context;
	camera->setup_call = NULL;
	json_t *body = result->status == 201 ? sim_response_json(result) : NULL;
	const char *secret = json_string_value(json_object_get(body, "clientSecret"));
	if (secret == NULL || strlen(secret) >= sizeof(camera->record->device_secret)) {
		retry_or_fail(camera, result, NULL);
		json_decref(body);
		return;
	}
	snprintf(camera->record->device_secret, sizeof(camera->record->device_secret), "%s", secret);
	json_decref(body);
	camera->credentials_issued = true;
	camera->sim->state_dirty = true;
	camera->sim->counters.credentials++;
	go_to(camera, CAMERA_TOKEN, sim_now());
}

static struct http_call *send_step(struct sim_camera *camera)
{
	struct sim *sim = camera->sim;
	const char *token = sim->operator_token;
	const char *id = camera->record->id;
	char path[256];
	switch (camera->phase) {
	case CAMERA_CHECK:
	case CAMERA_CLAIM_CHECK:
		snprintf(path, sizeof(path), "/cameras/%s?includeMetrics=false", id);
		return sim_send_json(sim, "GET", path, token, NULL, check_done, camera);
	case CAMERA_REGISTER:
		return sim_send_json(
		    sim, "POST", "/register-camera-requests", token,
		    json_pack("{s:s, s:s}", "cameraId", id, "serialNumber", camera->record->serial_number),
		    register_done, camera);
	case CAMERA_REGISTER_POLL:
		snprintf(path, sizeof(path), "/register-camera-requests/%s", camera->register_request_id);
		return sim_send_json(sim, "GET", path, token, NULL, register_poll_done, camera);
	case CAMERA_CLAIM:
		return sim_send_json(sim, "POST", "/cameras", token,
		                     json_pack("{s:s, s:s, s:s?}", "serialNumber", camera->record->serial_number,
		                               "siteId", sim->options->site_id, "name",
		                               camera->record->name[0] != '\0' ? camera->record->name : NULL),
		                     claim_done, camera);
	case CAMERA_MOVE:
		snprintf(path, sizeof(path), "/cameras/%s/move", id);
		return sim_send_json(sim, "POST", path, token, json_pack("{s:s}", "siteId", sim->options->site_id),
		                     claim_done, camera);
	case CAMERA_CREDENTIALS:
		snprintf(path, sizeof(path), "/cameras/%s/device-credentials", id);
		return sim_send_json(sim, "POST", path, token, json_object(), credentials_done, camera);
	default: return NULL;
	}
}

void setup_token_done(struct sim_camera *camera, const struct http_result *result, bool got_token)
{
	struct sim *sim = camera->sim;
	if (got_token) {
		sim->counters.tokens++;
		camera->phase = CAMERA_READY;
		sim->setup_active--;
		sim->setup_ready++;
		sim_camera_schedule(camera);
		return;
	}
	if (result->status == 401 && !camera->credentials_issued) {
		/* The secret from the state file no longer works (rotated, revoked, another
		 * database): issue fresh credentials, once. */
		camera->record->device_secret[0] = '\0';
		sim->state_dirty = true;
		go_to(camera, CAMERA_CREDENTIALS, sim_now());
		return;
	}
	retry_or_fail(camera, result, NULL);
}

void setup_begin(struct sim_camera *camera, int64_t now)
{
	go_to(camera, camera->known_before ? CAMERA_CHECK : CAMERA_REGISTER, now);
}

void setup_wake(struct sim_camera *camera, int64_t now)
{
	if (camera->setup_call != NULL || camera->token_call != NULL || camera->setup_due > now)
		return;
	if (camera->phase == CAMERA_CREDENTIALS && camera->record->device_secret[0] != '\0') {
		go_to(camera, CAMERA_TOKEN, now); /* kept from an earlier run */
		return;
	}
	if (camera->phase == CAMERA_TOKEN) {
		camera->setup_due = SIM_NEVER;
		camera_fetch_token(camera);
		return;
	}
	camera->setup_call = send_step(camera);
	if (camera->setup_call == NULL) {
		sim_fail(camera->sim, "camera %u (%s): cannot start a request (out of memory?)", camera->index + 1,
		         camera->record->id);
		return;
	}
	camera->setup_due = SIM_NEVER;
}
