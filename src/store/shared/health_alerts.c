/* Health alerts (store.h "Health alerts"): claiming the cameras due, and applying the evaluator's
 * decisions, each in one transaction with its event that first takes the camera row again (and,
 * for the whole-site decisions, its site row, then its cameras' rows in id order) and re-checks it
 * against what the decision was made on. */
#include <stdlib.h>
#include <string.h>

#include "domain/health_alert_event.h"
#include "domain/lifecycle.h"
#include "store/shared/shared_ops.h"
#include "util/log.h"

#define ALERT_COLUMNS STORE_CAMERA_COLUMNS ", alert_state, alert_sent_at_ms, alert_offline_since_ms"

/* The due cameras, earliest first, leased; PostgreSQL skips rows another node holds. They are
 * picked in a WITH, which PostgreSQL runs once (a LIMIT under FOR UPDATE SKIP LOCKED inside IN may
 * be run again per row and lease more than asked). */
#define CLAIM(lock)                                                                                                    \
	"WITH picked AS (SELECT id FROM cameras WHERE alert_at_ms <= $1 ORDER BY alert_at_ms LIMIT $3" lock ")"        \
	" UPDATE cameras SET alert_at_ms = $2 WHERE id IN (SELECT id FROM picked) RETURNING " ALERT_COLUMNS
static const char *const SQL_ALERT_CLAIM[] = SQL_EACH_DIALECT(CLAIM(""), CLAIM(" FOR UPDATE SKIP LOCKED"));
static const char *const SQL_ALERT_CAMERA_LOCK[] =
    SQL_LOCKING("SELECT " ALERT_COLUMNS " FROM cameras WHERE id = $1", " FOR UPDATE");
static const char *const SQL_ALERT_SITE_LOCK[] =
    SQL_LOCKING("SELECT alert_state, alert_offline_since_ms FROM sites WHERE id = $1", " FOR UPDATE");
/* The cameras a site decision weighs: the site's running ones and any its alert covers. */
static const char *const SQL_ALERT_SITE_CAMERAS[] =
    SQL_LOCKING("SELECT id, state, last_seen_at, reported_offline, alert_state, alert_sent_at_ms FROM cameras"
                " WHERE site_id = $1 AND (state = 'running' OR alert_state = 2) ORDER BY id",
                " FOR UPDATE");
static const char SQL_ALERT_CAMERA_SET[] = "UPDATE cameras SET alert_state = $2, alert_at_ms = $3,"
                                           " alert_sent_at_ms = $4, alert_offline_since_ms = $5 WHERE id = $1";
static const char SQL_ALERT_SITE_SET[] = "UPDATE sites SET alert_state = $2, alert_offline_since_ms = $3 WHERE id = $1";

static void read_alert_row(const struct sql_row *row, void *destination)
{
	struct alert_row *out = destination;
	shared_read_camera(row, &out->camera);
	out->alert_state = (enum alert_state)sql_int64(row, STORE_CAMERA_COLUMN_COUNT);
	out->alert_sent_at_ms = sql_int64(row, STORE_CAMERA_COLUMN_COUNT + 1);
	out->alert_offline_since_ms = sql_int64(row, STORE_CAMERA_COLUMN_COUNT + 2);
}

struct claim_context {
	alert_row_fn row;
	void *context;
};

static int claimed_row(void *context, const struct sql_row *row)
{
	const struct claim_context *claim = context;
	struct alert_row alert;
	read_alert_row(row, &alert);
	return claim->row(claim->context, &alert);
}

enum store_result shared_alert_claim_due(struct store *store, int64_t now_ms, int64_t lease_until_ms, unsigned limit,
                                         alert_row_fn row, void *context)
{
	struct sql_connection *c = sql_acquire(store);
	if (c == NULL)
		return STORE_UNAVAILABLE;
	struct sql_params params = {0};
	sql_param_int64(&params, now_ms);
	sql_param_int64(&params, lease_until_ms);
	sql_param_int64(&params, (int64_t)limit);
	struct claim_context claim = {row, context};
	enum store_result result = sql_fetch_batch(c, sql_for(c, SQL_ALERT_CLAIM), &params, claimed_row, &claim);
	sql_release(store, c);
	return result;
}

