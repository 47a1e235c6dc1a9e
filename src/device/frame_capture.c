/* On-demand frame capture: frame requests that found no fresh frame wait for the camera's next
 * upload. One capture per camera at a time: the first waiter queues a capture-frame command,
 * later ones join; the upload answers them all; a waiter whose deadline passes gets nothing, and
 * the capture ends with its last waiter (withdrawing its command if not handed out yet). */
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
	memcpy(camera->capture.command_id, command_id, sizeof(camera->capture.command_id));
	camera->capture.active = true;
	if (hub_commands_push(hub, camera, &command))
		return true;
	camera->capture.active = false;
	return false;
}

enum device_wait device_hub_await_frame(struct device_hub *hub, struct http_request *request, const char *camera_id,
					bool camera_online, unsigned wait_seconds, http_resume_fn resume)
{
	struct hub_wait *wait = arena_alloc(&request->arena, sizeof(*wait));
	char command_id[UUID_BUFFER_SIZE];
	if (wait == NULL || uuid_generate_text(command_id) != 0)
		return DEVICE_FAILED;
	pthread_mutex_lock(&hub->lock);
	struct hub_camera *camera = camera_table_get(&hub->cameras, camera_id);
	enum device_wait outcome = DEVICE_FAILED;
	if (camera == NULL)
		goto done;
	outcome = DEVICE_ANSWER_NOW;
	if (hub->closing || wait_seconds == 0 || (!camera->capture.active && !camera_online && camera->poll == NULL))
		goto done; /* nobody would take the command in time */
	outcome = DEVICE_FAILED;
	if (!camera->capture.active && !start_capture(hub, camera, command_id)) {
		log_error("device: the command queue of camera %s is full", camera_id);
		goto done;
	}
	if (hub_wait_start(hub, wait, HUB_WAIT_FRAME, request, camera, wait_seconds) != 0) {
		if (camera->capture.waiters == NULL)
			end_capture(camera);
		goto done;
	}
	wait->next = camera->capture.waiters;
	if (wait->next != NULL)
		wait->next->previous = wait;
	camera->capture.waiters = wait;
	http_request_suspend(request, resume, &wait->frame);
	outcome = DEVICE_SUSPENDED;
done:
	pthread_mutex_unlock(&hub->lock);
	return outcome;
}

void device_hub_frame_arrived(struct device_hub *hub, const char *camera_id, struct device_frame *frame)
{
	pthread_mutex_lock(&hub->lock);
	struct hub_camera *camera = camera_table_find(&hub->cameras, camera_id);
	if (camera != NULL && camera->capture.active) {
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
	pthread_mutex_unlock(&hub->lock);
}
