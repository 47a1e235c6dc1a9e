/* SQLite operations on cameras: registration, reads, the keyset-paginated list, the lifecycle
 * writes (claim, state, move, patch) with their camera positions, and the device-fed reads
 * (upload totals, latest frame). Multi-row writes run in one transaction and re-read the
 * camera inside it; conditional writes tell "not found" from "state changed" (conflict).
 * The device link's writes live in sqlite_device.c. */
#include <stdlib.h>
#include <string.h>

#include "store/camera_cache.h"
#include "store/store_text.h"

#include "store/sqlite/sqlite_internal.h"

static const char SQL_CAMERA_BY_ID[] = "SELECT " STORE_CAMERA_COLUMNS " FROM cameras WHERE id = ?1";
static const char SQL_CAMERA_BY_SERIAL[] = "SELECT " STORE_CAMERA_COLUMNS " FROM cameras WHERE serial_number = ?1";
static const char SQL_CAMERA_EXISTS[] = "SELECT 1 FROM cameras WHERE id = ?1";
static const char SQL_SERIAL_EXISTS[] = "SELECT 1 FROM cameras WHERE serial_number = ?1";
static const char SQL_CAMERA_INSERT[] =
    "INSERT INTO cameras(id, serial_number, state, registered_at) VALUES (?1, ?2, 'registered', ?3)";

/* --- reading rows -------------------------------------------------------------------------- */

static void read_camera(sqlite3_stmt *s, struct camera *out)
{
	sqlite_column_copy(s, 0, out->id, sizeof(out->id));
	sqlite_column_copy(s, 1, out->serial_number, sizeof(out->serial_number));
	const unsigned char *state = sqlite3_column_text(s, 2);
	out->state = sqlite_camera_state_from_name(state != NULL ? (const char *)state : "");
	sqlite_column_copy(s, 3, out->organisation_id, sizeof(out->organisation_id));
	sqlite_column_copy(s, 4, out->site_id, sizeof(out->site_id));
	sqlite_column_copy(s, 5, out->camera_position_id, sizeof(out->camera_position_id));
	out->claimed_at = sqlite_column_int64_or_zero(s, 6);
	out->has_name = sqlite_column_copy(s, 7, out->name, sizeof(out->name));
	out->has_direction1_alias = sqlite_column_copy(s, 8, out->direction1_alias, sizeof(out->direction1_alias));
	out->has_direction2_alias = sqlite_column_copy(s, 9, out->direction2_alias, sizeof(out->direction2_alias));
	out->last_seen_at = sqlite_column_int64_or_zero(s, 10);
	out->last_video_at = sqlite_column_int64_or_zero(s, 11);
	out->reported_offline = sqlite3_column_int(s, 12) != 0;
	out->encoded_frames_proportion = sqlite3_column_double(s, 13);
	out->network_transmit_rate = sqlite3_column_double(s, 14);
	out->video_backlog = sqlite3_column_double(s, 15);
	out->video_upload_latency = sqlite3_column_double(s, 16);
}

/* Runs a camera SELECT keyed by one text parameter on an acquired connection. */
static enum store_result select_camera(struct sqlite_connection *c, const char *sql, const char *key,
                                       struct camera *out)
{
	sqlite3_stmt *s = sqlite_statement(c, sql);
	if (s == NULL)
		return STORE_ERROR;
	int rc = sqlite_bind_text(s, 1, key);
	if (rc != SQLITE_OK)
		return sqlite_fail(c, "camera select bind", rc);
	rc = sqlite3_step(s);
	enum store_result result = STORE_NOT_FOUND;
	if (rc == SQLITE_ROW) {
		read_camera(s, out);
		result = STORE_OK;
	} else if (rc != SQLITE_DONE) {
		result = sqlite_fail(c, "camera select", rc);
	}
	sqlite3_reset(s);
	return result;
}

/* STORE_OK when the query keyed by key returns a row, STORE_NOT_FOUND when none. */
static enum store_result row_exists(struct sqlite_connection *c, const char *sql, const char *key)
{
	sqlite3_stmt *s = sqlite_statement(c, sql);
	if (s == NULL)
		return STORE_ERROR;
	int rc = sqlite_bind_text(s, 1, key);
	if (rc != SQLITE_OK)
		return sqlite_fail(c, "exists bind", rc);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return STORE_OK;
	return rc == SQLITE_DONE ? STORE_NOT_FOUND : sqlite_fail(c, "exists", rc);
}

