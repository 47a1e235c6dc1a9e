/* The simulator's event loop: one thread, libcurl's multi interface for the network and a
 * timer heap for the cameras. Phases: operator token, setup of every camera (a bounded number
 * at a time), running, stopping (each camera's last heartbeat). Prints a status line every
 * five seconds and keeps the state file up to date. */
#include "sim/sim.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <curl/curl.h>

#include "sim/fleet.h"
#include "util/log.h"
#include "util/timeutil.h"

#define SETUP_CONCURRENCY     32
#define STOP_CONCURRENCY      256
#define STATUS_PERIOD_MILLIS  5000
#define STOP_GRACE_MILLIS     10000
#define LOOP_MAX_WAIT_MILLIS  200 /* how soon a signal is noticed */
#define OPERATOR_RETRY_MILLIS 5000
#define ERRORS_PRINTED        10

static volatile sig_atomic_t stop_signals;

static void on_stop_signal(int signal_number)
{
	(void)signal_number;
	stop_signals++;
}

/* ---- helpers shared with setup.c and camera.c (fleet.h) ----------------------------------- */

int64_t sim_now(void)
{
	return (int64_t)(time_monotonic_nanos() / 1000000u);
}

void sim_camera_schedule(struct sim_camera *camera)
{
	int64_t next = camera_next_wake(camera);
	if (next == camera->wake_at)
		return;
	camera->wake_at = next;
	camera->wake_generation++;
	if (next == SIM_NEVER)
		return;
	struct schedule_entry entry = {next, camera->index, camera->wake_generation};
	if (schedule_push(&camera->sim->schedule, entry) != 0)
		sim_fail(camera->sim, "out of memory for the timer queue");
}

void sim_fail(struct sim *sim, const char *format, ...)
{
	if (sim->phase == SIM_FAILED)
		return; /* the first reason is the one to tell */
	va_list args;
	va_start(args, format);
	vsnprintf(sim->failure, sizeof(sim->failure), format, args);
	va_end(args);
	sim->phase = SIM_FAILED;
}

void sim_describe(const struct http_result *result, char *out, size_t out_size)
{
	if (result->error != NULL) {
		snprintf(out, out_size, "no answer: %s", result->error);
		return;
	}
	json_t *body = sim_response_json(result);
	const char *message = json_string_value(json_object_get(body, "message"));
	if (message == NULL)
		message = json_string_value(json_object_get(body, "error_description"));
	if (message != NULL)
		snprintf(out, out_size, "HTTP %ld: %s", result->status, message);
	else
		snprintf(out, out_size, "HTTP %ld", result->status);
	json_decref(body);
}

json_t *sim_response_json(const struct http_result *result)
{
	if (result->body == NULL || result->body_length == 0)
		return NULL;
	return json_loadb(result->body, result->body_length, 0, NULL);
}

void sim_note_error(struct sim *sim, const struct sim_camera *camera, const char *what,
                    const struct http_result *result)
{
	char detail[256];
	sim_describe(result, detail, sizeof(detail));
	sim->counters.errors++;
	snprintf(sim->last_error, sizeof(sim->last_error), "camera %u (%.8s) %s: %s", camera->index + 1,
	         camera->record->id, what, detail);
	if (sim->errors_printed < ERRORS_PRINTED) {
		sim->errors_printed++;
		log_warn("sim: %s%s", sim->last_error,
		         sim->errors_printed == ERRORS_PRINTED ? " (further errors are only counted in the status line)"
		                                               : "");
	}
}

struct http_call *sim_send_json(struct sim *sim, const char *method, const char *path, const char *token, json_t *body,
                                http_done_fn done, void *context)
{
	char *text = NULL;
	if (body != NULL) {
		text = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		if (text == NULL)
			return NULL;
	}
	struct http_request request = {
	    .method = method,
	    .path = path,
	    .bearer_token = token,
	    .content_type = text != NULL ? "application/json" : NULL,
	    .body = text,
	    .body_length = text != NULL ? strlen(text) : 0,
	};
	struct http_call *call = http_client_send(sim->http, &request, done, context);
	free(text);
	return call;
}

/* ---- the operator's token ------------------------------------------------------------------ */

