/* The device link's operations: device credentials (a clients row with id = camera id and role
 * device), video upload reports and the latest frame. Issuing credentials first takes the
 * camera row (on PostgreSQL a row lock), so that issues of one camera take turns and their
 * stamps keep increasing. Heartbeats are written per dialect (sqlite/, postgres/); upload reports
 * are summed (by hour, too) and pruned in shared/video_uploads.c. */
#include <string.h>

#include "domain/lifecycle.h"
#include "domain/upload_window.h"
#include "store/camera_cache.h"
#include "store/shared/shared_ops.h"

/* --- the credential check ------------------------------------------------------------------- */

static const char SQL_DEVICE_CAMERA[] = "SELECT c.state, c.organisation_id, k.secret_issued_ms FROM cameras c"
                                        " LEFT JOIN clients k ON k.id = c.id AND k.role = 'device'"
                                        " WHERE c.id = $1";

static void read_device_camera(const struct sql_row *row, void *destination)
{
	struct device_camera *out = destination;
	if (!camera_state_from_name(sql_text_view(row, 0), &out->state))
		out->state = CAMERA_REGISTERED;
	sql_text(row, 1, out->organisation_id, sizeof(out->organisation_id));
	out->has_credentials = !sql_is_null(row, 2);
	out->secret_issued_ms = sql_int64(row, 2);
}

enum store_result shared_device_camera_get(struct store *store, const char *camera_id, struct device_camera *out)
{
	struct sql_params params = {0};
	sql_param_text(&params, camera_id);
	return sql_get(store, SQL_DEVICE_CAMERA, &params, read_device_camera, out);
}

/* --- issuing, rotating and revoking credentials ----------------------------------------------- */

/* FOR NO KEY UPDATE: issues of one camera take turns, while inserts that merely reference the
 * camera (frames, uploads) are not held up. */
static const char *const SQL_CAMERA_STATE_LOCKED[] =
    SQL_LOCKING("SELECT state, device_stamp_ms FROM cameras WHERE id = $1", " FOR NO KEY UPDATE");
/* The latest stamp stays on the camera row after its credentials are revoked. */
static const char SQL_CAMERA_STAMP[] = "UPDATE cameras SET device_stamp_ms = $2 WHERE id = $1";
static const char *const SQL_CLIENT_ROLE[] =
    SQL_LOCKING("SELECT role, secret_issued_ms FROM clients WHERE id = $1", " FOR UPDATE");
static const char SQL_DEVICE_DELETE[] = "DELETE FROM clients WHERE id = $1 AND role = 'device'";
static const char SQL_DEVICE_INSERT[] =
    "INSERT INTO clients(id, organisation_id, name, role, secret_hash, created_at, secret_issued_ms)"
    " SELECT id, organisation_id, 'device credentials of camera ' || id, 'device', $2, CAST($3 AS bigint),"
    " CAST($4 AS bigint) FROM cameras WHERE id = $1";
static const char SQL_FRAME_DELETE[] = "DELETE FROM camera_frames WHERE camera_id = $1";
static const char SQL_UPLOADS_DELETE[] = "DELETE FROM video_uploads WHERE camera_id = $1";
static const char SQL_UPLOAD_HOURS_DELETE[] = "DELETE FROM video_upload_hours WHERE camera_id = $1";

/* The camera's state and the stamp of its latest device credentials (also revoked ones). */
struct camera_stamp {
	enum camera_state state;
	int64_t stamp;
};

static void read_camera_stamp(const struct sql_row *row, void *destination)
{
	struct camera_stamp *out = destination;
	if (!camera_state_from_name(sql_text_view(row, 0), &out->state))
		out->state = CAMERA_REGISTERED;
	out->stamp = sql_int64(row, 1);
}

/* What the clients row with the camera's id holds. */
struct client_stamp {
	bool is_device;
	int64_t stamp;
};

static void read_client_stamp(const struct sql_row *row, void *destination)
{
	struct client_stamp *out = destination;
	out->is_device = strcmp(sql_text_view(row, 0), "device") == 0;
	out->stamp = sql_int64(row, 1);
}

struct issue {
	const char *camera_id, *secret_hash;
	unsigned allowed_states;
	int64_t *issued_ms; /* in: now; out: the new stamp */
};

/* Takes the camera row (STORE_NOT_FOUND / STORE_CONFLICT unless it is in an allowed state), reads
 * the latest stamp (STORE_CONFLICT when a client that is not a device holds the id), then
 * replaces the credentials with a stamp later than it, and keeps that on the camera row. */
