/* PostgreSQL operations of the device link: device credentials (a clients row with id = camera id
 * and role device), the heartbeat batch (one UPDATE for the whole batch), video upload reports
 * and the latest frame. Nodes share the database: issuing credentials locks the camera row
 * first, so that issues of one camera take turns and their stamps keep increasing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgres/pg_camera_rows.h"

/* --- the credential check ----------------------------------------------------------------------- */

static const char SQL_DEVICE_CAMERA[] = "SELECT c.state, c.organisation_id, k.secret_issued_ms FROM cameras c"
                                        " LEFT JOIN clients k ON k.id = c.id AND k.role = 'device'"
                                        " WHERE c.id = $1";

static void read_device_camera(const PGresult *r, int row, void *destination)
{
	struct device_camera *out = destination;
	out->state = pg_camera_rows_state(r, row, 0);
	pg_copy(r, row, 1, out->organisation_id, sizeof(out->organisation_id));
	out->has_credentials = !PQgetisnull(r, row, 2);
	out->secret_issued_ms = pg_int64_or_zero(r, row, 2);
}

static enum store_result pg_device_camera_get(struct store *store, const char *camera_id, struct device_camera *out)
{
	struct pg_params params = {0};
	pg_param_text(&params, camera_id);
	return pg_get(store, SQL_DEVICE_CAMERA, &params, read_device_camera, out);
}

/* --- issuing, rotating and revoking credentials --------------------------------------------------- */

/* FOR NO KEY UPDATE: issues of one camera take turns, while inserts that merely reference the
 * camera (frames, uploads) are not held up. */
static const char SQL_CAMERA_STATE_LOCKED[] = "SELECT state FROM cameras WHERE id = $1 FOR NO KEY UPDATE";
static const char SQL_CLIENT_ROLE[] = "SELECT role, secret_issued_ms FROM clients WHERE id = $1 FOR UPDATE";
static const char SQL_DEVICE_DELETE[] = "DELETE FROM clients WHERE id = $1 AND role = 'device'";
static const char SQL_DEVICE_INSERT[] =
    "INSERT INTO clients(id, organisation_id, name, role, secret_hash, created_at, secret_issued_ms)"
    " SELECT id, organisation_id, 'device credentials of camera ' || id, 'device', $2, $3::bigint, $4::bigint"
    " FROM cameras WHERE id = $1";
static const char SQL_DEVICE_FORGET[] = "WITH revoked AS (DELETE FROM clients WHERE id = $1 AND role = 'device')"
                                        " DELETE FROM camera_frames WHERE camera_id = $1";
static const char SQL_DEVICE_FORGET_HISTORY[] =
    "WITH frames AS (DELETE FROM camera_frames WHERE camera_id = $1)"
    " DELETE FROM video_uploads WHERE camera_id = $1";

static void read_state(const PGresult *r, int row, void *destination)
{
	*(enum camera_state *)destination = pg_camera_rows_state(r, row, 0);
}

/* Locks the camera row; STORE_OK when the camera exists in one of allowed_states, else
 * STORE_NOT_FOUND / STORE_CONFLICT. */
static enum store_result lock_camera_in_state(struct pg_connection *c, const char *camera_id, unsigned allowed)
{
	struct pg_params params = {0};
	pg_param_text(&params, camera_id);
	enum camera_state state = CAMERA_REGISTERED;
	enum store_result result = pg_fetch_one(c, SQL_CAMERA_STATE_LOCKED, &params, read_state, &state);
	if (result != STORE_OK)
		return result;
	return (CAMERA_STATE_BIT(state) & allowed) != 0 ? STORE_OK : STORE_CONFLICT;
}

/* What the clients row with the camera's id holds. */
struct client_stamp {
	bool is_device;
	int64_t stamp;
};

static void read_client_stamp(const PGresult *r, int row, void *destination)
{
	struct client_stamp *out = destination;
	out->is_device = strcmp(PQgetvalue(r, row, 0), "device") == 0;
	out->stamp = pg_int64_or_zero(r, row, 1);
}

/* The stamp of the camera's current device credentials into *stamp (0 without any);
 * STORE_CONFLICT when a client that is not a device holds the id. */
static enum store_result current_stamp(struct pg_connection *c, const char *camera_id, int64_t *stamp)
{
	struct pg_params params = {0};
	pg_param_text(&params, camera_id);
	struct client_stamp client = {false, 0};
	enum store_result result = pg_fetch_one(c, SQL_CLIENT_ROLE, &params, read_client_stamp, &client);
	*stamp = 0;
	if (result == STORE_NOT_FOUND)
		return STORE_OK;
	if (result != STORE_OK)
		return result;
	if (!client.is_device)
		return STORE_CONFLICT;
	*stamp = client.stamp;
	return STORE_OK;
}

