/* SQLite operations of the device link: device credentials (a clients row with id = camera id
 * and role device), the group-committed heartbeat batch, video upload reports and the latest
 * frame. Every multi-statement write runs in one transaction. */
#include <string.h>

#include "store/camera_cache.h"
#include "store/sqlite/sqlite_internal.h"

/* --- small helpers ---------------------------------------------------------------------------- */

/* Runs a bound statement that writes; STORE_NOT_FOUND when it changed no row. */
static enum store_result run_changing(struct sqlite_connection *c, sqlite3_stmt *s, const char *context)
{
	enum store_result result = sqlite_run(c, s, context);
	if (result == STORE_OK && sqlite3_changes(c->db) == 0)
		return STORE_NOT_FOUND;
	return result;
}

/* Prepares sql and binds id as parameter 1; NULL (logged) on failure. */
static sqlite3_stmt *statement_with_id(struct sqlite_connection *c, const char *sql, const char *id)
{
	sqlite3_stmt *s = sqlite_statement(c, sql);
	if (s == NULL)
		return NULL;
	int rc = sqlite_bind_text(s, 1, id);
	if (rc != SQLITE_OK) {
		sqlite_fail(c, "device bind", rc);
		return NULL;
	}
	return s;
}

/* --- the credential check ----------------------------------------------------------------------- */

static const char SQL_DEVICE_CAMERA[] = "SELECT c.state, c.organisation_id, k.secret_issued_ms FROM cameras c"
                                        " LEFT JOIN clients k ON k.id = c.id AND k.role = 'device'"
                                        " WHERE c.id = ?1";

static enum store_result sqlite_device_camera_get(struct store *store, const char *camera_id,
                                                  struct device_camera *out)
{
	struct sqlite_connection *c = sqlite_acquire(store);
	sqlite3_stmt *s = statement_with_id(c, SQL_DEVICE_CAMERA, camera_id);
	enum store_result result = STORE_ERROR;
	if (s != NULL) {
		int rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			const unsigned char *state = sqlite3_column_text(s, 0);
			out->state = sqlite_camera_state_from_name(state != NULL ? (const char *)state : "");
			sqlite_column_copy(s, 1, out->organisation_id, sizeof(out->organisation_id));
			out->has_credentials = sqlite3_column_type(s, 2) != SQLITE_NULL;
			out->secret_issued_ms = sqlite_column_int64_or_zero(s, 2);
			result = STORE_OK;
		} else {
			result = rc == SQLITE_DONE ? STORE_NOT_FOUND : sqlite_fail(c, "device camera", rc);
		}
		sqlite3_reset(s);
	}
	sqlite_release(store, c);
	return result;
}

/* --- issuing, rotating and revoking credentials --------------------------------------------------- */

static const char SQL_CAMERA_STATE[] = "SELECT state FROM cameras WHERE id = ?1";
static const char SQL_CLIENT_ROLE[] = "SELECT role, secret_issued_ms FROM clients WHERE id = ?1";
static const char SQL_DEVICE_DELETE[] = "DELETE FROM clients WHERE id = ?1 AND role = 'device'";
static const char SQL_DEVICE_INSERT[] =
    "INSERT INTO clients(id, organisation_id, name, role, secret_hash, created_at, secret_issued_ms)"
    " SELECT id, organisation_id, 'device credentials of camera ' || id, 'device', ?2, ?3, ?4"
    " FROM cameras WHERE id = ?1";
static const char SQL_FRAME_DELETE[] = "DELETE FROM camera_frames WHERE camera_id = ?1";
static const char SQL_UPLOADS_DELETE[] = "DELETE FROM video_uploads WHERE camera_id = ?1";