/* --- applying a decision ------------------------------------------------------------------------ */

static struct alert_camera alert_camera_of(const struct alert_row *row)
{
	return (struct alert_camera){.state = row->camera.state,
	                             .last_seen_at = row->camera.last_seen_at,
	                             .reported_offline = row->camera.reported_offline,
	                             .alert_state = row->alert_state,
	                             .alert_sent_at_ms = row->alert_sent_at_ms};
}

/* Whether the row still holds what the decision was made on. */
static bool unchanged(const struct alert_camera *now, const struct alert_camera *seen)
{
	return now->state == seen->state && now->last_seen_at == seen->last_seen_at &&
	       now->reported_offline == seen->reported_offline && now->alert_state == seen->alert_state;
}

static void param_time_or_null(struct sql_params *params, int64_t ms)
{
	if (ms != 0)
		sql_param_int64(params, ms);
	else
		sql_param_null(params);
}

/* Writes the camera's alert: its state, next look, and when its open alert went out and the
 * offlineSince it said (times 0: NULL). */
static enum store_result set_camera_alert(struct sql_connection *c, const char *id, enum alert_state state,
                                          int64_t next_at_ms, int64_t sent_at_ms, int64_t offline_since_ms)
{
	struct sql_params params = {0};
	sql_param_text(&params, id);
	sql_param_int64(&params, (int64_t)state);
	param_time_or_null(&params, next_at_ms);
	param_time_or_null(&params, sent_at_ms);
	param_time_or_null(&params, offline_since_ms);
	return sql_change(c, SQL_ALERT_CAMERA_SET, &params, false);
}

static enum store_result set_site_alert(struct sql_connection *c, const char *id, bool open, int64_t since_ms)
{
	struct sql_params params = {0};
	sql_param_text(&params, id);
	sql_param_int64(&params, open ? 1 : 0);
	param_time_or_null(&params, since_ms);
	return sql_change(c, SQL_ALERT_SITE_SET, &params, false);
}

static enum store_result camera_alert_event(struct sql_connection *c, const struct alert_change *change,
                                            enum event_type type, int64_t offline_since_ms, bool reminder)
{
	const struct camera *camera = &change->seen->camera;
	const struct change_origin *origin = change->origin;
	char *data =
	    health_alert_camera_data(camera, origin->at_ms / 1000, origin->online_window, offline_since_ms, reminder);
	if (data == NULL)
		return STORE_ERROR;
	enum store_result result =
	    shared_event_write(c, type, camera->organisation_id, camera->site_id, camera->id, origin, data);
	free(data);
	return result;
}

/* A decision about the camera alone, on its row taken again. */
static enum store_result apply_to_camera(struct sql_connection *c, const struct alert_change *change)
{
	const struct alert_row *seen = change->seen;
	struct sql_params params = {0};
	sql_param_text(&params, seen->camera.id);
	struct alert_row row;
	enum store_result result = sql_fetch_one(c, sql_for(c, SQL_ALERT_CAMERA_LOCK), &params, read_alert_row, &row);
	if (result != STORE_OK)
		return result;
	struct alert_camera now = alert_camera_of(&row), before = alert_camera_of(seen);
	if (!unchanged(&now, &before))
		return STORE_CONFLICT;
	const struct alert_decision *decision = &change->decision;
	const char *id = seen->camera.id;
	switch (decision->action) {
	case ALERT_ACTION_CAMERA_OFFLINE:
	case ALERT_ACTION_REMINDER:
		result = set_camera_alert(c, id, ALERT_CAMERA_OPEN, decision->next_at_ms, change->origin->at_ms,
		                          decision->offline_since_ms);
		return result == STORE_OK
		           ? camera_alert_event(c, change, EVENT_CAMERA_OFFLINE, decision->offline_since_ms,
		                                decision->action == ALERT_ACTION_REMINDER)
		           : result;
	case ALERT_ACTION_CAMERA_ONLINE: /* the heartbeat that brought it back replaced what it said */
		result = set_camera_alert(c, id, ALERT_NONE, decision->next_at_ms, 0, 0);
		return result == STORE_OK
		           ? camera_alert_event(c, change, EVENT_CAMERA_ONLINE, row.alert_offline_since_ms, false)
		           : result;
	case ALERT_ACTION_SITE_ONLINE: /* no site (any more): the camera starts afresh */
		return set_camera_alert(c, id, ALERT_NONE, decision->next_at_ms, 0, 0);
	case ALERT_ACTION_WAIT:
	case ALERT_ACTION_NEEDS_OPENING:
	default:
		return set_camera_alert(c, id, row.alert_state, decision->next_at_ms, row.alert_sent_at_ms,
		                        row.alert_offline_since_ms);
	}
}

