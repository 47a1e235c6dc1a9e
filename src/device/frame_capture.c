/* On-demand frame capture: frame requests that found no fresh frame wait for the camera's next
 * upload. One capture per camera at a time: the first waiter queues a capture-frame command,
 * later ones join; the upload answers them all; a waiter whose deadline passes gets nothing, and
 * the capture ends with its last waiter (withdrawing its command if not handed out yet).
 * Across nodes, a capture started here is announced to the other nodes (the camera's long-poll
 * may wait on one of them) and a frame stored anywhere answers the waiters of every node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/hub_internal.h"
#include "util/log.h"
#include "util/timeutil.h"

static void unlink_waiter(struct hub_capture *capture, struct hub_wait *wait)
{
	if (wait->previous != NULL)
		wait->previous->next = wait->next;
	else
		capture->waiters = wait->next;
	if (wait->next != NULL)
		wait->next->previous = wait->previous;
	wait->previous = wait->next = NULL;
}

/* The capture has no waiters left: it ends, and its command goes if nobody took it yet. */
static void end_capture(struct hub_camera *camera)
{
	hub_commands_withdraw(camera, camera->capture.command_id);
	camera->capture.active = false;
	camera->capture.command_id[0] = '\0';
}

void hub_frame_expire(struct device_hub *hub, struct hub_wait *wait)
{
	struct hub_camera *camera = wait->camera;
	unlink_waiter(&camera->capture, wait);
	if (camera->capture.waiters == NULL)
		end_capture(camera);
	wait->frame.frame = NULL;
	wait->frame.closing = hub->closing;
	hub_wait_finish(hub, wait);
}

/* Starts the camera's capture with a fresh command id; false when its command queue is full. */
static bool start_capture(struct device_hub *hub, struct hub_camera *camera, const char *command_id)
{
	struct device_command command;
	memcpy(command.id, command_id, sizeof(command.id));
	command.type = DEVICE_COMMAND_CAPTURE_FRAME;
	command.requested_at = time_now_seconds();
	command.expires_ns = 0;
	memcpy(camera->capture.command_id, command_id, sizeof(camera->capture.command_id));
	camera->capture.active = true;
	hub_commands_withdraw_type(camera, DEVICE_COMMAND_CAPTURE_FRAME); /* one relayed from another node */
	if (hub_commands_push(hub, camera, &command))
		return true;
	camera->capture.active = false;
	return false;
}

enum device_wait device_hub_await_frame(struct device_hub *hub, struct http_request *request, const char *camera_id,
                                        bool camera_online, unsigned wait_seconds, http_resume_fn resume,
                                        enum device_frame_refusal *refusal)
{
	struct hub_wait *wait = arena_alloc(&request->arena, sizeof(*wait));
	char command_id[UUID_BUFFER_SIZE];
	bool announce = false;
	*refusal = DEVICE_FRAME_NO_MEMORY;
	if (wait == NULL || uuid_generate_text(command_id) != 0)
		return DEVICE_FAILED;
	pthread_mutex_lock(&hub->lock);
	struct hub_camera *camera = camera_table_get(&hub->cameras, camera_id);
	enum device_wait outcome = DEVICE_FAILED;
	if (camera == NULL)
		goto done;
	outcome = DEVICE_ANSWER_NOW; /* nobody would take the command in time: */
	if (hub->closing) {
		*refusal = DEVICE_FRAME_CLOSING;
		goto done;
	}
	if (wait_seconds == 0) {
		*refusal = DEVICE_FRAME_WAIT_DISABLED;
		goto done;
	}
	if (!camera->capture.active && !camera_online && camera->poll == NULL) {
		*refusal = DEVICE_FRAME_CAMERA_UNREACHABLE;
		goto done;
	}
	outcome = DEVICE_FAILED;
	bool starting = !camera->capture.active;
	if (starting && !start_capture(hub, camera, command_id)) {
		log_error("device: the command queue of camera %s is full", camera_id);
		*refusal = DEVICE_FRAME_QUEUE_FULL;
		goto done;
	}
	if (hub_wait_start(hub, wait, HUB_WAIT_FRAME, request, camera, wait_seconds) != 0) {
		if (camera->capture.waiters == NULL)
			end_capture(camera);
		goto done;
	}
	announce = starting;
	wait->next = camera->capture.waiters;
	if (wait->next != NULL)
		wait->next->previous = wait;
	camera->capture.waiters = wait;
	http_request_suspend(request, resume, &wait->frame);
	outcome = DEVICE_SUSPENDED;
done:
	pthread_mutex_unlock(&hub->lock);
	if (announce) /* the request is suspended: only its own data on this stack is used */
		hub_relay_publish_capture(hub, camera_id, command_id, wait_seconds);
	return outcome;
}

