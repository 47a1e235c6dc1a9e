/* The PostgreSQL driver of the statement runner (store/sql/sql.h): the store object and its pool
 * of libpq connections, each reconnected on its next use after the database went away (and a
 * statement that found its idle connection closed run again once on a new one), with statements
 * prepared once per connection. Only src/store/postgres/ includes this file. */
#ifndef CAMFLEET_STORE_PG_DRIVER_H
#define CAMFLEET_STORE_PG_DRIVER_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/sql/sql.h"
#include "util/uuid.h"

#define PG_STATEMENT_SLOTS 128

struct pg_statement_slot {
	const char *sql; /* the static SQL text; its address is the cache key */
	unsigned number; /* prepared as "s<number>" on this connection */
};

#define PG_LOST_REASON_SIZE 256

struct pg_store;

struct pg_connection {
	struct sql_connection base;
	struct pg_store *store; /* the pool's owner: its URL reconnects */
	PGconn *conn;           /* NULL while disconnected */
	/* Since this connection was taken from the pool, a round trip was answered on it: a broken
	 * connection can no longer have been dead before the first statement was sent. */
	bool answered;
	char lost_reason[PG_LOST_REASON_SIZE]; /* why it broke, for the log line (the retry's or the failure's) */
	struct pg_statement_slot slots[PG_STATEMENT_SLOTS];
	unsigned prepared_count;
	bool in_transaction;
	struct pg_connection *next_free;
};

struct pg_bus; /* pg_bus.c */

struct pg_store {
	struct sql_store sql; /* first member: a struct store * is a struct pg_store * */
	char *url;            /* the libpq connection URI, owned */
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

extern const struct sql_driver pg_driver;

/* Connects to url (a libpq URI) with a connect timeout; NULL with the reason in error. */
PGconn *pg_connect(const char *url, char *error, size_t error_size);
/* Closes a pool connection (it reconnects on its next acquire). */
void pg_connection_drop(struct pg_connection *connection);

#endif