/* STORE_OK when the camera exists in one of allowed_states, else NOT_FOUND / CONFLICT. */
static enum store_result check_camera_state(struct sqlite_connection *c, const char *camera_id, unsigned allowed)
{
	sqlite3_stmt *s = statement_with_id(c, SQL_CAMERA_STATE, camera_id);
	if (s == NULL)
		return STORE_ERROR;
	int rc = sqlite3_step(s);
	enum store_result result;
	if (rc == SQLITE_ROW) {
		const unsigned char *name = sqlite3_column_text(s, 0);
		enum camera_state state = sqlite_camera_state_from_name(name != NULL ? (const char *)name : "");
		result = (CAMERA_STATE_BIT(state) & allowed) != 0 ? STORE_OK : STORE_CONFLICT;
	} else {
		result = rc == SQLITE_DONE ? STORE_NOT_FOUND : sqlite_fail(c, "device camera state", rc);
	}
	sqlite3_reset(s);
	return result;
}

/* The stamp of the camera's current device credentials into *stamp (0 without any);
 * STORE_CONFLICT when a client that is not a device holds the id. */
static enum store_result current_stamp(struct sqlite_connection *c, const char *camera_id, int64_t *stamp)
{
	sqlite3_stmt *s = statement_with_id(c, SQL_CLIENT_ROLE, camera_id);
	if (s == NULL)
		return STORE_ERROR;
	*stamp = 0;
	int rc = sqlite3_step(s);
	enum store_result result = STORE_OK;
	if (rc == SQLITE_ROW) {
		const unsigned char *role = sqlite3_column_text(s, 0);
		if (role == NULL || strcmp((const char *)role, "device") != 0)
			result = STORE_CONFLICT;
		else
			*stamp = sqlite_column_int64_or_zero(s, 1);
	} else if (rc != SQLITE_DONE) {
		result = sqlite_fail(c, "device credentials read", rc);
	}
	sqlite3_reset(s);
	return result;
}

static enum store_result insert_credentials(struct sqlite_connection *c, const char *camera_id,
                                            const char *secret_hash, int64_t issued_ms)
{
	sqlite3_stmt *s = statement_with_id(c, SQL_DEVICE_INSERT, camera_id);
	if (s == NULL)
		return STORE_ERROR;
	int rc = sqlite_bind_text(s, 2, secret_hash);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 3, issued_ms / 1000);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 4, issued_ms);
	if (rc != SQLITE_OK)
		return sqlite_fail(c, "device credentials bind", rc);
	return run_changing(c, s, "device credentials insert");
}

static enum store_result sqlite_device_credentials_put(struct store *store, const char *camera_id,
                                                       const char *secret_hash, int64_t now_ms,
                                                       unsigned allowed_states, int64_t *issued_ms_out)
{
	struct sqlite_connection *c = sqlite_acquire(store);
	int64_t previous = 0;
	int64_t issued = now_ms;
	enum store_result result = sqlite_begin(c);
	if (result == STORE_OK)
		result = check_camera_state(c, camera_id, allowed_states);
	if (result == STORE_OK)
		result = current_stamp(c, camera_id, &previous);
	if (result == STORE_OK) {
		if (issued <= previous)
			issued = previous + 1; /* strictly increasing, whatever the clock does */
		sqlite3_stmt *s = statement_with_id(c, SQL_DEVICE_DELETE, camera_id);
		result = s != NULL ? sqlite_run(c, s, "device credentials delete") : STORE_ERROR;
	}
	if (result == STORE_OK)
		result = insert_credentials(c, camera_id, secret_hash, issued);
	result = sqlite_finish(c, result);
	sqlite_release(store, c);
	if (result == STORE_OK)
		*issued_ms_out = issued;
	return result;
}

static enum store_result sqlite_device_credentials_delete(struct store *store, const char *camera_id)
{
	struct sqlite_connection *c = sqlite_acquire(store);
	sqlite3_stmt *s = statement_with_id(c, SQL_DEVICE_DELETE, camera_id);
	enum store_result result = s != NULL ? run_changing(c, s, "device credentials delete") : STORE_ERROR;
	sqlite_release(store, c);
	return result;
}

