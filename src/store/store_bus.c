/* The bus router: a small table of (prefix, listener) routes behind a read-write lock. Messages
 * are read under the read lock, so removing a route (write lock) waits for a delivery in progress. */
#include "store/store_bus.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define STORE_BUS_ROUTES     16
#define STORE_BUS_PREFIX_MAX 31

struct store_bus_route {
	char prefix[STORE_BUS_PREFIX_MAX + 1]; /* "" when the route is free */
	store_message_fn deliver;
	void *context;
};

struct store_bus {
	struct store *store;
	pthread_rwlock_t lock;
	struct store_bus_route routes[STORE_BUS_ROUTES];
	bool subscribed;
};

static void dispatch(void *context, const char *message)
{
	struct store_bus *bus = context;
	bool delivered = false;
	pthread_rwlock_rdlock(&bus->lock);
	for (int i = 0; i < STORE_BUS_ROUTES && !delivered; i++) {
		const struct store_bus_route *route = &bus->routes[i];
		if (route->prefix[0] != '\0' && strncmp(message, route->prefix, strlen(route->prefix)) == 0) {
			route->deliver(route->context, message);
			delivered = true;
		}
	}
	pthread_rwlock_unlock(&bus->lock);
	if (!delivered)
		log_warn("bus: ignoring a message nobody here listens for: %.80s", message);
}

struct store_bus *store_bus_new(struct store *store)
{
	struct store_bus *bus = calloc(1, sizeof(*bus));
	if (bus == NULL)
		return NULL;
	bus->store = store;
	if (pthread_rwlock_init(&bus->lock, NULL) != 0) {
		free(bus);
		return NULL;
	}
	if (store->messages->subscribe(store, dispatch, bus) != 0) {
		pthread_rwlock_destroy(&bus->lock);
		free(bus);
		return NULL;
	}
	bus->subscribed = true;
	return bus;
}

void store_bus_free(struct store_bus *bus)
{
	if (bus == NULL)
		return;
	if (bus->subscribed)
		bus->store->messages->unsubscribe(bus->store);
	pthread_rwlock_destroy(&bus->lock);
	free(bus);
}

int store_bus_listen(struct store_bus *bus, const char *prefix, store_message_fn deliver, void *context)
{
	size_t length = strlen(prefix);
	if (length == 0 || length > STORE_BUS_PREFIX_MAX)
		return -1;
	int status = -1;
	pthread_rwlock_wrlock(&bus->lock);
	for (int i = 0; i < STORE_BUS_ROUTES; i++) {
		struct store_bus_route *route = &bus->routes[i];
		if (route->prefix[0] == '\0') {
			memcpy(route->prefix, prefix, length + 1);
			route->deliver = deliver;
			route->context = context;
			status = 0;
			break;
		}
	}
	pthread_rwlock_unlock(&bus->lock);
	if (status != 0)
		log_error("bus: no room for the listener of \"%s\"", prefix);
	return status;
}

void store_bus_unlisten(struct store_bus *bus, void *context)
{
	pthread_rwlock_wrlock(&bus->lock);
	for (int i = 0; i < STORE_BUS_ROUTES; i++)
		if (bus->routes[i].context == context)
			memset(&bus->routes[i], 0, sizeof(bus->routes[i]));
	pthread_rwlock_unlock(&bus->lock);
}

enum store_result store_bus_publish(struct store_bus *bus, const char *message)
{
	return bus->store->messages->publish(bus->store, message);
}