static enum store_result issue_in_transaction(struct sql_connection *c, const void *context)
{
	const struct issue *issue = context;
	struct sql_params id = {0};
	sql_param_text(&id, issue->camera_id);
	struct camera_stamp camera = {CAMERA_REGISTERED, 0};
	enum store_result result =
	    sql_fetch_one(c, sql_for(c, SQL_CAMERA_STATE_LOCKED), &id, read_camera_stamp, &camera);
	if (result != STORE_OK)
		return result;
	if ((CAMERA_STATE_BIT(camera.state) & issue->allowed_states) == 0)
		return STORE_CONFLICT;
	struct client_stamp client = {true, 0};
	result = sql_fetch_one(c, sql_for(c, SQL_CLIENT_ROLE), &id, read_client_stamp, &client);
	if (result != STORE_OK && result != STORE_NOT_FOUND)
		return result;
	if (!client.is_device)
		return STORE_CONFLICT;
	int64_t latest = client.stamp > camera.stamp ? client.stamp : camera.stamp;
	if (*issue->issued_ms <= latest)
		*issue->issued_ms = latest + 1; /* strictly increasing, whatever the clocks do */
	result = sql_change(c, SQL_DEVICE_DELETE, &id, false);
	struct sql_params params = {0};
	sql_param_text(&params, issue->camera_id);
	sql_param_text(&params, issue->secret_hash);
	sql_param_int64(&params, *issue->issued_ms / 1000);
	sql_param_int64(&params, *issue->issued_ms);
	if (result == STORE_OK)
		result = sql_change(c, SQL_DEVICE_INSERT, &params, true);
	params.count = 0;
	sql_param_text(&params, issue->camera_id);
	sql_param_int64(&params, *issue->issued_ms);
	return result == STORE_OK ? sql_change(c, SQL_CAMERA_STAMP, &params, true) : result;
}

enum store_result shared_device_credentials_put(struct store *store, const char *camera_id, const char *secret_hash,
                                                int64_t now_ms, unsigned allowed_states, int64_t *issued_ms_out)
{
	int64_t issued = now_ms;
	struct issue issue = {camera_id, secret_hash, allowed_states, &issued};
	enum store_result result = sql_transaction(store, issue_in_transaction, &issue);
	if (result == STORE_OK)
		*issued_ms_out = issued;
	return result;
}

enum store_result shared_device_credentials_delete(struct store *store, const char *camera_id)
{
	struct sql_params params = {0};
	sql_param_text(&params, camera_id);
	return sql_write(store, SQL_DEVICE_DELETE, &params, true);
}

/* Runs each statement of the NULL-terminated list (keyed by the camera id) in turn, stopping at a
 * failure. */
static enum store_result run_for_camera(struct sql_connection *c, const char *camera_id, const char *const *statements)
{
	struct sql_params params = {0};
	sql_param_text(&params, camera_id);
	enum store_result result = STORE_OK;
	for (const char *const *sql = statements; *sql != NULL && result == STORE_OK; sql++)
		result = sql_change(c, *sql, &params, false);
	return result;
}

enum store_result shared_device_forget_camera(struct sql_connection *c, const char *camera_id)
{
	static const char *const statements[] = {SQL_DEVICE_DELETE, SQL_FRAME_DELETE, NULL};
	return run_for_camera(c, camera_id, statements);
}

enum store_result shared_device_forget_history(struct sql_connection *c, const char *camera_id)
{
	static const char *const statements[] = {SQL_FRAME_DELETE, SQL_UPLOADS_DELETE, SQL_UPLOAD_HOURS_DELETE, NULL};
	return run_for_camera(c, camera_id, statements);
}

/* --- video uploads and frames ------------------------------------------------------------------ */

/* Raising last_video_at takes the camera row (so concurrent uploads keep the latest time), only
 * while its device credentials carry the token's stamp; then the report is inserted and added to
 * its hour's bucket — only when made at or after the camera's claim, as the metrics count nothing
 * earlier (a camera never claimed has no bucket). PostgreSQL does all three in one statement (one
 * round trip), SQLite, which has no data-modifying WITH, in three statements of one transaction.
 * $1 camera, $2 uploaded_at, $3 bytes, $4 seconds, $5 the hour's start, $6 the credential stamp
 * (on SQLite's own UPDATE, $3). */
#define RAISE_LAST_VIDEO(stamp)                                                                                        \
	"UPDATE cameras SET last_video_at = CASE WHEN COALESCE(last_video_at, 0) > $2 THEN last_video_at ELSE $2 END"  \
	" WHERE id = $1 AND" STORE_SQL_CREDENTIAL_CURRENT("$1", "CAST(" stamp " AS bigint)")