int64_t sim_token_refresh_millis(json_int_t expires_in)
{
	int64_t seconds = expires_in > 0 ? (int64_t)expires_in : SIM_TOKEN_SECONDS_DEFAULT;
	if (seconds > SIM_TOKEN_SECONDS_MAX)
		seconds = SIM_TOKEN_SECONDS_MAX;
	return seconds * 750; /* three quarters of the lifetime: the old token works until then */
}

static void operator_token_done(const struct http_result *result, void *context)
{
	struct sim *sim = context;
	sim->operator_call = NULL;
	json_t *body = result->status == 200 ? sim_response_json(result) : NULL;
	const char *token = json_string_value(json_object_get(body, "access_token"));
	json_int_t expires_in = json_integer_value(json_object_get(body, "expires_in"));
	if (token != NULL) {
		free(sim->operator_token);
		sim->operator_token = strdup(token);
		sim->operator_refresh_due = sim_now() + sim_token_refresh_millis(expires_in);
		if (sim->phase == SIM_OPERATOR_TOKEN && sim->operator_token != NULL)
			sim->phase = SIM_SETUP;
	} else if (sim->phase == SIM_OPERATOR_TOKEN) {
		char detail[400];
		sim_describe(result, detail, sizeof(detail));
		sim_fail(sim, "cannot get an operator token from %s/oauth/token: %s%s", sim->options->url, detail,
		         result->status == 401 ? " (check the client id and secret)" : "");
	} else {
		sim->operator_refresh_due = sim_now() + OPERATOR_RETRY_MILLIS; /* the current one still works */
	}
	json_decref(body);
}

static void fetch_operator_token(struct sim *sim)
{
	static const char form[] = "grant_type=client_credentials";
	struct http_request request = {
	    .method = "POST",
	    .path = "/oauth/token",
	    .basic_user = sim->options->client_id,
	    .basic_password = sim->options->client_secret,
	    .content_type = "application/x-www-form-urlencoded",
	    .body = form,
	    .body_length = sizeof(form) - 1,
	};
	sim->operator_call = http_client_send(sim->http, &request, operator_token_done, sim);
	if (sim->operator_call == NULL)
		sim_fail(sim, "cannot start a request (out of memory?)");
}

/* ---- phases ---------------------------------------------------------------------------------- */

static void save_state(struct sim *sim)
{
	char error[600];
	if (sim_state_save(&sim->state, sim->options->state_file, sim->options->url, error, sizeof(error)) != 0)
		log_error("sim: %s", error);
	else
		sim->state_dirty = false;
}

static void start_setups(struct sim *sim, int64_t now)
{
	while (sim->phase == SIM_SETUP && sim->setup_active < SETUP_CONCURRENCY &&
	       sim->setup_next < sim->camera_count) {
		sim->setup_active++;
		setup_begin(&sim->cameras[sim->setup_next++], now);
	}
}

static void start_running(struct sim *sim, int64_t now)
{
	if (sim->state_dirty)
		save_state(sim);
	sim->phase = SIM_RUNNING;
	sim->run_started = now;
	sim->run_ends = sim->options->duration > 0 ? now + (int64_t)(sim->options->duration * 1000.0) : SIM_NEVER;
	log_info("sim: %u cameras set up (%llu registered, %llu claimed, %llu credentials issued); running%s",
	         sim->camera_count, (unsigned long long)sim->counters.registered,
	         (unsigned long long)sim->counters.claimed, (unsigned long long)sim->counters.credentials,
	         sim->options->duration > 0 ? "" : " until SIGINT/SIGTERM");
	for (uint32_t i = 0; i < sim->camera_count; i++)
		camera_start(&sim->cameras[i], now);
}

static void begin_stop(struct sim *sim, int64_t now, const char *why)
{
	log_info("sim: %s: sending each camera's last heartbeat", why);
	sim->phase = SIM_STOPPING;
	sim->stop_deadline = now + STOP_GRACE_MILLIS;
	for (uint32_t i = 0; i < sim->camera_count; i++) {
		struct sim_camera *camera = &sim->cameras[i];
		camera_cancel_calls(camera);
		/* A camera in an outage is silent to the end: no last heartbeat. */
		bool says_goodbye = camera->phase == CAMERA_RUNNING && !camera_in_outage(camera, now);
		camera->phase = says_goodbye ? CAMERA_LAST_HEARTBEAT : CAMERA_DONE;
		sim_camera_schedule(camera);
	}
}

