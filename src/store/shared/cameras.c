/* Cameras: registration, reads, the keyset-paginated list, the lifecycle writes (claim, state,
 * move, patch) with their camera positions, and the device-fed reads (upload totals, latest
 * frame). Every write runs in one transaction with its event (the outbox: shared/events.c) and
 * changes the camera with a conditional UPDATE ... RETURNING, which on PostgreSQL also locks the
 * camera row (re-checked against the newest row when another node changed it meanwhile), so
 * positions are closed and opened in later statements of the same transaction with the row held.
 * A write that changed nothing tells "not found" from "state changed" (conflict). Where the store
 * keeps camera rows in memory (a SQLite server: store/camera_cache.h), reads go there first and
 * every write drops the row after it ends. */

#include "domain/lifecycle.h"
#include "store/camera_cache.h"
#include "store/shared/shared_ops.h"

static const char SQL_CAMERA_BY_ID[] = "SELECT " STORE_CAMERA_COLUMNS " FROM cameras WHERE id = $1";
static const char SQL_CAMERA_BY_SERIAL[] = "SELECT " STORE_CAMERA_COLUMNS " FROM cameras WHERE serial_number = $1";
static const char SQL_CAMERA_EXISTS[] = "SELECT 1 FROM cameras WHERE id = $1";
static const char SQL_SERIAL_EXISTS[] = "SELECT 1 FROM cameras WHERE serial_number = $1";
static const char SQL_CAMERA_INSERT[] = "INSERT INTO cameras(id, serial_number, state, registered_at)"
                                        " VALUES ($1, $2, 'registered', $3) RETURNING " STORE_CAMERA_COLUMNS;
/* The camera row, taken for the rest of the transaction (PostgreSQL: locked). */
static const char *const SQL_CAMERA_LOCK[] =
    SQL_LOCKING("SELECT " STORE_CAMERA_COLUMNS " FROM cameras WHERE id = $1", " FOR UPDATE");
static const char *const SQL_CAMERA_LOCK_UNLESS_HELD[] =
    SQL_LOCKING("SELECT " STORE_CAMERA_COLUMNS " FROM cameras WHERE id = $1", " FOR UPDATE SKIP LOCKED");

void shared_read_camera(const struct sql_row *row, void *destination)
{
	struct camera *out = destination;
	sql_text(row, 0, out->id, sizeof(out->id));
	sql_text(row, 1, out->serial_number, sizeof(out->serial_number));
	if (!camera_state_from_name(sql_text_view(row, 2), &out->state))
		out->state = CAMERA_REGISTERED;
	sql_text(row, 3, out->organisation_id, sizeof(out->organisation_id));
	sql_text(row, 4, out->site_id, sizeof(out->site_id));
	sql_text(row, 5, out->camera_position_id, sizeof(out->camera_position_id));
	out->claimed_at = sql_int64(row, 6);
	out->has_name = sql_text(row, 7, out->name, sizeof(out->name));
	out->has_direction1_alias = sql_text(row, 8, out->direction1_alias, sizeof(out->direction1_alias));
	out->has_direction2_alias = sql_text(row, 9, out->direction2_alias, sizeof(out->direction2_alias));
	out->last_seen_at = sql_int64(row, 10);
	out->last_video_at = sql_int64(row, 11);
	out->reported_offline = sql_bool(row, 12);
	out->encoded_frames_proportion = sql_double(row, 13);
	out->network_transmit_rate = sql_double(row, 14);
	out->video_backlog = sql_double(row, 15);
	out->video_upload_latency = sql_double(row, 16);
	if (!camera_reported_state_from_name(sql_is_null(row, 17) ? NULL : sql_text_view(row, 17),
	                                     &out->reported_state))
		out->reported_state = CAMERA_REPORTED_UNKNOWN;
}

/* After a write of the camera id ended (committed or not): its row in memory, if any, goes. */
static void camera_changed(struct store *store, const char *id)
{
	if (store->camera_cache != NULL)
		camera_cache_forget(store->camera_cache, id);
}

