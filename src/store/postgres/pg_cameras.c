/* PostgreSQL operations on cameras: registration, reads, the keyset-paginated list, the
 * lifecycle writes (claim, state, move, patch) with their camera positions, and the device-fed
 * reads (upload totals, latest frame). Several nodes share the database, so every lifecycle
 * write first locks the camera row with a conditional UPDATE (re-checked against the newest
 * row when another transaction changed it meanwhile) and only then, in later statements of the
 * same transaction, closes and opens positions. A write that changed nothing tells "not found"
 * from "state changed" (conflict), as the SQLite back end does. Writes of the device link live
 * in pg_device.c. */
#include <stdlib.h>
#include <string.h>

#include "store/store_text.h"

#include "store/postgres/pg_camera_rows.h"

static const char SQL_CAMERA_BY_ID[] = "SELECT " STORE_CAMERA_COLUMNS " FROM cameras WHERE id = $1";
static const char SQL_CAMERA_BY_SERIAL[] = "SELECT " STORE_CAMERA_COLUMNS " FROM cameras WHERE serial_number = $1";
static const char SQL_CAMERA_EXISTS[] = "SELECT 1 FROM cameras WHERE id = $1";
static const char SQL_SERIAL_EXISTS[] = "SELECT 1 FROM cameras WHERE serial_number = $1";
static const char SQL_CAMERA_INSERT[] =
    "INSERT INTO cameras(id, serial_number, state, registered_at) VALUES ($1, $2, 'registered', $3)";

/* --- reading rows -------------------------------------------------------------------------- */

static void read_camera(const PGresult *r, int row, void *destination)
{
	struct camera *out = destination;
	pg_copy(r, row, 0, out->id, sizeof(out->id));
	pg_copy(r, row, 1, out->serial_number, sizeof(out->serial_number));
	out->state = pg_camera_rows_state(r, row, 2);
	pg_copy(r, row, 3, out->organisation_id, sizeof(out->organisation_id));
	pg_copy(r, row, 4, out->site_id, sizeof(out->site_id));
	pg_copy(r, row, 5, out->camera_position_id, sizeof(out->camera_position_id));
	out->claimed_at = pg_int64_or_zero(r, row, 6);
	out->has_name = pg_copy(r, row, 7, out->name, sizeof(out->name));
	out->has_direction1_alias = pg_copy(r, row, 8, out->direction1_alias, sizeof(out->direction1_alias));
	out->has_direction2_alias = pg_copy(r, row, 9, out->direction2_alias, sizeof(out->direction2_alias));
	out->last_seen_at = pg_int64_or_zero(r, row, 10);
	out->last_video_at = pg_int64_or_zero(r, row, 11);
	out->reported_offline = pg_bool(r, row, 12);
	out->encoded_frames_proportion = pg_double_or_zero(r, row, 13);
	out->network_transmit_rate = pg_double_or_zero(r, row, 14);
	out->video_backlog = pg_double_or_zero(r, row, 15);
	out->video_upload_latency = pg_double_or_zero(r, row, 16);
}

/* After a conditional write changed nothing: STORE_CONFLICT when the row keyed by key exists
 * (its state was not the expected one), STORE_NOT_FOUND when it does not. */
static enum store_result unchanged_outcome(struct pg_connection *c, const char *exists_sql, const char *key)
{
	struct pg_params params = {0};
	pg_param_text(&params, key);
	enum store_result result = pg_fetch_one(c, exists_sql, &params, NULL, NULL);
	return result == STORE_OK ? STORE_CONFLICT : result;
}

/* Runs a conditional UPDATE ... RETURNING STORE_CAMERA_COLUMNS: STORE_OK with the changed camera in
 * out, else the not-found/conflict outcome for key (looked up with exists_sql). */
static enum store_result run_conditional(struct pg_connection *c, const char *sql, const struct pg_params *params,
                                         const char *exists_sql, const char *key, struct camera *out)
{
	enum store_result result = pg_fetch_one(c, sql, params, read_camera, out);
	return result == STORE_NOT_FOUND ? unchanged_outcome(c, exists_sql, key) : result;
}