/* After a conditional write changed nothing: STORE_CONFLICT when the row exists (its state
 * was not the expected one), STORE_NOT_FOUND when it does not. */
static enum store_result unchanged_outcome(struct sqlite_connection *c, const char *exists_sql, const char *key)
{
	enum store_result result = row_exists(c, exists_sql, key);
	return result == STORE_OK ? STORE_CONFLICT : result;
}

static enum store_result camera_by_key(struct store *store, const char *sql, const char *key, struct camera *out)
{
	struct sqlite_connection *c = sqlite_acquire(store);
	enum store_result result = select_camera(c, sql, key, out);
	sqlite_release(store, c);
	return result;
}

/* A server answers from its camera cache when it can (see store/camera_cache.h). */
static enum store_result sqlite_camera_get(struct store *store, const char *id, struct camera *out)
{
	struct camera_cache *cache = sqlite_camera_cache(store);
	uint64_t ticket = 0;
	if (cache != NULL && camera_cache_get(cache, id, out, &ticket))
		return STORE_OK;
	enum store_result result = camera_by_key(store, SQL_CAMERA_BY_ID, id, out);
	if (cache != NULL && result == STORE_OK)
		camera_cache_fill(cache, out, ticket);
	return result;
}

static enum store_result sqlite_camera_get_by_serial(struct store *store, const char *serial_number, struct camera *out)
{
	return camera_by_key(store, SQL_CAMERA_BY_SERIAL, serial_number, out);
}

/* An embedded read costs a function call: one after the other, on one connection. */
static enum store_result sqlite_camera_get_many(struct store *store, const char *const *ids, size_t count,
                                                struct camera *out, bool *found)
{
	struct sqlite_connection *c = sqlite_acquire(store);
	enum store_result result = STORE_OK;
	for (size_t i = 0; i < count && result == STORE_OK; i++) {
		enum store_result one = select_camera(c, SQL_CAMERA_BY_ID, ids[i], &out[i]);
		found[i] = one == STORE_OK;
		if (one != STORE_OK && one != STORE_NOT_FOUND)
			result = one;
	}
	sqlite_release(store, c);
	return result;
}

static enum store_result sqlite_camera_register(struct store *store, const char *id, const char *serial_number,
                                                int64_t at)
{
	struct sqlite_connection *c = sqlite_acquire(store);
	sqlite3_stmt *s = sqlite_statement(c, SQL_CAMERA_INSERT);
	enum store_result result = STORE_ERROR;
	if (s != NULL) {
		int rc = sqlite_bind_text(s, 1, id);
		if (rc == SQLITE_OK)
			rc = sqlite_bind_text(s, 2, serial_number);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 3, at);
		result =
		    rc == SQLITE_OK ? sqlite_run(c, s, "camera register") : sqlite_fail(c, "camera register bind", rc);
	}
	sqlite_release(store, c);
	return result;
}

/* --- the list ------------------------------------------------------------------------------- */

/* Parameters: ?1 organisation, ?2 site, ?3 and ?4 granted users (NULL = no restriction),
 * ?5 state mask (0 = any), ?6 after id ("" = from the start), ?7 limit (-1 = all). Three
 * variants so that the index of the most selective given filter drives the scan in id order:
 * cameras_by_site (site_id, id), cameras_by_organisation (organisation_id, id), the primary key. */
#define LIST_SELECT "SELECT " STORE_CAMERA_COLUMNS " FROM cameras WHERE "
#define LIST_FILTERS                                                                                                   \
	" AND (?1 IS NULL OR organisation_id = ?1)"                                                                    \
	" AND (?2 IS NULL OR site_id = ?2)"                                                                            \
	" AND (?3 IS NULL OR site_id IN (SELECT site_id FROM user_sites WHERE user_id = ?3))"                          \
	" AND (?4 IS NULL OR site_id IN (SELECT site_id FROM user_sites WHERE user_id = ?4))"                          \
	" AND (?5 = 0 OR (" STORE_SQL_STATE_BIT " & ?5) != 0)"                                                         \
	" ORDER BY id LIMIT ?7"

static const char SQL_LIST_BY_SITE[] = LIST_SELECT "site_id = ?2 AND id > ?6" LIST_FILTERS;
static const char SQL_LIST_BY_ORGANISATION[] = LIST_SELECT "organisation_id = ?1 AND id > ?6" LIST_FILTERS;
static const char SQL_LIST_ALL[] = LIST_SELECT "id > ?6" LIST_FILTERS;

