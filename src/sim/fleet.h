/* Internal to src/sim: the simulator's shared state (struct sim), one simulated camera
 * (struct sim_camera) and the calls between the setup steps (setup.c), a running camera
 * (camera.c) and the event loop (sim.c). Everything runs on one thread. */
#ifndef CAMFLEET_SIM_FLEET_H
#define CAMFLEET_SIM_FLEET_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "sim/http_client.h"
#include "sim/image.h"
#include "sim/metrics.h"
#include "sim/options.h"
#include "sim/schedule.h"
#include "sim/state_file.h"

#define SIM_NEVER INT64_MAX

/* Where a camera is. Setup goes CHECK (known cameras) or REGISTER (new ones) ... TOKEN, READY;
 * the whole fleet then runs; a stop sends each running camera's last heartbeat. */
enum camera_phase {
	CAMERA_WAITING,        /* setup not started yet */
	CAMERA_CHECK,          /* GET /cameras/{id}: does the server know it, and where is it */
	CAMERA_REGISTER,       /* POST /register-camera-requests */
	CAMERA_REGISTER_POLL,  /* GET /register-camera-requests/{id} until it is final */
	CAMERA_CLAIM,          /* POST /cameras to --site */
	CAMERA_CLAIM_CHECK,    /* the claim said 409: is it ours at this site already */
	CAMERA_MOVE,           /* POST /cameras/{id}/move to --site */
	CAMERA_CREDENTIALS,    /* POST /cameras/{id}/device-credentials */
	CAMERA_TOKEN,          /* POST /oauth/token as the device */
	CAMERA_READY,          /* set up, waiting for the rest of the fleet */
	CAMERA_RUNNING,        /* heartbeats, uploads, commands */
	CAMERA_STOPPED,        /* its credentials were refused while running; it sits out */
	CAMERA_LAST_HEARTBEAT, /* stopping: its "shutting_down" heartbeat is due or on its way */
	CAMERA_DONE,
};

enum sim_phase { SIM_OPERATOR_TOKEN, SIM_SETUP, SIM_RUNNING, SIM_STOPPING, SIM_DONE, SIM_FAILED };

struct sim;

struct sim_camera {
	struct sim *sim;
	struct sim_state_camera *record; /* id, serial, name, device secret: kept in the state file */
	uint32_t index;
	enum camera_phase phase;
	bool known_before;       /* it came from the state file */
	bool credentials_issued; /* its device secret was issued during this run */
	uint64_t seed;           /* varies its metrics and its picture */

	/* setup */
	int64_t setup_due;       /* when the current setup step may be sent */
	unsigned setup_attempts; /* transient failures of the current step */
	unsigned register_polls;
	char register_request_id[UUID_BUFFER_SIZE];
	struct http_call *setup_call;

	/* device token (setup and running) */
	char *token; /* malloc'd; NULL before the first */
	int64_t token_refresh_due;
	struct http_call *token_call;

	/* running */
	bool paused; /* the server's desiredState */
	struct sim_metrics metrics;
	int64_t metrics_at; /* when the metrics were last advanced */
	int64_t heartbeat_due, heartbeat_sent_at, video_due, commands_due;
	unsigned commands_backoff;  /* seconds to wait after a failed poll */
	unsigned captures_wanted;   /* capture-frame commands not yet answered */
	uint64_t upload_bytes_sent; /* what the video report in flight says, to put back if it fails */
	double upload_seconds_sent;
	struct http_call *heartbeat_call, *video_call, *commands_call, *frame_call;

	/* --outage: the current or next outage (monotonic milliseconds; SIM_NEVER when none) */
	bool silent; /* in an outage now: it sends nothing */
	int64_t silent_since;
	int64_t outage_begins, outage_ends;

	/* the schedule (see schedule.h) */
	int64_t wake_at;
	uint32_t wake_generation;
};

struct sim_counters {
	uint64_t registered, claimed, credentials, tokens;
	uint64_t heartbeats_ok, heartbeats_failed, frames, uploads, upload_bytes, errors;
};

