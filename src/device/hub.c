/* The device hub's frame: creation and shutdown, the timer thread that ends waits at their
 * deadline, the start and end of every wait, and the short-lived cache of the credential check.
 * Long-polls live in commands.c, frame captures in frame_capture.c, heartbeats in
 * heartbeat_batch.c. */
#include "device/hub_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"
#include "util/monotonic_cond.h"
#include "util/thread_name.h"
#include "util/timeutil.h"

#define CACHE_TTL_NS (2ull * 1000 * 1000 * 1000) /* the credential check is cached this long */

/* --- waits and the timer ---------------------------------------------------------------------- */

int hub_wait_start(struct device_hub *hub, struct hub_wait *wait, enum hub_wait_kind kind, struct http_request *request,
                   struct hub_camera *camera, unsigned wait_seconds)
{
	memset(wait, 0, sizeof(*wait));
	wait->kind = kind;
	wait->request = request;
	wait->camera = camera;
	wait->deadline.index = DEADLINE_NOT_QUEUED;
	wait->deadline.at_ns = time_monotonic_nanos() + (uint64_t)wait_seconds * 1000000000ull;
	if (deadline_heap_push(&hub->deadlines, &wait->deadline) != 0)
		return -1;
	if (wait->deadline.index == 0)
		pthread_cond_signal(&hub->timer_wake);
	return 0;
}

void hub_wait_finish(struct device_hub *hub, struct hub_wait *wait)
{
	deadline_heap_remove(&hub->deadlines, &wait->deadline);
	http_request_resume(wait->request);
}

/* Ends a wait early or at its deadline, with nothing to give. */
static void expire(struct device_hub *hub, struct hub_wait *wait)
{
	if (wait->kind == HUB_WAIT_COMMANDS)
		hub_commands_expire(hub, wait);
	else
		hub_frame_expire(hub, wait);
}

static struct timespec monotonic_timespec(uint64_t nanos)
{
	struct timespec at = {(time_t)(nanos / 1000000000ull), (long)(nanos % 1000000000ull)};
	return at;
}

static void *timer_main(void *argument)
{
	thread_name_set("device-timer");
	struct device_hub *hub = argument;
	pthread_mutex_lock(&hub->lock);
	while (!hub->stopping) {
		struct deadline_entry *first = deadline_heap_first(&hub->deadlines);
		if (first == NULL) {
			pthread_cond_wait(&hub->timer_wake, &hub->lock);
			continue;
		}
		if (first->at_ns <= time_monotonic_nanos()) {
			expire(hub, (struct hub_wait *)first);
			continue;
		}
		struct timespec until = monotonic_timespec(first->at_ns);
		int rc = pthread_cond_timedwait(&hub->timer_wake, &hub->lock, &until);
		if (rc != 0 && rc != ETIMEDOUT)
			log_error("device: the timer's wait failed (%d)", rc);
	}
	pthread_mutex_unlock(&hub->lock);
	return NULL;
}

/* --- life cycle ------------------------------------------------------------------------------- */

static int init_sync(struct device_hub *hub)
{
	if (monotonic_cond_init(&hub->timer_wake) != 0)
		return -1;
	if (pthread_mutex_init(&hub->lock, NULL) != 0) {
		pthread_cond_destroy(&hub->timer_wake);
		return -1;
	}
	return 0;
}

struct device_hub *device_hub_new(struct app *app)
{
	struct device_hub *hub = calloc(1, sizeof(*hub));
	if (hub == NULL)
		return NULL;
	hub->app = app;
	deadline_heap_init(&hub->deadlines);
	atomic_init(&hub->closing, false);
	if (init_sync(hub) != 0) {
		free(hub);
		log_error("device: cannot initialise the hub's lock");
		return NULL;
	}
	if (camera_table_init(&hub->cameras) != 0 || (hub->heartbeats = heartbeat_batch_start(app->store)) == NULL) {
		device_hub_free(hub);
		return NULL;
	}
	if (pthread_create(&hub->timer, NULL, timer_main, hub) != 0) {
		log_error("device: cannot start the hub's timer thread");
		device_hub_free(hub);
		return NULL;
	}
	hub->timer_started = true;
	if (hub_relay_start(hub) != 0) {
		device_hub_free(hub);
		return NULL;
	}
	hub->relay_started = true;
	return hub;
}