/* body in a write transaction; after it, committed or not, the camera's row in memory goes. */
static enum store_result camera_transaction(struct store *store, const char *id, sql_transaction_body body,
                                            const void *context)
{
	enum store_result result = sql_transaction(store, body, context);
	camera_changed(store, id);
	return result;
}

/* Runs a conditional UPDATE ... RETURNING STORE_CAMERA_COLUMNS: STORE_OK with the changed camera in
 * out; when it changed nothing, STORE_CONFLICT if the row keyed by key exists (looked up with
 * exists_sql: its state was not the expected one), else STORE_NOT_FOUND. */
static enum store_result run_conditional(struct sql_connection *c, const char *sql, const struct sql_params *params,
                                         const char *exists_sql, const char *key, struct camera *out)
{
	enum store_result result = sql_fetch_one(c, sql, params, shared_read_camera, out);
	if (result != STORE_NOT_FOUND)
		return result;
	struct sql_params exists = {0};
	sql_param_text(&exists, key);
	result = sql_fetch_one(c, exists_sql, &exists, NULL, NULL);
	return result == STORE_OK ? STORE_CONFLICT : result;
}

static enum store_result camera_by_key(struct store *store, const char *sql, const char *key, struct camera *out)
{
	struct sql_params params = {0};
	sql_param_text(&params, key);
	return sql_get(store, sql, &params, shared_read_camera, out);
}

/* GET /cameras/{id} is the hot path: from memory when the store keeps the rows, else one
 * statement, one round trip. */
enum store_result shared_camera_get(struct store *store, const char *id, struct camera *out)
{
	struct camera_cache *cache = store->camera_cache;
	uint64_t ticket = 0;
	if (cache != NULL && camera_cache_get(cache, id, out, &ticket))
		return STORE_OK;
	enum store_result result = camera_by_key(store, SQL_CAMERA_BY_ID, id, out);
	if (cache != NULL && result == STORE_OK)
		camera_cache_fill(cache, out, ticket);
	return result;
}

enum store_result shared_camera_get_by_serial(struct store *store, const char *serial_number, struct camera *out)
{
	return camera_by_key(store, SQL_CAMERA_BY_SERIAL, serial_number, out);
}

struct registration {
	const char *id, *serial_number;
	int64_t at;
	const struct change_origin *origin;
};

static enum store_result register_in_transaction(struct sql_connection *c, const void *context)
{
	const struct registration *registration = context;
	struct sql_params params = {0};
	sql_param_text(&params, registration->id);
	sql_param_text(&params, registration->serial_number);
	sql_param_int64(&params, registration->at);
	struct camera camera;
	enum store_result result = sql_fetch_one(c, SQL_CAMERA_INSERT, &params, shared_read_camera, &camera);
	if (result == STORE_NOT_FOUND)
		return STORE_ERROR; /* RETURNING always has the row */
	return result == STORE_OK ? shared_camera_event(c, EVENT_CAMERA_REGISTERED, NULL, &camera, registration->origin)
	                          : result;
}

enum store_result shared_camera_register(struct store *store, const char *id, const char *serial_number, int64_t at,
                                         const struct change_origin *origin)
{
	struct registration registration = {id, serial_number, at, origin};
	return sql_transaction(store, register_in_transaction, &registration);
}

/* --- health alerts --------------------------------------------------------------------------- */

/* SET clauses that close any health alert of the camera (without an event) and set when the
 * evaluator looks at it next: next_at, SQL for epoch ms or NULL (store.h "Health alerts"). */
#define ALERT_RESET(next_at)                                                                                           \
	" alert_state = 0, alert_sent_at_ms = NULL, alert_offline_since_ms = NULL, alert_at_ms = " next_at

/* A change that starts a camera's alerts afresh: looked at --offline-alert-after from now. */
static int64_t alert_restart_ms(const struct change_origin *origin)
{
	return origin->at_ms + (int64_t)origin->offline_alert_after * 1000;
}

/* --- the list ------------------------------------------------------------------------------- */

