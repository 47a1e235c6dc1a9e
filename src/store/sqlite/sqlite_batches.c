/* The two operations SQLite does its own way (see sqlite_ops.h). */
#include "domain/lifecycle.h"
#include "store/camera_cache.h"
#include "store/shared/shared_ops.h"
#include "store/sqlite/sqlite_driver.h"
#include "store/sqlite/sqlite_ops.h"

static const char SQL_CAMERA_BY_ID[] = "SELECT " STORE_CAMERA_COLUMNS " FROM cameras WHERE id = $1";

enum store_result sqlite_camera_get_many(struct store *store, const char *const *ids, size_t count, struct camera *out,
                                         bool *found)
{
	struct sql_connection *c = sql_acquire(store);
	enum store_result result = STORE_OK;
	for (size_t i = 0; i < count && result == STORE_OK; i++) {
		struct sql_params params = {0};
		sql_param_text(&params, ids[i]);
		enum store_result one = sql_fetch_one(c, SQL_CAMERA_BY_ID, &params, shared_read_camera, &out[i]);
		found[i] = one == STORE_OK;
		if (one != STORE_OK && one != STORE_NOT_FOUND)
			result = one;
	}
	sql_release(store, c);
	return result;
}

static const char SQL_HEARTBEAT[] =
    "UPDATE cameras SET last_seen_at = $2, reported_offline = $3, encoded_frames_proportion = $4,"
    " network_transmit_rate = $5, video_backlog = $6, video_upload_latency = $7,"
    " reported_state = COALESCE($9, reported_state)," STORE_SQL_HEARTBEAT_ALERT_AT(
        "$2", "$8") " WHERE id = $1 AND" STORE_SQL_CREDENTIAL_CURRENT("$1", "CAST($10 AS bigint)") " RETURNING state";

static void read_outcome(const struct sql_row *row, void *destination)
{
	struct heartbeat_outcome *outcome = destination;
	outcome->found = true;
	if (!camera_state_from_name(sql_text_view(row, 0), &outcome->state))
		outcome->state = CAMERA_REGISTERED;
}

static enum store_result write_heartbeat(struct sql_connection *c, const struct heartbeat *beat,
                                         struct heartbeat_outcome *outcome)
{
	struct sql_params params = {0};
	sql_param_text(&params, beat->camera_id);
	sql_param_int64(&params, beat->at);
	sql_param_bool(&params, beat->shutting_down);
	sql_param_double(&params, beat->encoded_frames_proportion);
	sql_param_double(&params, beat->network_transmit_rate);
	sql_param_double(&params, beat->video_backlog);
	sql_param_double(&params, beat->video_upload_latency);
	sql_param_int64(&params, beat->alert_due_ms);
	sql_param_text_or_null(&params, camera_reported_state_name(beat->reported_state));
	sql_param_int64(&params, beat->credential_issued_ms);
	*outcome = (struct heartbeat_outcome){.found = false, .state = CAMERA_REGISTERED};
	enum store_result result = sql_fetch_one(c, SQL_HEARTBEAT, &params, read_outcome, outcome);
	return result == STORE_NOT_FOUND ? STORE_OK : result;
}

struct written_heartbeats {
	struct camera_cache *cameras;
	const struct heartbeat *beats;
	const struct heartbeat_outcome *outcomes; /* a beat that found nothing wrote nothing */
	size_t count;
};

/* Committed, write lock still held: the cached rows take the heartbeats in place (in commit
 * order), so reads beside a heartbeating fleet keep hitting the cache. */
static void heartbeats_committed(void *context)
{
	const struct written_heartbeats *written = context;
	for (size_t i = 0; i < written->count; i++)
		if (written->outcomes[i].found)
			camera_cache_heartbeat(written->cameras, &written->beats[i]);
}

enum store_result sqlite_camera_heartbeats_write(struct store *store, const struct heartbeat *beats, size_t count,
                                                 struct heartbeat_outcome *outcomes)
{
	if (!shared_heartbeats_storable(beats, count))
		return STORE_CONFLICT;
	struct camera_cache *cameras = store->camera_cache;
	struct written_heartbeats written = {cameras, beats, outcomes, count};
	struct sql_connection *c = sql_acquire(store);
	enum store_result result = c->driver->begin(c);
	for (size_t i = 0; i < count && result == STORE_OK; i++)
		result = write_heartbeat(c, &beats[i], &outcomes[i]);
	if (result == STORE_OK)
		result = sqlite_commit_then(c, cameras != NULL ? heartbeats_committed : NULL, &written);
	else
		c->driver->rollback(c);
	sql_release(store, c);
	if (result != STORE_OK && cameras != NULL) /* a failed commit may or may not have kept them */
		for (size_t i = 0; i < count; i++)
			camera_cache_forget(cameras, beats[i].camera_id);
	return result;
}
