/* Webhook deliveries: the durable record of each event's delivery to each webhook — listed for
 * its owner, retried on request, claimed by the senders (jobs/webhook_sender.c) under a lease and
 * finished with each attempt's outcome. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/shared/shared_ops.h"
#include "util/log.h"

#define DELIVERY_COLUMNS                                                                                               \
	"id, webhook_id, event_id, event_type, status, attempts, created_at_ms, last_attempt_at_ms,"                   \
	" next_attempt_at_ms, response_status, error"
#define DELIVERY_STATUS_BIT "(CASE status WHEN 'pending' THEN 1 WHEN 'succeeded' THEN 2 ELSE 4 END)"

static void read_delivery(const struct sql_row *row, void *out)
{
	struct webhook_delivery *delivery = out;
	sql_text(row, 0, delivery->id, sizeof(delivery->id));
	sql_text(row, 1, delivery->webhook_id, sizeof(delivery->webhook_id));
	sql_text(row, 2, delivery->event_id, sizeof(delivery->event_id));
	if (!event_type_from_name(sql_text_view(row, 3), &delivery->event_type))
		delivery->event_type = EVENT_TYPE_COUNT;
	if (!delivery_status_from_name(sql_text_view(row, 4), &delivery->status))
		delivery->status = DELIVERY_FAILED;
	delivery->attempts = (unsigned)sql_int64(row, 5);
	delivery->created_at_ms = sql_int64(row, 6);
	delivery->last_attempt_at_ms = sql_int64(row, 7);
	delivery->next_attempt_at_ms = sql_int64(row, 8);
	delivery->response_status = (int)sql_int64(row, 9);
	sql_text(row, 10, delivery->error, sizeof(delivery->error));
}

static const char SQL_DELIVERY_INSERT[] =
    "INSERT INTO webhook_deliveries(id, webhook_id, event_seq, event_id, event_type, status, created_at_ms,"
    " next_attempt_at_ms) SELECT $1, $2, seq, id, type, 'pending', $3, $3 FROM events WHERE id = $4";

enum store_result shared_delivery_insert(struct sql_connection *c, const char *webhook_id, const char *event_id,
                                         enum event_type type, int64_t at_ms, struct webhook_delivery *out)
{
	struct webhook_delivery delivery = {
	    .event_type = type, .status = DELIVERY_PENDING, .created_at_ms = at_ms, .next_attempt_at_ms = at_ms};
	if (uuid_generate_text(delivery.id) != 0)
		return STORE_ERROR;
	snprintf(delivery.webhook_id, sizeof(delivery.webhook_id), "%s", webhook_id);
	snprintf(delivery.event_id, sizeof(delivery.event_id), "%s", event_id);
	struct sql_params params = {0};
	sql_param_text(&params, delivery.id);
	sql_param_text(&params, webhook_id);
	sql_param_int64(&params, at_ms);
	sql_param_text(&params, event_id);
	enum store_result result = sql_change(c, SQL_DELIVERY_INSERT, &params, true);
	if (result == STORE_OK && out != NULL)
		*out = delivery;
	return result;
}

/* --- reading and retrying ----------------------------------------------------------------- */

/* $1 webhook, $2 status mask (0: any), $3 cursor delivery id ("": from the newest; an id no longer
 * kept: nothing), $4 limit. */
static const char SQL_DELIVERY_LIST[] =
    "SELECT " DELIVERY_COLUMNS " FROM webhook_deliveries WHERE webhook_id = $1"
    " AND (CAST($2 AS integer) = 0 OR (CAST($2 AS integer) & " DELIVERY_STATUS_BIT ") <> 0)"
    " AND seq < COALESCE((SELECT seq FROM webhook_deliveries WHERE id = $3 AND webhook_id = $1),"
    " CASE WHEN CAST($3 AS text) = '' THEN 9223372036854775807 ELSE 0 END)"
    " ORDER BY seq DESC LIMIT CAST($4 AS bigint)";