/* Parameters: $1 organisation, $2 site, $3 and $4 granted users (NULL = no restriction),
 * $5 state mask (0 = any), $6 after id ("" = from the start), $7 limit (NULL = all; SQLite reads
 * a negative one as none). Three variants so that the index of the most selective given filter
 * drives the scan in id order: cameras_by_site (site_id, id), cameras_by_organisation
 * (organisation_id, id), the primary key. */
#define LIST_SELECT "SELECT " STORE_CAMERA_COLUMNS " FROM cameras WHERE "
#define LIST_FILTERS                                                                                                   \
	" AND (CAST($1 AS text) IS NULL OR organisation_id = $1)"                                                      \
	" AND (CAST($2 AS text) IS NULL OR site_id = $2)"                                                              \
	" AND (CAST($3 AS text) IS NULL OR site_id IN (SELECT site_id FROM user_sites WHERE user_id = $3))"            \
	" AND (CAST($4 AS text) IS NULL OR site_id IN (SELECT site_id FROM user_sites WHERE user_id = $4))"            \
	" AND (CAST($5 AS integer) = 0 OR (" STORE_SQL_STATE_BIT " & $5) <> 0)"                                        \
	" AND (CAST($8 AS text) IS NULL OR serial_number = $8)"                                                        \
	" AND (CAST($9 AS integer) = 0 OR CASE WHEN last_seen_at IS NOT NULL AND NOT reported_offline"                 \
	" AND last_seen_at >= CAST($10 AS bigint) THEN 1 ELSE 2 END = $9)"                                             \
	" AND (CAST($11 AS text) IS NULL OR lower(COALESCE(name, '')) LIKE $11 ESCAPE '\\'"                            \
	" OR lower(serial_number) LIKE $11 ESCAPE '\\')"                                                               \
	" ORDER BY id LIMIT CAST($7 AS bigint)"

/* The index that drives the scan: that of the most selective filter given. */
enum list_scan { LIST_BY_SITE, LIST_BY_ORGANISATION, LIST_ALL, LIST_SCANS };

static enum list_scan list_scan(const struct camera_filter *filter)
{
	if (filter->site_id[0] != '\0')
		return LIST_BY_SITE;
	return filter->organisation_id[0] != '\0' ? LIST_BY_ORGANISATION : LIST_ALL;
}

static const char *const list_sql[LIST_SCANS] = {
    [LIST_BY_SITE] = LIST_SELECT "site_id = $2 AND id > CAST($6 AS text)" LIST_FILTERS,
    [LIST_BY_ORGANISATION] = LIST_SELECT "organisation_id = $1 AND id > CAST($6 AS text)" LIST_FILTERS,
    [LIST_ALL] = LIST_SELECT "id > CAST($6 AS text)" LIST_FILTERS,
};

struct list_context {
	camera_row_fn row;
	void *context;
};

static int list_row(void *context, const struct sql_row *row)
{
	const struct list_context *list = context;
	struct camera camera;
	shared_read_camera(row, &camera);
	return list->row(list->context, &camera);
}

enum store_result shared_camera_list(struct store *store, const struct camera_filter *filter, camera_row_fn row,
                                     void *context)
{
	struct sql_params params = {0};
	sql_param_text_or_null(&params, filter->organisation_id);
	sql_param_text_or_null(&params, filter->site_id);
	sql_param_text_or_null(&params, filter->granted_user_id[0]);
	sql_param_text_or_null(&params, filter->granted_user_id[1]);
	sql_param_int64(&params, (int64_t)filter->state_mask);
	sql_param_text(&params, filter->after_id);
	sql_param_limit(&params, sql_dialect_of(store), filter->limit);
	sql_param_text_or_null(&params, filter->serial_number);
	sql_param_int64(&params, filter->online);
	sql_param_int64(&params, filter->online_since);
	sql_param_text_or_null(&params, filter->text_pattern);
	struct list_context list = {row, context};
	return sql_each(store, list_sql[list_scan(filter)], &params, list_row, &list);
}

/* --- positions ------------------------------------------------------------------------------ */