/* One statement, one round trip: GET /cameras/{id} is the hot path. */
static enum store_result camera_by_key(struct store *store, const char *sql, const char *key, struct camera *out)
{
	struct pg_params params = {0};
	pg_param_text(&params, key);
	return pg_get(store, sql, &params, read_camera, out);
}

static enum store_result pg_camera_get(struct store *store, const char *id, struct camera *out)
{
	return camera_by_key(store, SQL_CAMERA_BY_ID, id, out);
}

static enum store_result pg_camera_get_by_serial(struct store *store, const char *serial_number, struct camera *out)
{
	return camera_by_key(store, SQL_CAMERA_BY_SERIAL, serial_number, out);
}

static const char SQL_CAMERAS_BY_IDS[] = "SELECT " STORE_CAMERA_COLUMNS " FROM cameras WHERE id = ANY($1::text[])";

/* Appends ids as a PostgreSQL array literal {"id","id",...} to out (size bytes); false when it
 * does not fit. Quotes and backslashes are escaped, so any text is safe. */
static bool array_literal(const char *const *ids, size_t count, char *out, size_t size)
{
	size_t used = 0;
	out[used++] = '{';
	for (size_t i = 0; i < count; i++) {
		if (used + 2 >= size)
			return false;
		if (i > 0)
			out[used++] = ',';
		out[used++] = '"';
		for (const char *c = ids[i]; *c != '\0'; c++) {
			if (used + 3 >= size)
				return false;
			if (*c == '"' || *c == '\\')
				out[used++] = '\\';
			out[used++] = *c;
		}
		out[used++] = '"';
	}
	if (used + 2 > size)
		return false;
	out[used++] = '}';
	out[used] = '\0';
	return true;
}

/* One query for the lot: the rows come back in any order and are matched to ids by id. */
static enum store_result pg_camera_get_many(struct store *store, const char *const *ids, size_t count,
                                            struct camera *out, bool *found)
{
	for (size_t i = 0; i < count; i++)
		found[i] = false;
	if (count == 0)
		return STORE_OK;
	size_t size = count * (2 * UUID_TEXT_LENGTH + 3) + 3;
	char *literal = malloc(size);
	if (literal == NULL)
		return STORE_ERROR;
	if (!array_literal(ids, count, literal, size)) {
		free(literal); /* only ids longer than a UUID's escaped length get here */
		return STORE_ERROR;
	}
	struct pg_connection *c = pg_acquire(store);
	if (c == NULL) {
		free(literal);
		return STORE_UNAVAILABLE;
	}
	struct pg_params params = {0};
	pg_param_text(&params, literal);
	enum store_result result;
	PGresult *rows = pg_query(c, SQL_CAMERAS_BY_IDS, &params, &result);
	pg_release(store, c);
	free(literal);
	if (rows == NULL)
		return result;
	for (int row = 0; row < PQntuples(rows); row++) {
		const char *id = PQgetvalue(rows, row, 0);
		for (size_t i = 0; i < count; i++) {
			if (!found[i] && strcmp(ids[i], id) == 0) {
				read_camera(rows, row, &out[i]);
				found[i] = true;
			}
		}
	}
	PQclear(rows);
	return STORE_OK;
}

static enum store_result pg_camera_register(struct store *store, const char *id, const char *serial_number, int64_t at)
{
	struct pg_connection *c = pg_acquire(store);
	if (c == NULL)
		return STORE_UNAVAILABLE;
	struct pg_params params = {0};
	pg_param_text(&params, id);
	pg_param_text(&params, serial_number);
	pg_param_int64(&params, at);
	enum store_result result = pg_command(c, SQL_CAMERA_INSERT, &params, NULL);
	pg_release(store, c);
	return result;
}

/* --- the list ------------------------------------------------------------------------------- */

/* Parameters: $1 organisation, $2 site, $3 and $4 granted users (NULL = no restriction),
 * $5 state mask (0 = any), $6 after id ("" = from the start), $7 limit (NULL = all). Three
 * variants so that the index of the most selective given filter drives the scan in id order:
 * cameras_by_site (site_id, id), cameras_by_organisation (organisation_id, id), the primary key. */
