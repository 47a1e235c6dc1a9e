/* The fleet's counts for /metrics: cameras by state and online (and organisation), asynchronous
 * requests by kind and status; and for GET /fleet-summary the cameras a caller sees by site, state
 * and online. One aggregate statement each, never a query per row; /metrics's caller
 * (api/fleet_metrics.c) keeps its answer a few seconds, so a scrape does not run them every time. */
#include <string.h>

#include "domain/lifecycle.h"
#include "store/shared/shared_ops.h"

/* Online as camera_is_online() has it: a heartbeat within the window, and no offline report. */
#define SQL_ONLINE                                                                                                     \
	"CASE WHEN last_seen_at IS NOT NULL AND NOT reported_offline AND last_seen_at >= CAST($1 AS bigint) THEN 1"    \
	" ELSE 0 END"
static const char SQL_CAMERA_COUNTS[] = "SELECT state, " SQL_ONLINE ", count(*) FROM cameras GROUP BY 1, 2";
static const char SQL_CAMERA_COUNTS_BY_ORGANISATION[] =
    "SELECT state, " SQL_ONLINE ", count(*), organisation_id FROM cameras GROUP BY 1, 2, 4";

struct camera_count_walk {
	camera_count_fn each;
	void *context;
	bool by_organisation;
};

static int visit_camera_count(void *context, const struct sql_row *row)
{
	const struct camera_count_walk *walk = context;
	enum camera_state state;
	if (!camera_state_from_name(sql_text_view(row, 0), &state))
		return 0; /* the schema admits no other state */
	walk->each(walk->context, state, sql_int64(row, 1) != 0, sql_int64(row, 2),
	           walk->by_organisation ? sql_text_view(row, 3) : "");
	return 0;
}

enum store_result shared_camera_count_groups(struct store *store, int64_t online_since, bool by_organisation,
                                             camera_count_fn each, void *context)
{
	struct sql_params params = {0};
	sql_param_int64(&params, online_since);
	struct camera_count_walk walk = {each, context, by_organisation};
	return sql_each(store, by_organisation ? SQL_CAMERA_COUNTS_BY_ORGANISATION : SQL_CAMERA_COUNTS, &params,
	                visit_camera_count, &walk);
}

/* The cameras GET /cameras would list for the same scope ($2 organisation, $3 and $4 granted
 * users, $5 state mask: NULL or 0 = no restriction), by site, state and online. Sites in id order,
 * NULL (no site) last on both dialects: false sorts before true. */
static const char SQL_CAMERA_SITE_COUNTS[] =
    "SELECT site_id, state, " SQL_ONLINE ", count(*) FROM cameras"
    " WHERE (CAST($2 AS text) IS NULL OR organisation_id = $2)"
    " AND (CAST($3 AS text) IS NULL OR site_id IN (SELECT site_id FROM user_sites WHERE user_id = $3))"
    " AND (CAST($4 AS text) IS NULL OR site_id IN (SELECT site_id FROM user_sites WHERE user_id = $4))"
    " AND (CAST($5 AS integer) = 0 OR (" STORE_SQL_STATE_BIT " & $5) <> 0)"
    " GROUP BY 1, 2, 3 ORDER BY site_id IS NULL, site_id";

struct camera_site_count_walk {
	camera_site_count_fn each;
	void *context;
};

static int visit_camera_site_count(void *context, const struct sql_row *row)
{
	const struct camera_site_count_walk *walk = context;
	enum camera_state state;
	if (!camera_state_from_name(sql_text_view(row, 1), &state))
		return 0; /* the schema admits no other state */
	return walk->each(walk->context, sql_is_null(row, 0) ? NULL : sql_text_view(row, 0), state,
	                  sql_int64(row, 2) != 0, sql_int64(row, 3));
}

enum store_result shared_camera_site_count_groups(struct store *store, const struct camera_filter *scope,
                                                  camera_site_count_fn each, void *context)
{
	struct sql_params params = {0};
	sql_param_int64(&params, scope->online_since);
	sql_param_text_or_null(&params, scope->organisation_id);
	sql_param_text_or_null(&params, scope->granted_user_id[0]);
	sql_param_text_or_null(&params, scope->granted_user_id[1]);
	sql_param_int64(&params, (int64_t)scope->state_mask);
	struct camera_site_count_walk walk = {each, context};
	return sql_each(store, SQL_CAMERA_SITE_COUNTS, &params, visit_camera_site_count, &walk);
}

static const char SQL_ASYNC_COUNTS[] = "SELECT kind, status, count(*) FROM async_requests GROUP BY 1, 2";

static int visit_async_count(void *context, const struct sql_row *row)
{
	int64_t(*counts)[ASYNC_STATUS_COUNT] = context;
	const char *kind = sql_text_view(row, 0), *status = sql_text_view(row, 1);
	enum async_kind k = strcmp(kind, "put-camera-state") == 0 ? ASYNC_PUT_CAMERA_STATE : ASYNC_REGISTER_CAMERA;
	for (unsigned s = 0; s < ASYNC_STATUS_COUNT; s++)
		if (strcmp(status, async_status_name((enum async_status)s)) == 0)
			counts[k][s] += sql_int64(row, 2);
	return 0;
}

enum store_result shared_async_count_groups(struct store *store, int64_t counts[ASYNC_KIND_COUNT][ASYNC_STATUS_COUNT])
{
	memset(counts, 0, sizeof(int64_t) * ASYNC_KIND_COUNT * ASYNC_STATUS_COUNT);
	return sql_each(store, SQL_ASYNC_COUNTS, NULL, visit_async_count, counts);
}
