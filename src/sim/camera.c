/* One running simulated camera: heartbeats with its metrics (and obeys the desiredState they
 * answer), video upload reports, a long-poll for commands answered with rendered JPEG frames,
 * and device token refreshes. A camera whose credentials are refused stops; everything else
 * that fails is counted and tried again on the next round. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/fleet.h"
#include "sim/frame_render.h"
#include "util/log.h"
#include "util/shortest_double.h"
#include "util/timeutil.h"

#define COMMAND_WAIT_SECONDS        30
#define COMMAND_TIMEOUT_MILLIS      ((COMMAND_WAIT_SECONDS + 15) * 1000L)
#define COMMAND_BACKOFF_MAX_SECONDS 30
#define TOKEN_RETRY_MILLIS          5000

static int64_t seconds_to_millis(double seconds)
{
	return (int64_t)(seconds * 1000.0 + 0.5);
}

static void advance_metrics(struct sim_camera *camera, int64_t now)
{
	if (now > camera->metrics_at) {
		metrics_advance(&camera->metrics, (double)(now - camera->metrics_at) / 1000.0, camera->paused);
		camera->metrics_at = now;
	}
}

static struct http_call *send_device(struct sim_camera *camera, const char *method, const char *path,
                                     const char *content_type, const void *body, size_t body_length,
                                     long timeout_millis, http_done_fn done)
{
	struct http_request request = {
	    .method = method,
	    .path = path,
	    .bearer_token = camera->token,
	    .content_type = content_type,
	    .body = body,
	    .body_length = body_length,
	    .timeout_millis = timeout_millis,
	};
	return http_client_send(camera->sim->http, &request, done, camera);
}

/* ---- device token ---------------------------------------------------------------------- */

static bool store_token(struct sim_camera *camera, const struct http_result *result)
{
	json_t *body = result->status == 200 ? sim_response_json(result) : NULL;
	const char *token = json_string_value(json_object_get(body, "access_token"));
	json_int_t expires_in = json_integer_value(json_object_get(body, "expires_in"));
	char *copy = token != NULL ? strdup(token) : NULL;
	json_decref(body);
	if (copy == NULL)
		return false;
	free(camera->token);
	camera->token = copy;
	camera->token_refresh_due = sim_now() + sim_token_refresh_millis(expires_in);
	return true;
}

static void stop_revoked(struct sim_camera *camera)
{
	camera_cancel_calls(camera);
	camera->phase = CAMERA_STOPPED;
	log_warn("sim: camera %u (%s) stops: its device credentials were refused (rotated or revoked elsewhere, or "
	         "the camera was decommissioned)",
	         camera->index + 1, camera->record->id);
}

static void token_done(const struct http_result *result, void *context)
{
	struct sim_camera *camera = context;
	camera->token_call = NULL;
	bool got_token = store_token(camera, result);
	if (camera->phase == CAMERA_TOKEN) {
		setup_token_done(camera, result, got_token);
		return;
	}
	if (!got_token) {
		sim_note_error(camera->sim, camera, "device token", result);
		if (result->status == 401 || result->status == 400) {
			stop_revoked(camera);
			return;
		}
		camera->token_refresh_due = sim_now() + TOKEN_RETRY_MILLIS;
	}
	sim_camera_schedule(camera);
}

void camera_fetch_token(struct sim_camera *camera)
{
	static const char form[] = "grant_type=client_credentials";
	struct http_request request = {
	    .method = "POST",
	    .path = "/oauth/token",
	    .basic_user = camera->record->id,
	    .basic_password = camera->record->device_secret,
	    .content_type = "application/x-www-form-urlencoded",
	    .body = form,
	    .body_length = sizeof(form) - 1,
	};
	camera->token_call = http_client_send(camera->sim->http, &request, token_done, camera);
	if (camera->token_call == NULL) {
		if (camera->phase == CAMERA_TOKEN)
			sim_fail(camera->sim, "camera %u: cannot start a request (out of memory?)", camera->index + 1);
		else
			camera->token_refresh_due = sim_now() + TOKEN_RETRY_MILLIS;
	}
}

