/* The PostgreSQL store object, shared by pg.c (pool, migrations) and pg_bus.c (cross-node
 * messages). Only src/store/postgres/ includes this file. */
#ifndef CAMFLEET_STORE_PG_STORE_H
#define CAMFLEET_STORE_PG_STORE_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/postgres/pg_internal.h"
#include "util/uuid.h"

struct pg_bus;

struct pg_store {
	struct store base; /* first member: a struct store * is a struct pg_store * */
	char *url;         /* the libpq connection URI, owned */
	pthread_mutex_t lock;
	pthread_cond_t available;
	struct pg_connection *free_list;
	struct pg_connection *connections;
	unsigned connection_count;
	_Atomic int64_t unavailable_logged_at; /* epoch seconds of the last "unreachable" line */
	atomic_bool was_unavailable;           /* a connection was lost: log the reconnection */
	char node_id[UUID_BUFFER_SIZE];        /* tags this node's messages, so it skips its own */
	struct pg_bus *bus; /* NULL until subscribe; set before, and cleared after, the HTTP server runs */
};

/* Connects to url (a libpq URI) with a connect timeout; NULL with the reason in error. */
PGconn *pg_connect(const char *url, char *error, size_t error_size);

/* pg_bus.c: fills publish, subscribe and unsubscribe; pg_bus_stop stops the listener thread (NULL bus: nothing). */
void pg_bus_ops(struct store_ops *ops);
void pg_bus_stop(struct pg_store *store);
/* Whether the listener is connected (true when nothing subscribed): a node that would miss
 * the other nodes' messages is not ready. */
bool pg_bus_listening(struct pg_store *store);

#endif