static const char SQL_DELIVERY_GET[] =
    "SELECT " DELIVERY_COLUMNS " FROM webhook_deliveries WHERE webhook_id = $1 AND id = $2";
static const char SQL_DELIVERY_RETRY[] =
    "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at_ms = $3, schedule_start = attempts"
    " WHERE webhook_id = $1 AND id = $2 RETURNING " DELIVERY_COLUMNS;

struct delivery_visit {
	delivery_row_fn row;
	void *context;
};

static int visit_delivery(void *context, const struct sql_row *row)
{
	struct delivery_visit *visit = context;
	struct webhook_delivery delivery;
	read_delivery(row, &delivery);
	return visit->row(visit->context, &delivery);
}

enum store_result shared_delivery_list(struct store *store, const char *webhook_id, unsigned status_mask,
                                       const struct page_cursor *page, delivery_row_fn row, void *context)
{
	struct delivery_visit visit = {row, context};
	struct sql_params params = {0};
	sql_param_text(&params, webhook_id);
	sql_param_int64(&params, status_mask);
	sql_param_text(&params, page->after_id);
	sql_param_limit(&params, sql_dialect_of(store), page->limit);
	return sql_each(store, SQL_DELIVERY_LIST, &params, visit_delivery, &visit);
}

enum store_result shared_delivery_get(struct store *store, const char *webhook_id, const char *id,
                                      struct webhook_delivery *out)
{
	struct sql_params params = {0};
	sql_param_text(&params, webhook_id);
	sql_param_text(&params, id);
	return sql_get(store, SQL_DELIVERY_GET, &params, read_delivery, out);
}

struct delivery_retry {
	const char *webhook_id, *id;
	int64_t now_ms;
	struct webhook_delivery *out;
};

static enum store_result retry_delivery(struct sql_connection *c, const void *context)
{
	const struct delivery_retry *retry = context;
	struct sql_params params = {0};
	sql_param_text(&params, retry->webhook_id);
	sql_param_text(&params, retry->id);
	sql_param_int64(&params, retry->now_ms);
	return sql_fetch_one(c, SQL_DELIVERY_RETRY, &params, read_delivery, retry->out);
}

enum store_result shared_delivery_retry(struct store *store, const char *webhook_id, const char *id, int64_t now_ms,
                                        struct webhook_delivery *out)
{
	struct delivery_retry retry = {webhook_id, id, now_ms, out};
	return sql_transaction(store, retry_delivery, &retry);
}

/* --- the senders' rounds: outcomes written, deliveries claimed --------------------------------- */

/* The enabled webhooks with due deliveries and how many of theirs are in flight (leased, by any
 * sender), in random order (so that when room is short, no webhook always comes last): $1 now. */
static const char SQL_WEBHOOKS_DUE[] =
    "SELECT id, (SELECT count(*) FROM webhook_deliveries f WHERE f.webhook_id = w.id AND f.status = 'pending'"
    " AND f.lease_until_ms > $1) FROM webhooks w WHERE enabled AND EXISTS (SELECT 1 FROM webhook_deliveries d"
    " WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.next_attempt_at_ms <= $1 AND d.lease_until_ms <= $1)"
    " ORDER BY random()";
/* Leases the earliest due deliveries of one webhook: $1 now, $2 lease end, $3 webhook, $4 how many,
 * $5 the round's token. They are picked in a WITH (which PostgreSQL runs once: a LIMIT under
 * FOR UPDATE SKIP LOCKED inside IN may be run again per row, and lease more than asked). */
#define CLAIM(lock)                                                                                                    \
	"WITH picked AS (SELECT id FROM webhook_deliveries WHERE webhook_id = $3 AND status = 'pending'"               \
	" AND next_attempt_at_ms <= $1 AND lease_until_ms <= $1 ORDER BY next_attempt_at_ms"                           \
	" LIMIT CAST($4 AS bigint)" lock ") UPDATE webhook_deliveries SET lease_until_ms = $2, lease_token = $5"       \
	" WHERE id IN (SELECT id FROM picked) AND status = 'pending' AND next_attempt_at_ms <= $1"                     \
	" AND lease_until_ms <= $1"
