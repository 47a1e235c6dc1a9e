/* Asynchronous requests: the durable queue (column seq gives the arrival order), its rows (single
 * requests and the items of register-camera batches) and the reads of a request or a batch. The
 * worker carries them out in batches (async_batch.c). async_claim_next / async_finish take and
 * finish one request at a time, marking it processing (kept for tools and the contract tests; a
 * crash leaves such a request processing, to be taken again once stale). Taking one is where the
 * dialects differ: PostgreSQL, shared by the workers of every node, takes it in one UPDATE whose
 * sub-select skips rows other workers hold (FOR UPDATE SKIP LOCKED); SQLite, with one writer at a
 * time, selects and marks it in one write transaction. */
#include <string.h>

#include "store/shared/shared_ops.h"

/* Stored names; an unknown name reads as ASYNC_REGISTER_CAMERA / ASYNC_FAILED. */
static const char *const kind_names[] = {
    [ASYNC_REGISTER_CAMERA] = "register-camera", [ASYNC_PUT_CAMERA_STATE] = "put-camera-state"};

static const char *kind_name(enum async_kind kind)
{
	return kind == ASYNC_PUT_CAMERA_STATE ? kind_names[ASYNC_PUT_CAMERA_STATE] : kind_names[ASYNC_REGISTER_CAMERA];
}

static enum async_kind kind_from_name(const char *name)
{
	return strcmp(name, kind_names[ASYNC_PUT_CAMERA_STATE]) == 0 ? ASYNC_PUT_CAMERA_STATE : ASYNC_REGISTER_CAMERA;
}

static enum async_status status_from_name(const char *name)
{
	for (unsigned i = 0; i <= ASYNC_FAILED; i++)
		if (strcmp(name, async_status_name((enum async_status)i)) == 0)
			return (enum async_status)i;
	return ASYNC_FAILED;
}

void shared_read_async_request(const struct sql_row *row, void *destination)
{
	struct async_request *out = destination;
	char text[32];
	memset(out, 0, sizeof(*out));
	sql_text(row, 0, out->id, sizeof(out->id));
	sql_text(row, 1, text, sizeof(text));
	out->kind = kind_from_name(text);
	sql_text(row, 2, text, sizeof(text));
	out->status = status_from_name(text);
	sql_text(row, 3, out->message, sizeof(out->message));
	sql_text(row, 4, out->camera_id, sizeof(out->camera_id));
	sql_text(row, 5, out->serial_number, sizeof(out->serial_number));
	sql_text(row, 6, out->new_state, sizeof(out->new_state));
	sql_text(row, 7, out->organisation_id, sizeof(out->organisation_id));
	out->created_at = sql_int64(row, 8);
	out->updated_at = sql_int64(row, 9);
	out->requester.kind = event_actor_kind_from_name(sql_text_view(row, 10)); /* none: system */
	sql_text(row, 11, out->requester.id, sizeof(out->requester.id));
	sql_text(row, 12, out->batch_id, sizeof(out->batch_id));
	out->batch_index = (int)sql_int64(row, 13);
}

/* seq grows with every insert: PostgreSQL's bigserial default on every node; on SQLite the rowid
 * the new row gets (under the write lock). */
#define ASYNC_INSERT(seq_column, seq_value)                                                                            \
	"INSERT INTO async_requests(id, kind, status, message, camera_id, serial_number, new_state,"                   \
	" organisation_id, created_at, updated_at, requester_kind, requester_id, batch_id, batch_index" seq_column     \
	") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14" seq_value ")"
static const char *const SQL_ASYNC_INSERT[] = SQL_EACH_DIALECT(
    ASYNC_INSERT(", seq", ", (SELECT IFNULL(MAX(rowid), 0) + 1 FROM async_requests)"), ASYNC_INSERT("", ""));

/* The parameters of SQL_ASYNC_INSERT for request. */
static void insert_params(const struct async_request *request, struct sql_params *params)
{
	*params = (struct sql_params){0};
	sql_param_text(params, request->id);
	sql_param_text(params, kind_name(request->kind));
	sql_param_text(params, async_status_name(request->status));
	sql_param_text(params, request->message);
	sql_param_text(params, request->camera_id);
	sql_param_text_or_null(params, request->serial_number);
	sql_param_text_or_null(params, request->new_state);
	sql_param_text_or_null(params, request->organisation_id);
	sql_param_int64(params, request->created_at);
	sql_param_int64(params, request->updated_at);
	sql_param_text(params, event_actor_kind_name(request->requester.kind));
	sql_param_text_or_null(params, request->requester.id);
	sql_param_text_or_null(params, request->batch_id);
	if (request->batch_id[0] != '\0')
		sql_param_int64(params, request->batch_index);
	else
		sql_param_null(params);
}

enum store_result shared_async_insert(struct store *store, const struct async_request *request)
{
	struct sql_params params;
	insert_params(request, &params);
	return sql_write(store, SQL_ASYNC_INSERT[sql_dialect_of(store)], &params, false);
}

struct request_list {
	const struct async_request *requests;
	size_t count;
};

static enum store_result insert_each(struct sql_connection *connection, const void *context)
{
	const struct request_list *list = context;
	enum store_result result = STORE_OK;
	for (size_t i = 0; i < list->count && result == STORE_OK; i++) {
		struct sql_params params;
		insert_params(&list->requests[i], &params);
		result = sql_change(connection, sql_for(connection, SQL_ASYNC_INSERT), &params, false);
	}
	return result;
}

enum store_result shared_async_insert_many(struct store *store, const struct async_request *requests, size_t count)
{
	struct request_list list = {requests, count};
	return sql_transaction(store, insert_each, &list);
}

