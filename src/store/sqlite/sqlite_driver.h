/* The SQLite driver of the statement runner (store/sql/sql.h): the store object, its pool of
 * connections with their caches of prepared statements, and write transactions that queue on
 * one lock in arrival order. Only src/store/sqlite/ includes this file. */
#ifndef CAMFLEET_STORE_SQLITE_DRIVER_H
#define CAMFLEET_STORE_SQLITE_DRIVER_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "store/sql/sql.h"

#define SQLITE_STATEMENT_SLOTS 128

struct sqlite_statement_slot {
	const char *sql; /* the static SQL text; its address is the cache key */
	sqlite3_stmt *statement;
};

struct sqlite_connection {
	struct sql_connection base;
	sqlite3 *db;
	pthread_mutex_t *write_lock; /* the store's: one write transaction at a time, in arrival order */
	bool holds_write_lock;
	struct sqlite_statement_slot slots[SQLITE_STATEMENT_SLOTS];
	struct sqlite_connection *next_free;
};

struct sqlite_store {
	struct sql_store sql; /* first member: a struct store * is a struct sqlite_store * */
	pthread_mutex_t lock;
	pthread_cond_t available;
	pthread_mutex_t write_lock;
	struct sqlite_connection *free_list;
	struct sqlite_connection *connections;
	unsigned connection_count;
	int server_lock_fd; /* a server's lock on the file (it is the file's one server); -1 for a tool */
};

extern const struct sql_driver sqlite_driver;

/* Opens and configures (WAL, synchronous=FULL, foreign keys) a connection of the pool; 0 or -1
 * (logged). */
int sqlite_connection_open(struct sqlite_connection *connection, const char *path, pthread_mutex_t *write_lock);
void sqlite_connection_close(struct sqlite_connection *connection);

/* COMMIT, then, when it succeeded, committed(context) while the write lock is still held: such
 * calls run in commit order (what an in-place update of a cache needs). Rolls back on failure. */
enum store_result sqlite_commit_then(struct sql_connection *connection, void (*committed)(void *context), void *context)
    __attribute__((warn_unused_result));

#endif