/* --- whole-site decisions --------------------------------------------------------------------- */

/* The cameras a site decision weighs, read with their rows taken (malloc'd arrays). */
struct site_cameras {
	size_t count, capacity;
	char (*ids)[UUID_BUFFER_SIZE];
	struct alert_camera *cameras;
	bool out_of_memory;
};

static void site_cameras_free(struct site_cameras *set)
{
	free(set->ids);
	free(set->cameras);
}

static bool site_cameras_reserve(struct site_cameras *set)
{
	if (set->count < set->capacity)
		return true;
	size_t capacity = set->capacity > 0 ? 2 * set->capacity : 16;
	char(*ids)[UUID_BUFFER_SIZE] = realloc(set->ids, capacity * sizeof(*ids));
	if (ids != NULL)
		set->ids = ids;
	struct alert_camera *cameras = realloc(set->cameras, capacity * sizeof(*cameras));
	if (cameras != NULL)
		set->cameras = cameras;
	if (ids == NULL || cameras == NULL)
		return false;
	set->capacity = capacity;
	return true;
}

static int site_camera_row(void *context, const struct sql_row *row)
{
	struct site_cameras *set = context;
	if (!site_cameras_reserve(set)) {
		set->out_of_memory = true;
		return 1;
	}
	sql_text(row, 0, set->ids[set->count], UUID_BUFFER_SIZE);
	struct alert_camera *camera = &set->cameras[set->count];
	if (!camera_state_from_name(sql_text_view(row, 1), &camera->state))
		camera->state = CAMERA_REGISTERED;
	camera->last_seen_at = sql_int64(row, 2);
	camera->reported_offline = sql_bool(row, 3);
	camera->alert_state = (enum alert_state)sql_int64(row, 4);
	camera->alert_sent_at_ms = sql_int64(row, 5);
	set->count++;
	return 0;
}

struct site_alert {
	bool open;
	int64_t offline_since_ms;
};

static void read_site_alert(const struct sql_row *row, void *destination)
{
	struct site_alert *out = destination;
	out->open = sql_int64(row, 0) == 1;
	out->offline_since_ms = sql_int64(row, 1);
}

/* Takes the site row, then its cameras' rows, and checks that the deciding camera is unchanged. */
static enum store_result take_site(struct sql_connection *c, const struct alert_change *change, struct site_alert *site,
                                   struct site_cameras *set)
{
	struct sql_params params = {0};
	sql_param_text(&params, change->seen->camera.site_id);
	enum store_result result = sql_fetch_one(c, sql_for(c, SQL_ALERT_SITE_LOCK), &params, read_site_alert, site);
	if (result == STORE_OK)
		result = sql_fetch_each(c, sql_for(c, SQL_ALERT_SITE_CAMERAS), &params, site_camera_row, set);
	if (result == STORE_OK && set->out_of_memory)
		result = STORE_ERROR;
	if (result != STORE_OK)
		return result;
	struct alert_camera seen = alert_camera_of(change->seen);
	for (size_t i = 0; i < set->count; i++)
		if (strcmp(set->ids[i], change->seen->camera.id) == 0)
			return unchanged(&set->cameras[i], &seen) ? STORE_OK : STORE_CONFLICT;
	return STORE_CONFLICT; /* moved away, or no longer running */
}

static enum store_result site_alert_event(struct sql_connection *c, const struct alert_change *change,
                                          enum event_type type, const char *const *ids, size_t count,
                                          int64_t offline_since_ms)
{
	char *data = health_alert_site_data(ids, count, offline_since_ms);
	if (data == NULL)
		return STORE_ERROR;
	const struct camera *camera = &change->seen->camera;
	enum store_result result =
	    shared_event_write(c, type, camera->organisation_id, camera->site_id, "", change->origin, data);
	free(data);
	return result;
}