static void continue_stop(struct sim *sim, int64_t now)
{
	while (sim->stop_active < STOP_CONCURRENCY && sim->stop_next < sim->camera_count) {
		struct sim_camera *camera = &sim->cameras[sim->stop_next++];
		if (camera->phase == CAMERA_LAST_HEARTBEAT && camera_send_last_heartbeat(camera))
			sim->stop_active++;
	}
	if (sim->stop_next == sim->camera_count && sim->stop_active == 0) {
		sim->phase = SIM_DONE;
	} else if (now >= sim->stop_deadline) {
		log_warn("sim: %u last heartbeats unanswered after %d s; leaving anyway", sim->stop_active,
		         STOP_GRACE_MILLIS / 1000);
		sim->phase = SIM_DONE;
	}
}

static void react_to_signals(struct sim *sim, int64_t now)
{
	static sig_atomic_t seen;
	if (stop_signals == seen)
		return;
	seen = stop_signals;
	if (sim->phase == SIM_OPERATOR_TOKEN || sim->phase == SIM_SETUP) {
		log_info("sim: interrupted during setup (%u of %u cameras ready; all are kept in %s)", sim->setup_ready,
		         sim->camera_count, sim->options->state_file);
		sim->phase = SIM_DONE;
	} else if (sim->phase == SIM_RUNNING) {
		begin_stop(sim, now, "stopping on signal");
	} else if (sim->phase == SIM_STOPPING) {
		log_info("sim: second signal: leaving without waiting for the last heartbeats");
		sim->phase = SIM_DONE;
	}
}

static void run_due_timers(struct sim *sim, int64_t now)
{
	struct schedule_entry entry;
	/* Bounded, so a camera that keeps rescheduling itself for "now" cannot starve the network. */
	for (size_t budget = (size_t)sim->camera_count * 4 + 64;
	     budget > 0 && schedule_peek(&sim->schedule, &entry) && entry.due_millis <= now; budget--) {
		schedule_pop(&sim->schedule);
		struct sim_camera *camera = &sim->cameras[entry.camera];
		if (entry.generation != camera->wake_generation)
			continue; /* stale: the camera rescheduled since */
		camera->wake_at = SIM_NEVER;
		if (camera->phase == CAMERA_RUNNING)
			camera_wake(camera, now);
		else if (sim->phase == SIM_SETUP)
			setup_wake(camera, now);
		sim_camera_schedule(camera);
	}
}

/* ---- status ------------------------------------------------------------------------------------ */

static void print_status(struct sim *sim)
{
	const struct sim_counters *counters = &sim->counters;
	char errors[400];
	if (counters->errors > 0)
		snprintf(errors, sizeof(errors), "errors %llu (last: %s)", (unsigned long long)counters->errors,
		         sim->last_error);
	else
		snprintf(errors, sizeof(errors), "errors 0");
	if (sim->phase == SIM_OPERATOR_TOKEN || sim->phase == SIM_SETUP) {
		log_info("sim: setting up %u cameras: %u ready | registered %llu, claimed %llu, credentials %llu | %s",
		         sim->camera_count, sim->setup_ready, (unsigned long long)counters->registered,
		         (unsigned long long)counters->claimed, (unsigned long long)counters->credentials, errors);
		return;
	}
	unsigned running = 0, paused = 0, stopped = 0, silent = 0;
	for (uint32_t i = 0; i < sim->camera_count; i++) {
		const struct sim_camera *camera = &sim->cameras[i];
		if (camera->phase == CAMERA_STOPPED)
			stopped++;
		else if (camera->silent)
			silent++;
		else if (camera->paused)
			paused++;
		else
			running++;
	}
	log_info("sim: %u cameras (%u running, %u paused, %u stopped, %u silent) | heartbeats %llu ok, %llu failed | "
	         "frames %llu | uploads %llu (%.1f MB) | %s",
	         sim->camera_count, running, paused, stopped, silent, (unsigned long long)counters->heartbeats_ok,
	         (unsigned long long)counters->heartbeats_failed, (unsigned long long)counters->frames,
	         (unsigned long long)counters->uploads, (double)counters->upload_bytes / 1e6, errors);
}

