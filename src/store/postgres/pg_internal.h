/* Shared internals of the PostgreSQL back end (libpq): the connection pool that reconnects by
 * itself, statements prepared once per connection, parameters, transactions and small helpers
 * for reading columns. Only src/store/postgres/ includes this file.
 *
 * Conventions of the operations (pg_*.c):
 * - every value goes as a parameter (never formatted into SQL); statements are static strings
 *   whose address keys the per-connection cache of prepared statements;
 * - times are epoch seconds (bigint), ids are UUID text compared with COLLATE "C" (the same
 *   byte order as SQLite), results come back in text format;
 * - an operation that cannot get a connection answers STORE_UNAVAILABLE. */
#ifndef CAMFLEET_STORE_PG_INTERNAL_H
#define CAMFLEET_STORE_PG_INTERNAL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define PG_STATEMENT_SLOTS 128
#define PG_PARAMS_MAX      16
#define PG_NUMBER_SIZE     32 /* room for an int64 or a double ("%.17g") as text */

struct pg_statement_slot {
	const char *sql; /* the static SQL text; its address is the cache key */
	unsigned number; /* prepared as "s<number>" on this connection */
};

struct pg_connection {
	PGconn *conn; /* NULL while disconnected */
	struct pg_statement_slot slots[PG_STATEMENT_SLOTS];
	unsigned prepared_count;
	bool in_transaction;
	struct pg_connection *next_free;
};

/* Takes a connection from the pool (waiting while all are in use), connecting it first when it
 * is not connected; NULL (logged) when the database cannot be reached: answer STORE_UNAVAILABLE.
 * Give it back with pg_release(), which also rolls back a transaction left open. */
struct pg_connection *pg_acquire(struct store *store);
void pg_release(struct store *store, struct pg_connection *connection);

/* The parameters of one statement, all in text format except binary ones; no allocation. */
struct pg_params {
	int count;
	const char *values[PG_PARAMS_MAX];
	int lengths[PG_PARAMS_MAX];
	int formats[PG_PARAMS_MAX];
	char numbers[PG_PARAMS_MAX][PG_NUMBER_SIZE];
};

/* Appenders: each adds the next parameter ($1, $2, ...). text must outlive the statement. */
void pg_param_text(struct pg_params *params, const char *text);
void pg_param_text_or_null(struct pg_params *params, const char *text); /* NULL or "" -> SQL NULL */
void pg_param_int64(struct pg_params *params, int64_t value);
void pg_param_time_or_null(struct pg_params *params, int64_t epoch_seconds); /* 0 -> SQL NULL */
void pg_param_double(struct pg_params *params, double value);
void pg_param_bool(struct pg_params *params, bool value);
void pg_param_binary(struct pg_params *params, const void *data, size_t length); /* bytea */

/* Runs the statement sql (static; prepared on first use on this connection) with params (may be
 * NULL). On success returns the result (the caller PQclear()s it) with *result = STORE_OK;
 * otherwise NULL and *result is STORE_CONFLICT for integrity violations (SQLSTATE class 23:
 * unique, foreign key, check), STORE_UNAVAILABLE when the connection broke (it is dropped and
 * reconnected on a later acquire), STORE_ERROR for anything else (logged with the SQL). */
PGresult *pg_query(struct pg_connection *connection, const char *sql, const struct pg_params *params,
                   enum store_result *result) __attribute__((warn_unused_result));
/* pg_query for statements whose rows do not matter: STORE_OK with *affected (may be NULL) set to
 * the number of rows the statement changed or returned. */
enum store_result pg_command(struct pg_connection *connection, const char *sql, const struct pg_params *params,
                             long *affected) __attribute__((warn_unused_result));

/* Called once per row of pg_each_row(); return 0 to go on, non-zero to stop early. */
typedef int (*pg_row_fn)(void *context, const PGresult *result, int row);
/* Runs sql and hands every row to row as it arrives (libpq single-row mode: a long list is never
 * held whole in memory). STORE_OK also when row stopped early. */
enum store_result pg_each_row(struct pg_connection *connection, const char *sql, const struct pg_params *params,
                              pg_row_fn row, void *context) __attribute__((warn_unused_result));