/* The ids of the set's cameras that pass keep (a malloc'd array of pointers into set; *count). */
static const char **pick_ids(const struct site_cameras *set, bool (*keep)(const struct alert_camera *), size_t *count)
{
	const char **ids = malloc((set->count > 0 ? set->count : 1) * sizeof(*ids));
	*count = 0;
	for (size_t i = 0; ids != NULL && i < set->count; i++)
		if (keep(&set->cameras[i]))
			ids[(*count)++] = set->ids[i];
	return ids;
}

static bool seen_running(const struct alert_camera *camera)
{
	return camera->state == CAMERA_RUNNING && camera->last_seen_at != 0;
}

static bool covered(const struct alert_camera *camera)
{
	return camera->alert_state == ALERT_SITE_COVERED;
}

/* Every seen running camera of the site is down: one site.offline, and each is covered by it. */
static enum store_result site_goes_offline(struct sql_connection *c, const struct alert_change *change,
                                           const struct site_cameras *set)
{
	size_t count = 0;
	const char **ids = pick_ids(set, seen_running, &count);
	if (ids == NULL)
		return STORE_ERROR;
	int64_t since = 0;
	enum store_result result = STORE_OK;
	for (size_t i = 0, k = 0; i < set->count && result == STORE_OK; i++) {
		if (k >= count || set->ids[i] != ids[k])
			continue;
		k++;
		int64_t camera_since = health_alert_offline_since_ms(&set->cameras[i], change->settings->online_window);
		if (since == 0 || camera_since < since)
			since = camera_since;
		result = set_camera_alert(c, set->ids[i], ALERT_SITE_COVERED, 0, change->origin->at_ms, camera_since);
	}
	if (result == STORE_OK)
		result = set_site_alert(c, change->seen->camera.site_id, true, since);
	if (result == STORE_OK)
		result = site_alert_event(c, change, EVENT_SITE_OFFLINE, ids, count, since);
	free(ids);
	return result;
}

/* A covered camera is back: site.online, and every camera the alert covered starts afresh. */
static enum store_result site_comes_online(struct sql_connection *c, const struct alert_change *change,
                                           const struct site_alert *site, const struct site_cameras *set)
{
	size_t count = 0;
	const char **ids = pick_ids(set, covered, &count);
	if (ids == NULL)
		return STORE_ERROR;
	enum store_result result = STORE_OK;
	for (size_t i = 0; i < set->count && result == STORE_OK; i++)
		if (covered(&set->cameras[i]))
			result = set_camera_alert(
			    c, set->ids[i], ALERT_NONE,
			    health_alert_restart_ms(&set->cameras[i], change->settings, change->origin->at_ms), 0, 0);
	if (result == STORE_OK && site->open) {
		result = set_site_alert(c, change->seen->camera.site_id, false, 0);
		if (result == STORE_OK)
			result = site_alert_event(c, change, EVENT_SITE_ONLINE, ids, count, site->offline_since_ms);
	}
	free(ids);
	return result;
}

static enum store_result apply_at_site(struct sql_connection *c, const struct alert_change *change)
{
	struct site_alert site = {0};
	struct site_cameras set = {0};
	enum store_result result = take_site(c, change, &site, &set);
	if (result == STORE_OK) {
		if (change->decision.action == ALERT_ACTION_SITE_ONLINE)
			result = site_comes_online(c, change, &site, &set);
		else if (health_alert_site_down(set.cameras, set.count, change->settings, change->origin->at_ms))
			result = site_goes_offline(c, change, &set);
		else
			result = apply_to_camera(c, change);
	}
	site_cameras_free(&set);
	return result;
}

static enum store_result apply_in_transaction(struct sql_connection *c, const void *context)
{
	const struct alert_change *change = context;
	enum alert_action action = change->decision.action;
	bool at_site = change->seen->camera.site_id[0] != '\0';
	if (at_site && (action == ALERT_ACTION_CAMERA_OFFLINE || action == ALERT_ACTION_SITE_ONLINE))
		return apply_at_site(c, change);
	return apply_to_camera(c, change);
}

enum store_result shared_alert_apply(struct store *store, const struct alert_change *change)
{
	return sql_transaction(store, apply_in_transaction, change);
}