static enum store_result replace_credentials(struct pg_connection *c, const char *camera_id, const char *secret_hash,
                                             int64_t issued_ms)
{
	struct pg_params id_only = {0};
	pg_param_text(&id_only, camera_id);
	enum store_result result = pg_command(c, SQL_DEVICE_DELETE, &id_only, NULL);
	if (result != STORE_OK)
		return result;
	struct pg_params params = {0};
	pg_param_text(&params, camera_id);
	pg_param_text(&params, secret_hash);
	pg_param_int64(&params, issued_ms / 1000);
	pg_param_int64(&params, issued_ms);
	long inserted = 0;
	result = pg_command(c, SQL_DEVICE_INSERT, &params, &inserted);
	return result == STORE_OK && inserted == 0 ? STORE_NOT_FOUND : result;
}

static enum store_result pg_device_credentials_put(struct store *store, const char *camera_id, const char *secret_hash,
                                                   int64_t now_ms, unsigned allowed_states, int64_t *issued_ms_out)
{
	struct pg_connection *c = pg_acquire(store);
	if (c == NULL)
		return STORE_UNAVAILABLE;
	int64_t previous = 0;
	int64_t issued = now_ms;
	enum store_result result = pg_begin(c);
	if (result == STORE_OK) {
		result = lock_camera_in_state(c, camera_id, allowed_states);
		if (result == STORE_OK)
			result = current_stamp(c, camera_id, &previous);
		if (result == STORE_OK) {
			if (issued <= previous)
				issued = previous + 1; /* strictly increasing, whatever the clocks do */
			result = replace_credentials(c, camera_id, secret_hash, issued);
		}
		result = pg_finish(c, result);
	}
	pg_release(store, c);
	if (result == STORE_OK)
		*issued_ms_out = issued;
	return result;
}

static enum store_result pg_device_credentials_delete(struct store *store, const char *camera_id)
{
	struct pg_connection *c = pg_acquire(store);
	if (c == NULL)
		return STORE_UNAVAILABLE;
	struct pg_params params = {0};
	pg_param_text(&params, camera_id);
	long deleted = 0;
	enum store_result result = pg_command(c, SQL_DEVICE_DELETE, &params, &deleted);
	pg_release(store, c);
	return result == STORE_OK && deleted == 0 ? STORE_NOT_FOUND : result;
}

enum store_result pg_device_forget_camera(struct pg_connection *connection, const char *camera_id)
{
	struct pg_params params = {0};
	pg_param_text(&params, camera_id);
	return pg_command(connection, SQL_DEVICE_FORGET, &params, NULL);
}

enum store_result pg_device_forget_history(struct pg_connection *connection, const char *camera_id)
{
	struct pg_params params = {0};
	pg_param_text(&params, camera_id);
	return pg_command(connection, SQL_DEVICE_FORGET_HISTORY, &params, NULL);
}

/* --- heartbeats -------------------------------------------------------------------------------- */

/* The whole batch in one statement (one transaction, one round trip). $1..$7 are parallel arrays,
 * one element per camera (the batch's last heartbeat of each). The sub-select locks the rows in id
 * order before any is updated, so that two nodes writing overlapping batches cannot deadlock. */
static const char SQL_HEARTBEATS[] =
    "UPDATE cameras AS c SET last_seen_at = b.at, reported_offline = b.offline,"
    " encoded_frames_proportion = b.encoded, network_transmit_rate = b.transmit,"
    " video_backlog = b.backlog, video_upload_latency = b.latency"
    " FROM (SELECT id FROM cameras WHERE id = ANY ($1::text[]) ORDER BY id FOR NO KEY UPDATE) AS l,"
    " unnest($1::text[], $2::bigint[], $3::boolean[], $4::float8[], $5::float8[], $6::float8[],"
    " $7::float8[]) AS b(id, at, offline, encoded, transmit, backlog, latency)"
    " WHERE c.id = l.id AND b.id = l.id"
    " RETURNING c.id, c.state";

enum { BEAT_ARRAYS = 7 };

/* An array literal ("{a,b}") growing in malloc'd memory; failed once memory ran out. */
struct array_text {
	char *data;
	size_t length;
	size_t capacity;
	bool failed;
};

static bool array_reserve(struct array_text *array, size_t more)
{
	if (array->failed)
		return false;
	if (array->length + more + 1 <= array->capacity)
		return true;
	size_t capacity = array->capacity > 0 ? array->capacity : 256;
	while (capacity < array->length + more + 1)
		capacity *= 2;
	char *data = realloc(array->data, capacity);
	if (data == NULL) {
		array->failed = true;
		return false;
	}
	array->data = data;
	array->capacity = capacity;
	return true;
}

