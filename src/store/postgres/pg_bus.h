/* The cross-node messages of the PostgreSQL back end (LISTEN/NOTIFY, pg_bus.c), as the top file
 * pg_store.c uses them. */
#ifndef CAMFLEET_STORE_PG_BUS_H
#define CAMFLEET_STORE_PG_BUS_H

#include <stdbool.h>

#include "store/postgres/pg_driver.h"

/* publish, subscribe and unsubscribe. */
extern const struct store_messages pg_messages;
/* Stops the listener thread (none: nothing). */
void pg_bus_stop(struct pg_store *store);
/* Whether the listener is connected (true when nothing subscribed): a node that would miss the
 * other nodes' messages is not ready. A listener that just lost its connection and is making its
 * first attempt to listen again (at once) is waited for, up to PG_BUS_READY_WAIT_MS: a session the
 * server ended while the database is up does not make the node look unready. */
bool pg_bus_listening(struct pg_store *store);

#define PG_BUS_READY_WAIT_MS 1000

#endif