/* A camera's position history never runs backwards: a change timed (before it waited for the
 * camera's row) earlier than the one it follows ends and starts positions at that one's start. */
static const char SQL_POSITION_CLOSE[] = "UPDATE camera_positions SET ended_at = CASE WHEN started_at > $2"
                                         " THEN started_at ELSE $2 END WHERE camera_id = $1 AND ended_at IS NULL";
/* Each position takes the camera's next ordinal: the order of positions within one second. */
static const char SQL_POSITION_OPEN[] =
    "INSERT INTO camera_positions(id, camera_id, organisation_id, site_id, started_at, ordinal)"
    " SELECT $1, $2, $3, $4, CASE WHEN m > $5 THEN m ELSE $5 END, n + 1"
    " FROM (SELECT COALESCE(MAX(started_at), $5) AS m, COALESCE(MAX(ordinal), 0) AS n"
    " FROM camera_positions WHERE camera_id = $2) AS latest";

/* Ends the camera's open position (if any) at the given time. Call with the camera row held. */
static enum store_result close_position(struct sql_connection *c, const char *camera_id, int64_t at)
{
	struct sql_params params = {0};
	sql_param_text(&params, camera_id);
	sql_param_int64(&params, at);
	return sql_change(c, SQL_POSITION_CLOSE, &params, false);
}

/* Closes the camera's open position and opens the placement's new one. Call with the camera row
 * held, after the statement that took it (so that these see every committed position). */
static enum store_result replace_position(struct sql_connection *c, const char *camera_id,
                                          const struct camera_placement *placement)
{
	enum store_result result = close_position(c, camera_id, placement->at);
	struct sql_params params = {0};
	sql_param_text(&params, placement->camera_position_id);
	sql_param_text(&params, camera_id);
	sql_param_text(&params, placement->organisation_id);
	sql_param_text(&params, placement->site_id);
	sql_param_int64(&params, placement->at);
	return result == STORE_OK ? sql_change(c, SQL_POSITION_OPEN, &params, false) : result;
}

/* --- claim ---------------------------------------------------------------------------------- */

/* A claim is a fresh installation: the name is the one given (or none); the direction aliases,
 * device status and metrics of a previous claim, possibly by another organisation, are cleared
 * (never seen, offline, metrics 0 until the camera's next heartbeat), and its frames and uploads
 * are forgotten (shared_device_forget_history). Two claims of one serial at once: the second
 * waits for the first's row, then finds the state no longer claimable (STORE_CONFLICT). */
static const char SQL_CAMERA_CLAIM[] =
    "UPDATE cameras SET state = 'running', organisation_id = $2, site_id = $3, camera_position_id = $4,"
    " claimed_at = $5, name = $6, direction1_alias = NULL, direction2_alias = NULL,"
    " last_seen_at = NULL, last_video_at = NULL, reported_offline = false, encoded_frames_proportion = 0,"
    " network_transmit_rate = 0, video_backlog = 0, video_upload_latency = 0, reported_state = NULL," ALERT_RESET(
        "NULL") " WHERE serial_number = $1 AND (" STORE_SQL_STATE_BIT " & CAST($7 AS integer)) <> 0"
                " RETURNING " STORE_CAMERA_COLUMNS;

struct claim {
	const char *serial_number;
	unsigned claimable_mask;
	const struct camera_placement *placement;
	bool has_name;
	const char *name;
	const struct change_origin *origin;
	struct camera *out;
};

static enum store_result claim_in_transaction(struct sql_connection *c, const void *context)
{
	const struct claim *claim = context;
	const struct camera_placement *placement = claim->placement;
	struct sql_params params = {0};
	sql_param_text(&params, claim->serial_number);
	sql_param_text(&params, placement->organisation_id);
	sql_param_text(&params, placement->site_id);
	sql_param_text(&params, placement->camera_position_id);
	sql_param_int64(&params, placement->at);
	if (claim->has_name)
		sql_param_text(&params, claim->name); /* "" stays "" */
	else
		sql_param_null(&params);
	sql_param_int64(&params, (int64_t)claim->claimable_mask);
	enum store_result result =
	    run_conditional(c, SQL_CAMERA_CLAIM, &params, SQL_SERIAL_EXISTS, claim->serial_number, claim->out);
	if (result == STORE_OK)
		result = shared_device_forget_history(c, claim->out->id);
	if (result == STORE_OK)
		result = replace_position(c, claim->out->id, placement);
	if (result == STORE_OK)
		result = shared_camera_event(c, EVENT_CAMERA_CLAIMED, NULL, claim->out, claim->origin);
	return result;
}

