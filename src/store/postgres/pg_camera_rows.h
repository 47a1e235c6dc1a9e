/* Reading a camera state column, shared by the camera, device-link and asynchronous-request parts
 * of the PostgreSQL back end (pg_cameras.c, pg_device.c, pg_async.c). */
#ifndef CAMFLEET_STORE_PG_CAMERA_ROWS_H
#define CAMFLEET_STORE_PG_CAMERA_ROWS_H

#include "domain/lifecycle.h"
#include "store/postgres/pg_internal.h"

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