#define LIST_SELECT "SELECT " STORE_CAMERA_COLUMNS " FROM cameras WHERE "
#define LIST_FILTERS                                                                                                   \
	" AND ($1::text IS NULL OR organisation_id = $1)"                                                              \
	" AND ($2::text IS NULL OR site_id = $2)"                                                                      \
	" AND ($3::text IS NULL OR site_id IN (SELECT site_id FROM user_sites WHERE user_id = $3))"                    \
	" AND ($4::text IS NULL OR site_id IN (SELECT site_id FROM user_sites WHERE user_id = $4))"                    \
	" AND ($5::integer = 0 OR (" STORE_SQL_STATE_BIT " & $5) <> 0)"                                                \
	" ORDER BY id LIMIT $7::bigint"

static const char SQL_LIST_BY_SITE[] = LIST_SELECT "site_id = $2 AND id > $6::text" LIST_FILTERS;
static const char SQL_LIST_BY_ORGANISATION[] = LIST_SELECT "organisation_id = $1 AND id > $6::text" LIST_FILTERS;
static const char SQL_LIST_ALL[] = LIST_SELECT "id > $6::text" LIST_FILTERS;

static const char *const list_sql[STORE_LIST_SCANS] = {
    [STORE_LIST_BY_SITE] = SQL_LIST_BY_SITE,
    [STORE_LIST_BY_ORGANISATION] = SQL_LIST_BY_ORGANISATION,
    [STORE_LIST_ALL] = SQL_LIST_ALL,
};

static void filter_params(struct pg_params *params, const struct camera_filter *filter)
{
	pg_param_text_or_null(params, filter->organisation_id);
	pg_param_text_or_null(params, filter->site_id);
	pg_param_text_or_null(params, filter->granted_user_id[0]);
	pg_param_text_or_null(params, filter->granted_user_id[1]);
	pg_param_int64(params, (int64_t)filter->state_mask);
	pg_param_text(params, filter->after_id);
	if (filter->limit == 0)
		pg_param_text_or_null(params, NULL); /* LIMIT NULL: no limit */
	else
		pg_param_int64(params, (int64_t)filter->limit);
}

/* The caller's callback, handed each listed row as a camera. */
struct list_context {
	camera_row_fn row;
	void *context;
};

static int list_row(void *context, const PGresult *result, int row)
{
	const struct list_context *list = context;
	struct camera camera;
	read_camera(result, row, &camera);
	return list->row(list->context, &camera);
}

static enum store_result pg_camera_list(struct store *store, const struct camera_filter *filter, camera_row_fn row,
                                        void *context)
{
	struct pg_connection *c = pg_acquire(store);
	if (c == NULL)
		return STORE_UNAVAILABLE;
	struct pg_params params = {0};
	filter_params(&params, filter);
	struct list_context list = {row, context};
	enum store_result result = pg_each_row(c, list_sql[store_list_scan(filter)], &params, list_row, &list);
	pg_release(store, c);
	return result;
}

/* --- positions ------------------------------------------------------------------------------ */

/* A camera's position history never runs backwards: a change timed (by its node, before it waited
 * for the camera's row lock) earlier than the one it follows ends and starts positions at that
 * one's start instead. */
static const char SQL_POSITION_CLOSE[] =
    "UPDATE camera_positions SET ended_at = GREATEST(started_at, $2) WHERE camera_id = $1 AND ended_at IS NULL";
/* Closes the open position and opens the new one in one statement: both see the snapshot taken
 * after the camera row was locked, so the new row is not closed and no open one is missed. */
static const char SQL_POSITION_REPLACE[] =
    "WITH closed AS (UPDATE camera_positions SET ended_at = GREATEST(started_at, $5)"
    " WHERE camera_id = $2 AND ended_at IS NULL)"
    " INSERT INTO camera_positions(id, camera_id, organisation_id, site_id, started_at)"
    " SELECT $1, $2, $3, $4, GREATEST($5, (SELECT max(started_at) FROM camera_positions WHERE camera_id = $2))";

/* Ends the camera's open position (if any) at the given time. Call with the camera row locked. */
static enum store_result close_position(struct pg_connection *c, const char *camera_id, int64_t at)
{
	struct pg_params params = {0};
	pg_param_text(&params, camera_id);
	pg_param_int64(&params, at);
	return pg_command(c, SQL_POSITION_CLOSE, &params, NULL);
}