/* Runs sql, a statement keyed by the camera id alone, inside the caller's transaction. */
static enum store_result run_for_camera(struct sqlite_connection *c, const char *sql, const char *camera_id,
                                        const char *context)
{
	sqlite3_stmt *s = statement_with_id(c, sql, camera_id);
	return s != NULL ? sqlite_run(c, s, context) : STORE_ERROR;
}

enum store_result sqlite_device_forget_camera(struct sqlite_connection *c, const char *camera_id)
{
	enum store_result result = run_for_camera(c, SQL_DEVICE_DELETE, camera_id, "device credentials revoke");
	return result == STORE_OK ? run_for_camera(c, SQL_FRAME_DELETE, camera_id, "frame delete") : result;
}

enum store_result sqlite_device_forget_history(struct sqlite_connection *c, const char *camera_id)
{
	enum store_result result = run_for_camera(c, SQL_FRAME_DELETE, camera_id, "frame delete");
	return result == STORE_OK ? run_for_camera(c, SQL_UPLOADS_DELETE, camera_id, "video uploads delete") : result;
}

/* --- heartbeats -------------------------------------------------------------------------------- */

static const char SQL_HEARTBEAT[] =
    "UPDATE cameras SET last_seen_at = ?2, reported_offline = ?3, encoded_frames_proportion = ?4,"
    " network_transmit_rate = ?5, video_backlog = ?6, video_upload_latency = ?7 WHERE id = ?1 RETURNING state";

static enum store_result write_heartbeat(struct sqlite_connection *c, const struct heartbeat *beat,
                                         struct heartbeat_outcome *outcome)
{
	sqlite3_stmt *s = statement_with_id(c, SQL_HEARTBEAT, beat->camera_id);
	if (s == NULL)
		return STORE_ERROR;
	int rc = sqlite3_bind_int64(s, 2, beat->at);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(s, 3, beat->shutting_down ? 1 : 0);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_double(s, 4, beat->encoded_frames_proportion);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_double(s, 5, beat->network_transmit_rate);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_double(s, 6, beat->video_backlog);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_double(s, 7, beat->video_upload_latency);
	if (rc != SQLITE_OK)
		return sqlite_fail(c, "heartbeat bind", rc);
	outcome->found = false;
	outcome->state = CAMERA_REGISTERED;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *state = sqlite3_column_text(s, 0);
		outcome->found = true;
		outcome->state = sqlite_camera_state_from_name(state != NULL ? (const char *)state : "");
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : sqlite_fail(c, "heartbeat", rc);
}

struct written_heartbeats {
	struct camera_cache *cameras;
	const struct heartbeat *beats;
	size_t count;
};

/* Committed, write lock still held: the cached rows take the heartbeats in place (in commit
 * order), so reads beside a heartbeating fleet keep hitting the cache. */
static void heartbeats_committed(void *context)
{
	const struct written_heartbeats *written = context;
	for (size_t i = 0; i < written->count; i++)
		camera_cache_heartbeat(written->cameras, &written->beats[i]);
}

static enum store_result sqlite_camera_heartbeats_write(struct store *store, const struct heartbeat *beats,
                                                        size_t count, struct heartbeat_outcome *outcomes)
{
	struct camera_cache *cameras = sqlite_camera_cache(store);
	struct written_heartbeats written = {cameras, beats, count};
	struct sqlite_connection *c = sqlite_acquire(store);
	enum store_result result = sqlite_begin(c);
	for (size_t i = 0; i < count && result == STORE_OK; i++)
		result = write_heartbeat(c, &beats[i], &outcomes[i]);
	if (result == STORE_OK)
		result = sqlite_commit_then(c, cameras != NULL ? heartbeats_committed : NULL, &written);
	else
		sqlite_rollback(c);
	sqlite_release(store, c);
	if (result != STORE_OK) /* a failed commit may or may not have kept them: drop the rows */
		for (size_t i = 0; i < count; i++)
			sqlite_camera_changed(store, beats[i].camera_id);
	return result;
}

