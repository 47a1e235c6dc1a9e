/* The dialect-neutral statement runner every store operation is written on: typed parameters,
 * typed column readers, "one row", "a write", "every row" and "a transaction", with one mapping
 * of database errors to store results. Each driver (sqlite/sqlite_driver.c, postgres/pg_driver.c)
 * implements struct sql_driver in one file.
 *
 * Conventions:
 * - statements are static strings (their address keys each connection's cache of prepared
 *   statements) with $1, $2, ... placeholders, in SQL both dialects read (CAST(x AS text), not
 *   x::text); where the dialects really differ, sql_for() picks one of two texts;
 * - every value goes as a parameter, never formatted into the SQL;
 * - times are epoch seconds (bigint); ids are UUID text;
 * - errors: integrity violations (unique, foreign key, check) are STORE_CONFLICT, a lost or busy
 *   database STORE_UNAVAILABLE, anything else STORE_ERROR (logged with the SQL). */
#ifndef CAMFLEET_STORE_SQL_H
#define CAMFLEET_STORE_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define SQL_PARAMS_MAX 16

enum sql_dialect { SQL_SQLITE, SQL_POSTGRES, SQL_DIALECTS };

/* Two texts of one statement, picked with sql_for(): for a locking clause only PostgreSQL needs
 * (SQLite's writer holds the whole database), or a construct only one dialect has. */
#define SQL_EACH_DIALECT(sqlite, postgres)                                                                             \
	{                                                                                                              \
		[SQL_SQLITE] = (sqlite), [SQL_POSTGRES] = (postgres)                                                   \
	}
/* A SELECT that locks its rows on PostgreSQL (`lock`, e.g. " FOR UPDATE"); plain on SQLite. */
#define SQL_LOCKING(select, lock) SQL_EACH_DIALECT(select, select lock)

enum sql_kind { SQL_NULL, SQL_TEXT, SQL_INT64, SQL_DOUBLE, SQL_BOOL, SQL_BLOB };

struct sql_value {
	enum sql_kind kind;
	union {
		const char *text; /* must outlive the statement */
		int64_t int64;
		double real;
		bool boolean;
		struct {
			const void *data;
			size_t length;
		} blob;
	} as;
};

/* The parameters of one statement; no allocation. repeatable: running the statement twice does
 * what running it once does (a heartbeat's UPDATE), so a driver may run it again on a new
 * connection when its connection broke under it; reads (SELECT) are repeatable without it. */
struct sql_params {
	int count;
	bool repeatable;
	struct sql_value values[SQL_PARAMS_MAX];
};

/* Appenders: each adds the next parameter ($1, $2, ...). */
void sql_param_null(struct sql_params *params);
void sql_param_text(struct sql_params *params, const char *text);
void sql_param_text_or_null(struct sql_params *params, const char *text); /* NULL or "" -> NULL */
void sql_param_int64(struct sql_params *params, int64_t value);
void sql_param_double(struct sql_params *params, double value);
void sql_param_bool(struct sql_params *params, bool value);
void sql_param_blob(struct sql_params *params, const void *data, size_t length);
/* A LIMIT of at most limit rows, 0 for none (NULL on PostgreSQL; SQLite reads -1 as none). */
void sql_param_limit(struct sql_params *params, enum sql_dialect dialect, unsigned limit);

struct sql_driver;

/* A pooled connection; each driver's connection struct begins with it. */
struct sql_connection {
	const struct sql_driver *driver;
};

/* The current row of a result, valid during the callback that receives it. */
struct sql_row {
	const struct sql_driver *driver;
	const void *source; /* the driver's statement or result */
	int index;          /* the row within source */
};

/* Column readers. sql_text copies into out (size bytes, truncating), "" for NULL, and returns
 * whether the value was non-NULL; sql_text_view is the text itself ("" for NULL), valid while the
 * row is; numbers read NULL as 0; sql_blob_copy returns a malloc'd copy the caller frees (NULL for
 * NULL or out of memory) with its length in *length. */
bool sql_text(const struct sql_row *row, int column, char *out, size_t size);
const char *sql_text_view(const struct sql_row *row, int column);
bool sql_is_null(const struct sql_row *row, int column);
int64_t sql_int64(const struct sql_row *row, int column);
double sql_double(const struct sql_row *row, int column);
bool sql_bool(const struct sql_row *row, int column);
unsigned char *sql_blob_copy(const struct sql_row *row, int column, size_t *length);

/* Reads a row into out (a struct of the caller's choosing). */
typedef void (*sql_row_reader)(const struct sql_row *row, void *out);
/* Handles one row of a listing; return 0 to go on, non-zero to stop early. */
typedef int (*sql_row_fn)(void *context, const struct sql_row *row);