void device_hub_quiesce(struct device_hub *hub)
{
	if (hub == NULL)
		return;
	pthread_mutex_lock(&hub->lock);
	hub->closing = true;
	size_t ended = deadline_heap_count(&hub->deadlines);
	struct deadline_entry *first;
	while ((first = deadline_heap_first(&hub->deadlines)) != NULL)
		expire(hub, (struct hub_wait *)first);
	pthread_mutex_unlock(&hub->lock);
	if (ended > 0)
		log_info("device: answered %zu waiting long-polls and frame requests", ended);
	heartbeat_batch_close(hub->heartbeats);
}

bool device_hub_closing(struct device_hub *hub)
{
	return atomic_load(&hub->closing);
}

void device_hub_free(struct device_hub *hub)
{
	if (hub == NULL)
		return;
	if (hub->relay_started)
		hub_relay_stop(hub); /* no message reaches the hub from here on */
	if (hub->timer_started) {
		pthread_mutex_lock(&hub->lock);
		hub->stopping = true;
		pthread_cond_signal(&hub->timer_wake);
		pthread_mutex_unlock(&hub->lock);
		pthread_join(hub->timer, NULL);
	}
	heartbeat_batch_stop(hub->heartbeats);
	if (deadline_heap_count(&hub->deadlines) > 0)
		log_error("device: %zu requests still waiting at stop", deadline_heap_count(&hub->deadlines));
	camera_table_release(&hub->cameras);
	deadline_heap_release(&hub->deadlines);
	pthread_cond_destroy(&hub->timer_wake);
	pthread_mutex_destroy(&hub->lock);
	free(hub);
}

/* --- the credential check's cache --------------------------------------------------------------- */

enum store_result device_hub_camera(struct device_hub *hub, const char *camera_id, struct device_camera *out)
{
	uint64_t now = time_monotonic_nanos();
	pthread_mutex_lock(&hub->lock);
	struct hub_camera *camera = camera_table_find(&hub->cameras, camera_id);
	if (camera != NULL && camera->cached && now < camera->cached_until_ns) {
		*out = camera->device;
		pthread_mutex_unlock(&hub->lock);
		return STORE_OK;
	}
	uint64_t forgets = hub->forgets;
	pthread_mutex_unlock(&hub->lock);

	struct store *store = hub->app->store;
	enum store_result result = store->ops->device_camera_get(store, camera_id, out);
	if (result != STORE_OK)
		return result;
	pthread_mutex_lock(&hub->lock);
	if (hub->forgets == forgets) { /* else a change raced this read: do not keep it */
		camera = camera_table_get(&hub->cameras, camera_id);
		if (camera != NULL) {
			camera->device = *out;
			camera->cached = true;
			camera->cached_until_ns = now + CACHE_TTL_NS;
		}
	}
	pthread_mutex_unlock(&hub->lock);
	return STORE_OK;
}

void hub_forget_local(struct device_hub *hub, const char *camera_id)
{
	pthread_mutex_lock(&hub->lock);
	hub->forgets++;
	struct hub_camera *camera = camera_table_find(&hub->cameras, camera_id);
	if (camera != NULL)
		camera->cached = false;
	pthread_mutex_unlock(&hub->lock);
}

void device_hub_forget(struct device_hub *hub, const char *camera_id)
{
	hub_forget_local(hub, camera_id);
	hub_relay_publish_forget(hub, camera_id);
}

/* --- heartbeats --------------------------------------------------------------------------------- */

enum device_wait device_hub_heartbeat(struct device_hub *hub, struct http_request *request,
                                      const struct heartbeat *beat, http_resume_fn resume)
{
	switch (heartbeat_batch_submit(hub->heartbeats, request, beat, resume)) {
	case HEARTBEAT_QUEUED: return DEVICE_SUSPENDED;
	case HEARTBEAT_CLOSED: return DEVICE_ANSWER_NOW;
	case HEARTBEAT_FAILED: break;
	}
	return DEVICE_FAILED;
}