#define ADD_TO_HOUR                                                                                                    \
	" ON CONFLICT (camera_id, hour_start) DO UPDATE SET bytes = video_upload_hours.bytes + excluded.bytes,"        \
	" seconds = video_upload_hours.seconds + excluded.seconds, reports = video_upload_hours.reports + 1"
static const char SQL_RAISE_LAST_VIDEO[] = RAISE_LAST_VIDEO("$3");
static const char SQL_UPLOAD_INSERT[] = "INSERT INTO video_uploads(camera_id, uploaded_at, bytes, seconds)"
                                        " VALUES ($1, $2, $3, $4)";
static const char SQL_UPLOAD_HOUR_ADD[] =
    "INSERT INTO video_upload_hours(camera_id, hour_start, bytes, seconds, reports)"
    " SELECT id, $5, $3, $4, 1 FROM cameras WHERE id = $1 AND claimed_at <= $2" ADD_TO_HOUR;
static const char SQL_UPLOAD_WITH_RAISE[] = "WITH camera AS (" RAISE_LAST_VIDEO(
    "$6") " RETURNING id, claimed_at),"
          " hour AS (INSERT INTO video_upload_hours(camera_id, hour_start, bytes, seconds, reports)"
          " SELECT id, CAST($5 AS bigint), CAST($3 AS bigint), CAST($4 AS double precision), 1 FROM camera"
          " WHERE claimed_at <= $2" ADD_TO_HOUR ")"
          " INSERT INTO video_uploads(camera_id, uploaded_at, bytes, seconds)"
          " SELECT id, $2, CAST($3 AS bigint), CAST($4 AS double precision) FROM camera";

static enum store_result upload_in_transaction(struct sql_connection *c, const void *context)
{
	const struct sql_params *params = context;
	struct sql_params camera_time_stamp = *params, report = *params, bucket = *params;
	camera_time_stamp.count = 3; /* $1, $2 and the stamp ($6 of the report's) as $3 */
	camera_time_stamp.values[2] = params->values[5];
	report.count = 4; /* $1 to $4 */
	bucket.count = 5; /* $1 to $5 */
	enum store_result result = sql_change(c, SQL_RAISE_LAST_VIDEO, &camera_time_stamp, true);
	if (result == STORE_OK)
		result = sql_change(c, SQL_UPLOAD_INSERT, &report, false);
	return result == STORE_OK ? sql_change(c, SQL_UPLOAD_HOUR_ADD, &bucket, false) : result;
}

enum store_result shared_video_upload_insert(struct store *store, const char *camera_id, int64_t credential_issued_ms,
                                             int64_t uploaded_at, int64_t bytes, double seconds)
{
	if (isnan(seconds))
		return STORE_CONFLICT; /* SQLite would keep NULL: no back end stores NaN */
	struct sql_params params = {0};
	sql_param_text(&params, camera_id);
	sql_param_int64(&params, uploaded_at);
	sql_param_int64(&params, bytes);
	sql_param_double(&params, seconds);
	sql_param_int64(&params, upload_hour_start(uploaded_at));
	sql_param_int64(&params, credential_issued_ms);
	enum store_result result;
	if (sql_dialect_of(store) == SQL_POSTGRES)
		result = sql_write(store, SQL_UPLOAD_WITH_RAISE, &params, true); /* nothing: no camera, or revoked */
	else
		result = sql_transaction(store, upload_in_transaction, &params);
	if (store->camera_cache != NULL)
		camera_cache_forget(store->camera_cache, camera_id);
	return result;
}

/* A frame of a camera that does not exist breaks the foreign key: STORE_NOT_FOUND; so does one
 * whose credentials no longer carry the token's stamp ($4): nothing is inserted. */
static const char SQL_FRAME_PUT[] =
    "INSERT INTO camera_frames(camera_id, jpeg, taken_at) SELECT $1, $2, CAST($3 AS bigint) "
    "WHERE" STORE_SQL_CREDENTIAL_CURRENT(
        "$1", "CAST($4 AS bigint)") " ON CONFLICT (camera_id) DO UPDATE SET jpeg = excluded.jpeg,"
                                    " taken_at = excluded.taken_at";

enum store_result shared_frame_put(struct store *store, const char *camera_id, int64_t credential_issued_ms,
                                   const unsigned char *jpeg, size_t length, int64_t taken_at)
{
	struct sql_params params = {0};
	sql_param_text(&params, camera_id);
	sql_param_blob(&params, jpeg, length);
	sql_param_int64(&params, taken_at);
	sql_param_int64(&params, credential_issued_ms);
	enum store_result result = sql_write(store, SQL_FRAME_PUT, &params, true);
	return result == STORE_CONFLICT ? STORE_NOT_FOUND : result;
}
