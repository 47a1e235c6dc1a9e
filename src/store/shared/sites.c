/* Operations on sites. A site is deleted only while no running or paused camera is placed there;
 * the decommissioned cameras that were last there lose their site (site_id NULL; a camera.updated
 * event each, its changes naming siteId), the positions
 * there stay in the cameras' history (camera_positions.site_id has no foreign key), its grants and
 * opening hours go with it (ON DELETE CASCADE); events keep its id. The delete locks the site's
 * row first, so a camera claimed or moved there meanwhile either waits or is seen by the check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/camera_cache.h"
#include "store/shared/shared_ops.h"

#define SITE_COLUMNS "id, organisation_id, name, time_zone, created_at"

static const char SQL_SITE_INSERT[] = "INSERT INTO sites(" SITE_COLUMNS ") VALUES ($1, $2, $3, $4, $5)";
static const char SQL_SITE_GET[] = "SELECT " SITE_COLUMNS " FROM sites WHERE id = $1";
/* $1 organisation filter (NULL: any), $2 granted-to user filter (NULL: any). */
static const char SQL_SITE_LIST[] =
    "SELECT " SITE_COLUMNS " FROM sites"
    " WHERE (CAST($1 AS text) IS NULL OR organisation_id = $1)"
    " AND (CAST($2 AS text) IS NULL OR id IN (SELECT site_id FROM user_sites WHERE user_id = $2))"
    " ORDER BY created_at, id";
static const char SQL_SITE_UPDATE[] = "UPDATE sites SET name = $1, time_zone = $2 WHERE id = $3";
/* The rows of the cameras placed at the site, locked before the site's own: a claim holds its
 * camera's row while it waits for the site (its foreign-key check), so taking them in the other
 * order could deadlock with the claim of a camera decommissioned there. */
static const char *const SQL_SITE_LOCK_CAMERAS[] =
    SQL_LOCKING("SELECT id FROM cameras WHERE site_id = $1 ORDER BY id", " FOR UPDATE");
/* Claims and moves to the site wait on this lock (their foreign-key check) until we finish. */
static const char *const SQL_SITE_LOCK[] = SQL_LOCKING("SELECT 1 FROM sites WHERE id = $1", " FOR UPDATE");
static const char SQL_SITE_IN_USE[] =
    "SELECT 1 FROM cameras WHERE site_id = $1 AND state IN ('running', 'paused') LIMIT 1";
/* The decommissioned cameras last placed at the site keep their organisation, lose the site. */
static const char SQL_SITE_RELEASE_CAMERAS[] = "UPDATE cameras SET site_id = NULL WHERE site_id = $1 RETURNING id";
static const char SQL_SITE_DELETE[] = "DELETE FROM sites WHERE id = $1";

static void read_site(const struct sql_row *row, void *out)
{
	struct site *site = out;
	sql_text(row, 0, site->id, sizeof(site->id));
	sql_text(row, 1, site->organisation_id, sizeof(site->organisation_id));
	sql_text(row, 2, site->name, sizeof(site->name));
	sql_text(row, 3, site->time_zone, sizeof(site->time_zone));
	site->created_at = sql_int64(row, 4);
}

enum store_result shared_site_insert(struct store *store, const struct site *site)
{
	struct sql_params params = {0};
	sql_param_text(&params, site->id);
	sql_param_text(&params, site->organisation_id);
	sql_param_text(&params, site->name);
	sql_param_text(&params, site->time_zone);
	sql_param_int64(&params, site->created_at);
	return sql_write(store, SQL_SITE_INSERT, &params, false);
}

enum store_result shared_site_get(struct store *store, const char *id, struct site *out)
{
	struct sql_params params = {0};
	sql_param_text(&params, id);
	return sql_get(store, SQL_SITE_GET, &params, read_site, out);
}

struct site_visit {
	site_row_fn row;
	void *context;
};

static int visit_site(void *context, const struct sql_row *row)
{
	struct site_visit *visit = context;
	struct site site;
	read_site(row, &site);
	return visit->row(visit->context, &site);
}