enum store_result shared_camera_claim(struct store *store, const char *serial_number, unsigned claimable_mask,
                                      const struct camera_placement *placement, bool has_name, const char *name,
                                      const struct change_origin *origin, struct camera *out)
{
	out->id[0] = '\0';
	struct claim claim = {serial_number, claimable_mask, placement, has_name && name != NULL, name, origin, out};
	enum store_result result = sql_transaction(store, claim_in_transaction, &claim);
	if (out->id[0] != '\0')
		camera_changed(store, out->id);
	return result;
}

/* --- state, move and patch: one camera by id ------------------------------------------------ */

/* Resuming starts the camera's health alerts afresh ($4: when to look); pausing and
 * decommissioning close an open alert silently. */
static const char SQL_CAMERA_SET_STATE[] = "UPDATE cameras SET state = $2," ALERT_RESET(
    "CASE WHEN $2 = 'running' THEN CAST($4 AS bigint) END") " WHERE id = $1 AND state = $3 "
                                                            "RETURNING " STORE_CAMERA_COLUMNS;

struct state_change {
	const char *id;
	enum camera_state expected_state, new_state;
	int64_t at;
	const struct change_origin *origin;
	struct camera *out;
};

static enum store_result set_state(struct sql_connection *c, const void *context)
{
	const struct state_change *change = context;
	struct sql_params params = {0};
	sql_param_text(&params, change->id);
	sql_param_text(&params, camera_state_name(change->new_state));
	sql_param_text(&params, camera_state_name(change->expected_state));
	sql_param_int64(&params, alert_restart_ms(change->origin));
	enum store_result result =
	    run_conditional(c, SQL_CAMERA_SET_STATE, &params, SQL_CAMERA_EXISTS, change->id, change->out);
	if (result == STORE_OK && change->new_state == CAMERA_DECOMMISSIONED) {
		result = close_position(c, change->id, change->at);
		if (result == STORE_OK)
			result = shared_device_forget_camera(c, change->id);
	}
	enum event_type type = event_type_of_state_change(change->expected_state, change->new_state);
	if (result == STORE_OK && type != EVENT_TYPE_COUNT)
		result = shared_camera_event(c, type, NULL, change->out, change->origin);
	return result;
}

/* A decommissioned camera keeps its organisation, site and position id, but its position ends,
 * its device credentials are revoked and its latest frame is dropped (a later claim, perhaps by
 * another organisation, starts from nothing of the previous owner's). Those writes and the event
 * follow the conditional UPDATE in one transaction. The camera handed back is the row as the
 * UPDATE left it. */
enum store_result shared_camera_set_state_in(struct sql_connection *c, const char *id, enum camera_state expected_state,
                                             enum camera_state new_state, int64_t at,
                                             const struct change_origin *origin, struct camera *out)
{
	struct state_change change = {id, expected_state, new_state, at, origin, out};
	return set_state(c, &change);
}

enum store_result shared_camera_set_state(struct store *store, const char *id, enum camera_state expected_state,
                                          enum camera_state new_state, int64_t at, const struct change_origin *origin,
                                          struct camera *out)
{
	struct state_change change = {id, expected_state, new_state, at, origin, out};
	return camera_transaction(store, id, set_state, &change);
}

/* A move starts the camera's health alerts afresh at its new site ($6: when to look). */
static const char SQL_CAMERA_MOVE[] =
    "UPDATE cameras SET organisation_id = $2, site_id = $3, camera_position_id = $4," ALERT_RESET(
        "CASE WHEN state = 'running' THEN CAST($6 AS bigint) END") " WHERE id = $1 AND state = $5 "
                                                                   "RETURNING " STORE_CAMERA_COLUMNS;

