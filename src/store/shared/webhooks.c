/* Webhooks: the subscriptions (with their signing secrets, which must be kept as they are since
 * they sign) and the test event. Deliveries are in webhook_deliveries.c; the delivery rows of
 * ordinary events are written by shared_event_write. */
#include "store/shared/shared_ops.h"

#define WEBHOOK_COLUMNS                                                                                                \
	"id, organisation_id, url, event_mask, description, enabled, created_at_ms, secret, previous_secret,"          \
	" previous_secret_until_ms, failing_since_ms"

/* $12 the cap: no insert when the organisation (NULL: the fleet) already has that many. */
static const char SQL_WEBHOOK_INSERT[] =
    "INSERT INTO webhooks(" WEBHOOK_COLUMNS ") SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11"
    " WHERE (SELECT count(*) FROM webhooks WHERE organisation_id = $2"
    " OR (CAST($2 AS text) IS NULL AND organisation_id IS NULL)) < CAST($12 AS bigint)";
static const char SQL_WEBHOOK_GET[] = "SELECT " WEBHOOK_COLUMNS " FROM webhooks WHERE id = $1";
static const char SQL_WEBHOOK_LIST[] = "SELECT " WEBHOOK_COLUMNS " FROM webhooks"
                                       " WHERE (CAST($1 AS text) IS NULL OR organisation_id = $1) AND id > $2"
                                       " ORDER BY id LIMIT CAST($3 AS bigint)";
/* $5 enabled (NULL: as it is). */
static const char SQL_WEBHOOK_UPDATE[] =
    "UPDATE webhooks SET url = $2, event_mask = $3, description = $4, enabled = COALESCE(CAST($5 AS boolean), enabled),"
    " failing_since_ms = CASE WHEN CAST($5 AS boolean) AND NOT enabled THEN NULL ELSE failing_since_ms END"
    " WHERE id = $1 RETURNING " WEBHOOK_COLUMNS;
static const char SQL_WEBHOOK_ROTATE[] = "UPDATE webhooks SET previous_secret = secret,"
                                         " previous_secret_until_ms = $3, secret = $2 WHERE id = $1";
static const char SQL_WEBHOOK_DELETE[] = "DELETE FROM webhooks WHERE id = $1";

static void read_webhook(const struct sql_row *row, void *out)
{
	struct webhook *webhook = out;
	sql_text(row, 0, webhook->id, sizeof(webhook->id));
	sql_text(row, 1, webhook->organisation_id, sizeof(webhook->organisation_id));
	sql_text(row, 2, webhook->url, sizeof(webhook->url));
	webhook->event_mask = (unsigned)sql_int64(row, 3);
	sql_text(row, 4, webhook->description, sizeof(webhook->description));
	webhook->enabled = sql_bool(row, 5);
	webhook->created_at_ms = sql_int64(row, 6);
	sql_text(row, 7, webhook->secret, sizeof(webhook->secret));
	sql_text(row, 8, webhook->previous_secret, sizeof(webhook->previous_secret));
	webhook->previous_secret_until_ms = sql_int64(row, 9);
	webhook->failing_since_ms = sql_int64(row, 10);
}

static void param_time_or_null(struct sql_params *params, int64_t at_ms)
{
	if (at_ms != 0)
		sql_param_int64(params, at_ms);
	else
		sql_param_null(params);
}

enum store_result shared_webhook_insert(struct store *store, const struct webhook *webhook, unsigned max)
{
	struct sql_params params = {0};
	sql_param_text(&params, webhook->id);
	sql_param_text_or_null(&params, webhook->organisation_id);
	sql_param_text(&params, webhook->url);
	sql_param_int64(&params, webhook->event_mask);
	sql_param_text(&params, webhook->description);
	sql_param_bool(&params, webhook->enabled);
	sql_param_int64(&params, webhook->created_at_ms);
	sql_param_text(&params, webhook->secret);
	sql_param_text_or_null(&params, webhook->previous_secret);
	param_time_or_null(&params, webhook->previous_secret_until_ms);
	param_time_or_null(&params, webhook->failing_since_ms);
	sql_param_int64(&params, max);
	enum store_result result = sql_write(store, SQL_WEBHOOK_INSERT, &params, true);
	return result == STORE_NOT_FOUND ? STORE_LIMIT : result;
}