/* Appends text as is (length bytes). */
static void array_raw(struct array_text *array, const char *text, size_t length)
{
	if (!array_reserve(array, length))
		return;
	memcpy(array->data + array->length, text, length);
	array->length += length;
	array->data[array->length] = '\0';
}

/* Appends the separator before element number index ("{" before the first). */
static void array_separator(struct array_text *array, size_t index)
{
	array_raw(array, index == 0 ? "{" : ",", 1);
}

/* Appends text as a quoted element, escaping '"' and '\\'. */
static void array_quoted(struct array_text *array, const char *text)
{
	size_t length = strlen(text);
	if (!array_reserve(array, 2 * length + 2))
		return;
	char *out = array->data + array->length;
	*out++ = '"';
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			*out++ = '\\';
		*out++ = *p;
	}
	*out++ = '"';
	*out = '\0';
	array->length = (size_t)(out - array->data);
}

static void array_int64(struct array_text *array, int64_t value)
{
	char text[PG_NUMBER_SIZE];
	int length = snprintf(text, sizeof(text), "%lld", (long long)value);
	array_raw(array, text, (size_t)length);
}

/* A double exactly ("%.17g"), or PostgreSQL's names for the values that are not finite. */
static void array_double(struct array_text *array, double value)
{
	if (isnan(value)) {
		array_raw(array, "NaN", 3);
	} else if (isinf(value)) {
		const char *name = value > 0 ? "Infinity" : "-Infinity";
		array_raw(array, name, strlen(name));
	} else {
		char text[PG_NUMBER_SIZE];
		int length = snprintf(text, sizeof(text), "%.17g", value);
		array_raw(array, text, (size_t)length);
	}
}

/* The cameras of a batch: one group per distinct camera id, in id order. */
struct beat_group {
	const struct heartbeat *last; /* the group's last heartbeat: its values are the ones written */
	bool found;
	enum camera_state state;
};

struct beat_plan {
	const struct heartbeat **sorted; /* the beats by camera id, then by position in the batch */
	size_t *group_of;                /* beat index -> group index */
	struct beat_group *groups;
	size_t group_count;
	struct array_text arrays[BEAT_ARRAYS];
};

static int compare_beats(const void *a, const void *b)
{
	const struct heartbeat *x = *(const struct heartbeat *const *)a;
	const struct heartbeat *y = *(const struct heartbeat *const *)b;
	int order = strcmp(x->camera_id, y->camera_id);
	if (order != 0)
		return order;
	return x < y ? -1 : x > y; /* the same array: later in memory is later in the batch */
}

static int compare_group_key(const void *key, const void *element)
{
	return strcmp(key, ((const struct beat_group *)element)->last->camera_id);
}

static void plan_free(struct beat_plan *plan)
{
	free(plan->sorted);
	free(plan->group_of);
	free(plan->groups);
	for (int i = 0; i < BEAT_ARRAYS; i++)
		free(plan->arrays[i].data);
}

/* Adds the group's last heartbeat as element number index of every array. */
static void plan_add(struct beat_plan *plan, size_t index, const struct heartbeat *beat)
{
	for (int i = 0; i < BEAT_ARRAYS; i++)
		array_separator(&plan->arrays[i], index);
	array_quoted(&plan->arrays[0], beat->camera_id);
	array_int64(&plan->arrays[1], beat->at);
	array_raw(&plan->arrays[2], beat->shutting_down ? "t" : "f", 1);
	array_double(&plan->arrays[3], beat->encoded_frames_proportion);
	array_double(&plan->arrays[4], beat->network_transmit_rate);
	array_double(&plan->arrays[5], beat->video_backlog);
	array_double(&plan->arrays[6], beat->video_upload_latency);
}

/* Groups the beats by camera (a camera may beat twice in one batch: its last heartbeat wins, as
 * when they are written one after the other) and builds the array literals. False when memory
 * ran out. */
static bool plan_build(struct beat_plan *plan, const struct heartbeat *beats, size_t count)
{
	plan->sorted = malloc(count * sizeof(*plan->sorted));
	plan->group_of = malloc(count * sizeof(*plan->group_of));
	plan->groups = malloc(count * sizeof(*plan->groups));
	if (plan->sorted == NULL || plan->group_of == NULL || plan->groups == NULL)
		return false;
	for (size_t i = 0; i < count; i++)
		plan->sorted[i] = &beats[i];
	qsort(plan->sorted, count, sizeof(*plan->sorted), compare_beats);
	for (size_t k = 0; k < count; k++) {
		const struct heartbeat *beat = plan->sorted[k];
		bool same = k > 0 && strcmp(plan->sorted[k - 1]->camera_id, beat->camera_id) == 0;
		if (!same)
			plan->group_count++;
		struct beat_group *group = &plan->groups[plan->group_count - 1];
		*group = (struct beat_group){.last = beat, .found = false, .state = CAMERA_REGISTERED};
		plan->group_of[beat - beats] = plan->group_count - 1;
	}
	for (size_t g = 0; g < plan->group_count; g++)
		plan_add(plan, g, plan->groups[g].last);
	for (int i = 0; i < BEAT_ARRAYS; i++) {
		array_raw(&plan->arrays[i], "}", 1);
		if (plan->arrays[i].failed)
			return false;
	}
	return true;
}