/* --- video uploads and frames ------------------------------------------------------------------- */

static const char SQL_UPLOAD_INSERT[] = "INSERT INTO video_uploads(camera_id, uploaded_at, bytes, seconds)"
                                        " SELECT id, ?2, ?3, ?4 FROM cameras WHERE id = ?1";
static const char SQL_LAST_VIDEO[] =
    "UPDATE cameras SET last_video_at = MAX(COALESCE(last_video_at, 0), ?2) WHERE id = ?1";

static enum store_result insert_upload(struct sqlite_connection *c, const char *camera_id, int64_t uploaded_at,
                                       int64_t bytes, double seconds)
{
	sqlite3_stmt *s = statement_with_id(c, SQL_UPLOAD_INSERT, camera_id);
	if (s == NULL)
		return STORE_ERROR;
	int rc = sqlite3_bind_int64(s, 2, uploaded_at);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 3, bytes);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_double(s, 4, seconds);
	if (rc != SQLITE_OK)
		return sqlite_fail(c, "video upload bind", rc);
	return run_changing(c, s, "video upload insert");
}

static enum store_result raise_last_video(struct sqlite_connection *c, const char *camera_id, int64_t uploaded_at)
{
	sqlite3_stmt *s = statement_with_id(c, SQL_LAST_VIDEO, camera_id);
	if (s == NULL)
		return STORE_ERROR;
	int rc = sqlite3_bind_int64(s, 2, uploaded_at);
	if (rc != SQLITE_OK)
		return sqlite_fail(c, "last video bind", rc);
	return sqlite_run(c, s, "last video");
}

static enum store_result sqlite_video_upload_insert(struct store *store, const char *camera_id, int64_t uploaded_at,
                                                    int64_t bytes, double seconds)
{
	struct sqlite_connection *c = sqlite_acquire(store);
	enum store_result result = sqlite_begin(c);
	if (result == STORE_OK)
		result = insert_upload(c, camera_id, uploaded_at, bytes, seconds);
	if (result == STORE_OK)
		result = raise_last_video(c, camera_id, uploaded_at);
	result = sqlite_finish(c, result);
	sqlite_release(store, c);
	sqlite_camera_changed(store, camera_id);
	return result;
}

/* The WHERE clause keeps SQLite's upsert-after-SELECT parse unambiguous. */
static const char SQL_FRAME_PUT[] = "INSERT INTO camera_frames(camera_id, jpeg, taken_at)"
                                    " SELECT id, ?2, ?3 FROM cameras WHERE id = ?1"
                                    " ON CONFLICT(camera_id) DO UPDATE SET jpeg = excluded.jpeg,"
                                    " taken_at = excluded.taken_at";

static enum store_result sqlite_frame_put(struct store *store, const char *camera_id, const unsigned char *jpeg,
                                          size_t length, int64_t taken_at)
{
	struct sqlite_connection *c = sqlite_acquire(store);
	sqlite3_stmt *s = statement_with_id(c, SQL_FRAME_PUT, camera_id);
	enum store_result result = STORE_ERROR;
	if (s != NULL) {
		int rc = sqlite3_bind_blob64(s, 2, jpeg, (sqlite3_uint64)length, SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(s, 3, taken_at);
		result = rc == SQLITE_OK ? run_changing(c, s, "frame put") : sqlite_fail(c, "frame bind", rc);
		sqlite3_clear_bindings(s); /* the blob is the caller's: drop the reference now */
	}
	sqlite_release(store, c);
	return result;
}

void sqlite_device_ops(struct store_ops *ops)
{
	ops->device_camera_get = sqlite_device_camera_get;
	ops->device_credentials_put = sqlite_device_credentials_put;
	ops->device_credentials_delete = sqlite_device_credentials_delete;
	ops->camera_heartbeats_write = sqlite_camera_heartbeats_write;
	ops->video_upload_insert = sqlite_video_upload_insert;
	ops->frame_put = sqlite_frame_put;
}