/* Reads row `row` of result into out (a struct of the caller's choosing). */
typedef void (*pg_row_reader)(const PGresult *result, int row, void *out);

/* On a connection: runs a query that returns at most one row; STORE_OK after read(result, 0, out)
 * on a row (read may be NULL to test existence only), STORE_NOT_FOUND without one, or pg_query's
 * failure. */
enum store_result pg_fetch_one(struct pg_connection *connection, const char *sql, const struct pg_params *params,
                               pg_row_reader read, void *out) __attribute__((warn_unused_result));

/* On a connection: runs a statement that writes rows; with changing, STORE_NOT_FOUND when it
 * changed none. */
enum store_result pg_change(struct pg_connection *connection, const char *sql, const struct pg_params *params,
                            bool changing) __attribute__((warn_unused_result));

/* The same three on a pooled connection taken and given back around the call
 * (STORE_UNAVAILABLE when none can be had). */
enum store_result pg_get(struct store *store, const char *sql, const struct pg_params *params, pg_row_reader read,
                         void *out) __attribute__((warn_unused_result));
enum store_result pg_write(struct store *store, const char *sql, const struct pg_params *params, bool changing)
    __attribute__((warn_unused_result));
enum store_result pg_each(struct store *store, const char *sql, const struct pg_params *params, pg_row_fn row,
                          void *context) __attribute__((warn_unused_result));

/* Runs body(connection, context) inside BEGIN … COMMIT on a pooled connection; rolls back when
 * body returns anything but STORE_OK, and returns body's result (or the failure to begin or
 * commit). */
typedef enum store_result (*pg_transaction_body)(struct pg_connection *connection, const void *context);
enum store_result pg_transaction(struct store *store, pg_transaction_body body, const void *context)
    __attribute__((warn_unused_result));

/* Ends the connection's transaction: commits when result is STORE_OK (returning the commit's
 * result), otherwise rolls back and returns result. */
enum store_result pg_finish(struct pg_connection *connection, enum store_result result)
    __attribute__((warn_unused_result));

/* Transactions (READ COMMITTED). pg_commit rolls back when the commit fails. */
enum store_result pg_begin(struct pg_connection *connection) __attribute__((warn_unused_result));
enum store_result pg_commit(struct pg_connection *connection) __attribute__((warn_unused_result));
void pg_rollback(struct pg_connection *connection);

/* Column readers (text format). pg_copy copies into out (size bytes, truncating), "" for NULL,
 * and returns whether the value was non-NULL. */
bool pg_copy(const PGresult *result, int row, int column, char *out, size_t size);
int64_t pg_int64_or_zero(const PGresult *result, int row, int column);
double pg_double_or_zero(const PGresult *result, int row, int column);
bool pg_bool(const PGresult *result, int row, int column); /* 't' -> true; NULL -> false */

/* The operation tables of each part of the back end, merged into one by pg.c. */
void pg_directory_ops(struct store_ops *ops);     /* organisations, sites, users, clients, keys */
void pg_camera_ops(struct store_ops *ops);        /* cameras, positions, device-fed reads */
void pg_async_ops(struct store_ops *ops);         /* asynchronous requests */
void pg_opening_hours_ops(struct store_ops *ops); /* site schedules and exceptions */
void pg_device_ops(struct store_ops *ops);        /* device credentials, heartbeats, uploads, frames */

/* Inside a transaction of camera_set_state (decommissioning): revokes the camera's device
 * credentials and drops its latest frame. */
enum store_result pg_device_forget_camera(struct pg_connection *connection, const char *camera_id)
    __attribute__((warn_unused_result));

/* Inside a claim's transaction: forgets what the camera's previous installations left behind —
 * the latest frame and the video-upload records — so that a new owner starts with a clean record
 * and never sees a previous owner's data. (Device credentials stay: a previous owner's were
 * revoked when it decommissioned the camera; factory credentials of a registered camera are
 * meant to survive its first claim.) */
enum store_result pg_device_forget_history(struct pg_connection *connection, const char *camera_id)
    __attribute__((warn_unused_result));

#endif