/* ---- heartbeats -------------------------------------------------------------------------- */

/* The heartbeat body: the metrics, what the camera is doing ("state") and, on the last one, that it
 * shuts down. */
static size_t format_heartbeat(const struct sim_metrics *metrics, bool paused, bool shutting_down, char *out,
                               size_t out_size)
{
	/* rounded to what a camera would report, then in the shortest text ("0.97", not "0.9700") */
	char proportion[SHORTEST_DOUBLE_SIZE], rate[SHORTEST_DOUBLE_SIZE], backlog[SHORTEST_DOUBLE_SIZE],
	    latency[SHORTEST_DOUBLE_SIZE];
	shortest_double_format(round(metrics->encoded_frames_proportion * 1e4) / 1e4, proportion);
	shortest_double_format(round(metrics->network_transmit_rate), rate);
	shortest_double_format(round(metrics->video_backlog * 1e2) / 1e2, backlog);
	shortest_double_format(round(metrics->video_upload_latency * 1e3) / 1e3, latency);
	int length = snprintf(out, out_size,
	                      "{\"encodedFramesProportion\":%s,\"networkTransmitRate\":%s,\"videoBacklog\":%s,"
	                      "\"videoUploadLatency\":%s,\"state\":\"%s\"%s}",
	                      proportion, rate, backlog, latency, paused ? "paused" : "running",
	                      shutting_down ? ",\"status\":\"shutting_down\"" : "");
	return length > 0 && (size_t)length < out_size ? (size_t)length : 0;
}

/* Takes in the answer: the desired state, and the server's interval when we follow it. */
static void read_heartbeat_answer(struct sim_camera *camera, const struct http_result *result, int64_t now)
{
	json_t *body = sim_response_json(result);
	const char *desired = json_string_value(json_object_get(body, "desiredState"));
	bool paused = desired != NULL && strcmp(desired, "paused") == 0;
	if (paused != camera->paused) {
		advance_metrics(camera, now); /* the time so far counts in the old state */
		camera->paused = paused;
	}
	struct sim *sim = camera->sim;
	json_t *interval = json_object_get(body, "heartbeatInterval");
	if (!sim->options->heartbeat_interval_given && json_is_number(interval) && json_number_value(interval) >= 1 &&
	    json_number_value(interval) <= 3600 && json_number_value(interval) != sim->heartbeat_interval) {
		sim->heartbeat_interval = json_number_value(interval);
		camera->heartbeat_due = camera->heartbeat_sent_at + seconds_to_millis(sim->heartbeat_interval);
	}
	json_decref(body);
}

static void heartbeat_done(const struct http_result *result, void *context)
{
	struct sim_camera *camera = context;
	struct sim *sim = camera->sim;
	camera->heartbeat_call = NULL;
	int64_t now = sim_now();
	if (result->status == 200) {
		sim->counters.heartbeats_ok++;
		read_heartbeat_answer(camera, result, now);
	} else {
		sim->counters.heartbeats_failed++;
		sim_note_error(sim, camera, "heartbeat", result);
		if (result->status == 401)
			camera->token_refresh_due = now; /* expired or revoked: a new token tells which */
	}
	sim_camera_schedule(camera);
}

static void send_heartbeat(struct sim_camera *camera, int64_t now)
{
	struct sim *sim = camera->sim;
	int64_t interval = seconds_to_millis(sim->heartbeat_interval);
	camera->heartbeat_due += interval;
	if (camera->heartbeat_due <= now)
		camera->heartbeat_due = now + interval; /* fell behind: do not burst to catch up */
	camera->heartbeat_sent_at = now;
	advance_metrics(camera, now);
	char body[256];
	size_t length = format_heartbeat(&camera->metrics, camera->paused, false, body, sizeof(body));
	camera->heartbeat_call =
	    send_device(camera, "POST", "/device/heartbeat", "application/json", body, length, 0, heartbeat_done);
	if (camera->heartbeat_call == NULL)
		sim->counters.heartbeats_failed++;
}

