/* Small helpers that the camera, device-link and asynchronous-request parts of the PostgreSQL
 * back end (pg_cameras.c, pg_device.c, pg_async.c) share: reading at most one row, ending a
 * transaction, and reading a camera state column. Only those files include this header. */
#ifndef CAMFLEET_STORE_PG_CAMERA_ROWS_H
#define CAMFLEET_STORE_PG_CAMERA_ROWS_H

#include "domain/lifecycle.h"
#include "store/postgres/pg_internal.h"

/* Reads row `row` of result into out (a struct of the caller's choosing). */
typedef void (*pg_camera_rows_reader)(const PGresult *result, int row, void *out);

/* Runs sql, which returns at most one row, on an acquired connection: STORE_OK after
 * read(result, 0, out) (read may be NULL to test existence only), STORE_NOT_FOUND without a
 * row, or pg_query's failure. */
static inline enum store_result pg_camera_rows_one(struct pg_connection *connection, const char *sql,
                                                   const struct pg_params *params, pg_camera_rows_reader read,
                                                   void *out)
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

/* Ends the connection's transaction: commits when result is STORE_OK (returning the commit's
 * result), otherwise rolls back and returns result. */
static inline enum store_result pg_camera_rows_finish(struct pg_connection *connection, enum store_result result)
{
	if (result == STORE_OK)
		return pg_commit(connection);
	pg_rollback(connection);
	return result;
}

/* A camera state column as stored ("registered", ...); CAMERA_REGISTERED for anything else, as
 * the SQLite back end reads it. */
static inline enum camera_state pg_camera_rows_state(const PGresult *result, int row, int column)
{
	enum camera_state state = CAMERA_REGISTERED;
	if (!PQgetisnull(result, row, column) && !camera_state_from_name(PQgetvalue(result, row, column), &state))
		state = CAMERA_REGISTERED;
	return state;
}

#endif
