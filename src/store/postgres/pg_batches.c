/* The two operations PostgreSQL does in one round trip where SQLite loops: reading many cameras
 * by id (an array parameter) and writing a batch of heartbeats (unnest of parallel arrays), with
 * the array literals they send. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/lifecycle.h"
#include "store/postgres/pg_ops.h"
#include "store/shared/shared_ops.h"

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
	char text[32];
	int length = snprintf(text, sizeof(text), "%lld", (long long)value);
	array_raw(array, text, (size_t)length);
}

/* A double exactly ("%.17g"), or PostgreSQL's names for the infinities (NaN is never stored). */
static void array_double(struct array_text *array, double value)
{
	if (isinf(value)) {
		const char *name = value > 0 ? "Infinity" : "-Infinity";
		array_raw(array, name, strlen(name));
	} else {
		char text[32];
		int length = snprintf(text, sizeof(text), "%.17g", value);
		array_raw(array, text, (size_t)length);
	}
}

static const char SQL_CAMERAS_BY_IDS[] = "SELECT " STORE_CAMERA_COLUMNS " FROM cameras WHERE id = ANY($1::text[])";

struct many {
	const char *const *ids;
	size_t count;
	struct camera *out;
	bool *found;
};

/* Matches a returned row to every request of its id. */
static int match_row(void *context, const struct sql_row *row)
{
	struct many *many = context;
	const char *id = sql_text_view(row, 0);
	for (size_t i = 0; i < many->count; i++) {
		if (!many->found[i] && strcmp(many->ids[i], id) == 0) {
			shared_read_camera(row, &many->out[i]);
			many->found[i] = true;
		}
	}
	return 0;
}

/* One query for the lot: the rows come back in any order and are matched to ids by id. */
enum store_result pg_camera_get_many(struct store *store, const char *const *ids, size_t count, struct camera *out,
                                     bool *found)
{
	for (size_t i = 0; i < count; i++)
		found[i] = false;
	if (count == 0)
		return STORE_OK;
	struct array_text literal = {0};
	for (size_t i = 0; i < count; i++) {
		array_separator(&literal, i);
		array_quoted(&literal, ids[i]);
	}
	array_raw(&literal, "}", 1);
	if (literal.failed) {
		free(literal.data);
		return STORE_ERROR; /* out of memory */
	}
	struct sql_params params = {0};
	sql_param_text(&params, literal.data);
	struct many many = {ids, count, out, found};
	struct sql_connection *c = sql_acquire(store);
	enum store_result result = STORE_UNAVAILABLE;
	if (c != NULL) {
		result = sql_fetch_batch(c, SQL_CAMERAS_BY_IDS, &params, match_row, &many);
		sql_release(store, c);
	}
	free(literal.data);
	return result;
}

/* --- heartbeats -------------------------------------------------------------------------------- */

/* The whole batch in one statement (one transaction, one round trip). $1..$10 are parallel arrays,
 * one element per camera (the batch's last heartbeat of each). The sub-select locks the rows in id
 * order before any is updated, so that two nodes writing overlapping batches cannot deadlock. A
 * camera whose device credentials no longer carry the token's stamp (b.cred) is not written. */
static const char SQL_HEARTBEATS[] =
    "UPDATE cameras AS c SET last_seen_at = b.at, reported_offline = b.offline,"
    " encoded_frames_proportion = b.encoded, network_transmit_rate = b.transmit,"
    " video_backlog = b.backlog, video_upload_latency = b.latency,"
    " reported_state = COALESCE(b.reported, c.reported_state)," STORE_SQL_HEARTBEAT_ALERT_AT(
        "b.at",
        "b.due") " FROM (SELECT id FROM cameras WHERE id = ANY ($1::text[]) ORDER BY id FOR NO KEY UPDATE) AS l,"
                 " unnest($1::text[], $2::bigint[], $3::boolean[], $4::float8[], $5::float8[], $6::float8[],"
                 " $7::float8[], $8::bigint[], $9::text[], $10::bigint[])"
                 " AS b(id, at, offline, encoded, transmit, backlog, latency, due, reported, cred)"
                 " WHERE c.id = l.id AND b.id = l.id AND" STORE_SQL_CREDENTIAL_CURRENT(
                     "c.id", "b.cred") " RETURNING c.id, c.state";

enum { BEAT_ARRAYS = 10 };

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
	array_int64(&plan->arrays[7], beat->alert_due_ms);
	const char *reported = camera_reported_state_name(beat->reported_state);
	if (reported != NULL)
		array_quoted(&plan->arrays[8], reported);
	else
		array_raw(&plan->arrays[8], "NULL", 4);
	array_int64(&plan->arrays[9], beat->credential_issued_ms);
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

/* Marks the group of a camera the UPDATE returned (id, state) as found. */
static int mark_found(void *context, const struct sql_row *row)
{
	struct beat_plan *plan = context;
	struct beat_group *group =
	    bsearch(sql_text_view(row, 0), plan->groups, plan->group_count, sizeof(*plan->groups), compare_group_key);
	if (group == NULL)
		return 0; /* cannot happen: every id returned was sent */
	group->found = true;
	if (!camera_state_from_name(sql_text_view(row, 1), &group->state))
		group->state = CAMERA_REGISTERED;
	return 0;
}

enum store_result pg_camera_heartbeats_write(struct store *store, const struct heartbeat *beats, size_t count,
                                             struct heartbeat_outcome *outcomes)
{
	if (!shared_heartbeats_storable(beats, count))
		return STORE_CONFLICT;
	if (count == 0)
		return STORE_OK;
	struct beat_plan plan = {0};
	if (!plan_build(&plan, beats, count)) {
		plan_free(&plan);
		return STORE_ERROR; /* out of memory */
	}
	struct sql_params params = {.repeatable = true}; /* it sets the same values again */
	for (int i = 0; i < BEAT_ARRAYS; i++)
		sql_param_text(&params, plan.arrays[i].data);
	struct sql_connection *c = sql_acquire(store);
	enum store_result result = c != NULL ? STORE_OK : STORE_UNAVAILABLE;
	if (c != NULL) {
		result = sql_fetch_batch(c, SQL_HEARTBEATS, &params, mark_found, &plan);
		sql_release(store, c);
	}
	for (size_t i = 0; i < count && result == STORE_OK; i++) {
		/* A beat with another stamp than the one written was made with other credentials: one of
		 * the two is no longer current, and it is never taken for the written one. */
		const struct beat_group *group = &plan.groups[plan.group_of[i]];
		bool same_credentials = beats[i].credential_issued_ms == group->last->credential_issued_ms;
		outcomes[i] =
		    (struct heartbeat_outcome){.found = group->found && same_credentials, .state = group->state};
	}
	plan_free(&plan);
	return result;
}