/* Closes the camera's open position and opens the placement's new one. Call with the camera row
 * locked, in a statement after the one that locked it (so that it sees every committed position). */
static enum store_result replace_position(struct pg_connection *c, const char *camera_id,
                                          const struct camera_placement *placement)
{
	struct pg_params params = {0};
	pg_param_text(&params, placement->camera_position_id);
	pg_param_text(&params, camera_id);
	pg_param_text(&params, placement->organisation_id);
	pg_param_text(&params, placement->site_id);
	pg_param_int64(&params, placement->at);
	return pg_command(c, SQL_POSITION_REPLACE, &params, NULL);
}

/* --- claim ---------------------------------------------------------------------------------- */

/* A claim is a fresh installation: the name is the one given (or none); the direction aliases,
 * device status and metrics of a previous claim, possibly by another organisation, are cleared
 * (never seen, offline, metrics 0 until the camera's next heartbeat), and its frames and uploads are
 * forgotten (pg_device_forget_history). Two nodes
 * claiming one serial at once: the second waits for the first's row lock, then finds the state
 * no longer claimable and changes nothing (STORE_CONFLICT). */
static const char SQL_CAMERA_CLAIM[] =
    "UPDATE cameras SET state = 'running', organisation_id = $2, site_id = $3, camera_position_id = $4,"
    " claimed_at = $5, name = $6, direction1_alias = NULL, direction2_alias = NULL,"
    " last_seen_at = NULL, last_video_at = NULL, reported_offline = false, encoded_frames_proportion = 0,"
    " network_transmit_rate = 0, video_backlog = 0, video_upload_latency = 0"
    " WHERE serial_number = $1 AND (" STORE_SQL_STATE_BIT " & $7::integer) <> 0"
    " RETURNING " STORE_CAMERA_COLUMNS;

static enum store_result claim_update(struct pg_connection *c, const char *serial_number, unsigned claimable_mask,
                                      const struct camera_placement *placement, bool has_name, const char *name,
                                      struct camera *out)
{
	struct pg_params params = {0};
	pg_param_text(&params, serial_number);
	pg_param_text(&params, placement->organisation_id);
	pg_param_text(&params, placement->site_id);
	pg_param_text(&params, placement->camera_position_id);
	pg_param_int64(&params, placement->at);
	if (has_name)
		pg_param_text(&params, name);
	else
		pg_param_text_or_null(&params, NULL);
	pg_param_int64(&params, (int64_t)claimable_mask);
	return run_conditional(c, SQL_CAMERA_CLAIM, &params, SQL_SERIAL_EXISTS, serial_number, out);
}

static enum store_result pg_camera_claim(struct store *store, const char *serial_number, unsigned claimable_mask,
                                         const struct camera_placement *placement, bool has_name, const char *name,
                                         struct camera *out)
{
	struct pg_connection *c = pg_acquire(store);
	if (c == NULL)
		return STORE_UNAVAILABLE;
	enum store_result result = pg_begin(c);
	if (result == STORE_OK) {
		result = claim_update(c, serial_number, claimable_mask, placement, has_name, name, out);
		if (result == STORE_OK)
			result = pg_device_forget_history(c, out->id);
		if (result == STORE_OK)
			result = replace_position(c, out->id, placement);
		result = pg_finish(c, result);
	}
	pg_release(store, c);
	return result;
}

/* --- state ---------------------------------------------------------------------------------- */

static const char SQL_CAMERA_SET_STATE[] =
    "UPDATE cameras SET state = $2 WHERE id = $1 AND state = $3 RETURNING " STORE_CAMERA_COLUMNS;

static enum store_result set_state_update(struct pg_connection *c, const char *id, enum camera_state expected_state,
                                          enum camera_state new_state, struct camera *out)
{
	struct pg_params params = {0};
	pg_param_text(&params, id);
	pg_param_text(&params, camera_state_name(new_state));
	pg_param_text(&params, camera_state_name(expected_state));
	return run_conditional(c, SQL_CAMERA_SET_STATE, &params, SQL_CAMERA_EXISTS, id, out);
}

