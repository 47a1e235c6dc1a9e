/* SQLite operations for site opening hours: the weekly schedule and dated exceptions, stored
 * as validated JSON text. */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_internal.h"

static const char SQL_HOURS_GET[] = "SELECT weekly_json FROM site_opening_hours WHERE site_id = ?";
static const char SQL_HOURS_PUT[] =
	"INSERT INTO site_opening_hours(site_id, weekly_json, updated_at) VALUES (?, ?, ?)"
	" ON CONFLICT(site_id) DO UPDATE SET weekly_json = excluded.weekly_json, updated_at = excluded.updated_at";
static const char SQL_EXCEPTION_GET[] =
	"SELECT intervals_json FROM site_opening_hours_exceptions WHERE site_id = ? AND date = ?";
/* Inserts or replaces; a new date only while the site has fewer than ?5 exceptions (no row
 * written otherwise). One statement under SQLite's single writer: the count cannot go stale. */
static const char SQL_EXCEPTION_PUT[] =
	"INSERT INTO site_opening_hours_exceptions(site_id, date, intervals_json, updated_at)"
	" SELECT ?1, ?2, ?3, ?4"
	" WHERE EXISTS (SELECT 1 FROM site_opening_hours_exceptions WHERE site_id = ?1 AND date = ?2)"
	" OR (SELECT count(*) FROM site_opening_hours_exceptions WHERE site_id = ?1) < ?5"
	" ON CONFLICT(site_id, date) DO UPDATE SET intervals_json = excluded.intervals_json,"
	" updated_at = excluded.updated_at";
static const char SQL_EXCEPTION_DELETE[] = "DELETE FROM site_opening_hours_exceptions WHERE site_id = ? AND date = ?";
static const char SQL_EXCEPTION_LIST[] =
	"SELECT date, intervals_json FROM site_opening_hours_exceptions WHERE site_id = ? ORDER BY date";

/* Runs a one-column text query bound to up to two texts; copies the value into *out. */
static enum store_result get_text(struct store *store, const char *sql, const char *first, const char *second,
				  char **out)
{
	*out = NULL;
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, sql);
	enum store_result result = STORE_ERROR;
	if (statement == NULL)
		goto done;
	int rc = sqlite_bind_text(statement, 1, first);
	if (rc == SQLITE_OK && second != NULL)
		rc = sqlite_bind_text(statement, 2, second);
	if (rc != SQLITE_OK) {
		result = sqlite_fail(connection, "read opening hours bind", rc);
		goto done;
	}
	rc = sqlite3_step(statement);
	if (rc == SQLITE_ROW) {
		const unsigned char *text = sqlite3_column_text(statement, 0);
		*out = text != NULL ? strdup((const char *)text) : NULL;
		result = *out != NULL ? STORE_OK : STORE_ERROR;
	} else if (rc == SQLITE_DONE) {
		result = STORE_NOT_FOUND;
	} else {
		result = sqlite_fail(connection, "read opening hours", rc);
	}
	sqlite3_reset(statement);
done:
	sqlite_release(store, connection);
	return result;
}

static enum store_result hours_get(struct store *store, const char *site_id, char **weekly_json_out)
{
	return get_text(store, SQL_HOURS_GET, site_id, NULL, weekly_json_out);
}

static enum store_result hours_put(struct store *store, const char *site_id, const char *weekly_json, int64_t at)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_HOURS_PUT);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		int rc = sqlite_bind_text(statement, 1, site_id);
		if (rc == SQLITE_OK)
			rc = sqlite_bind_text(statement, 2, weekly_json);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(statement, 3, at);
		result = rc == SQLITE_OK ? sqlite_run(connection, statement, "write weekly opening hours")
					 : sqlite_fail(connection, "write weekly opening hours bind", rc);
	}
	sqlite_release(store, connection);
	return result;
}

static enum store_result exception_get(struct store *store, const char *site_id, const char *date,
				       char **intervals_json_out)
{
	return get_text(store, SQL_EXCEPTION_GET, site_id, date, intervals_json_out);
}

static enum store_result exception_put(struct store *store, const char *site_id, const char *date,
				       const char *intervals_json, int64_t at, unsigned max_per_site)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_EXCEPTION_PUT);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		int rc = sqlite_bind_text(statement, 1, site_id);
		if (rc == SQLITE_OK)
			rc = sqlite_bind_text(statement, 2, date);
		if (rc == SQLITE_OK)
			rc = sqlite_bind_text(statement, 3, intervals_json);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(statement, 4, at);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(statement, 5, (sqlite3_int64)max_per_site);
		result = rc == SQLITE_OK ? sqlite_run(connection, statement, "write an opening-hours exception")
					 : sqlite_fail(connection, "write an opening-hours exception bind", rc);
		if (result == STORE_OK && sqlite3_changes(connection->db) == 0)
			result = STORE_LIMIT;
	}
	sqlite_release(store, connection);
	return result;
}

static enum store_result exception_delete(struct store *store, const char *site_id, const char *date)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_EXCEPTION_DELETE);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		int rc = sqlite_bind_text(statement, 1, site_id);
		if (rc == SQLITE_OK)
			rc = sqlite_bind_text(statement, 2, date);
		result = rc == SQLITE_OK ? sqlite_run(connection, statement, "delete an opening-hours exception")
					 : sqlite_fail(connection, "delete an opening-hours exception bind", rc);
		if (result == STORE_OK && sqlite3_changes(connection->db) == 0)
			result = STORE_NOT_FOUND;
	}
	sqlite_release(store, connection);
	return result;
}

static enum store_result exception_list(struct store *store, const char *site_id, site_exception_fn row,
					void *context)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_EXCEPTION_LIST);
	enum store_result result = STORE_ERROR;
	if (statement == NULL)
		goto done;
	int rc = sqlite_bind_text(statement, 1, site_id);
	if (rc != SQLITE_OK) {
		result = sqlite_fail(connection, "list exceptions bind", rc);
		goto done;
	}
	while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
		const char *date = (const char *)sqlite3_column_text(statement, 0);
		const char *intervals = (const char *)sqlite3_column_text(statement, 1);
		if (date == NULL || intervals == NULL || row(context, date, intervals) != 0)
			break;
	}
	result = rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : sqlite_fail(connection, "list exceptions", rc);
	sqlite3_reset(statement);
done:
	sqlite_release(store, connection);
	return result;
}

void sqlite_opening_hours_ops(struct store_ops *ops)
{
	ops->site_hours_get = hours_get;
	ops->site_hours_put = hours_put;
	ops->site_exception_get = exception_get;
	ops->site_exception_put = exception_put;
	ops->site_exception_delete = exception_delete;
	ops->site_exception_list = exception_list;
}