static const char *const list_sql[STORE_LIST_SCANS] = {
    [STORE_LIST_BY_SITE] = SQL_LIST_BY_SITE,
    [STORE_LIST_BY_ORGANISATION] = SQL_LIST_BY_ORGANISATION,
    [STORE_LIST_ALL] = SQL_LIST_ALL,
};

static int bind_filter(sqlite3_stmt *s, const struct camera_filter *filter)
{
	int rc = sqlite_bind_text_or_null(s, 1, filter->organisation_id);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text_or_null(s, 2, filter->site_id);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text_or_null(s, 3, filter->granted_user_id[0]);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text_or_null(s, 4, filter->granted_user_id[1]);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 5, (sqlite3_int64)filter->state_mask);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text(s, 6, filter->after_id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 7, filter->limit == 0 ? -1 : (sqlite3_int64)filter->limit);
	return rc;
}

/* Steps through the rows, handing each to row (on one stack camera) until it asks to stop. */
static enum store_result list_rows(struct sqlite_connection *c, sqlite3_stmt *s, camera_row_fn row, void *context)
{
	struct camera camera;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		read_camera(s, &camera);
		if (row(context, &camera) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	enum store_result result = rc == SQLITE_DONE ? STORE_OK : sqlite_fail(c, "camera list", rc);
	sqlite3_reset(s);
	return result;
}

static enum store_result sqlite_camera_list(struct store *store, const struct camera_filter *filter, camera_row_fn row,
                                            void *context)
{
	struct sqlite_connection *c = sqlite_acquire(store);
	sqlite3_stmt *s = sqlite_statement(c, list_sql[store_list_scan(filter)]);
	enum store_result result = STORE_ERROR;
	if (s != NULL) {
		int rc = bind_filter(s, filter);
		result = rc == SQLITE_OK ? list_rows(c, s, row, context) : sqlite_fail(c, "camera list bind", rc);
	}
	sqlite_release(store, c);
	return result;
}

/* --- positions and transactions ------------------------------------------------------------- */

/* A camera's position history never runs backwards: a change timed (before it waited for the
 * write lock) earlier than the one it follows ends and starts positions at that one's start. */
static const char SQL_POSITION_CLOSE[] =
    "UPDATE camera_positions SET ended_at = MAX(started_at, ?2) WHERE camera_id = ?1 AND ended_at IS NULL";
static const char SQL_POSITION_OPEN[] =
    "INSERT INTO camera_positions(id, camera_id, organisation_id, site_id, started_at)"
    " SELECT ?1, ?2, ?3, ?4, MAX(?5, COALESCE((SELECT MAX(started_at) FROM camera_positions WHERE camera_id = ?2), ?5))";

/* Ends the camera's open position (if any) at the given time. */
static enum store_result close_position(struct sqlite_connection *c, const char *camera_id, int64_t at)
{
	sqlite3_stmt *s = sqlite_statement(c, SQL_POSITION_CLOSE);
	if (s == NULL)
		return STORE_ERROR;
	int rc = sqlite_bind_text(s, 1, camera_id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 2, at);
	return rc == SQLITE_OK ? sqlite_run(c, s, "position close") : sqlite_fail(c, "position close bind", rc);
}

/* Closes the camera's open position and opens the placement's new one. */
static enum store_result replace_position(struct sqlite_connection *c, const char *camera_id,
                                          const struct camera_placement *placement)
{
	enum store_result result = close_position(c, camera_id, placement->at);
	if (result != STORE_OK)
		return result;
	sqlite3_stmt *s = sqlite_statement(c, SQL_POSITION_OPEN);
	if (s == NULL)
		return STORE_ERROR;
	int rc = sqlite_bind_text(s, 1, placement->camera_position_id);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text(s, 2, camera_id);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text(s, 3, placement->organisation_id);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text(s, 4, placement->site_id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 5, placement->at);
	return rc == SQLITE_OK ? sqlite_run(c, s, "position open") : sqlite_fail(c, "position open bind", rc);
}

/* Runs a prepared, bound conditional UPDATE; STORE_OK when it changed a row, else the
 * not-found/conflict outcome for key. */
static enum store_result run_conditional(struct sqlite_connection *c, sqlite3_stmt *s, const char *context,
                                         const char *exists_sql, const char *key)
{
	enum store_result result = sqlite_run(c, s, context);
	if (result != STORE_OK)
		return result;
	return sqlite3_changes(c->db) > 0 ? STORE_OK : unchanged_outcome(c, exists_sql, key);
}

/* --- claim ---------------------------------------------------------------------------------- */

/* A claim is a fresh installation: the name is the one given (or none); the direction aliases,
 * device status and metrics of a previous claim, possibly by another organisation, are cleared
 * (never seen, offline, metrics 0 until the camera's next heartbeat), and its frames and uploads are
 * forgotten (sqlite_device_forget_history). */
static const char SQL_CAMERA_CLAIM[] =
    "UPDATE cameras SET state = 'running', organisation_id = ?2, site_id = ?3, camera_position_id = ?4,"
    " claimed_at = ?5, name = ?6, direction1_alias = NULL, direction2_alias = NULL,"
    " last_seen_at = NULL, last_video_at = NULL, reported_offline = 0, encoded_frames_proportion = 0,"
    " network_transmit_rate = 0, video_backlog = 0, video_upload_latency = 0"
    " WHERE serial_number = ?1 AND (" STORE_SQL_STATE_BIT " & ?7) != 0";

static enum store_result claim_update(struct sqlite_connection *c, const char *serial_number, unsigned claimable_mask,
                                      const struct camera_placement *placement, bool has_name, const char *name)
{
	sqlite3_stmt *s = sqlite_statement(c, SQL_CAMERA_CLAIM);
	if (s == NULL)
		return STORE_ERROR;
	int rc = sqlite_bind_text(s, 1, serial_number);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text(s, 2, placement->organisation_id);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text(s, 3, placement->site_id);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text(s, 4, placement->camera_position_id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 5, placement->at);
	if (rc == SQLITE_OK)
		rc = has_name ? sqlite_bind_text(s, 6, name) : sqlite3_bind_null(s, 6);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 7, (sqlite3_int64)claimable_mask);
	if (rc != SQLITE_OK)
		return sqlite_fail(c, "camera claim bind", rc);
	return run_conditional(c, s, "camera claim", SQL_SERIAL_EXISTS, serial_number);
}

