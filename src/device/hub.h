/* The device hub: the in-memory coordination of the device link, one per `camfleet serve`.
 * It holds requests that wait without a thread (suspended): heartbeats until their batch is
 * durable, command long-polls until a command or their deadline, frame requests until the
 * camera uploads a frame or their deadline. It also caches, for a short time, what the device
 * endpoints check on every request (the camera's credentials). The database stays the source of
 * truth: nothing here survives a restart, and nothing here needs to.
 *
 * Suspend/resume protocol: every function that suspends a request does so under the hub's (or
 * the batch's) lock, before anything that could resume it can see it; the hub resumes each
 * suspended request exactly once, after writing the outcome its continuation reads, and never
 * touches it afterwards. device_hub_quiesce() resumes every waiting request, so that the HTTP
 * server can then drain and stop. */
#ifndef CAMFLEET_DEVICE_HUB_H
#define CAMFLEET_DEVICE_HUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "device/frame_answer.h"
#include "device/heartbeat_batch.h"
#include "http/request.h"
#include "store/store.h"

struct device_hub;

#define DEVICE_COMMANDS_MAX          4
#define DEVICE_COMMAND_CAPTURE_FRAME "capture-frame"

struct device_command {
	char id[UUID_BUFFER_SIZE];
	const char *type;     /* static text, e.g. DEVICE_COMMAND_CAPTURE_FRAME */
	int64_t requested_at; /* epoch seconds */
	uint64_t expires_ns;  /* monotonic; 0: until withdrawn. An expired command is not handed out */
};

/* What a command long-poll answers. */
struct device_commands {
	size_t count;
	struct device_command items[DEVICE_COMMANDS_MAX];
	bool closing; /* the server is shutting down: the answer should close the connection */
};

/* What a frame request that waited answers. */
struct device_frame_wait {
	struct device_frame *frame; /* one reference for the answer; NULL: no frame came in time */
	bool closing;
};

/* Outcome of a call that may suspend the request. */
enum device_wait {
	DEVICE_ANSWER_NOW, /* nothing suspended: the caller answers at once */
	DEVICE_SUSPENDED,  /* suspended: the continuation will answer; the handler returns MHD_YES */
	DEVICE_FAILED      /* nothing suspended: out of memory or stopping; the caller answers 5xx */
};

/* Creates the hub and starts its threads (heartbeat flusher, deadline timer); NULL (logged) on
 * failure. app must outlive the hub. */
struct device_hub *device_hub_new(struct app *app);
/* Answers every waiting request now (long-polls with no commands, frame waits with none) and
 * waits until the heartbeats queued so far are written and answered. From then on the hub
 * suspends nothing: long-polls and frame requests are answered without waiting, and heartbeats
 * are written by their handlers (device_hub_heartbeat answers DEVICE_ANSWER_NOW). Call after the
 * HTTP server stopped accepting connections and before it drains and stops. */
void device_hub_quiesce(struct device_hub *hub);
/* True once device_hub_quiesce was called: answers should close their connections. */
bool device_hub_closing(struct device_hub *hub);
/* Stops the threads (after a last flush) and frees the hub; call after the HTTP server stopped.
 * NULL is ignored. */
void device_hub_free(struct device_hub *hub);

/* The camera and its device credentials, from a cache kept at most a couple of seconds (and
 * dropped by device_hub_forget); a store error or STORE_NOT_FOUND otherwise. */
enum store_result device_hub_camera(struct device_hub *hub, const char *camera_id, struct device_camera *out)
    __attribute__((warn_unused_result));
/* Drops what the hub cached about the camera, here and on every other node: call after changing
 * its credentials or state. */
void device_hub_forget(struct device_hub *hub, const char *camera_id);

/* Queues beat for the next group commit and suspends request until it is durable; then resume
 * runs with request->resume_context pointing to a struct heartbeat_result (DEVICE_SUSPENDED).
 * DEVICE_ANSWER_NOW once the hub is quiesced: nothing suspended, the caller writes the heartbeat
 * itself. DEVICE_FAILED: out of memory. */
enum device_wait device_hub_heartbeat(struct device_hub *hub, struct http_request *request,
                                      const struct heartbeat *beat, http_resume_fn resume);

/* A command long-poll of camera_id. Pending commands, a wait of 0 or a closing hub: the
 * commands (possibly none) go to *now (DEVICE_ANSWER_NOW); they are handed out only this once.
 * Otherwise suspends request for up to wait_seconds; resume then runs with
 * request->resume_context pointing to a struct device_commands. A newer poll for the same camera
 * ends the older one at once, with no commands. */
enum device_wait device_hub_poll_commands(struct device_hub *hub, struct http_request *request, const char *camera_id,
                                          unsigned wait_seconds, http_resume_fn resume, struct device_commands *now);

/* Why device_hub_await_frame suspended nothing: what a frame request's answer says. */
enum device_frame_refusal {
	DEVICE_FRAME_CAMERA_UNREACHABLE, /* DEVICE_ANSWER_NOW: not online, not polling, no capture under way */
	DEVICE_FRAME_WAIT_DISABLED,      /* DEVICE_ANSWER_NOW: wait_seconds is 0 */
	DEVICE_FRAME_CLOSING,            /* DEVICE_ANSWER_NOW: the hub is shutting down */
	DEVICE_FRAME_QUEUE_FULL,         /* DEVICE_FAILED: the camera's command queue is full */
	DEVICE_FRAME_NO_MEMORY,          /* DEVICE_FAILED */
};

/* A frame request for camera_id that found no fresh frame: joins the camera's capture or starts
 * one (queueing a capture-frame command, handed to its long-poll at once when one waits) and
 * suspends request for up to wait_seconds; resume then runs with request->resume_context
 * pointing to a struct device_frame_wait. DEVICE_ANSWER_NOW (no frame to be had) when the hub is
 * closing, when wait_seconds is 0, or when the camera is neither online nor polling and no capture
 * is under way; that reason, or DEVICE_FAILED's, goes to *refusal. */
enum device_wait device_hub_await_frame(struct device_hub *hub, struct http_request *request, const char *camera_id,
                                        bool camera_online, unsigned wait_seconds, http_resume_fn resume,
                                        enum device_frame_refusal *refusal);

/* A frame of camera_id was stored: every request waiting for one gets its own reference to
 * frame (the caller keeps its own), the capture ends, and the other nodes are told. */
void device_hub_frame_arrived(struct device_hub *hub, const char *camera_id, struct device_frame *frame);

#endif