static void last_heartbeat_done(const struct http_result *result, void *context)
{
	struct sim_camera *camera = context;
	struct sim *sim = camera->sim;
	camera->heartbeat_call = NULL;
	if (result->status == 200) {
		sim->counters.heartbeats_ok++;
	} else {
		sim->counters.heartbeats_failed++;
		sim_note_error(sim, camera, "last heartbeat", result);
	}
	camera->phase = CAMERA_DONE;
	sim->stop_active--;
}

bool camera_send_last_heartbeat(struct sim_camera *camera)
{
	int64_t now = sim_now();
	advance_metrics(camera, now);
	char body[256];
	size_t length = format_heartbeat(&camera->metrics, camera->paused, true, body, sizeof(body));
	camera->heartbeat_call =
	    send_device(camera, "POST", "/device/heartbeat", "application/json", body, length, 0, last_heartbeat_done);
	if (camera->heartbeat_call == NULL) {
		camera->phase = CAMERA_DONE;
		return false;
	}
	return true;
}

/* ---- video upload reports ------------------------------------------------------------------ */

static void video_done(const struct http_result *result, void *context)
{
	struct sim_camera *camera = context;
	struct sim *sim = camera->sim;
	camera->video_call = NULL;
	if (result->status == 201) {
		sim->counters.uploads++;
		sim->counters.upload_bytes += camera->upload_bytes_sent;
	} else {
		/* Not recorded: the next report carries this video too. */
		camera->metrics.pending_bytes += (double)camera->upload_bytes_sent;
		camera->metrics.pending_seconds += camera->upload_seconds_sent;
		sim_note_error(sim, camera, "video upload report", result);
		if (result->status == 401)
			camera->token_refresh_due = sim_now();
	}
	sim_camera_schedule(camera);
}

static void send_video_report(struct sim_camera *camera, int64_t now)
{
	camera->video_due = now + seconds_to_millis(camera->sim->options->video_interval);
	advance_metrics(camera, now);
	metrics_take_upload(&camera->metrics, &camera->upload_bytes_sent, &camera->upload_seconds_sent);
	if (camera->upload_seconds_sent < 0.001)
		return; /* paused all along: nothing was uploaded */
	char body[128];
	int length = snprintf(body, sizeof(body), "{\"bytes\":%llu,\"seconds\":%.3f}",
	                      (unsigned long long)camera->upload_bytes_sent, camera->upload_seconds_sent);
	camera->video_call = send_device(camera, "POST", "/device/video-uploads", "application/json", body,
	                                 (size_t)length, 0, video_done);
	if (camera->video_call == NULL) {
		camera->metrics.pending_bytes += (double)camera->upload_bytes_sent;
		camera->metrics.pending_seconds += camera->upload_seconds_sent;
	}
}

/* ---- frames and commands ------------------------------------------------------------------- */

static void send_frame(struct sim_camera *camera);

static void frame_done(const struct http_result *result, void *context)
{
	struct sim_camera *camera = context;
	camera->frame_call = NULL;
	if (result->status == 201) {
		camera->sim->counters.frames++;
	} else {
		sim_note_error(camera->sim, camera, "frame upload", result);
		if (result->status == 401)
			camera->token_refresh_due = sim_now();
	}
	if (camera->captures_wanted > 0)
		send_frame(camera); /* asked again while this one was on its way */
	sim_camera_schedule(camera);
}

static void send_frame(struct sim_camera *camera)
{
	char name[SIM_NAME_SIZE];
	if (camera->record->name[0] != '\0')
		snprintf(name, sizeof(name), "%s", camera->record->name);
	else
		snprintf(name, sizeof(name), "CAMERA %.8s", camera->record->id);
	unsigned char *jpeg = NULL;
	size_t length = 0;
	camera->captures_wanted = 0; /* one fresh frame answers every capture asked so far */
	if (frame_render_jpeg(&camera->sim->frame_scratch, time_now_millis(), camera->seed, name, &jpeg, &length) !=
	    0) {
		struct http_result failure = {.error = "cannot render or encode the JPEG"};
		sim_note_error(camera->sim, camera, "frame", &failure);
		return;
	}
	camera->frame_call = send_device(camera, "POST", "/device/frames", "image/jpeg", jpeg, length, 0, frame_done);
	free(jpeg);
}