struct move {
	const char *id;
	enum camera_state expected_state;
	const struct camera_placement *placement;
	const struct change_origin *origin;
	struct camera *out;
};

/* Takes the camera row for the transaction and reads it into before (its values before the change). */
static enum store_result lock_camera(struct sql_connection *c, const char *id, struct camera *before)
{
	struct sql_params params = {0};
	sql_param_text(&params, id);
	return sql_fetch_one(c, sql_for(c, SQL_CAMERA_LOCK), &params, shared_read_camera, before);
}

enum store_result shared_camera_lock(struct sql_connection *c, const char *id, struct camera *out)
{
	return lock_camera(c, id, out);
}

/* A skipped row reads as missing: one that exists then is held by another transaction (SQLite's
 * writer holds the whole database, so there a missing row is missing). */
enum store_result shared_camera_lock_unless_held(struct sql_connection *c, const char *id, struct camera *out,
                                                 bool *held)
{
	struct sql_params params = {0};
	sql_param_text(&params, id);
	*held = false;
	enum store_result result =
	    sql_fetch_one(c, sql_for(c, SQL_CAMERA_LOCK_UNLESS_HELD), &params, shared_read_camera, out);
	if (result != STORE_NOT_FOUND)
		return result;
	enum store_result exists = sql_fetch_one(c, SQL_CAMERA_EXISTS, &params, NULL, NULL);
	if (exists != STORE_OK)
		return exists;
	*held = true;
	return STORE_NOT_FOUND;
}

/* Concurrent moves of one camera take turns on its row; each then closes whatever position is
 * open (the previous mover's, committed) and opens its own, which the camera row names. */
static enum store_result move_in_transaction(struct sql_connection *c, const void *context)
{
	const struct move *move = context;
	struct camera before;
	enum store_result result = lock_camera(c, move->id, &before);
	if (result != STORE_OK)
		return result;
	struct sql_params params = {0};
	sql_param_text(&params, move->id);
	sql_param_text(&params, move->placement->organisation_id);
	sql_param_text(&params, move->placement->site_id);
	sql_param_text(&params, move->placement->camera_position_id);
	sql_param_text(&params, camera_state_name(move->expected_state));
	sql_param_int64(&params, alert_restart_ms(move->origin));
	result = run_conditional(c, SQL_CAMERA_MOVE, &params, SQL_CAMERA_EXISTS, move->id, move->out);
	if (result == STORE_OK)
		result = replace_position(c, move->id, move->placement);
	return result == STORE_OK ? shared_camera_event(c, EVENT_CAMERA_MOVED, &before, move->out, move->origin)
	                          : result;
}

enum store_result shared_camera_move(struct store *store, const char *id, enum camera_state expected_state,
                                     const struct camera_placement *placement, const struct change_origin *origin,
                                     struct camera *out)
{
	struct move move = {id, expected_state, placement, origin, out};
	return camera_transaction(store, id, move_in_transaction, &move);
}

static const char SQL_CAMERA_PATCH[] =
    "UPDATE cameras SET name = CASE WHEN CAST($2 AS boolean) THEN CAST($3 AS text) ELSE name END,"
    " direction1_alias = CASE WHEN CAST($4 AS boolean) THEN CAST($5 AS text) ELSE direction1_alias END,"
    " direction2_alias = CASE WHEN CAST($6 AS boolean) THEN CAST($7 AS text) ELSE direction2_alias END"
    " WHERE id = $1 AND state = $8 RETURNING " STORE_CAMERA_COLUMNS;

/* Adds one patched field: whether it is set, then its text or NULL. */
static void patch_field_params(struct sql_params *params, bool set, bool has, const char *text)
{
	sql_param_bool(params, set);
	if (set && has)
		sql_param_text(params, text); /* "" stays "" */
	else
		sql_param_null(params);
}