/* PostgreSQL: other nodes claim at the same time; rows one of them locked are left to it. */
static const char *const SQL_DELIVERY_CLAIM[] = SQL_EACH_DIALECT(CLAIM(""), CLAIM(" FOR UPDATE SKIP LOCKED"));
static const char SQL_CLAIMED[] =
    "SELECT d.id, d.webhook_id, d.attempts, d.attempts - d.schedule_start, w.url, w.secret,"
    " CASE WHEN w.previous_secret_until_ms > $2 THEN w.previous_secret ELSE NULL END, e.seq, e.id, e.type,"
    " e.occurred_at_ms, e.organisation_id, e.site_id, e.camera_id, e.actor_kind, e.actor_id, e.data_json,"
    " w.failing_since_ms IS NOT NULL FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id LEFT JOIN events "
    "e ON e.seq = d.event_seq"
    " WHERE d.lease_token = $1 ORDER BY d.next_attempt_at_ms";

/* One sender's round: its outcomes to write, then its claim. */
struct round {
	const struct delivery_outcome *outcomes;
	size_t count;
	const struct delivery_claim *claim;
	char token[UUID_BUFFER_SIZE];
	delivery_job_fn job;
	void *context;
};

static int visit_claimed(void *context, const struct sql_row *row)
{
	const struct round *round = context;
	struct delivery_job job;
	sql_text(row, 0, job.delivery_id, sizeof(job.delivery_id));
	memcpy(job.lease_token, round->token, sizeof(job.lease_token));
	sql_text(row, 1, job.webhook_id, sizeof(job.webhook_id));
	job.attempts_before = (unsigned)sql_int64(row, 2);
	job.schedule_attempts = (unsigned)sql_int64(row, 3);
	sql_text(row, 4, job.url, sizeof(job.url));
	sql_text(row, 5, job.secret, sizeof(job.secret));
	sql_text(row, 6, job.previous_secret, sizeof(job.previous_secret));
	job.event_kept = !sql_is_null(row, 7);
	struct event_record *event = &job.event;
	event->seq = sql_int64(row, 7);
	sql_text(row, 8, event->id, sizeof(event->id));
	if (!event_type_from_name(sql_text_view(row, 9), &event->type))
		job.event_kept = false;
	event->occurred_at_ms = sql_int64(row, 10);
	sql_text(row, 11, event->organisation_id, sizeof(event->organisation_id));
	sql_text(row, 12, event->site_id, sizeof(event->site_id));
	sql_text(row, 13, event->camera_id, sizeof(event->camera_id));
	event->actor.kind = event_actor_kind_from_name(sql_text_view(row, 14));
	sql_text(row, 15, event->actor.id, sizeof(event->actor.id));
	event->data_json = sql_text_view(row, 16);
	job.webhook_failing = sql_bool(row, 17);
	return round->job(round->context, &job);
}

/* A webhook with due deliveries, and its deliveries in flight. */
struct due_webhook {
	char id[UUID_BUFFER_SIZE];
	unsigned busy;
};

struct due_webhooks {
	struct due_webhook *list;
	size_t count, capacity;
};

static int add_due_webhook(void *context, const struct sql_row *row)
{
	struct due_webhooks *due = context;
	if (due->count == due->capacity)
		return 1; /* enough to fill the round; the rest wait for the next */
	struct due_webhook *webhook = &due->list[due->count++];
	sql_text(row, 0, webhook->id, sizeof(webhook->id));
	webhook->busy = (unsigned)sql_int64(row, 1);
	return 0;
}

/* Leases up to claim->max due deliveries, each webhook's earliest first and at most per_webhook of
 * one in flight, then hands them to the round's job. */