static void read_commands(struct sim_camera *camera, const struct http_result *result)
{
	json_t *body = sim_response_json(result);
	json_t *commands = json_object_get(body, "commands");
	size_t i;
	json_t *command;
	json_array_foreach(commands, i, command)
	{
		const char *type = json_string_value(json_object_get(command, "type"));
		if (type != NULL && strcmp(type, "capture-frame") == 0)
			camera->captures_wanted++;
	}
	json_decref(body);
}

static void commands_done(const struct http_result *result, void *context)
{
	struct sim_camera *camera = context;
	camera->commands_call = NULL;
	int64_t now = sim_now();
	if (result->status == 200) {
		read_commands(camera, result);
		camera->commands_backoff = 0;
		/* a long poll goes again at once; a short one after --command-poll seconds */
		double every = camera->sim->options->command_poll;
		camera->commands_due = every > 0 ? now + (int64_t)(every * 1000.0) : now;
		if (camera->captures_wanted > 0 && camera->frame_call == NULL)
			send_frame(camera);
	} else {
		sim_note_error(camera->sim, camera, "command poll", result);
		if (result->status == 401)
			camera->token_refresh_due = now;
		unsigned backoff = camera->commands_backoff ? camera->commands_backoff * 2 : 1;
		camera->commands_backoff =
		    backoff < COMMAND_BACKOFF_MAX_SECONDS ? backoff : COMMAND_BACKOFF_MAX_SECONDS;
		camera->commands_due = now + camera->commands_backoff * 1000LL;
	}
	sim_camera_schedule(camera);
}

static void send_command_poll(struct sim_camera *camera, int64_t now)
{
	char path[64];
	double every = camera->sim->options->command_poll;
	if (every == 0) { /* --command-poll 0: never */
		camera->commands_due = SIM_NEVER;
		return;
	}
	snprintf(path, sizeof(path), "/device/commands?wait=%d", every > 0 ? 0 : COMMAND_WAIT_SECONDS);
	camera->commands_call = send_device(camera, "GET", path, NULL, NULL, 0, COMMAND_TIMEOUT_MILLIS, commands_done);
	camera->commands_due = camera->commands_call != NULL ? SIM_NEVER : now + 1000;
}

/* ---- outages (--outage) ------------------------------------------------------------------------ */

/* Plans the camera's outage under way or next at now (SIM_NEVER when it has no more). */
static void plan_next_outage(struct sim_camera *camera, int64_t now)
{
	const struct sim *sim = camera->sim;
	int64_t begins = 0, ends = 0;
	camera->outage_begins = camera->outage_ends = SIM_NEVER;
	if (sim_outage_next(sim->options->outages, sim->options->outage_count, camera->index, now - sim->run_started,
	                    &begins, &ends)) {
		camera->outage_begins = sim->run_started + begins;
		camera->outage_ends = sim->run_started + ends;
	}
}

bool camera_in_outage(const struct sim_camera *camera, int64_t now)
{
	return camera->silent || (now >= camera->outage_begins && now < camera->outage_ends);
}

/* The camera loses its network: whatever it had on its way is dropped, unanswered, and it says
 * nothing (no "shutting_down") until the outage ends. */
static void begin_silence(struct sim_camera *camera, int64_t now)
{
	if (camera->video_call != NULL) { /* that video is reported again later */
		camera->metrics.pending_bytes += (double)camera->upload_bytes_sent;
		camera->metrics.pending_seconds += camera->upload_seconds_sent;
	}
	camera_cancel_calls(camera);
	camera->captures_wanted = 0;
	camera->silent = true;
	camera->silent_since = now;
	log_info("sim: camera %u (%.8s) goes silent (--outage)", camera->index + 1, camera->record->id);
}

/* The outage is over: back on the network unless an overlapping outage goes on (then it stays
 * silent until that one ends); back, it heartbeats and polls for commands at once. */
