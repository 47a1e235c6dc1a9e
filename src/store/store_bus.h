/* The cross-node bus, shared: a store admits one subscription to the other nodes' messages
 * (store_messages.subscribe), so this router holds it and hands each message to the listener whose
 * prefix the message starts with ("capture " to the device hub, "revoke " to the token service).
 * Delivery stays best effort, as store.h says. */
#ifndef CAMFLEET_STORE_STORE_BUS_H
#define CAMFLEET_STORE_STORE_BUS_H

#include "store/store.h"

struct store_bus;

/* Subscribes to store's messages; NULL (logged) when the listener cannot start. Free with
 * store_bus_free() before the store is closed. */
struct store_bus *store_bus_new(struct store *store);
/* Unsubscribes: when it returns, no listener runs or will run. */
void store_bus_free(struct store_bus *bus);
/* From now on, messages starting with prefix go to deliver(context, message) (the whole message,
 * prefix included), on the back end's listener thread. 0, or -1 when the router is full. */
int store_bus_listen(struct store_bus *bus, const char *prefix, store_message_fn deliver, void *context)
    __attribute__((warn_unused_result));
/* Removes every route of context: when it returns, none of them runs or will run. */
void store_bus_unlisten(struct store_bus *bus, void *context);
/* Sends message to every other node (store_messages.publish). */
enum store_result store_bus_publish(struct store_bus *bus, const char *message) __attribute__((warn_unused_result));

#endif
