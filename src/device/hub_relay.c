/* The hub's part in a scale-out: the cross-node messages one node's hub sends the others through
 * the store (PostgreSQL LISTEN/NOTIFY; nothing on SQLite) and what it does with theirs:
 *   "capture <camera id> <command id> <seconds>"  a capture started: hand its command to the
 *                                                 camera's long-poll if it waits here
 *   "frame <camera id>"                           a frame was stored: answer the waiters here
 *   "forget <camera id>"                          credentials or state changed: drop the cache
 * Messages are best effort (see store.h): every wait they could end also has a deadline. The
 * hub listens for its three prefixes on the application's bus router (store/store_bus.h). */
#include <stdio.h>
#include <string.h>

#include "device/hub_internal.h"
#include "store/store_bus.h"
#include "util/log.h"

#define RELAY_SECONDS_MAX 3600 /* a relayed capture's wait, bounded when read */

static void publish(struct device_hub *hub, const char *message)
{
	struct store *store = hub->app->store;
	enum store_result result = store->messages->publish(store, message);
	if (result != STORE_OK)
		log_error("device: cannot tell the other nodes \"%s\" (%d)", message, (int)result);
}

void hub_relay_publish_capture(struct device_hub *hub, const char *camera_id, const char *command_id,
                               unsigned wait_seconds)
{
	char message[STORE_MESSAGE_MAX + 1];
	snprintf(message, sizeof(message), "capture %s %s %u", camera_id, command_id, wait_seconds);
	publish(hub, message);
}

void hub_relay_publish_frame(struct device_hub *hub, const char *camera_id)
{
	char message[STORE_MESSAGE_MAX + 1];
	snprintf(message, sizeof(message), "frame %s", camera_id);
	publish(hub, message);
}

void hub_relay_publish_forget(struct device_hub *hub, const char *camera_id)
{
	char message[STORE_MESSAGE_MAX + 1];
	snprintf(message, sizeof(message), "forget %s", camera_id);
	publish(hub, message);
}

/* Copies the next space-separated word of *text into out (a UUID buffer); false when it is
 * missing or is not a UUID. */
static bool next_uuid(const char **text, char out[UUID_BUFFER_SIZE])
{
	const char *start = *text;
	size_t length = strcspn(start, " ");
	if (length != UUID_TEXT_LENGTH)
		return false;
	memcpy(out, start, length);
	out[length] = '\0';
	*text = start[length] == ' ' ? start + length + 1 : start + length;
	return uuid_is_valid(out);
}

static void deliver(void *context, const char *message)
{
	struct device_hub *hub = context;
	char camera_id[UUID_BUFFER_SIZE], command_id[UUID_BUFFER_SIZE];
	const char *rest;
	if (strncmp(message, "capture ", 8) == 0) {
		rest = message + 8;
		unsigned seconds = 0;
		char tail;
		if (next_uuid(&rest, camera_id) && next_uuid(&rest, command_id) &&
		    sscanf(rest, "%u%c", &seconds, &tail) == 1 && seconds <= RELAY_SECONDS_MAX) {
			hub_remote_capture(hub, camera_id, command_id, seconds);
			return;
		}
	} else if (strncmp(message, "frame ", 6) == 0) {
		rest = message + 6;
		if (next_uuid(&rest, camera_id) && *rest == '\0') {
			hub_remote_frame(hub, camera_id);
			return;
		}
	} else if (strncmp(message, "forget ", 7) == 0) {
		rest = message + 7;
		if (next_uuid(&rest, camera_id) && *rest == '\0') {
			hub_forget_local(hub, camera_id);
			return;
		}
	}
	log_error("device: ignoring a malformed message from another node: %.80s", message);
}

int hub_relay_start(struct device_hub *hub)
{
	struct store_bus *bus = hub->app->bus;
	if (store_bus_listen(bus, "capture ", deliver, hub) != 0 ||
	    store_bus_listen(bus, "frame ", deliver, hub) != 0 || store_bus_listen(bus, "forget ", deliver, hub) != 0) {
		store_bus_unlisten(bus, hub);
		return -1;
	}
	return 0;
}

void hub_relay_stop(struct device_hub *hub)
{
	store_bus_unlisten(hub->app->bus, hub);
}