static void end_silence(struct sim_camera *camera, int64_t now)
{
	plan_next_outage(camera, now);
	if (camera->outage_begins <= now)
		return;
	camera->silent = false;
	camera->heartbeat_due = now;
	camera->commands_due = now;
	camera->commands_backoff = 0;
	log_info("sim: camera %u (%.8s) heartbeats again after %.1f s of silence", camera->index + 1,
	         camera->record->id, (double)(now - camera->silent_since) / 1000.0);
}

/* Follows the camera's outages; true when it may send now. */
static bool outage_allows_sending(struct sim_camera *camera, int64_t now)
{
	if (camera->silent && now >= camera->outage_ends)
		end_silence(camera, now);
	if (!camera->silent && now >= camera->outage_begins && now < camera->outage_ends)
		begin_silence(camera, now);
	return !camera->silent;
}

/* ---- the camera as a whole ------------------------------------------------------------------ */

void camera_start(struct sim_camera *camera, int64_t now)
{
	struct sim *sim = camera->sim;
	camera->phase = CAMERA_RUNNING;
	metrics_init(&camera->metrics, camera->seed);
	camera->metrics_at = now;
	struct sim_random jitter;
	sim_random_seed(&jitter, camera->seed ^ (uint64_t)now);
	/* Spread the fleet: first heartbeat anywhere in the first interval, first video report in
	 * its second half, first command poll within a second (or the first --command-poll). */
	camera->heartbeat_due = now + (int64_t)(sim_random_uniform(&jitter) * 1000.0 * sim->heartbeat_interval);
	camera->video_due =
	    now + (int64_t)((0.5 + 0.5 * sim_random_uniform(&jitter)) * 1000.0 * sim->options->video_interval);
	double every = sim->options->command_poll > 0 ? sim->options->command_poll : 1.0;
	camera->commands_due = now + (int64_t)(sim_random_uniform(&jitter) * 1000.0 * every);
	plan_next_outage(camera, now);
	sim_camera_schedule(camera);
}

void camera_wake(struct sim_camera *camera, int64_t now)
{
	if (camera->phase != CAMERA_RUNNING || !outage_allows_sending(camera, now))
		return;
	if (camera->token_call == NULL && camera->token_refresh_due <= now)
		camera_fetch_token(camera);
	if (camera->heartbeat_call == NULL && camera->heartbeat_due <= now)
		send_heartbeat(camera, now);
	if (camera->video_call == NULL && camera->video_due <= now)
		send_video_report(camera, now);
	if (camera->commands_call == NULL && camera->commands_due <= now)
		send_command_poll(camera, now);
}

static int64_t earliest(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

int64_t camera_next_wake(const struct sim_camera *camera)
{
	switch (camera->phase) {
	case CAMERA_CHECK:
	case CAMERA_REGISTER:
	case CAMERA_REGISTER_POLL:
	case CAMERA_CLAIM:
	case CAMERA_CLAIM_CHECK:
	case CAMERA_MOVE:
	case CAMERA_CREDENTIALS:
	case CAMERA_TOKEN:
		return camera->setup_call != NULL || camera->token_call != NULL ? SIM_NEVER : camera->setup_due;
	case CAMERA_RUNNING: {
		if (camera->silent)
			return camera->outage_ends;
		int64_t next = camera->outage_begins;
		if (camera->token_call == NULL)
			next = earliest(next, camera->token_refresh_due);
		if (camera->heartbeat_call == NULL)
			next = earliest(next, camera->heartbeat_due);
		if (camera->video_call == NULL)
			next = earliest(next, camera->video_due);
		if (camera->commands_call == NULL)
			next = earliest(next, camera->commands_due);
		return next;
	}
	default: return SIM_NEVER;
	}
}

void camera_cancel_calls(struct sim_camera *camera)
{
	struct http_call **calls[] = {&camera->setup_call, &camera->token_call,    &camera->heartbeat_call,
	                              &camera->video_call, &camera->commands_call, &camera->frame_call};
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if (*calls[i] != NULL)
			http_call_cancel(camera->sim->http, *calls[i]);
		*calls[i] = NULL;
	}
}