struct patch {
	const char *id;
	enum camera_state expected_state;
	const struct camera_patch *patch;
	const struct change_origin *origin;
	struct camera *out;
};

/* The row is taken first, so the event's old values are the ones the UPDATE replaced. A patch
 * that leaves every field as it was records no event. */
static enum store_result patch_in_transaction(struct sql_connection *c, const void *context)
{
	const struct patch *change = context;
	const struct camera_patch *patch = change->patch;
	struct camera before;
	enum store_result result = lock_camera(c, change->id, &before);
	if (result != STORE_OK)
		return result;
	struct sql_params params = {0};
	sql_param_text(&params, change->id);
	patch_field_params(&params, patch->set_name, patch->has_name, patch->name);
	patch_field_params(&params, patch->set_direction1_alias, patch->has_direction1_alias, patch->direction1_alias);
	patch_field_params(&params, patch->set_direction2_alias, patch->has_direction2_alias, patch->direction2_alias);
	sql_param_text(&params, camera_state_name(change->expected_state));
	result = run_conditional(c, SQL_CAMERA_PATCH, &params, SQL_CAMERA_EXISTS, change->id, change->out);
	if (result != STORE_OK || !event_camera_fields_changed(&before, change->out))
		return result; /* a patch that changed nothing is no change: no event */
	return shared_camera_event(c, EVENT_CAMERA_UPDATED, &before, change->out, change->origin);
}

enum store_result shared_camera_patch(struct store *store, const char *id, enum camera_state expected_state,
                                      const struct camera_patch *patch, const struct change_origin *origin,
                                      struct camera *out)
{
	struct patch change = {id, expected_state, patch, origin, out};
	return camera_transaction(store, id, patch_in_transaction, &change);
}

/* --- device-fed reads ----------------------------------------------------------------------- */

static const char SQL_UPLOAD_TOTALS[] = "SELECT CAST(COALESCE(SUM(bytes), 0) AS bigint), COALESCE(SUM(seconds), 0.0)"
                                        " FROM video_uploads WHERE camera_id = $1 AND uploaded_at >= $2"
                                        " AND uploaded_at < $3";

static void read_totals(const struct sql_row *row, void *destination)
{
	struct upload_totals *out = destination;
	out->bytes = sql_int64(row, 0);
	out->seconds = sql_double(row, 1);
}

enum store_result shared_upload_totals(struct store *store, const char *camera_id, int64_t from, int64_t to,
                                       struct upload_totals *out)
{
	struct sql_params params = {0};
	sql_param_text(&params, camera_id);
	sql_param_int64(&params, from);
	sql_param_int64(&params, to);
	enum store_result result = sql_get(store, SQL_UPLOAD_TOTALS, &params, read_totals, out);
	return result == STORE_NOT_FOUND ? STORE_ERROR : result; /* an aggregate always has a row */
}

static const char SQL_FRAME_LATEST[] = "SELECT jpeg, taken_at FROM camera_frames WHERE camera_id = $1";

struct frame_copy {
	unsigned char *jpeg; /* malloc'd; NULL when out of memory */
	size_t length;
	int64_t taken_at;
};

static void read_frame(const struct sql_row *row, void *destination)
{
	struct frame_copy *frame = destination;
	frame->jpeg = sql_blob_copy(row, 0, &frame->length);
	frame->taken_at = sql_int64(row, 1);
}

enum store_result shared_frame_latest(struct store *store, const char *camera_id, unsigned char **jpeg_out,
                                      size_t *length_out, int64_t *taken_at_out)
{
	struct sql_params params = {0};
	sql_param_text(&params, camera_id);
	struct frame_copy frame = {0};
	enum store_result result = sql_get(store, SQL_FRAME_LATEST, &params, read_frame, &frame);
	if (result != STORE_OK)
		return result;
	if (frame.jpeg == NULL)
		return STORE_ERROR; /* out of memory */
	*jpeg_out = frame.jpeg;
	*length_out = frame.length;
	*taken_at_out = frame.taken_at;
	return STORE_OK;
}