static const char SQL_ASYNC_BATCH[] = "SELECT " STORE_ASYNC_COLUMNS " FROM async_requests"
                                      " WHERE batch_id = $1 ORDER BY batch_index";

struct batch_rows {
	async_row_fn row;
	void *context;
};

static int batch_row(void *context, const struct sql_row *row)
{
	const struct batch_rows *rows = context;
	struct async_request request;
	shared_read_async_request(row, &request);
	return rows->row(rows->context, &request);
}

enum store_result shared_async_batch_list(struct store *store, const char *batch_id, async_row_fn row, void *context)
{
	struct sql_params params = {0};
	sql_param_text(&params, batch_id);
	struct batch_rows rows = {row, context};
	return sql_each(store, SQL_ASYNC_BATCH, &params, batch_row, &rows);
}

static const char SQL_ASYNC_GET[] = "SELECT " STORE_ASYNC_COLUMNS " FROM async_requests WHERE id = $1";

enum store_result shared_async_get(struct store *store, const char *id, struct async_request *out)
{
	struct sql_params params = {0};
	sql_param_text(&params, id);
	return sql_get(store, SQL_ASYNC_GET, &params, shared_read_async_request, out);
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
    " a.organisation_id, a.created_at, a.updated_at, a.requester_kind, a.requester_id, a.batch_id, a.batch_index";

static const char SQL_ASYNC_NEXT[] = "SELECT " STORE_ASYNC_COLUMNS " FROM async_requests"
                                     " WHERE status = 'created' OR (status = 'processing' AND updated_at < $1)"
                                     " ORDER BY seq LIMIT 1";
static const char SQL_ASYNC_MARK_PROCESSING[] = "UPDATE async_requests SET status = 'processing', updated_at = $2"
                                                " WHERE id = $1";

struct claim {
	int64_t now, stale_before;
	struct async_request *out;
};

/* SQLite, inside the write transaction: the oldest waiting request, then marked processing. */
static enum store_result claim_in_transaction(struct sql_connection *connection, const void *context)
{
	const struct claim *claim = context;
	struct sql_params params = {0};
	sql_param_int64(&params, claim->stale_before);
	enum store_result result =
	    sql_fetch_one(connection, SQL_ASYNC_NEXT, &params, shared_read_async_request, claim->out);
	if (result != STORE_OK)
		return result;
	params.count = 0;
	sql_param_text(&params, claim->out->id);
	sql_param_int64(&params, claim->now);
	claim->out->updated_at = claim->now;
	return sql_change(connection, SQL_ASYNC_MARK_PROCESSING, &params, false);
}

/* On STORE_OK, out->status is the status the request had when taken: ASYNC_CREATED, or
 * ASYNC_PROCESSING when it is taken again after a crash (the row itself is now processing). */
enum store_result shared_async_claim_next(struct store *store, int64_t now, int64_t stale_before,
                                          struct async_request *out)
{
	struct claim claim = {now, stale_before, out};
	if (sql_dialect_of(store) == SQL_SQLITE)
		return sql_transaction(store, claim_in_transaction, &claim);
	struct sql_params params = {0};
	sql_param_int64(&params, stale_before);
	sql_param_int64(&params, now);
	return sql_get(store, SQL_ASYNC_CLAIM, &params, shared_read_async_request, out);
}

/* Only a request in hand (processing) can be finished: a second finish finds nothing. */
static const char SQL_ASYNC_FINISH[] = "UPDATE async_requests SET status = $2, message = $3, updated_at = $4"
                                       " WHERE id = $1 AND status = 'processing'";

enum store_result shared_async_finish(struct store *store, const char *id, enum async_status status,
                                      const char *message, int64_t at)
{
	struct sql_params params = {0};
	sql_param_text(&params, id);
	sql_param_text(&params, async_status_name(status));
	sql_param_text(&params, message);
	sql_param_int64(&params, at);
	return sql_write(store, SQL_ASYNC_FINISH, &params, true);
}

static const char SQL_ASYNC_PENDING[] = "SELECT count(*) FROM async_requests WHERE status IN ('created', 'processing')";

static void read_count(const struct sql_row *row, void *destination)
{
	*(int64_t *)destination = sql_int64(row, 0);
}

enum store_result shared_async_pending_count(struct store *store, int64_t *count_out)
{
	enum store_result result = sql_get(store, SQL_ASYNC_PENDING, NULL, read_count, count_out);
	return result == STORE_NOT_FOUND ? STORE_ERROR : result; /* count(*) always has a row */
}

/* Old enough and finished, and (for a batch's item) no item of its batch still waiting, so a batch
 * is never read back half pruned. The (status, seq) index takes the finished rows oldest first. */
static const char SQL_ASYNC_PRUNE[] =
    "DELETE FROM async_requests WHERE id IN (SELECT r.id FROM async_requests r"
    " WHERE r.status IN ('succeeded', 'failed') AND r.created_at < $1"
    " AND (r.batch_id IS NULL OR NOT EXISTS (SELECT 1 FROM async_requests w WHERE w.batch_id = r.batch_id"
    " AND w.status IN ('created', 'processing')))"
    " ORDER BY r.seq LIMIT $2)";

enum store_result shared_async_prune(struct store *store, int64_t before, unsigned max_rows, long *deleted)
{
	struct sql_params params = {0};
	sql_param_int64(&params, before);
	sql_param_int64(&params, max_rows);
	return sql_write_counted(store, SQL_ASYNC_PRUNE, &params, deleted);
}
