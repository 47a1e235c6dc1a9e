/* Statement shapes the PostgreSQL operations share: one row or none, a write that must change a
 * row, a streamed list, and a transaction around a body — each also on a pooled connection taken
 * and given back around the call (STORE_UNAVAILABLE when none can be had). */
#include "store/postgres/pg_internal.h"

enum store_result pg_fetch_one(struct pg_connection *connection, const char *sql, const struct pg_params *params,
                               pg_row_reader read, void *out)
{
	enum store_result result;
	PGresult *rows = pg_query(connection, sql, params, &result);
	if (rows == NULL)
		return result;
	if (PQntuples(rows) == 0)
		result = STORE_NOT_FOUND;
	else if (read != NULL)
		read(rows, 0, out);
	PQclear(rows);
	return result;
}

enum store_result pg_change(struct pg_connection *connection, const char *sql, const struct pg_params *params,
                            bool changing)
{
	long affected = 0;
	enum store_result result = pg_command(connection, sql, params, &affected);
	if (result == STORE_OK && changing && affected == 0)
		return STORE_NOT_FOUND;
	return result;
}

enum store_result pg_get(struct store *store, const char *sql, const struct pg_params *params, pg_row_reader read,
                         void *out)
{
	struct pg_connection *connection = pg_acquire(store);
	if (connection == NULL)
		return STORE_UNAVAILABLE;
	enum store_result result = pg_fetch_one(connection, sql, params, read, out);
	pg_release(store, connection);
	return result;
}

enum store_result pg_write(struct store *store, const char *sql, const struct pg_params *params, bool changing)
{
	struct pg_connection *connection = pg_acquire(store);
	if (connection == NULL)
		return STORE_UNAVAILABLE;
	enum store_result result = pg_change(connection, sql, params, changing);
	pg_release(store, connection);
	return result;
}

enum store_result pg_each(struct store *store, const char *sql, const struct pg_params *params, pg_row_fn row,
                          void *context)
{
	struct pg_connection *connection = pg_acquire(store);
	if (connection == NULL)
		return STORE_UNAVAILABLE;
	enum store_result result = pg_each_row(connection, sql, params, row, context);
	pg_release(store, connection);
	return result;
}

enum store_result pg_transaction(struct store *store, pg_transaction_body body, const void *context)
{
	struct pg_connection *connection = pg_acquire(store);
	if (connection == NULL)
		return STORE_UNAVAILABLE;
	enum store_result result = pg_begin(connection);
	if (result == STORE_OK) {
		result = pg_finish(connection, body(connection, context));
	}
	pg_release(store, connection);
	return result;
}

enum store_result pg_finish(struct pg_connection *connection, enum store_result result)
{
	if (result == STORE_OK)
		return pg_commit(connection);
	pg_rollback(connection);
	return result;
}