enum store_result shared_webhook_get(struct store *store, const char *id, struct webhook *out)
{
	struct sql_params params = {0};
	sql_param_text(&params, id);
	return sql_get(store, SQL_WEBHOOK_GET, &params, read_webhook, out);
}

struct webhook_visit {
	webhook_row_fn row;
	void *context;
};

static int visit_webhook(void *context, const struct sql_row *row)
{
	struct webhook_visit *visit = context;
	struct webhook webhook;
	read_webhook(row, &webhook);
	return visit->row(visit->context, &webhook);
}

enum store_result shared_webhook_list(struct store *store, const char *organisation_id, const struct page_cursor *page,
                                      webhook_row_fn row, void *context)
{
	struct webhook_visit visit = {row, context};
	struct sql_params params = {0};
	sql_param_text_or_null(&params, organisation_id);
	sql_param_text(&params, page->after_id);
	sql_param_limit(&params, sql_dialect_of(store), page->limit);
	return sql_each(store, SQL_WEBHOOK_LIST, &params, visit_webhook, &visit);
}

struct webhook_update {
	const struct webhook *changes;
	const bool *enabled;
	struct webhook *out;
};

static enum store_result update_webhook(struct sql_connection *c, const void *context)
{
	const struct webhook_update *update = context;
	struct sql_params params = {0};
	sql_param_text(&params, update->changes->id);
	sql_param_text(&params, update->changes->url);
	sql_param_int64(&params, update->changes->event_mask);
	sql_param_text(&params, update->changes->description);
	if (update->enabled != NULL)
		sql_param_bool(&params, *update->enabled);
	else
		sql_param_null(&params);
	return sql_fetch_one(c, SQL_WEBHOOK_UPDATE, &params, read_webhook, update->out);
}

enum store_result shared_webhook_update(struct store *store, const struct webhook *changes, const bool *enabled,
                                        struct webhook *out)
{
	struct webhook_update update = {changes, enabled, out};
	return sql_transaction(store, update_webhook, &update);
}

enum store_result shared_webhook_rotate_secret(struct store *store, const char *id, const char *secret,
                                               int64_t previous_until_ms)
{
	struct sql_params params = {0};
	sql_param_text(&params, id);
	sql_param_text(&params, secret);
	sql_param_int64(&params, previous_until_ms);
	return sql_write(store, SQL_WEBHOOK_ROTATE, &params, true);
}

enum store_result shared_webhook_delete(struct store *store, const char *id)
{
	struct sql_params params = {0};
	sql_param_text(&params, id);
	return sql_write(store, SQL_WEBHOOK_DELETE, &params, true);
}

/* --- the test event ------------------------------------------------------------------------- */

struct webhook_test {
	const struct webhook *webhook;
	const struct change_origin *origin;
	const char *data_json;
	struct webhook_delivery *out;
};

static enum store_result record_test(struct sql_connection *c, const void *context)
{
	const struct webhook_test *test = context;
	char event_id[UUID_BUFFER_SIZE];
	enum store_result result = shared_event_write_with_id(c, EVENT_WEBHOOK_TEST, test->webhook->organisation_id, "",
	                                                      "", test->origin, test->data_json, event_id);
	if (result != STORE_OK)
		return result;
	return shared_delivery_insert(c, test->webhook->id, event_id, EVENT_WEBHOOK_TEST, test->origin->at_ms,
	                              test->out);
}

enum store_result shared_webhook_test(struct store *store, const struct webhook *webhook,
                                      const struct change_origin *origin, const char *data_json,
                                      struct webhook_delivery *out)
{
	struct webhook_test test = {webhook, origin, data_json, out};
	return sql_transaction(store, record_test, &test);
}