/* Answers every request waiting here for a frame of the camera with frame, and withdraws the
 * capture commands not handed out yet (any frame satisfies them). Called with hub->lock held. */
static void frame_arrived_locked(struct device_hub *hub, const char *camera_id, struct device_frame *frame)
{
	struct hub_camera *camera = camera_table_find(&hub->cameras, camera_id);
	if (camera == NULL)
		return;
	hub_commands_withdraw_type(camera, DEVICE_COMMAND_CAPTURE_FRAME);
	if (!camera->capture.active)
		return;
	struct hub_wait *wait = camera->capture.waiters;
	camera->capture.waiters = NULL;
	end_capture(camera);
	while (wait != NULL) {
		struct hub_wait *next = wait->next;
		wait->previous = wait->next = NULL;
		wait->frame.frame = device_frame_ref(frame);
		wait->frame.closing = hub->closing;
		hub_wait_finish(hub, wait);
		wait = next;
	}
}

void device_hub_frame_arrived(struct device_hub *hub, const char *camera_id, struct device_frame *frame)
{
	pthread_mutex_lock(&hub->lock);
	frame_arrived_locked(hub, camera_id, frame);
	pthread_mutex_unlock(&hub->lock);
	hub_relay_publish_frame(hub, camera_id);
}

void hub_remote_capture(struct device_hub *hub, const char *camera_id, const char *command_id, unsigned wait_seconds)
{
	struct device_command command;
	snprintf(command.id, sizeof(command.id), "%s", command_id);
	command.type = DEVICE_COMMAND_CAPTURE_FRAME;
	command.requested_at = time_now_seconds();
	command.expires_ns = time_monotonic_nanos() + (uint64_t)wait_seconds * 1000000000ull;
	pthread_mutex_lock(&hub->lock);
	struct hub_camera *camera = camera_table_get(&hub->cameras, camera_id);
	if (camera == NULL)
		log_error("device: no memory to relay a capture of camera %s", camera_id);
	else if (!camera->capture.active && !hub_commands_has_type(camera, DEVICE_COMMAND_CAPTURE_FRAME) &&
	         !hub_commands_push(hub, camera, &command))
		log_error("device: the command queue of camera %s is full", camera_id);
	pthread_mutex_unlock(&hub->lock);
}

void hub_remote_frame(struct device_hub *hub, const char *camera_id)
{
	pthread_mutex_lock(&hub->lock);
	struct hub_camera *camera = camera_table_find(&hub->cameras, camera_id);
	bool waited_for = camera != NULL && camera->capture.active;
	if (camera != NULL)
		hub_commands_withdraw_type(camera, DEVICE_COMMAND_CAPTURE_FRAME);
	pthread_mutex_unlock(&hub->lock);
	if (!waited_for)
		return;

	struct store *store = hub->app->store;
	unsigned char *jpeg = NULL;
	size_t length = 0;
	int64_t taken_at = 0;
	enum store_result result = store->ops->frame_latest(store, camera_id, &jpeg, &length, &taken_at);
	if (result != STORE_OK) {
		log_error("device: the frame another node stored for camera %s cannot be read (%d)", camera_id,
		          (int)result);
		return; /* the waiters' deadline answers them */
	}
	struct device_frame *frame = device_frame_new(jpeg, length, taken_at);
	free(jpeg);
	if (frame == NULL) {
		log_error("device: no memory for the frame of camera %s", camera_id);
		return;
	}
	pthread_mutex_lock(&hub->lock);
	frame_arrived_locked(hub, camera_id, frame);
	pthread_mutex_unlock(&hub->lock);
	device_frame_release(frame);
}
