/* SQLite operations on sites. A site is deleted only while no camera row refers to it (running,
 * paused or decommissioned: a decommissioned camera keeps its site); its grants go with it. */
#include "store/sqlite/sqlite_directory.h"

static const char SQL_SITE_INSERT[] =
    "INSERT INTO sites(id, organisation_id, name, time_zone, created_at) VALUES (?, ?, ?, ?, ?)";
static const char SQL_SITE_GET[] = "SELECT id, organisation_id, name, time_zone, created_at FROM sites WHERE id = ?";
/* ?1 organisation filter (NULL: any), ?2 granted-to user filter (NULL: any). */
static const char SQL_SITE_LIST[] = "SELECT id, organisation_id, name, time_zone, created_at FROM sites"
                                    " WHERE (?1 IS NULL OR organisation_id = ?1)"
                                    " AND (?2 IS NULL OR id IN (SELECT site_id FROM user_sites WHERE user_id = ?2))"
                                    " ORDER BY created_at, id";
static const char SQL_SITE_UPDATE[] = "UPDATE sites SET name = ?, time_zone = ? WHERE id = ?";
static const char SQL_SITE_IN_USE[] = "SELECT 1 FROM cameras WHERE site_id = ? LIMIT 1";
/* Past positions at the site (no camera is there any more): they would block the delete. */
static const char SQL_SITE_DELETE_POSITIONS[] = "DELETE FROM camera_positions WHERE site_id = ?";
static const char SQL_SITE_DELETE[] = "DELETE FROM sites WHERE id = ?";

static void read_site(sqlite3_stmt *statement, void *out)
{
	struct site *site = out;
	sqlite_column_copy(statement, 0, site->id, sizeof(site->id));
	sqlite_column_copy(statement, 1, site->organisation_id, sizeof(site->organisation_id));
	sqlite_column_copy(statement, 2, site->name, sizeof(site->name));
	sqlite_column_copy(statement, 3, site->time_zone, sizeof(site->time_zone));
	site->created_at = sqlite_column_int64_or_zero(statement, 4);
}

static enum store_result site_insert(struct store *store, const struct site *site)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_SITE_INSERT);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		if ((sqlite_bind_text(statement, 1, site->id) | sqlite_bind_text(statement, 2, site->organisation_id) |
		     sqlite_bind_text(statement, 3, site->name) | sqlite_bind_text(statement, 4, site->time_zone) |
		     sqlite3_bind_int64(statement, 5, site->created_at)) != SQLITE_OK)
			result = sqlite_bind_failure(connection, "site insert");
		else
			result = sqlite_run(connection, statement, "site insert");
	}
	sqlite_release(store, connection);
	return result;
}

static enum store_result site_get(struct store *store, const char *id, struct site *out)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_SITE_GET);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		if (sqlite_bind_text(statement, 1, id) != SQLITE_OK)
			result = sqlite_bind_failure(connection, "site get");
		else
			result = sqlite_fetch_one(connection, statement, read_site, out, "site get");
	}
	sqlite_release(store, connection);
	return result;
}

struct site_visit {
	site_row_fn row;
	void *context;
};

static int visit_site(sqlite3_stmt *statement, void *context)
{
	struct site_visit *visit = context;
	struct site site;
	read_site(statement, &site);
	return visit->row(visit->context, &site);
}

static enum store_result site_list(struct store *store, const char *organisation_id, const char *granted_user_id,
                                   site_row_fn row, void *context)
{
	struct site_visit visit = {row, context};
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_SITE_LIST);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		if ((sqlite_bind_text_or_null(statement, 1, organisation_id) |
		     sqlite_bind_text_or_null(statement, 2, granted_user_id)) != SQLITE_OK)
			result = sqlite_bind_failure(connection, "site list");
		else
			result = sqlite_fetch_each(connection, statement, visit_site, &visit, "site list");
	}
	sqlite_release(store, connection);
	return result;
}

static enum store_result site_update(struct store *store, const struct site *site)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_SITE_UPDATE);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		if ((sqlite_bind_text(statement, 1, site->name) | sqlite_bind_text(statement, 2, site->time_zone) |
		     sqlite_bind_text(statement, 3, site->id)) != SQLITE_OK)
			result = sqlite_bind_failure(connection, "site update");
		else
			result = sqlite_run_changing(connection, statement, "site update");
	}
	sqlite_release(store, connection);
	return result;
}

/* Inside the transaction: conflict while a camera refers to the site, else deletes it. */
static enum store_result delete_unused(struct sqlite_connection *connection, const void *context)
{
	const char *id = context;
	sqlite3_stmt *in_use = sqlite_statement(connection, SQL_SITE_IN_USE);
	if (in_use == NULL)
		return STORE_ERROR;
	if (sqlite_bind_text(in_use, 1, id) != SQLITE_OK)
		return sqlite_bind_failure(connection, "site delete");
	enum store_result result = sqlite_fetch_one(connection, in_use, NULL, NULL, "site delete check");
	if (result == STORE_OK)
		return STORE_CONFLICT;
	if (result != STORE_NOT_FOUND)
		return result;
	result = sqlite_run_with_id(connection, SQL_SITE_DELETE_POSITIONS, id, false, "site delete positions");
	if (result != STORE_OK)
		return result;
	return sqlite_run_with_id(connection, SQL_SITE_DELETE, id, true, "site delete");
}

static enum store_result site_delete(struct store *store, const char *id)
{
	return sqlite_transaction(store, delete_unused, id);
}

void sqlite_site_ops(struct store_ops *ops)
{
	ops->site_insert = site_insert;
	ops->site_get = site_get;
	ops->site_list = site_list;
	ops->site_update = site_update;
	ops->site_delete = site_delete;
}