/* A decommissioned camera keeps its organisation, site and position id, but its position ends,
 * its device credentials are revoked and its latest frame is dropped (a later claim, perhaps by
 * another organisation, starts from nothing of the previous owner's). Those writes follow the
 * UPDATE that locked the camera row, in one transaction; any other change of state is that one
 * UPDATE alone (itself atomic, so no explicit transaction and one round trip). The camera
 * handed back is the row as the UPDATE left it: the later writes do not touch it. */
static enum store_result pg_camera_set_state(struct store *store, const char *id, enum camera_state expected_state,
                                             enum camera_state new_state, int64_t at, struct camera *out)
{
	struct pg_connection *c = pg_acquire(store);
	if (c == NULL)
		return STORE_UNAVAILABLE;
	enum store_result result;
	if (new_state != CAMERA_DECOMMISSIONED) {
		result = set_state_update(c, id, expected_state, new_state, out);
	} else {
		result = pg_begin(c);
		if (result == STORE_OK) {
			result = set_state_update(c, id, expected_state, new_state, out);
			if (result == STORE_OK)
				result = close_position(c, id, at);
			if (result == STORE_OK)
				result = pg_device_forget_camera(c, id);
			result = pg_finish(c, result);
		}
	}
	pg_release(store, c);
	return result;
}

/* --- move ----------------------------------------------------------------------------------- */

static const char SQL_CAMERA_MOVE[] = "UPDATE cameras SET organisation_id = $2, site_id = $3, camera_position_id = $4"
                                      " WHERE id = $1 AND state = $5 RETURNING " STORE_CAMERA_COLUMNS;

static enum store_result move_update(struct pg_connection *c, const char *id, enum camera_state expected_state,
                                     const struct camera_placement *placement, struct camera *out)
{
	struct pg_params params = {0};
	pg_param_text(&params, id);
	pg_param_text(&params, placement->organisation_id);
	pg_param_text(&params, placement->site_id);
	pg_param_text(&params, placement->camera_position_id);
	pg_param_text(&params, camera_state_name(expected_state));
	return run_conditional(c, SQL_CAMERA_MOVE, &params, SQL_CAMERA_EXISTS, id, out);
}

/* Concurrent moves of one camera take turns on its row lock; each then closes whatever position
 * is open (the previous mover's, committed) and opens its own, which the camera row names. */
static enum store_result pg_camera_move(struct store *store, const char *id, enum camera_state expected_state,
                                        const struct camera_placement *placement, struct camera *out)
{
	struct pg_connection *c = pg_acquire(store);
	if (c == NULL)
		return STORE_UNAVAILABLE;
	enum store_result result = pg_begin(c);
	if (result == STORE_OK) {
		result = move_update(c, id, expected_state, placement, out);
		if (result == STORE_OK)
			result = replace_position(c, id, placement);
		result = pg_finish(c, result);
	}
	pg_release(store, c);
	return result;
}

/* --- patch ---------------------------------------------------------------------------------- */

static const char SQL_CAMERA_PATCH[] =
    "UPDATE cameras SET name = CASE WHEN $2::boolean THEN $3::text ELSE name END,"
    " direction1_alias = CASE WHEN $4::boolean THEN $5::text ELSE direction1_alias END,"
    " direction2_alias = CASE WHEN $6::boolean THEN $7::text ELSE direction2_alias END"
    " WHERE id = $1 AND state = $8 RETURNING " STORE_CAMERA_COLUMNS;

/* Adds one patched field: whether it is set, then its text or NULL. */
static void patch_field_params(struct pg_params *params, bool set, bool has, const char *text)
{
	pg_param_bool(params, set);
	if (set && has)
		pg_param_text(params, text);
	else
		pg_param_text_or_null(params, NULL);
}

/* One conditional UPDATE: atomic on its own, so no explicit transaction. */
static enum store_result pg_camera_patch(struct store *store, const char *id, enum camera_state expected_state,
                                         const struct camera_patch *patch, struct camera *out)
{
	struct pg_connection *c = pg_acquire(store);
	if (c == NULL)
		return STORE_UNAVAILABLE;
	struct pg_params params = {0};
	pg_param_text(&params, id);
	patch_field_params(&params, patch->set_name, patch->has_name, patch->name);
	patch_field_params(&params, patch->set_direction1_alias, patch->has_direction1_alias, patch->direction1_alias);
	patch_field_params(&params, patch->set_direction2_alias, patch->has_direction2_alias, patch->direction2_alias);
	pg_param_text(&params, camera_state_name(expected_state));
	enum store_result result = run_conditional(c, SQL_CAMERA_PATCH, &params, SQL_CAMERA_EXISTS, id, out);
	pg_release(store, c);
	return result;
}