static enum store_result sqlite_camera_claim(struct store *store, const char *serial_number, unsigned claimable_mask,
                                             const struct camera_placement *placement, bool has_name, const char *name,
                                             struct camera *out)
{
	struct sqlite_connection *c = sqlite_acquire(store);
	enum store_result result = sqlite_begin(c);
	if (result == STORE_OK)
		result = claim_update(c, serial_number, claimable_mask, placement, has_name, name);
	bool selected = false;
	if (result == STORE_OK) {
		result = select_camera(c, SQL_CAMERA_BY_SERIAL, serial_number, out);
		selected = result == STORE_OK;
	}
	if (result == STORE_OK)
		result = sqlite_device_forget_history(c, out->id);
	if (result == STORE_OK)
		result = replace_position(c, out->id, placement);
	result = sqlite_finish(c, result);
	sqlite_release(store, c);
	if (selected)
		sqlite_camera_changed(store, out->id);
	return result;
}

/* --- state, move and patch: one camera by id ----------------------------------------------- */

/* Applies a change to the camera id inside the transaction: its conditional UPDATE and the rows
 * that go with it. */
typedef enum store_result (*camera_change_fn)(struct sqlite_connection *c, const char *id, const void *change);

/* One transaction: the change, then the camera re-read into out; after it, committed or not,
 * the camera's cached row is dropped. id may point into out. */
static enum store_result change_camera(struct store *store, const char *id, camera_change_fn apply, const void *change,
                                       struct camera *out)
{
	struct sqlite_connection *c = sqlite_acquire(store);
	enum store_result result = sqlite_begin(c);
	if (result == STORE_OK)
		result = apply(c, id, change);
	if (result == STORE_OK)
		result = select_camera(c, SQL_CAMERA_BY_ID, id, out);
	result = sqlite_finish(c, result);
	sqlite_release(store, c);
	sqlite_camera_changed(store, id);
	return result;
}

static const char SQL_CAMERA_SET_STATE[] = "UPDATE cameras SET state = ?2 WHERE id = ?1 AND state = ?3";

static enum store_result set_state_update(struct sqlite_connection *c, const char *id, enum camera_state expected_state,
                                          enum camera_state new_state)
{
	sqlite3_stmt *s = sqlite_statement(c, SQL_CAMERA_SET_STATE);
	if (s == NULL)
		return STORE_ERROR;
	int rc = sqlite_bind_text(s, 1, id);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text(s, 2, sqlite_camera_state_name(new_state));
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text(s, 3, sqlite_camera_state_name(expected_state));
	if (rc != SQLITE_OK)
		return sqlite_fail(c, "camera state bind", rc);
	return run_conditional(c, s, "camera state", SQL_CAMERA_EXISTS, id);
}

