/* Reading a camera's positions (claims and moves; the rows are written by shared/cameras.c), newest
 * first (by their ordinal: see migration 015 / 013), narrowed to an organisation and to a user's granted sites where
 * the caller needs it. */
#include "store/shared/shared_ops.h"

/* $1 camera, $2 organisation filter (NULL: any), $3 granted-to user filter (NULL: any), $4 limit. */
static const char SQL_CAMERA_POSITION_LIST[] =
    "SELECT id, organisation_id, site_id, started_at, ended_at FROM camera_positions"
    " WHERE camera_id = $1"
    " AND (CAST($2 AS text) IS NULL OR organisation_id = $2)"
    " AND (CAST($3 AS text) IS NULL OR site_id IN (SELECT site_id FROM user_sites WHERE user_id = $3))"
    " ORDER BY ordinal DESC LIMIT $4";

struct position_visit {
	camera_position_fn row;
	void *context;
};

static int visit_position(void *context, const struct sql_row *row)
{
	struct position_visit *visit = context;
	struct camera_position position = {0};
	sql_text(row, 0, position.id, sizeof(position.id));
	sql_text(row, 1, position.organisation_id, sizeof(position.organisation_id));
	sql_text(row, 2, position.site_id, sizeof(position.site_id));
	position.started_at = sql_int64(row, 3);
	position.ended_at = sql_is_null(row, 4) ? 0 : sql_int64(row, 4);
	return visit->row(visit->context, &position);
}

enum store_result shared_camera_position_list(struct store *store, const char *camera_id, const char *organisation_id,
                                              const char *granted_user_id, size_t limit, camera_position_fn row,
                                              void *context)
{
	struct position_visit visit = {row, context};
	struct sql_params params = {0};
	sql_param_text(&params, camera_id);
	sql_param_text_or_null(&params, organisation_id);
	sql_param_text_or_null(&params, granted_user_id);
	sql_param_int64(&params, (int64_t)limit);
	return sql_each(store, SQL_CAMERA_POSITION_LIST, &params, visit_position, &visit);
}
