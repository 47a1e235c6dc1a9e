/* Site opening hours: the weekly schedule and dated exceptions, stored as validated JSON text.
 * Writes are upserts; a site that does not exist is a foreign-key violation (STORE_CONFLICT) for
 * the weekly schedule and STORE_NOT_FOUND for an exception (whose write reads the site first). */
#include <stdlib.h>
#include <string.h>

#include "store/shared/shared_ops.h"
#include "util/log.h"

static const char SQL_HOURS_GET[] = "SELECT weekly_json FROM site_opening_hours WHERE site_id = $1";
static const char SQL_HOURS_PUT[] =
    "INSERT INTO site_opening_hours(site_id, weekly_json, updated_at) VALUES ($1, $2, $3)"
    " ON CONFLICT (site_id) DO UPDATE SET weekly_json = excluded.weekly_json, updated_at = excluded.updated_at";
static const char SQL_EXCEPTION_GET[] =
    "SELECT intervals_json FROM site_opening_hours_exceptions WHERE site_id = $1 AND date = $2";
/* Taken first by an exception write: writers of one site's exceptions go one at a time, so the
 * count in SQL_EXCEPTION_PUT (a later statement: a newer snapshot) cannot go stale. */
static const char *const SQL_SITE_LOCK[] = SQL_LOCKING("SELECT 1 FROM sites WHERE id = $1", " FOR UPDATE");
/* Inserts or replaces; a new date only while the site has fewer than $5 exceptions. */
static const char SQL_EXCEPTION_PUT[] =
    "INSERT INTO site_opening_hours_exceptions(site_id, date, intervals_json, updated_at)"
    " SELECT $1, $2, $3, $4"
    " WHERE EXISTS (SELECT 1 FROM site_opening_hours_exceptions WHERE site_id = $1 AND date = $2)"
    " OR (SELECT count(*) FROM site_opening_hours_exceptions WHERE site_id = $1) < $5"
    " ON CONFLICT (site_id, date) DO UPDATE SET intervals_json = excluded.intervals_json,"
    " updated_at = excluded.updated_at";
static const char SQL_EXCEPTION_DELETE[] = "DELETE FROM site_opening_hours_exceptions WHERE site_id = $1 AND date = $2";
static const char SQL_EXCEPTION_LIST[] =
    "SELECT date, intervals_json FROM site_opening_hours_exceptions WHERE site_id = $1 ORDER BY date";

/* Copies the first column of the row into *(char **)out (malloc'd; NULL when out of memory). */
static void read_text(const struct sql_row *row, void *out)
{
	char **text = out;
	*text = strdup(sql_text_view(row, 0)); /* the column is NOT NULL */
}

/* Runs a one-column text query with the given parameters; hands the value back in *out
 * (malloc'd: the caller frees it). */
static enum store_result get_text(struct store *store, const char *sql, const struct sql_params *params, char **out)
{
	*out = NULL;
	enum store_result result = sql_get(store, sql, params, read_text, out);
	if (result == STORE_OK && *out == NULL) {
		log_error("store: read opening hours: out of memory");
		return STORE_ERROR;
	}
	return result;
}

enum store_result shared_site_hours_get(struct store *store, const char *site_id, char **weekly_json_out)
{
	struct sql_params params = {0};
	sql_param_text(&params, site_id);
	return get_text(store, SQL_HOURS_GET, &params, weekly_json_out);
}

enum store_result shared_site_hours_put(struct store *store, const char *site_id, const char *weekly_json, int64_t at)
{
	struct sql_params params = {0};
	sql_param_text(&params, site_id);
	sql_param_text(&params, weekly_json);
	sql_param_int64(&params, at);
	return sql_write(store, SQL_HOURS_PUT, &params, false);
}

enum store_result shared_site_exception_get(struct store *store, const char *site_id, const char *date,
                                            char **intervals_json_out)
{
	struct sql_params params = {0};
	sql_param_text(&params, site_id);
	sql_param_text(&params, date);
	return get_text(store, SQL_EXCEPTION_GET, &params, intervals_json_out);
}

struct exception_write {
	const char *site_id, *date, *intervals_json;
	int64_t at;
	unsigned max_per_site;
};

static enum store_result write_exception(struct sql_connection *connection, const void *context)
{
	const struct exception_write *write = context;
	struct sql_params lock = {0};
	sql_param_text(&lock, write->site_id);
	enum store_result result = sql_fetch_one(connection, sql_for(connection, SQL_SITE_LOCK), &lock, NULL, NULL);
	if (result != STORE_OK)
		return result;
	struct sql_params params = {0};
	sql_param_text(&params, write->site_id);
	sql_param_text(&params, write->date);
	sql_param_text(&params, write->intervals_json);
	sql_param_int64(&params, write->at);
	sql_param_int64(&params, (int64_t)write->max_per_site);
	result = sql_change(connection, SQL_EXCEPTION_PUT, &params, true);
	return result == STORE_NOT_FOUND ? STORE_LIMIT : result;
}

enum store_result shared_site_exception_put(struct store *store, const char *site_id, const char *date,
                                            const char *intervals_json, int64_t at, unsigned max_per_site)
{
	struct exception_write write = {site_id, date, intervals_json, at, max_per_site};
	return sql_transaction(store, write_exception, &write);
}

/* STORE_NOT_FOUND when the site has no exception on that date. */
enum store_result shared_site_exception_delete(struct store *store, const char *site_id, const char *date)
{
	struct sql_params params = {0};
	sql_param_text(&params, site_id);
	sql_param_text(&params, date);
	return sql_write(store, SQL_EXCEPTION_DELETE, &params, true);
}

struct exception_visit {
	site_exception_fn row;
	void *context;
};

static int visit_exception(void *context, const struct sql_row *row)
{
	struct exception_visit *visit = context;
	return visit->row(visit->context, sql_text_view(row, 0), sql_text_view(row, 1));
}

/* Calls row for each exception of the site, in date order. */
enum store_result shared_site_exception_list(struct store *store, const char *site_id, site_exception_fn row,
                                             void *context)
{
	struct exception_visit visit = {row, context};
	struct sql_params params = {0};
	sql_param_text(&params, site_id);
	return sql_each(store, SQL_EXCEPTION_LIST, &params, visit_exception, &visit);
}