/* --- device-fed reads ----------------------------------------------------------------------- */

static const char SQL_UPLOAD_TOTALS[] = "SELECT COALESCE(SUM(bytes), 0)::bigint, COALESCE(SUM(seconds), 0)"
                                        " FROM video_uploads WHERE camera_id = $1 AND uploaded_at >= $2"
                                        " AND uploaded_at < $3";

static void read_totals(const PGresult *r, int row, void *destination)
{
	struct upload_totals *out = destination;
	out->bytes = pg_int64_or_zero(r, row, 0);
	out->seconds = pg_double_or_zero(r, row, 1);
}

static enum store_result pg_upload_totals(struct store *store, const char *camera_id, int64_t from, int64_t to,
                                          struct upload_totals *out)
{
	struct pg_connection *c = pg_acquire(store);
	if (c == NULL)
		return STORE_UNAVAILABLE;
	struct pg_params params = {0};
	pg_param_text(&params, camera_id);
	pg_param_int64(&params, from);
	pg_param_int64(&params, to);
	enum store_result result = pg_fetch_one(c, SQL_UPLOAD_TOTALS, &params, read_totals, out);
	pg_release(store, c);
	return result == STORE_NOT_FOUND ? STORE_ERROR : result; /* an aggregate always has a row */
}

static const char SQL_FRAME_LATEST[] = "SELECT jpeg, taken_at FROM camera_frames WHERE camera_id = $1";

/* The latest frame as the caller receives it: a malloc'd copy of the JPEG (or NULL when it
 * could not be decoded or copied). */
struct frame_copy {
	unsigned char *jpeg;
	size_t length;
	int64_t taken_at;
};

/* Decodes the bytea (text format) and copies it into memory from malloc; libpq's own buffer
 * goes back with PQfreemem. */
static void read_frame(const PGresult *r, int row, void *destination)
{
	struct frame_copy *out = destination;
	size_t length = 0;
	unsigned char *decoded = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, 0), &length);
	out->jpeg = NULL;
	out->length = 0;
	out->taken_at = pg_int64_or_zero(r, row, 1);
	if (decoded == NULL)
		return;
	out->jpeg = malloc(length > 0 ? length : 1);
	if (out->jpeg != NULL) {
		if (length > 0)
			memcpy(out->jpeg, decoded, length);
		out->length = length;
	}
	PQfreemem(decoded);
}

static enum store_result pg_frame_latest(struct store *store, const char *camera_id, unsigned char **jpeg_out,
                                         size_t *length_out, int64_t *taken_at_out)
{
	struct pg_connection *c = pg_acquire(store);
	if (c == NULL)
		return STORE_UNAVAILABLE;
	struct pg_params params = {0};
	pg_param_text(&params, camera_id);
	struct frame_copy frame = {0};
	enum store_result result = pg_fetch_one(c, SQL_FRAME_LATEST, &params, read_frame, &frame);
	pg_release(store, c);
	if (result != STORE_OK)
		return result;
	if (frame.jpeg == NULL)
		return STORE_ERROR; /* out of memory */
	*jpeg_out = frame.jpeg;
	*length_out = frame.length;
	*taken_at_out = frame.taken_at;
	return STORE_OK;
}

void pg_camera_ops(struct store_ops *ops)
{
	ops->camera_register = pg_camera_register;
	ops->camera_get = pg_camera_get;
	ops->camera_get_many = pg_camera_get_many;
	ops->reads_are_remote = true;
	ops->camera_get_by_serial = pg_camera_get_by_serial;
	ops->camera_list = pg_camera_list;
	ops->camera_claim = pg_camera_claim;
	ops->camera_set_state = pg_camera_set_state;
	ops->camera_move = pg_camera_move;
	ops->camera_patch = pg_camera_patch;
	ops->upload_totals = pg_upload_totals;
	ops->frame_latest = pg_frame_latest;
}