static enum store_result claim_due(struct sql_connection *c, const struct round *round)
{
	const struct delivery_claim *claim = round->claim;
	struct due_webhooks due = {.list = calloc(claim->max, sizeof(*due.list)), .capacity = claim->max};
	if (due.list == NULL)
		return STORE_ERROR;
	struct sql_params now = {0};
	sql_param_int64(&now, claim->now_ms);
	enum store_result result = sql_fetch_each(c, SQL_WEBHOOKS_DUE, &now, add_due_webhook, &due);
	unsigned left = claim->max;
	long claimed = 0;
	for (size_t i = 0; i < due.count && left > 0 && result == STORE_OK; i++) {
		if (due.list[i].busy >= claim->per_webhook)
			continue;
		unsigned room = claim->per_webhook - due.list[i].busy;
		long leased = 0;
		struct sql_params params = {0};
		sql_param_int64(&params, claim->now_ms);
		sql_param_int64(&params, claim->now_ms + claim->lease_ms);
		sql_param_text(&params, due.list[i].id);
		sql_param_int64(&params, room < left ? room : left);
		sql_param_text(&params, round->token);
		result = sql_change_counted(c, sql_for(c, SQL_DELIVERY_CLAIM), &params, &leased);
		left -= (unsigned)leased;
		claimed += leased;
	}
	free(due.list);
	if (result != STORE_OK || claimed == 0)
		return result;
	struct sql_params token = {0};
	sql_param_text(&token, round->token);
	sql_param_int64(&token, claim->now_ms);
	return sql_fetch_each(c, SQL_CLAIMED, &token, visit_claimed, (void *)round);
}

/* --- outcomes ----------------------------------------------------------------------------- */

/* $1 delivery, $2 lease token, $3 attempted at, $4 response status (NULL: none), $5 error (NULL),
 * $6 next attempt (-1: failed for good; NULL: succeeded). */
static const char SQL_DELIVERY_OUTCOME[] =
    "UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at_ms = $3,"
    " response_status = CAST($4 AS integer), error = CAST($5 AS text), status = CASE WHEN CAST($6 AS bigint) IS NULL"
    " THEN 'succeeded' WHEN $6 < 0 THEN 'failed' ELSE 'pending' END,"
    " next_attempt_at_ms = CASE WHEN $6 < 0 THEN NULL ELSE $6 END, lease_until_ms = 0, lease_token = NULL"
    " WHERE id = $1 AND lease_token = $2";
static const char SQL_WEBHOOK_SUCCEEDED[] =
    "UPDATE webhooks SET failing_since_ms = NULL WHERE id = $1 AND failing_since_ms IS NOT NULL";
static const char SQL_WEBHOOK_FAILED[] =
    "UPDATE webhooks SET failing_since_ms = COALESCE(failing_since_ms, $2) WHERE id = $1";
static const char SQL_WEBHOOK_DISABLE[] =
    "UPDATE webhooks SET enabled = false WHERE id = $1 AND enabled AND failing_since_ms < $2"
    " RETURNING organisation_id, url, failing_since_ms";

struct disabled_webhook {
	char organisation_id[UUID_BUFFER_SIZE];
	char url[WEBHOOK_URL_MAX + 1];
	int64_t failing_since_ms;
};

static void read_disabled(const struct sql_row *row, void *out)
{
	struct disabled_webhook *disabled = out;
	sql_text(row, 0, disabled->organisation_id, sizeof(disabled->organisation_id));
	sql_text(row, 1, disabled->url, sizeof(disabled->url));
	disabled->failing_since_ms = sql_int64(row, 2);
}