struct state_change {
	enum camera_state expected_state, new_state;
	int64_t at;
};

/* A decommissioned camera keeps its organisation, site and position id, but its position ends,
 * its device credentials are revoked and its latest frame is dropped (a later claim, perhaps by
 * another organisation, starts from nothing of the previous owner's). */
static enum store_result apply_state(struct sqlite_connection *c, const char *id, const void *change)
{
	const struct state_change *state = change;
	enum store_result result = set_state_update(c, id, state->expected_state, state->new_state);
	if (result == STORE_OK && state->new_state == CAMERA_DECOMMISSIONED)
		result = close_position(c, id, state->at);
	if (result == STORE_OK && state->new_state == CAMERA_DECOMMISSIONED)
		result = sqlite_device_forget_camera(c, id);
	return result;
}

static enum store_result sqlite_camera_set_state(struct store *store, const char *id, enum camera_state expected_state,
                                                 enum camera_state new_state, int64_t at, struct camera *out)
{
	struct state_change change = {expected_state, new_state, at};
	return change_camera(store, id, apply_state, &change, out);
}

/* --- move ----------------------------------------------------------------------------------- */

static const char SQL_CAMERA_MOVE[] = "UPDATE cameras SET organisation_id = ?2, site_id = ?3, camera_position_id = ?4"
                                      " WHERE id = ?1 AND state = ?5";

static enum store_result move_update(struct sqlite_connection *c, const char *id, enum camera_state expected_state,
                                     const struct camera_placement *placement)
{
	sqlite3_stmt *s = sqlite_statement(c, SQL_CAMERA_MOVE);
	if (s == NULL)
		return STORE_ERROR;
	int rc = sqlite_bind_text(s, 1, id);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text(s, 2, placement->organisation_id);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text(s, 3, placement->site_id);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text(s, 4, placement->camera_position_id);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text(s, 5, sqlite_camera_state_name(expected_state));
	if (rc != SQLITE_OK)
		return sqlite_fail(c, "camera move bind", rc);
	return run_conditional(c, s, "camera move", SQL_CAMERA_EXISTS, id);
}

struct move_change {
	enum camera_state expected_state;
	const struct camera_placement *placement;
};

static enum store_result apply_move(struct sqlite_connection *c, const char *id, const void *change)
{
	const struct move_change *move = change;
	enum store_result result = move_update(c, id, move->expected_state, move->placement);
	return result == STORE_OK ? replace_position(c, id, move->placement) : result;
}

static enum store_result sqlite_camera_move(struct store *store, const char *id, enum camera_state expected_state,
                                            const struct camera_placement *placement, struct camera *out)
{
	struct move_change change = {expected_state, placement};
	return change_camera(store, id, apply_move, &change, out);
}

/* --- patch ---------------------------------------------------------------------------------- */

static const char SQL_CAMERA_PATCH[] = "UPDATE cameras SET name = CASE WHEN ?2 THEN ?3 ELSE name END,"
                                       " direction1_alias = CASE WHEN ?4 THEN ?5 ELSE direction1_alias END,"
                                       " direction2_alias = CASE WHEN ?6 THEN ?7 ELSE direction2_alias END"
                                       " WHERE id = ?1 AND state = ?8";

/* Binds one patched field: whether it is set (index) and its text or NULL (index + 1). */
static int bind_patch_field(sqlite3_stmt *s, int index, bool set, bool has, const char *text)
{
	int rc = sqlite3_bind_int(s, index, set ? 1 : 0);
	if (rc != SQLITE_OK)
		return rc;
	return set && has ? sqlite_bind_text(s, index + 1, text) : sqlite3_bind_null(s, index + 1);
}

static enum store_result patch_update(struct sqlite_connection *c, const char *id, enum camera_state expected_state,
                                      const struct camera_patch *patch)
{
	sqlite3_stmt *s = sqlite_statement(c, SQL_CAMERA_PATCH);
	if (s == NULL)
		return STORE_ERROR;
	int rc = sqlite_bind_text(s, 1, id);
	if (rc == SQLITE_OK)
		rc = bind_patch_field(s, 2, patch->set_name, patch->has_name, patch->name);
	if (rc == SQLITE_OK)
		rc = bind_patch_field(s, 4, patch->set_direction1_alias, patch->has_direction1_alias,
		                      patch->direction1_alias);
	if (rc == SQLITE_OK)
		rc = bind_patch_field(s, 6, patch->set_direction2_alias, patch->has_direction2_alias,
		                      patch->direction2_alias);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text(s, 8, sqlite_camera_state_name(expected_state));
	if (rc != SQLITE_OK)
		return sqlite_fail(c, "camera patch bind", rc);
	return run_conditional(c, s, "camera patch", SQL_CAMERA_EXISTS, id);
}