struct sim {
	const struct sim_options *options;
	struct http_client *http;
	struct sim_state state;
	struct sim_camera *cameras;
	uint32_t camera_count;
	struct schedule schedule;
	enum sim_phase phase;

	char *operator_token; /* malloc'd */
	int64_t operator_refresh_due;
	struct http_call *operator_call;

	uint32_t setup_next, setup_active, setup_ready;
	uint32_t stop_next, stop_active;
	int64_t run_started, run_ends, stop_deadline, next_status;
	double heartbeat_interval; /* seconds; may follow the server's hint */

	struct sim_counters counters;
	unsigned errors_printed;
	char last_error[320];
	char failure[640]; /* why setup failed (SIM_FAILED) */
	bool state_dirty;
	struct sim_image frame_scratch; /* reused for every frame */
};

/* Monotonic milliseconds. */
int64_t sim_now(void);
#define SIM_TOKEN_SECONDS_DEFAULT 3600  /* a token answer without a usable expires_in */
#define SIM_TOKEN_SECONDS_MAX     86400 /* a longer expires_in counts as a day */
/* Milliseconds from now until a token the server said lives expires_in seconds is refreshed:
 * three quarters of its lifetime, bounded (SIM_TOKEN_SECONDS_*) so that no answer, however
 * large or negative its expires_in, can overflow the deadline. */
int64_t sim_token_refresh_millis(json_int_t expires_in);
/* Recomputes the camera's next wake-up from its phase and due times and queues it. */
void sim_camera_schedule(struct sim_camera *camera);
/* Ends setup with a message (printed at exit, status 1). */
void sim_fail(struct sim *sim, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* Counts a failed request of a running camera and remembers (and at first prints) why. */
void sim_note_error(struct sim *sim, const struct sim_camera *camera, const char *what,
                    const struct http_result *result);
/* "HTTP 404: <message from the body>" or "connection failed: <reason>", into out. */
void sim_describe(const struct http_result *result, char *out, size_t out_size);
/* The response body as JSON (the caller decrefs), or NULL when it is not JSON. */
json_t *sim_response_json(const struct http_result *result);
/* Sends body (stolen: decref'd here) as JSON; NULL when the call could not be started. */
struct http_call *sim_send_json(struct sim *sim, const char *method, const char *path, const char *token, json_t *body,
                                http_done_fn done, void *context);

/* setup.c: starts the setup of a camera (CHECK or REGISTER). */
void setup_begin(struct sim_camera *camera, int64_t now);
/* setup.c: sends the current setup step when it is due. */
void setup_wake(struct sim_camera *camera, int64_t now);
/* setup.c: the answer to the device token request of setup's last step (got_token: the
 * camera holds its token now); READY, or credentials again, or failure. */
void setup_token_done(struct sim_camera *camera, const struct http_result *result, bool got_token);

/* camera.c: asks for a device token (setup's last step, and refreshes while running). */
void camera_fetch_token(struct sim_camera *camera);
/* camera.c: starts a set-up camera (its first heartbeat at a random moment of the interval). */
void camera_start(struct sim_camera *camera, int64_t now);
/* camera.c: sends whatever of the running camera is due. */
void camera_wake(struct sim_camera *camera, int64_t now);
/* camera.c: the next moment something of the camera is due (SIM_NEVER when nothing). */
int64_t camera_next_wake(const struct sim_camera *camera);
/* camera.c: true while the camera is in an --outage at now (it sends nothing, not even its
 * last heartbeat). */
bool camera_in_outage(const struct sim_camera *camera, int64_t now);
/* camera.c: cancels every call the camera has in flight. */
void camera_cancel_calls(struct sim_camera *camera);
/* camera.c: sends the last heartbeat ("shutting_down"); true when it went out, and then the
 * camera becomes DONE and sim->stop_active drops by one when it is answered. */
bool camera_send_last_heartbeat(struct sim_camera *camera);

#endif
