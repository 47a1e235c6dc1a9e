/* Private to src/device/: the hub's state and the steps its files (hub.c, camera_table.c,
 * commands.c, frame_capture.c) share. Everything here is guarded by hub->lock unless said
 * otherwise. */
#ifndef CAMFLEET_DEVICE_HUB_INTERNAL_H
#define CAMFLEET_DEVICE_HUB_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/deadline_heap.h"
#include "device/hub.h"

enum hub_wait_kind { HUB_WAIT_COMMANDS, HUB_WAIT_FRAME };

struct hub_camera;

/* One suspended request, allocated in its request's arena: valid until the hub resumes it. */
struct hub_wait {
	struct deadline_entry deadline; /* first member: a deadline entry is its wait */
	enum hub_wait_kind kind;
	struct http_request *request;
	struct hub_camera *camera;
	struct hub_wait *previous, *next; /* HUB_WAIT_FRAME: the capture's list of waiters */
	struct device_commands commands;  /* HUB_WAIT_COMMANDS: the answer (resume context) */
	struct device_frame_wait frame;   /* HUB_WAIT_FRAME: the answer (resume context) */
};

/* The camera's capture under way: frame requests wait for its next uploaded frame. */
struct hub_capture {
	bool active;
	char command_id[UUID_BUFFER_SIZE]; /* the capture-frame command it queued */
	struct hub_wait *waiters;          /* doubly linked */
};

/* What the hub knows of one camera. Entries live as long as the hub (one per camera that used
 * the device link or was asked for a frame; bounded by the fleet). */
struct hub_camera {
	char id[UUID_BUFFER_SIZE];
	uint64_t hash;
	struct hub_camera *next_in_bucket;
	bool cached;              /* device holds the credential check's last answer */
	uint64_t cached_until_ns; /* monotonic */
	struct device_camera device;
	struct device_commands pending; /* commands not handed out yet */
	struct hub_wait *poll;          /* the camera's waiting long-poll, if any */
	struct hub_capture capture;
};

struct camera_table {
	struct hub_camera **buckets;
	size_t bucket_count; /* a power of two */
	size_t count;
};

struct device_hub {
	struct app *app;
	pthread_mutex_t lock;
	pthread_cond_t timer_wake; /* the timer waits here (CLOCK_MONOTONIC) for an earlier deadline or stop */
	struct camera_table cameras;
	struct deadline_heap deadlines;
	uint64_t forgets;    /* device_hub_forget calls so far: a cache fill racing one is not kept */
	atomic_bool closing; /* quiesced: waits are answered at once (read without the lock too) */
	bool stopping;       /* the timer thread is to exit */
	bool timer_started;
	bool relay_started; /* subscribed to the other nodes' messages */
	pthread_t timer;
	struct heartbeat_batch *heartbeats; /* has its own lock */
};

/* camera_table.c: the map camera id → entry. */
int camera_table_init(struct camera_table *table) __attribute__((warn_unused_result));
/* Frees every entry and the table. */
void camera_table_release(struct camera_table *table);
/* The entry of camera id, or NULL. */
struct hub_camera *camera_table_find(struct camera_table *table, const char *id);
/* The entry of camera id, created when missing; NULL when memory is exhausted. */
struct hub_camera *camera_table_get(struct camera_table *table, const char *id);

/* hub.c: fills a wait of kind for request and queues its deadline wait_seconds from now (waking
 * the timer when it is the earliest); -1 when memory is exhausted (nothing queued). */
int hub_wait_start(struct device_hub *hub, struct hub_wait *wait, enum hub_wait_kind kind, struct http_request *request,
                   struct hub_camera *camera, unsigned wait_seconds) __attribute__((warn_unused_result));
/* Ends a wait whose answer is written and which is unlinked from its camera: takes its
 * deadline off the heap and resumes its request (not to be touched again). */
void hub_wait_finish(struct device_hub *hub, struct hub_wait *wait);

/* commands.c: ends a long-poll with no commands (deadline passed, or closing). */
void hub_commands_expire(struct device_hub *hub, struct hub_wait *wait);
/* commands.c: queues a command for the camera, handing it to its long-poll when one waits;
 * false when the camera's queue is full. */
bool hub_commands_push(struct device_hub *hub, struct hub_camera *camera, const struct device_command *command);
/* commands.c: withdraws a command not handed out yet (a no-op once handed out). */
void hub_commands_withdraw(struct hub_camera *camera, const char *command_id);
/* commands.c: withdraws every command of type not handed out yet. */
void hub_commands_withdraw_type(struct hub_camera *camera, const char *type);
/* commands.c: whether a command of type waits to be handed out. */
bool hub_commands_has_type(const struct hub_camera *camera, const char *type);

/* frame_capture.c: ends a frame wait with no frame (deadline passed, or closing). */
void hub_frame_expire(struct device_hub *hub, struct hub_wait *wait);
/* frame_capture.c: another node started a capture of camera_id with command command_id, for
 * wait_seconds: queue the command here too (handed to the camera's long-poll if it waits here),
 * unless one is queued already. */
void hub_remote_capture(struct device_hub *hub, const char *camera_id, const char *command_id, unsigned wait_seconds);
/* frame_capture.c: another node stored a frame of camera_id: the capture commands queued here
 * are done, and the requests waiting here are answered with the frame read from the store. */
void hub_remote_frame(struct device_hub *hub, const char *camera_id);
/* hub.c: drops the cached credential check of camera_id on this node only. */
void hub_forget_local(struct device_hub *hub, const char *camera_id);

/* hub_relay.c: the cross-node messages. publish_* tell the other nodes (logged on failure; call
 * without hub->lock); start makes the hub listen for the others' messages on app->bus (its
 * prefixes), stop removes it (before the hub is freed). */
void hub_relay_publish_capture(struct device_hub *hub, const char *camera_id, const char *command_id,
                               unsigned wait_seconds);
void hub_relay_publish_frame(struct device_hub *hub, const char *camera_id);
void hub_relay_publish_forget(struct device_hub *hub, const char *camera_id);
int hub_relay_start(struct device_hub *hub) __attribute__((warn_unused_result));
void hub_relay_stop(struct device_hub *hub);

#endif
