/* Operations on sites. A site is deleted only while no camera row refers to it (running,
 * paused or decommissioned: a decommissioned camera keeps its site); its past positions go first,
 * its grants and opening hours with it (ON DELETE CASCADE). The delete locks the site's row
 * first, so a camera placed there meanwhile either waits or is seen by the check. */
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
/* Claims and moves to the site wait on this lock (their foreign-key check) until we finish. */
static const char *const SQL_SITE_LOCK[] = SQL_LOCKING("SELECT 1 FROM sites WHERE id = $1", " FOR UPDATE");
static const char SQL_SITE_IN_USE[] = "SELECT 1 FROM cameras WHERE site_id = $1 LIMIT 1";
/* Past positions at the site (no camera is there any more): they would block the delete. */
static const char SQL_SITE_DELETE_POSITIONS[] = "DELETE FROM camera_positions WHERE site_id = $1";
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

/* Inside the transaction: STORE_NOT_FOUND when absent, conflict while a camera refers to the
 * site, else deletes its past positions and it. */
static enum store_result delete_unused(struct sql_connection *connection, const void *context)
{
	struct sql_params params = {0};
	sql_param_text(&params, context);
	enum store_result result = sql_fetch_one(connection, sql_for(connection, SQL_SITE_LOCK), &params, NULL, NULL);
	if (result != STORE_OK)
		return result;
	result = sql_fetch_one(connection, SQL_SITE_IN_USE, &params, NULL, NULL);
	if (result == STORE_OK)
		return STORE_CONFLICT;
	if (result != STORE_NOT_FOUND)
		return result;
	result = sql_change(connection, SQL_SITE_DELETE_POSITIONS, &params, false);
	if (result != STORE_OK)
		return result;
	return sql_change(connection, SQL_SITE_DELETE, &params, true);
}

enum store_result shared_site_delete(struct store *store, const char *id)
{
	return sql_transaction(store, delete_unused, id);
}
