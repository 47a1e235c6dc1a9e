/* Registering cameras without failing over a conflict: the pair is inserted unless a camera has its
 * id or serial number (INSERT ... ON CONFLICT DO NOTHING, which on PostgreSQL also waits for a
 * concurrent insert of the same key to end rather than failing the transaction), and only then is
 * the existing camera looked up, to tell the same pair again (nothing to do) from a conflict and to
 * name it. So one failing item never fails the others of its transaction: the batched worker
 * (async_batch.c) and `camfleet admin register-cameras` register many in one commit. */
#include <string.h>

#include "store/shared/shared_ops.h"

static const char SQL_CAMERA_INSERT_NEW[] = "INSERT INTO cameras(id, serial_number, state, registered_at)"
                                            " VALUES ($1, $2, 'registered', $3) ON CONFLICT DO NOTHING"
                                            " RETURNING " STORE_CAMERA_COLUMNS;
static const char SQL_SERIAL_OF_ID[] = "SELECT serial_number FROM cameras WHERE id = $1";
static const char SQL_ID_OF_SERIAL[] = "SELECT id FROM cameras WHERE serial_number = $1";

struct text_out {
	char *text;
	size_t size;
};

static void read_text(const struct sql_row *row, void *destination)
{
	const struct text_out *out = destination;
	sql_text(row, 0, out->text, out->size);
}

/* After an insert that conflicted: which camera it met. */
static enum store_result find_conflict(struct sql_connection *c, const char *id, const char *serial_number,
                                       enum registration_result *result, char *other, size_t size)
{
	struct text_out out = {other, size};
	struct sql_params params = {0};
	sql_param_text(&params, id);
	enum store_result found = sql_fetch_one(c, SQL_SERIAL_OF_ID, &params, read_text, &out);
	if (found == STORE_OK) {
		*result = strcmp(other, serial_number) == 0 ? REGISTRATION_REPEATED : REGISTRATION_ID_TAKEN;
		return STORE_OK;
	}
	if (found != STORE_NOT_FOUND)
		return found;
	params.count = 0;
	sql_param_text(&params, serial_number);
	found = sql_fetch_one(c, SQL_ID_OF_SERIAL, &params, read_text, &out);
	if (found == STORE_OK)
		*result = REGISTRATION_SERIAL_TAKEN;
	return found == STORE_NOT_FOUND ? STORE_ERROR
	                                : found; /* a conflict with no camera: cameras are never deleted */
}

enum store_result shared_camera_register_in(struct sql_connection *c, const char *id, const char *serial_number,
                                            int64_t at, const struct change_origin *origin,
                                            enum registration_result *result, char *other, size_t size)
{
	other[0] = '\0';
	struct sql_params params = {0};
	sql_param_text(&params, id);
	sql_param_text(&params, serial_number);
	sql_param_int64(&params, at);
	struct camera camera;
	enum store_result inserted = sql_fetch_one(c, SQL_CAMERA_INSERT_NEW, &params, shared_read_camera, &camera);
	if (inserted == STORE_NOT_FOUND)
		return find_conflict(c, id, serial_number, result, other, size);
	if (inserted != STORE_OK)
		return inserted;
	*result = REGISTRATION_NEW;
	return shared_camera_event(c, EVENT_CAMERA_REGISTERED, NULL, &camera, origin);
}

struct registrations {
	struct camera_registration *items;
	size_t count;
	int64_t at;
	const struct change_origin *origin;
};

static enum store_result register_each(struct sql_connection *c, const void *context)
{
	const struct registrations *batch = context;
	enum store_result result = STORE_OK;
	for (size_t i = 0; i < batch->count && result == STORE_OK; i++) {
		struct camera_registration *item = &batch->items[i];
		result = shared_camera_register_in(c, item->camera_id, item->serial_number, batch->at, batch->origin,
		                                   &item->result, item->other, sizeof(item->other));
	}
	return result;
}

enum store_result shared_camera_register_many(struct store *store, struct camera_registration *items, size_t count,
                                              int64_t at, const struct change_origin *origin)
{
	struct registrations batch = {items, count, at, origin};
	return sql_transaction(store, register_each, &batch);
}