struct patch_change {
	enum camera_state expected_state;
	const struct camera_patch *patch;
};

static enum store_result apply_patch(struct sqlite_connection *c, const char *id, const void *change)
{
	const struct patch_change *patch = change;
	return patch_update(c, id, patch->expected_state, patch->patch);
}

static enum store_result sqlite_camera_patch(struct store *store, const char *id, enum camera_state expected_state,
                                             const struct camera_patch *patch, struct camera *out)
{
	struct patch_change change = {expected_state, patch};
	return change_camera(store, id, apply_patch, &change, out);
}

/* --- device-fed reads ----------------------------------------------------------------------- */

static const char SQL_UPLOAD_TOTALS[] = "SELECT COALESCE(SUM(bytes), 0), COALESCE(SUM(seconds), 0.0)"
                                        " FROM video_uploads WHERE camera_id = ?1 AND uploaded_at >= ?2"
                                        " AND uploaded_at < ?3";

static enum store_result sqlite_upload_totals(struct store *store, const char *camera_id, int64_t from, int64_t to,
                                              struct upload_totals *out)
{
	struct sqlite_connection *c = sqlite_acquire(store);
	sqlite3_stmt *s = sqlite_statement(c, SQL_UPLOAD_TOTALS);
	enum store_result result = STORE_ERROR;
	if (s != NULL) {
		int rc = sqlite_bind_text(s, 1, camera_id);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 2, from);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 3, to);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			out->bytes = sqlite3_column_int64(s, 0);
			out->seconds = sqlite3_column_double(s, 1);
			result = STORE_OK;
		} else {
			result = sqlite_fail(c, "upload totals", rc);
		}
		sqlite3_reset(s);
	}
	sqlite_release(store, c);
	return result;
}

static const char SQL_FRAME_LATEST[] = "SELECT jpeg, taken_at FROM camera_frames WHERE camera_id = ?1";

/* Copies the current row's frame into malloc'd memory. */
static enum store_result copy_frame(sqlite3_stmt *s, unsigned char **jpeg_out, size_t *length_out,
                                    int64_t *taken_at_out)
{
	const void *blob = sqlite3_column_blob(s, 0);
	size_t length = (size_t)sqlite3_column_bytes(s, 0);
	unsigned char *copy = malloc(length > 0 ? length : 1);
	if (copy == NULL)
		return STORE_ERROR;
	if (length > 0)
		memcpy(copy, blob, length);
	*jpeg_out = copy;
	*length_out = length;
	*taken_at_out = sqlite3_column_int64(s, 1);
	return STORE_OK;
}

static enum store_result sqlite_frame_latest(struct store *store, const char *camera_id, unsigned char **jpeg_out,
                                             size_t *length_out, int64_t *taken_at_out)
{
	struct sqlite_connection *c = sqlite_acquire(store);
	sqlite3_stmt *s = sqlite_statement(c, SQL_FRAME_LATEST);
	enum store_result result = STORE_ERROR;
	if (s != NULL) {
		int rc = sqlite_bind_text(s, 1, camera_id);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			result = copy_frame(s, jpeg_out, length_out, taken_at_out);
		else if (rc == SQLITE_DONE)
			result = STORE_NOT_FOUND;
		else
			result = sqlite_fail(c, "frame latest", rc);
		sqlite3_reset(s);
	}
	sqlite_release(store, c);
	return result;
}

void sqlite_camera_ops(struct store_ops *ops)
{
	ops->camera_register = sqlite_camera_register;
	ops->camera_get = sqlite_camera_get;
	ops->camera_get_by_serial = sqlite_camera_get_by_serial;
	ops->camera_get_many = sqlite_camera_get_many;
	ops->camera_list = sqlite_camera_list;
	ops->camera_claim = sqlite_camera_claim;
	ops->camera_set_state = sqlite_camera_set_state;
	ops->camera_move = sqlite_camera_move;
	ops->camera_patch = sqlite_camera_patch;
	ops->upload_totals = sqlite_upload_totals;
	ops->frame_latest = sqlite_frame_latest;
}