/* What a driver implements. */
struct sql_driver {
	enum sql_dialect dialect;
	/* A connection of the store's pool, waiting while all are in use; NULL (logged) when the
	 * database cannot be reached. release also rolls back a transaction left open. */
	struct sql_connection *(*acquire)(struct store *store);
	void (*release)(struct store *store, struct sql_connection *connection);
	/* Runs sql with params (NULL: none), calling row for each row until it returns non-zero (row
	 * may be NULL); *affected (may be NULL) is the number of rows changed, or returned when the
	 * statement changes none. streamed: a listing of any length, never held whole in memory. */
	enum store_result (*run)(struct sql_connection *connection, const char *sql, const struct sql_params *params,
	                         sql_row_fn row, void *context, long *affected, bool streamed);
	enum store_result (*begin)(struct sql_connection *connection);  /* a write transaction */
	enum store_result (*commit)(struct sql_connection *connection); /* rolls back when it fails */
	void (*rollback)(struct sql_connection *connection);
	const char *(*text)(const struct sql_row *row, int column); /* NULL for SQL NULL */
	int64_t (*int64)(const struct sql_row *row, int column);
	double (*real)(const struct sql_row *row, int column);
	bool (*boolean)(const struct sql_row *row, int column);
	unsigned char *(*blob_copy)(const struct sql_row *row, int column, size_t *length);
};

/* The part every SQL back end's store object begins with. */
struct sql_store {
	struct store base;
	const struct sql_driver *driver;
};

static inline enum sql_dialect sql_dialect_of(struct store *store)
{
	return ((struct sql_store *)store)->driver->dialect;
}

/* The text of the connection's dialect among texts (SQL_EACH_DIALECT, SQL_LOCKING). */
static inline const char *sql_for(const struct sql_connection *connection, const char *const texts[SQL_DIALECTS])
{
	return texts[connection->driver->dialect];
}

/* On a connection. sql_fetch_one runs a query of at most one row: STORE_OK after read(row, out)
 * (read may be NULL to test existence), STORE_NOT_FOUND without one. sql_change runs a write;
 * with changing, STORE_NOT_FOUND when it changed no row. sql_fetch_each hands every row to row
 * (STORE_OK also when row stopped early). */
enum store_result sql_fetch_one(struct sql_connection *connection, const char *sql, const struct sql_params *params,
                                sql_row_reader read, void *out) __attribute__((warn_unused_result));
enum store_result sql_change(struct sql_connection *connection, const char *sql, const struct sql_params *params,
                             bool changing) __attribute__((warn_unused_result));
/* sql_change that hands back the number of rows the statement changed. */
enum store_result sql_change_counted(struct sql_connection *connection, const char *sql,
                                     const struct sql_params *params, long *changed)
    __attribute__((warn_unused_result));
enum store_result sql_fetch_each(struct sql_connection *connection, const char *sql, const struct sql_params *params,
                                 sql_row_fn row, void *context) __attribute__((warn_unused_result));
/* sql_fetch_each for a result of a bounded number of rows, which may arrive whole. */
enum store_result sql_fetch_batch(struct sql_connection *connection, const char *sql, const struct sql_params *params,
                                  sql_row_fn row, void *context) __attribute__((warn_unused_result));

/* The same three on a pooled connection taken and given back around the call
 * (STORE_UNAVAILABLE when none can be had). */
enum store_result sql_get(struct store *store, const char *sql, const struct sql_params *params, sql_row_reader read,
                          void *out) __attribute__((warn_unused_result));
enum store_result sql_write(struct store *store, const char *sql, const struct sql_params *params, bool changing)
    __attribute__((warn_unused_result));
enum store_result sql_each(struct store *store, const char *sql, const struct sql_params *params, sql_row_fn row,
                           void *context) __attribute__((warn_unused_result));
/* sql_change_counted on a pooled connection (the prune statements of housekeeping). */
enum store_result sql_write_counted(struct store *store, const char *sql, const struct sql_params *params,
                                    long *changed) __attribute__((warn_unused_result));

/* Runs body(connection, context) in a write transaction on a pooled connection; rolls back when
 * body returns anything but STORE_OK, and returns body's result (or the failure to begin or
 * commit). */
typedef enum store_result (*sql_transaction_body)(struct sql_connection *connection, const void *context);
enum store_result sql_transaction(struct store *store, sql_transaction_body body, const void *context)
    __attribute__((warn_unused_result));

/* Pool access for operations that hold one connection over several steps. */
struct sql_connection *sql_acquire(struct store *store);
void sql_release(struct store *store, struct sql_connection *connection);

#endif
