/* Shared internals of the SQLite back end: the connection pool, the per-connection cache of
 * prepared statements, and small helpers for binding and reading columns.
 * Only src/store/sqlite/ includes this file. */
#ifndef CAMFLEET_STORE_SQLITE_INTERNAL_H
#define CAMFLEET_STORE_SQLITE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

#define SQLITE_STATEMENT_SLOTS 128

struct sqlite_statement_slot {
	const char *sql; /* the static SQL text; its address is the cache key */
	sqlite3_stmt *statement;
};

struct sqlite_connection {
	sqlite3 *db;
	pthread_mutex_t *write_lock; /* the store's: one write transaction at a time, in arrival order */
	bool holds_write_lock;
	struct sqlite_statement_slot slots[SQLITE_STATEMENT_SLOTS];
	struct sqlite_connection *next_free;
};

struct sqlite_store;
struct camera_cache;

/* The server's camera cache (store/camera_cache.h), NULL in a tool. */
struct camera_cache *sqlite_camera_cache(struct store *store);
/* After a transaction that may have changed the camera's row ended (committed or not): its
 * cached row is dropped. Every write of the cameras table calls it. */
void sqlite_camera_changed(struct store *store, const char *camera_id);

/* Takes a connection from the pool, waiting while all are in use; give it back with
 * sqlite_release(). Never NULL. */
struct sqlite_connection *sqlite_acquire(struct store *store);
void sqlite_release(struct store *store, struct sqlite_connection *connection);

/* The prepared statement for sql, a string with static storage duration (its address is the
 * cache key), reset and with bindings cleared; NULL (logged) when it cannot be prepared. */
sqlite3_stmt *sqlite_statement(struct sqlite_connection *connection, const char *sql);

/* Transactions: BEGIN IMMEDIATE (takes the write lock at once), COMMIT, ROLLBACK. */
enum store_result sqlite_begin(struct sqlite_connection *connection) __attribute__((warn_unused_result));
enum store_result sqlite_commit(struct sqlite_connection *connection) __attribute__((warn_unused_result));
/* COMMIT, then, when it succeeded, committed(context) while the write lock is still held: such
 * calls run in commit order (what an in-place update of a cache needs). */
enum store_result sqlite_commit_then(struct sqlite_connection *connection, void (*committed)(void *context),
                                     void *context) __attribute__((warn_unused_result));
/* Ends a transaction: COMMIT when result is STORE_OK (returning the commit's result), else
 * ROLLBACK (returning result). */
enum store_result sqlite_finish(struct sqlite_connection *connection, enum store_result result)
	__attribute__((warn_unused_result));
void sqlite_rollback(struct sqlite_connection *connection);

/* Logs the connection's last error with context and maps the SQLite code to a store result
 * (constraint violations become STORE_CONFLICT). */
enum store_result sqlite_fail(struct sqlite_connection *connection, const char *context, int code);

/* Runs a statement that returns no rows; STORE_OK, STORE_CONFLICT or STORE_ERROR. */
enum store_result sqlite_run(struct sqlite_connection *connection, sqlite3_stmt *statement, const char *context);

/* Binds text, or NULL when text is NULL or empty. */
int sqlite_bind_text_or_null(sqlite3_stmt *statement, int index, const char *text);
/* Binds text as given (static lifetime not assumed: SQLite copies it). */
int sqlite_bind_text(sqlite3_stmt *statement, int index, const char *text);
/* Binds an epoch time, or NULL when it is 0. */
int sqlite_bind_time_or_null(sqlite3_stmt *statement, int index, int64_t epoch_seconds);

/* Copies a text column into out (size bytes, truncating); "" for NULL. Returns whether the
 * column was non-NULL. */
bool sqlite_column_copy(sqlite3_stmt *statement, int column, char *out, size_t size);
/* An integer column, 0 for NULL. */
int64_t sqlite_column_int64_or_zero(sqlite3_stmt *statement, int column);

/* Camera state names as stored. */
const char *sqlite_camera_state_name(enum camera_state state);
enum camera_state sqlite_camera_state_from_name(const char *name);

/* The operation tables of each part of the back end, merged into one by sqlite.c. */
void sqlite_directory_ops(struct store_ops *ops); /* organisations, sites, users, clients, keys */
void sqlite_camera_ops(struct store_ops *ops);    /* cameras, positions, device-fed data */
void sqlite_async_ops(struct store_ops *ops);     /* asynchronous requests */
void sqlite_opening_hours_ops(struct store_ops *ops); /* site schedules and exceptions */
void sqlite_device_ops(struct store_ops *ops);        /* device credentials, heartbeats, uploads, frames */

/* Inside a transaction of camera_set_state (decommissioning): revokes the camera's device
 * credentials and drops its latest frame. */
enum store_result sqlite_device_forget_camera(struct sqlite_connection *connection, const char *camera_id)
	__attribute__((warn_unused_result));

/* Inside a claim's transaction: forgets what the camera's previous installations left behind —
 * the latest frame and the video-upload records — so that a new owner starts with a clean record
 * and never sees a previous owner's data. (Device credentials stay: a previous owner's were
 * revoked when it decommissioned the camera; factory credentials of a registered camera are
 * meant to survive its first claim.) */
enum store_result sqlite_device_forget_history(struct sqlite_connection *connection, const char *camera_id)
	__attribute__((warn_unused_result));

#endif
