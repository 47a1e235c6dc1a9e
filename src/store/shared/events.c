/* Events: written by the camera writes in their own transactions (the outbox), listed newest
 * first for the audit log. seq (the order of writing) is the cursor. */
#include <stdlib.h>

#include "store/shared/shared_ops.h"
#include "util/log.h"

static const char SQL_EVENT_INSERT[] =
    "INSERT INTO events(id, type, type_bit, occurred_at_ms, organisation_id, site_id, camera_id, actor_kind,"
    " actor_id, data_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

/* A pending delivery of event $1 (type $2 of mask bit $4, at $3, of organisation $5) to every enabled
 * webhook that subscribes to it and may see it: its organisation's, and the fleet's. */
#define DELIVERY_FAN_OUT(new_id)                                                                                       \
	"INSERT INTO webhook_deliveries(id, webhook_id, event_seq, event_id, event_type, status, created_at_ms,"       \
	" next_attempt_at_ms) SELECT " new_id                                                                          \
	", id, (SELECT seq FROM events WHERE id = $1), $1, $2, 'pending', $3, $3"                                      \
	" FROM webhooks WHERE enabled AND (event_mask & $4) <> 0 AND (organisation_id = $5 OR organisation_id IS "     \
	"NULL)"
static const char *const SQL_DELIVERY_FAN_OUT[] =
    SQL_EACH_DIALECT(DELIVERY_FAN_OUT(SHARED_SQLITE_NEW_UUID), DELIVERY_FAN_OUT("CAST(gen_random_uuid() AS text)"));

enum store_result shared_event_write_with_id(struct sql_connection *c, enum event_type type,
                                             const char *organisation_id, const char *site_id, const char *camera_id,
                                             const struct change_origin *origin, const char *data_json,
                                             char id[UUID_BUFFER_SIZE])
{
	if (uuid_generate_text(id) != 0)
		return STORE_ERROR;
	struct sql_params params = {0};
	sql_param_text(&params, id);
	sql_param_text(&params, event_type_name(type));
	sql_param_int64(&params, EVENT_TYPE_BIT(type));
	sql_param_int64(&params, origin->at_ms);
	sql_param_text_or_null(&params, organisation_id);
	sql_param_text_or_null(&params, site_id);
	sql_param_text_or_null(&params, camera_id);
	sql_param_text(&params, event_actor_kind_name(origin->actor.kind));
	sql_param_text_or_null(&params, origin->actor.id);
	sql_param_text(&params, data_json);
	enum store_result result = sql_change(c, SQL_EVENT_INSERT, &params, false);
	if (result != STORE_OK || type == EVENT_WEBHOOK_TEST)
		return result;
	struct sql_params fan_out = {0};
	sql_param_text(&fan_out, id);
	sql_param_text(&fan_out, event_type_name(type));
	sql_param_int64(&fan_out, origin->at_ms);
	sql_param_int64(&fan_out, EVENT_TYPE_BIT(type));
	sql_param_text_or_null(&fan_out, organisation_id);
	return sql_change(c, sql_for(c, SQL_DELIVERY_FAN_OUT), &fan_out, false);
}

enum store_result shared_event_write(struct sql_connection *c, enum event_type type, const char *organisation_id,
                                     const char *site_id, const char *camera_id, const struct change_origin *origin,
                                     const char *data_json)
{
	char id[UUID_BUFFER_SIZE];
	return shared_event_write_with_id(c, type, organisation_id, site_id, camera_id, origin, data_json, id);
}

enum store_result shared_camera_event(struct sql_connection *c, enum event_type type, const struct camera *before,
                                      const struct camera *after, const struct change_origin *origin)
{
	char *data = event_camera_data(type, before, after, origin->at_ms / 1000, origin->online_window);
	if (data == NULL) {
		log_error("store: cannot encode the %s event of camera %s", event_type_name(type), after->id);
		return STORE_ERROR;
	}
	enum store_result result =
	    shared_event_write(c, type, after->organisation_id, after->site_id, after->id, origin, data);
	free(data);
	return result;
}

/* $1 type mask (0: any), $2 camera, $3 site, $4 since, $5 organisation, $6 granted-to user (NULL:
 * no restriction), $7 cursor event id (NULL: from the newest; an id no longer kept: nothing), $8
 * limit, $9 one event id (NULL: any); ascending: $7 is after_seq instead. */
#define EVENT_SELECT                                                                                                   \
	"SELECT seq, id, type, occurred_at_ms, organisation_id, site_id, camera_id, actor_kind, actor_id, data_json"   \
	" FROM events WHERE (CAST($1 AS integer) = 0 OR (type_bit & $1) <> 0)"                                         \
	" AND (CAST($2 AS text) IS NULL OR camera_id = $2) AND (CAST($3 AS text) IS NULL OR site_id = $3)"             \
	" AND occurred_at_ms >= $4 AND (CAST($5 AS text) IS NULL OR organisation_id = $5)"                             \
	" AND (CAST($6 AS text) IS NULL OR site_id IN (SELECT site_id FROM user_sites WHERE user_id = $6))"            \
	" AND (CAST($9 AS text) IS NULL OR id = $9)"