/* ---- start and end ----------------------------------------------------------------------------- */

static uint64_t hash_text(const char *text)
{
	uint64_t hash = 0xcbf29ce484222325ull; /* FNV-1a */
	for (; *text != '\0'; text++)
		hash = (hash ^ (uint8_t)*text) * 0x100000001b3ull;
	return hash;
}

/* Each simulated camera can hold a long-poll and a second connection: make room for them.
 * Returns the open-file limit now in force. */
static unsigned long raise_file_limit(void)
{
	struct rlimit limit;
	if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
		return 1024;
	if (limit.rlim_cur < limit.rlim_max) {
		limit.rlim_cur = limit.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &limit);
		(void)getrlimit(RLIMIT_NOFILE, &limit);
	}
	return limit.rlim_cur == RLIM_INFINITY ? 1048576ul : (unsigned long)limit.rlim_cur;
}

/* Connections open at once: as many as the open files allow (a long poll per camera needs one
 * each); with --command-poll the fleet shares at most 1,024, and requests beyond wait in libcurl's
 * queue for one, instead of failing to open a socket past the limit (or the server's). */
static unsigned connection_limit(const struct sim_options *options, unsigned camera_count, unsigned long open_files)
{
	unsigned long limit = open_files > 128 ? open_files - 64 : 64;
	unsigned long wanted = (unsigned long)camera_count * 2 + 16;
	if (options->command_poll >= 0 && wanted > 1024)
		wanted = 1024;
	return (unsigned)(wanted < limit ? wanted : limit);
}

/* A new camera's identity: a random id, a serial number and a name. */
static int invent_camera(struct sim_state_camera *record, size_t number)
{
	char serial_part[UUID_BUFFER_SIZE];
	if (uuid_generate_text(record->id) != 0 || uuid_generate_text(serial_part) != 0)
		return -1;
	snprintf(record->serial_number, sizeof(record->serial_number), "SIM-%.8s%.4s", serial_part, serial_part + 9);
	snprintf(record->name, sizeof(record->name), "Sim camera %zu", number);
	return 0;
}

/* Loads the state file and makes the first options->cameras of its cameras (plus new ones) the
 * fleet; 0, or -1 with a message printed. */
static int prepare_fleet(struct sim *sim)
{
	char error[600];
	if (sim_state_load(&sim->state, sim->options->state_file, error, sizeof(error)) != 0) {
		log_error("sim: %s", error);
		return -1;
	}
	size_t known = sim->state.count;
	size_t wanted = sim->options->cameras;
	if (sim_state_reserve(&sim->state, known > wanted ? known : wanted) != 0)
		return -1;
	for (size_t i = known; i < wanted; i++)
		if (invent_camera(sim_state_add(&sim->state), i + 1) != 0) {
			log_error("sim: cannot generate camera ids");
			return -1;
		}
	if (wanted > known &&
	    sim_state_save(&sim->state, sim->options->state_file, sim->options->url, error, sizeof(error)) != 0) {
		log_error("sim: %s", error); /* before any camera exists: fail early */
		return -1;
	}
	sim->camera_count = (uint32_t)wanted;
	sim->cameras = calloc(wanted, sizeof(*sim->cameras));
	if (sim->cameras == NULL)
		return -1;
	for (uint32_t i = 0; i < sim->camera_count; i++) {
		struct sim_camera *camera = &sim->cameras[i];
		camera->sim = sim;
		camera->index = i;
		camera->record = &sim->state.cameras[i];
		camera->known_before = i < known;
		camera->seed = hash_text(camera->record->id);
		camera->phase = CAMERA_WAITING;
		camera->wake_at = SIM_NEVER;
		camera->token_refresh_due = SIM_NEVER;
		camera->setup_due = SIM_NEVER;
	}
	log_info("sim: %u cameras: %zu from %s, %zu new", sim->camera_count, known < wanted ? known : wanted,
	         sim->options->state_file, wanted > known ? wanted - known : 0);
	return 0;
}