/* After a failure: disables the webhook when it has failed since before disable_before_ms. */
static enum store_result disable_if_failing(struct sql_connection *c, const struct delivery_outcome *outcome,
                                            int64_t disable_before_ms)
{
	struct sql_params params = {0};
	sql_param_text(&params, outcome->webhook_id);
	sql_param_int64(&params, disable_before_ms);
	struct disabled_webhook disabled;
	enum store_result result = sql_fetch_one(c, SQL_WEBHOOK_DISABLE, &params, read_disabled, &disabled);
	if (result != STORE_OK)
		return result == STORE_NOT_FOUND ? STORE_OK : result;
	char *data = webhook_disabled_data(outcome->webhook_id, disabled.url, disabled.failing_since_ms);
	if (data == NULL)
		return STORE_ERROR;
	log_warn("webhooks: webhook %s disabled: its deliveries have failed since %lld", outcome->webhook_id,
	         (long long)disabled.failing_since_ms);
	struct change_origin origin = {.actor = {.kind = EVENT_ACTOR_SYSTEM}, .at_ms = outcome->attempted_at_ms};
	result = shared_event_write(c, EVENT_WEBHOOK_DISABLED, disabled.organisation_id, "", "", &origin, data);
	free(data);
	return result;
}

static const char SQL_DELIVERY_RELEASE[] =
    "UPDATE webhook_deliveries SET lease_until_ms = 0, lease_token = NULL WHERE id = $1 AND lease_token = $2";

static enum store_result write_outcome(struct sql_connection *c, const struct delivery_outcome *outcome,
                                       int64_t disable_before_ms)
{
	struct sql_params params = {0};
	if (outcome->kind == OUTCOME_RELEASED) {
		sql_param_text(&params, outcome->delivery_id);
		sql_param_text(&params, outcome->lease_token);
		return sql_change(c, SQL_DELIVERY_RELEASE, &params, false);
	}
	sql_param_text(&params, outcome->delivery_id);
	sql_param_text(&params, outcome->lease_token);
	sql_param_int64(&params, outcome->attempted_at_ms);
	if (outcome->response_status != 0)
		sql_param_int64(&params, outcome->response_status);
	else
		sql_param_null(&params);
	sql_param_text_or_null(&params, outcome->error);
	if (outcome->kind == OUTCOME_SUCCEEDED)
		sql_param_null(&params);
	else
		sql_param_int64(&params, outcome->kind == OUTCOME_DROPPED ? -1 : outcome->next_attempt_at_ms);
	enum store_result result = sql_change(c, SQL_DELIVERY_OUTCOME, &params, true);
	if (result == STORE_NOT_FOUND)
		return STORE_OK; /* the lease ran out and another sender took it over */
	if (result != STORE_OK || outcome->kind == OUTCOME_DROPPED)
		return result;
	struct sql_params webhook = {0};
	sql_param_text(&webhook, outcome->webhook_id);
	if (outcome->kind == OUTCOME_SUCCEEDED) /* most webhooks are not failing: nothing to clear */
		return outcome->webhook_failing ? sql_change(c, SQL_WEBHOOK_SUCCEEDED, &webhook, false) : STORE_OK;
	sql_param_int64(&webhook, outcome->attempted_at_ms);
	result = sql_change(c, SQL_WEBHOOK_FAILED, &webhook, false);
	return result == STORE_OK ? disable_if_failing(c, outcome, disable_before_ms) : result;
}

static enum store_result run_round(struct sql_connection *c, const void *context)
{
	const struct round *round = context;
	enum store_result result = STORE_OK;
	for (size_t i = 0; i < round->count && result == STORE_OK; i++)
		result = write_outcome(c, &round->outcomes[i], round->claim->disable_before_ms);
	if (result == STORE_OK && round->claim->max > 0)
		result = claim_due(c, round);
	return result;
}

enum store_result shared_delivery_round(struct store *store, const struct delivery_outcome *outcomes, size_t count,
                                        const struct delivery_claim *claim, delivery_job_fn job, void *context)
{
	struct round round = {outcomes, count, claim, "", job, context};
	if (uuid_generate_text(round.token) != 0)
		return STORE_ERROR;
	return sql_transaction(store, run_round, &round);
}
