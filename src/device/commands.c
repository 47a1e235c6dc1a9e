/* Commands for cameras and the long-poll that hands them out: each camera has a small queue of
 * commands not yet handed out and at most one waiting long-poll. A command is handed out once:
 * to the waiting poll when it is queued, else to the next poll. */
#include <string.h>

#include "device/hub_internal.h"
#include "util/timeutil.h"

/* Moves the camera's pending commands into answer (emptying the queue), leaving out the expired. */
static void take_pending(struct hub_camera *camera, struct device_commands *answer)
{
	uint64_t now = time_monotonic_nanos();
	answer->count = 0;
	for (size_t i = 0; i < camera->pending.count; i++) {
		const struct device_command *command = &camera->pending.items[i];
		if (command->expires_ns == 0 || command->expires_ns > now)
			answer->items[answer->count++] = *command;
	}
	camera->pending.count = 0;
}

void hub_commands_expire(struct device_hub *hub, struct hub_wait *wait)
{
	if (wait->camera->poll == wait)
		wait->camera->poll = NULL;
	wait->commands.count = 0;
	wait->commands.closing = hub->closing;
	hub_wait_finish(hub, wait);
}

bool hub_commands_push(struct device_hub *hub, struct hub_camera *camera, const struct device_command *command)
{
	if (camera->pending.count >= DEVICE_COMMANDS_MAX)
		return false;
	camera->pending.items[camera->pending.count++] = *command;
	struct hub_wait *poll = camera->poll;
	if (poll != NULL) {
		camera->poll = NULL;
		take_pending(camera, &poll->commands);
		hub_wait_finish(hub, poll);
	}
	return true;
}

void hub_commands_withdraw(struct hub_camera *camera, const char *command_id)
{
	struct device_commands *pending = &camera->pending;
	for (size_t i = 0; i < pending->count; i++) {
		if (strcmp(pending->items[i].id, command_id) != 0)
			continue;
		memmove(&pending->items[i], &pending->items[i + 1],
		        (pending->count - i - 1) * sizeof(pending->items[0]));
		pending->count--;
		return;
	}
}

void hub_commands_withdraw_type(struct hub_camera *camera, const char *type)
{
	struct device_commands *pending = &camera->pending;
	size_t kept = 0;
	for (size_t i = 0; i < pending->count; i++)
		if (strcmp(pending->items[i].type, type) != 0)
			pending->items[kept++] = pending->items[i];
	pending->count = kept;
}

bool hub_commands_has_type(const struct hub_camera *camera, const char *type)
{
	for (size_t i = 0; i < camera->pending.count; i++)
		if (strcmp(camera->pending.items[i].type, type) == 0)
			return true;
	return false;
}

enum device_wait device_hub_poll_commands(struct device_hub *hub, struct http_request *request, const char *camera_id,
                                          unsigned wait_seconds, http_resume_fn resume, struct device_commands *now)
{
	memset(now, 0, sizeof(*now));
	struct hub_wait *wait = wait_seconds > 0 ? arena_alloc(&request->arena, sizeof(*wait)) : NULL;
	if (wait_seconds > 0 && wait == NULL)
		return DEVICE_FAILED;
	pthread_mutex_lock(&hub->lock);
	struct hub_camera *camera = camera_table_get(&hub->cameras, camera_id);
	if (camera == NULL) {
		pthread_mutex_unlock(&hub->lock);
		return DEVICE_FAILED;
	}
	take_pending(camera, now);
	if (now->count > 0 || wait_seconds == 0 || hub->closing) {
		now->closing = hub->closing;
		pthread_mutex_unlock(&hub->lock);
		return DEVICE_ANSWER_NOW;
	}
	if (camera->poll != NULL) /* only one long-poll per camera: the older one answers first */
		hub_commands_expire(hub, camera->poll);
	if (hub_wait_start(hub, wait, HUB_WAIT_COMMANDS, request, camera, wait_seconds) != 0) {
		pthread_mutex_unlock(&hub->lock);
		return DEVICE_FAILED;
	}
	camera->poll = wait;
	http_request_suspend(request, resume, &wait->commands);
	pthread_mutex_unlock(&hub->lock);
	return DEVICE_SUSPENDED;
}