/* Marks the groups of the cameras the UPDATE returned (id, state) as found. */
static void plan_mark_found(struct beat_plan *plan, const PGresult *rows)
{
	for (int row = 0; row < PQntuples(rows); row++) {
		struct beat_group *group = bsearch(PQgetvalue(rows, row, 0), plan->groups, plan->group_count,
		                                   sizeof(*plan->groups), compare_group_key);
		if (group == NULL)
			continue; /* cannot happen: every id returned was sent */
		group->found = true;
		group->state = pg_camera_rows_state(rows, row, 1);
	}
}

static enum store_result write_plan(struct pg_connection *c, struct beat_plan *plan)
{
	struct pg_params params = {0};
	for (int i = 0; i < BEAT_ARRAYS; i++)
		pg_param_text(&params, plan->arrays[i].data);
	enum store_result result;
	PGresult *rows = pg_query(c, SQL_HEARTBEATS, &params, &result);
	if (rows == NULL)
		return result;
	plan_mark_found(plan, rows);
	PQclear(rows);
	return STORE_OK;
}

static enum store_result pg_camera_heartbeats_write(struct store *store, const struct heartbeat *beats, size_t count,
                                                    struct heartbeat_outcome *outcomes)
{
	if (count == 0)
		return STORE_OK;
	struct beat_plan plan = {0};
	if (!plan_build(&plan, beats, count)) {
		plan_free(&plan);
		return STORE_ERROR; /* out of memory */
	}
	struct pg_connection *c = pg_acquire(store);
	enum store_result result = c != NULL ? write_plan(c, &plan) : STORE_UNAVAILABLE;
	if (c != NULL)
		pg_release(store, c);
	for (size_t i = 0; i < count && result == STORE_OK; i++) {
		const struct beat_group *group = &plan.groups[plan.group_of[i]];
		outcomes[i] = (struct heartbeat_outcome){.found = group->found, .state = group->state};
	}
	plan_free(&plan);
	return result;
}

/* --- video uploads and frames ------------------------------------------------------------------- */

/* One statement: raising last_video_at locks the camera row (so concurrent uploads keep the
 * latest time), and the report is inserted only when the camera exists. */
static const char SQL_UPLOAD_INSERT[] =
    "WITH camera AS (UPDATE cameras SET last_video_at = GREATEST(COALESCE(last_video_at, 0), $2)"
    " WHERE id = $1 RETURNING id)"
    " INSERT INTO video_uploads(camera_id, uploaded_at, bytes, seconds)"
    " SELECT id, $2, $3::bigint, $4::float8 FROM camera";

static enum store_result pg_video_upload_insert(struct store *store, const char *camera_id, int64_t uploaded_at,
                                                int64_t bytes, double seconds)
{
	struct pg_params params = {0};
	pg_param_text(&params, camera_id);
	pg_param_int64(&params, uploaded_at);
	pg_param_int64(&params, bytes);
	pg_param_double(&params, seconds);
	return pg_write(store, SQL_UPLOAD_INSERT, &params, true); /* nothing inserted: no such camera */
}

static const char SQL_FRAME_PUT[] = "INSERT INTO camera_frames(camera_id, jpeg, taken_at)"
                                    " SELECT id, $2::bytea, $3::bigint FROM cameras WHERE id = $1"
                                    " ON CONFLICT (camera_id) DO UPDATE SET jpeg = excluded.jpeg,"
                                    " taken_at = excluded.taken_at";

static enum store_result pg_frame_put(struct store *store, const char *camera_id, const unsigned char *jpeg,
                                      size_t length, int64_t taken_at)
{
	struct pg_params params = {0};
	pg_param_text(&params, camera_id);
	pg_param_binary(&params, jpeg, length);
	pg_param_int64(&params, taken_at);
	return pg_write(store, SQL_FRAME_PUT, &params, true); /* nothing written: no such camera */
}

void pg_device_ops(struct store_ops *ops)
{
	ops->device_camera_get = pg_device_camera_get;
	ops->device_credentials_put = pg_device_credentials_put;
	ops->device_credentials_delete = pg_device_credentials_delete;
	ops->camera_heartbeats_write = pg_camera_heartbeats_write;
	ops->video_upload_insert = pg_video_upload_insert;
	ops->frame_put = pg_frame_put;
}