/* PostgreSQL: only events whose writing transaction is older than every one still running in this
 * database (see its migration 004: seq is not commit order there; transactions of other databases
 * on the cluster do not hold events back). Compared by age, which is exact for recent transaction
 * ids; events older than 10 minutes (no camfleet transaction runs that long) count as settled, so
 * the ages never wrap. SQLite's one writer commits in seq order. */
#define SETTLED                                                                                                        \
	" AND (occurred_at_ms < CAST(extract(epoch FROM clock_timestamp()) * 1000 AS bigint) - 600000"                 \
	" OR age(CAST(writer_xid AS xid)) > COALESCE((SELECT max(age(backend_xid)) FROM pg_stat_activity"              \
	" WHERE datname = current_database() AND backend_xid IS NOT NULL), -1))"
#define EVENT_LIST(settled)                                                                                            \
	EVENT_SELECT settled " AND seq < COALESCE((SELECT seq FROM events WHERE id = CAST($7 AS text)),"               \
	                     " CASE WHEN CAST($7 AS text) IS NULL THEN 9223372036854775807 ELSE 0 END)"                \
	                     " ORDER BY seq DESC LIMIT CAST($8 AS bigint)"
#define EVENT_LIST_AFTER(settled)                                                                                      \
	EVENT_SELECT settled " AND seq > CAST($7 AS bigint) ORDER BY seq LIMIT CAST($8 AS bigint)"
static const char *const SQL_EVENT_LIST[] = SQL_EACH_DIALECT(EVENT_LIST(""), EVENT_LIST(SETTLED));
static const char *const SQL_EVENT_LIST_AFTER[] = SQL_EACH_DIALECT(EVENT_LIST_AFTER(""), EVENT_LIST_AFTER(SETTLED));

struct event_visit {
	event_row_fn row;
	void *context;
};

static int visit_event(void *context, const struct sql_row *row)
{
	struct event_visit *visit = context;
	struct event_record event;
	event.seq = sql_int64(row, 0);
	sql_text(row, 1, event.id, sizeof(event.id));
	if (!event_type_from_name(sql_text_view(row, 2), &event.type))
		return 0; /* a type this version does not know: not shown */
	event.occurred_at_ms = sql_int64(row, 3);
	sql_text(row, 4, event.organisation_id, sizeof(event.organisation_id));
	sql_text(row, 5, event.site_id, sizeof(event.site_id));
	sql_text(row, 6, event.camera_id, sizeof(event.camera_id));
	event.actor.kind = event_actor_kind_from_name(sql_text_view(row, 7));
	sql_text(row, 8, event.actor.id, sizeof(event.actor.id));
	event.data_json = sql_text_view(row, 9);
	return visit->row(visit->context, &event);
}

enum store_result shared_event_list(struct store *store, const struct event_filter *filter, event_row_fn row,
                                    void *context)
{
	struct sql_params params = {0};
	sql_param_int64(&params, filter->type_mask);
	sql_param_text_or_null(&params, filter->camera_id);
	sql_param_text_or_null(&params, filter->site_id);
	sql_param_int64(&params, filter->since_ms);
	sql_param_text_or_null(&params, filter->organisation_id);
	sql_param_text_or_null(&params, filter->granted_user_id);
	if (filter->ascending)
		sql_param_int64(&params, filter->after_seq);
	else
		sql_param_text_or_null(&params, filter->before_id);
	sql_param_limit(&params, sql_dialect_of(store), filter->limit);
	sql_param_text_or_null(&params, filter->id);
	struct event_visit visit = {row, context};
	const char *const *sql = filter->ascending ? SQL_EVENT_LIST_AFTER : SQL_EVENT_LIST;
	return sql_each(store, sql[sql_dialect_of(store)], &params, visit_event, &visit);
}

static const char SQL_EVENT_PRUNE[] = "DELETE FROM events WHERE seq IN (SELECT seq FROM events"
                                      " WHERE occurred_at_ms < $1 ORDER BY seq LIMIT $2)";

static const char SQL_DELIVERY_PRUNE[] =
    "DELETE FROM webhook_deliveries WHERE seq IN (SELECT seq FROM webhook_deliveries"
    " WHERE created_at_ms < $1 AND status <> 'pending' ORDER BY seq LIMIT $2)";

enum store_result shared_event_prune(struct store *store, int64_t before_ms, unsigned max_rows, long *deleted)
{
	struct sql_connection *c = sql_acquire(store);
	if (c == NULL)
		return STORE_UNAVAILABLE;
	struct sql_params params = {0};
	sql_param_int64(&params, before_ms);
	sql_param_int64(&params, max_rows);
	enum store_result result = sql_change_counted(c, SQL_EVENT_PRUNE, &params, deleted);
	if (result == STORE_OK)
		result = sql_change(c, SQL_DELIVERY_PRUNE, &params, false);
	sql_release(store, c);
	return result;
}