static int64_t next_deadline(const struct sim *sim)
{
	int64_t next = sim->next_status;
	struct schedule_entry entry;
	if (schedule_peek(&sim->schedule, &entry) && entry.due_millis < next)
		next = entry.due_millis;
	if (sim->phase == SIM_RUNNING && sim->run_ends < next)
		next = sim->run_ends;
	if (sim->phase == SIM_SETUP && sim->operator_call == NULL && sim->operator_refresh_due < next)
		next = sim->operator_refresh_due;
	if (sim->phase == SIM_STOPPING && sim->stop_deadline < next)
		next = sim->stop_deadline;
	return next;
}

static void loop(struct sim *sim)
{
	sim->next_status = sim_now() + STATUS_PERIOD_MILLIS;
	fetch_operator_token(sim);
	while (sim->phase != SIM_DONE && sim->phase != SIM_FAILED) {
		int64_t now = sim_now();
		react_to_signals(sim, now);
		if (sim->phase == SIM_RUNNING && now >= sim->run_ends)
			begin_stop(sim, now, "--duration is over");
		if (sim->phase == SIM_SETUP) {
			if (sim->operator_call == NULL && now >= sim->operator_refresh_due)
				fetch_operator_token(sim);
			start_setups(sim, now);
		}
		run_due_timers(sim, now);
		if (sim->phase == SIM_SETUP && sim->setup_ready == sim->camera_count)
			start_running(sim, now);
		if (sim->phase == SIM_STOPPING)
			continue_stop(sim, now);
		if (now >= sim->next_status) {
			print_status(sim);
			sim->next_status = now + STATUS_PERIOD_MILLIS;
		}
		if (sim->phase == SIM_DONE || sim->phase == SIM_FAILED)
			break;
		int64_t wait = next_deadline(sim) - sim_now();
		wait = wait < 0 ? 0 : wait > LOOP_MAX_WAIT_MILLIS ? LOOP_MAX_WAIT_MILLIS : wait;
		if (http_client_run(sim->http, (int)wait) != 0)
			sim_fail(sim, "the HTTP client (libcurl) failed");
	}
}

static void release(struct sim *sim)
{
	for (uint32_t i = 0; sim->cameras != NULL && i < sim->camera_count; i++) {
		camera_cancel_calls(&sim->cameras[i]);
		free(sim->cameras[i].token);
	}
	if (sim->operator_call != NULL)
		http_call_cancel(sim->http, sim->operator_call);
	http_client_free(sim->http);
	free(sim->cameras);
	free(sim->operator_token);
	schedule_release(&sim->schedule);
	sim_image_release(&sim->frame_scratch);
	sim_state_release(&sim->state);
}

static void install_signal_handlers(void)
{
	struct sigaction action;
	memset(&action, 0, sizeof(action));
	action.sa_handler = on_stop_signal;
	sigemptyset(&action.sa_mask);
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGTERM, &action, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int sim_run(const struct sim_options *options)
{
	struct sim sim;
	memset(&sim, 0, sizeof(sim));
	sim.options = options;
	sim.heartbeat_interval = options->heartbeat_interval;
	sim.run_ends = SIM_NEVER;
	sim.operator_refresh_due = SIM_NEVER;
	sim_state_init(&sim.state);
	schedule_init(&sim.schedule);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("sim: cannot initialise libcurl");
		return 1;
	}
	unsigned long open_files = raise_file_limit();
	install_signal_handlers();
	int status = 1;
	if (prepare_fleet(&sim) == 0) {
		sim.http = http_client_new(options->url, connection_limit(options, sim.camera_count, open_files));
		if (sim.http == NULL)
			sim_fail(&sim, "cannot set up the HTTP client (libcurl)");
		else
			loop(&sim);
		if (sim.state_dirty)
			save_state(&sim);
		if (sim.phase == SIM_FAILED) {
			log_error("sim: failed: %s", sim.failure);
		} else {
			print_status(&sim);
			status = 0;
		}
	}
	release(&sim);
	curl_global_cleanup();
	return status;
}