enum store_result shared_site_list(struct store *store, const char *organisation_id, const char *granted_user_id,
                                   site_row_fn row, void *context)
{
	struct site_visit visit = {row, context};
	struct sql_params params = {0};
	sql_param_text_or_null(&params, organisation_id);
	sql_param_text_or_null(&params, granted_user_id);
	return sql_each(store, SQL_SITE_LIST, &params, visit_site, &visit);
}

enum store_result shared_site_update(struct store *store, const struct site *site)
{
	struct sql_params params = {0};
	sql_param_text(&params, site->name);
	sql_param_text(&params, site->time_zone);
	sql_param_text(&params, site->id);
	return sql_write(store, SQL_SITE_UPDATE, &params, true);
}

/* The ids of the cameras a delete took the site from (malloc'd, grown as rows arrive), whose rows
 * in memory must go once it ends. */
struct released_cameras {
	size_t count, capacity;
	char (*ids)[UUID_BUFFER_SIZE];
	bool out_of_memory;
};

struct site_delete {
	const char *id;
	const struct change_origin *origin;
	struct released_cameras *released;
};

static int collect_released(void *context, const struct sql_row *row)
{
	struct released_cameras *released = context;
	if (released->count == released->capacity) { /* the bound comes before the write into ids[count] */
		size_t capacity = released->capacity ? released->capacity * 2 : 16;
		char(*grown)[UUID_BUFFER_SIZE] = realloc(released->ids, capacity * sizeof(*grown));
		if (grown == NULL) {
			released->out_of_memory = true;
			return 1;
		}
		released->ids = grown;
		released->capacity = capacity;
	}
	sql_text(row, 0, released->ids[released->count], UUID_BUFFER_SIZE);
	released->count++;
	return 0;
}

static int skip_row(void *context, const struct sql_row *row)
{
	(void)context;
	(void)row;
	return 0;
}

/* The camera.updated event of camera id, released from the site (read after the release: its
 * site is gone, the change names it). */
static enum store_result write_release_event(struct sql_connection *connection, const struct site_delete *request,
                                             const char *id)
{
	struct camera after, before;
	enum store_result result = shared_camera_lock(connection, id, &after);
	if (result != STORE_OK)
		return result;
	before = after;
	snprintf(before.site_id, sizeof(before.site_id), "%s", request->id);
	return shared_camera_event(connection, EVENT_CAMERA_UPDATED, &before, &after, request->origin);
}

/* Inside the transaction: STORE_NOT_FOUND when absent, conflict while a running or paused camera
 * is placed there, else releases its decommissioned cameras and deletes it. */
static enum store_result delete_unused(struct sql_connection *connection, const void *context)
{
	const struct site_delete *request = context;
	struct released_cameras *released = request->released;
	released->count = 0; /* a body run again starts afresh */
	released->out_of_memory = false;
	struct sql_params params = {0};
	sql_param_text(&params, request->id);
	enum store_result result =
	    sql_fetch_each(connection, sql_for(connection, SQL_SITE_LOCK_CAMERAS), &params, skip_row, NULL);
	if (result == STORE_OK)
		result = sql_fetch_one(connection, sql_for(connection, SQL_SITE_LOCK), &params, NULL, NULL);
	if (result != STORE_OK)
		return result;
	result = sql_fetch_one(connection, SQL_SITE_IN_USE, &params, NULL, NULL);
	if (result == STORE_OK)
		return STORE_CONFLICT;
	if (result != STORE_NOT_FOUND)
		return result;
	result = sql_fetch_each(connection, SQL_SITE_RELEASE_CAMERAS, &params, collect_released, released);
	if (result == STORE_OK && released->out_of_memory)
		result = STORE_ERROR; /* rolled back: no row in memory left behind unforgotten */
	for (size_t i = 0; result == STORE_OK && i < released->count; i++)
		result = write_release_event(connection, request, released->ids[i]);
	if (result != STORE_OK)
		return result;
	return sql_change(connection, SQL_SITE_DELETE, &params, true);
}

enum store_result shared_site_delete(struct store *store, const char *id, const struct change_origin *origin)
{
	struct released_cameras released = {0};
	struct site_delete request = {id, origin, &released};
	enum store_result result = sql_transaction(store, delete_unused, &request);
	for (size_t i = 0; store->camera_cache != NULL && i < released.count; i++)
		camera_cache_forget(store->camera_cache, released.ids[i]);
	free(released.ids);
	return result;
}
