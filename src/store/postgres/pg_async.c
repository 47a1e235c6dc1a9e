/* PostgreSQL operations on asynchronous requests: the durable queue that the workers of every
 * node drain in FIFO order (column seq, a bigserial). A worker takes a request with one UPDATE
 * whose sub-select locks the oldest waiting row with FOR UPDATE SKIP LOCKED, so that each
 * request goes to exactly one worker while the others pass on to the next; a crash leaves it
 * processing, to be taken again once stale. */
#include <string.h>

#include "store/store_text.h"

#include "store/postgres/pg_camera_rows.h"

/* Fills out from a row selected with STORE_ASYNC_COLUMNS. */
static void read_request(const PGresult *r, int row, void *destination)
{
	struct async_request *out = destination;
	char text[32];
	memset(out, 0, sizeof(*out));
	pg_copy(r, row, 0, out->id, sizeof(out->id));
	pg_copy(r, row, 1, text, sizeof(text));
	out->kind = store_async_kind_from_name(text);
	pg_copy(r, row, 2, text, sizeof(text));
	out->status = store_async_status_from_name(text);
	pg_copy(r, row, 3, out->message, sizeof(out->message));
	pg_copy(r, row, 4, out->camera_id, sizeof(out->camera_id));
	pg_copy(r, row, 5, out->serial_number, sizeof(out->serial_number));
	pg_copy(r, row, 6, out->new_state, sizeof(out->new_state));
	pg_copy(r, row, 7, out->organisation_id, sizeof(out->organisation_id));
	out->created_at = pg_int64_or_zero(r, row, 8);
	out->updated_at = pg_int64_or_zero(r, row, 9);
}

/* seq is left to its bigserial default: it grows with every insert, on every node. */
static const char SQL_ASYNC_INSERT[] =
    "INSERT INTO async_requests(id, kind, status, message, camera_id, serial_number, new_state,"
    " organisation_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

static enum store_result pg_async_insert(struct store *store, const struct async_request *request)
{
	struct pg_connection *connection = pg_acquire(store);
	if (connection == NULL)
		return STORE_UNAVAILABLE;
	struct pg_params params = {0};
	pg_param_text(&params, request->id);
	pg_param_text(&params, store_async_kind_name(request->kind));
	pg_param_text(&params, store_async_status_name(request->status));
	pg_param_text(&params, request->message);
	pg_param_text(&params, request->camera_id);
	pg_param_text_or_null(&params, request->serial_number);
	pg_param_text_or_null(&params, request->new_state);
	pg_param_text_or_null(&params, request->organisation_id);
	pg_param_int64(&params, request->created_at);
	pg_param_int64(&params, request->updated_at);
	enum store_result result = pg_command(connection, SQL_ASYNC_INSERT, &params, NULL);
	pg_release(store, connection);
	return result;
}

static const char SQL_ASYNC_GET[] = "SELECT " STORE_ASYNC_COLUMNS " FROM async_requests WHERE id = $1";

static enum store_result pg_async_get(struct store *store, const char *id, struct async_request *out)
{
	struct pg_params params = {0};
	pg_param_text(&params, id);
	return pg_get(store, SQL_ASYNC_GET, &params, read_request, out);
}

/* Takes the oldest waiting request (created, or processing but not touched since $1) and marks it
 * processing at $2, in one statement (its own transaction). The sub-select skips rows another
 * worker holds locked; a row that another worker took meanwhile is re-checked against its newest
 * version and passed over. RETURNING hands back the row with the status it had when taken (n). */
static const char SQL_ASYNC_CLAIM[] =
    "UPDATE async_requests AS a SET status = 'processing', updated_at = $2"
    " FROM (SELECT id, status FROM async_requests"
    " WHERE status = 'created' OR (status = 'processing' AND updated_at < $1)"
    " ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED) AS n"
    " WHERE a.id = n.id"
    " RETURNING a.id, a.kind, n.status, a.message, a.camera_id, a.serial_number, a.new_state,"
    " a.organisation_id, a.created_at, a.updated_at";

/* On STORE_OK, out->status is the status the request had when taken: ASYNC_CREATED, or
 * ASYNC_PROCESSING when it is taken again after a crash (the row itself is now processing). */
static enum store_result pg_async_claim_next(struct store *store, int64_t now, int64_t stale_before,
                                             struct async_request *out)
{
	struct pg_connection *connection = pg_acquire(store);
	if (connection == NULL)
		return STORE_UNAVAILABLE;
	struct pg_params params = {0};
	pg_param_int64(&params, stale_before);
	pg_param_int64(&params, now);
	enum store_result result = pg_fetch_one(connection, SQL_ASYNC_CLAIM, &params, read_request, out);
	pg_release(store, connection);
	return result;
}

/* Only a request in hand (processing) can be finished: a second finish finds nothing. */
static const char SQL_ASYNC_FINISH[] = "UPDATE async_requests SET status = $2, message = $3, updated_at = $4"
                                       " WHERE id = $1 AND status = 'processing'";

static enum store_result pg_async_finish(struct store *store, const char *id, enum async_status status,
                                         const char *message, int64_t at)
{
	struct pg_connection *connection = pg_acquire(store);
	if (connection == NULL)
		return STORE_UNAVAILABLE;
	struct pg_params params = {0};
	pg_param_text(&params, id);
	pg_param_text(&params, store_async_status_name(status));
	pg_param_text(&params, message);
	pg_param_int64(&params, at);
	long changed = 0;
	enum store_result result = pg_command(connection, SQL_ASYNC_FINISH, &params, &changed);
	pg_release(store, connection);
	return result == STORE_OK && changed == 0 ? STORE_NOT_FOUND : result;
}

static const char SQL_ASYNC_PENDING[] = "SELECT count(*) FROM async_requests WHERE status IN ('created', 'processing')";

static void read_count(const PGresult *r, int row, void *destination)
{
	*(int64_t *)destination = pg_int64_or_zero(r, row, 0);
}

static enum store_result pg_async_pending_count(struct store *store, int64_t *count_out)
{
	struct pg_connection *connection = pg_acquire(store);
	if (connection == NULL)
		return STORE_UNAVAILABLE;
	enum store_result result = pg_fetch_one(connection, SQL_ASYNC_PENDING, NULL, read_count, count_out);
	pg_release(store, connection);
	return result == STORE_NOT_FOUND ? STORE_ERROR : result; /* count(*) always has a row */
}

void pg_async_ops(struct store_ops *ops)
{
	ops->async_insert = pg_async_insert;
	ops->async_get = pg_async_get;
	ops->async_claim_next = pg_async_claim_next;
	ops->async_finish = pg_async_finish;
	ops->async_pending_count = pg_async_pending_count;
}
