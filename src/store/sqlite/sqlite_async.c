/* SQLite operations on asynchronous requests: the durable queue the worker drains in FIFO
 * order (column seq), taking a request by marking it processing inside one write transaction,
 * so that each request is handed to one worker and a crash leaves it to be taken again. */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

#include "store/store_text.h"

/* Fills out from a row selected with STORE_ASYNC_COLUMNS. */
static void read_request(sqlite3_stmt *statement, struct async_request *out)
{
	char text[32];
	memset(out, 0, sizeof(*out));
	sqlite_column_copy(statement, 0, out->id, sizeof(out->id));
	sqlite_column_copy(statement, 1, text, sizeof(text));
	out->kind = store_async_kind_from_name(text);
	sqlite_column_copy(statement, 2, text, sizeof(text));
	out->status = store_async_status_from_name(text);
	sqlite_column_copy(statement, 3, out->message, sizeof(out->message));
	sqlite_column_copy(statement, 4, out->camera_id, sizeof(out->camera_id));
	sqlite_column_copy(statement, 5, out->serial_number, sizeof(out->serial_number));
	sqlite_column_copy(statement, 6, out->new_state, sizeof(out->new_state));
	sqlite_column_copy(statement, 7, out->organisation_id, sizeof(out->organisation_id));
	out->created_at = sqlite_column_int64_or_zero(statement, 8);
	out->updated_at = sqlite_column_int64_or_zero(statement, 9);
}

/* seq follows the rowid the new row gets, so it grows with every insert (under the write lock). */
static const char SQL_ASYNC_INSERT[] =
    "INSERT INTO async_requests(id, kind, status, message, camera_id, serial_number, new_state,"
    " organisation_id, created_at, updated_at, seq)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
    " (SELECT IFNULL(MAX(rowid), 0) + 1 FROM async_requests))";

static int bind_request(sqlite3_stmt *statement, const struct async_request *request)
{
	int rc = sqlite_bind_text(statement, 1, request->id);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text(statement, 2, store_async_kind_name(request->kind));
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text(statement, 3, store_async_status_name(request->status));
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text(statement, 4, request->message);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text(statement, 5, request->camera_id);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text_or_null(statement, 6, request->serial_number);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text_or_null(statement, 7, request->new_state);
	if (rc == SQLITE_OK)
		rc = sqlite_bind_text_or_null(statement, 8, request->organisation_id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(statement, 9, request->created_at);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(statement, 10, request->updated_at);
	return rc;
}

static enum store_result async_insert(struct store *store, const struct async_request *request)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_ASYNC_INSERT);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		int rc = bind_request(statement, request);
		if (rc == SQLITE_OK)
			result = sqlite_run(connection, statement, "async_insert");
		else
			result = sqlite_fail(connection, "async_insert bind", rc);
	}
	sqlite_release(store, connection);
	return result;
}

static const char SQL_ASYNC_GET[] = "SELECT " STORE_ASYNC_COLUMNS " FROM async_requests WHERE id = ?1";

/* Steps a statement expected to yield at most one row into out. */
static enum store_result read_one(struct sqlite_connection *connection, sqlite3_stmt *statement, const char *context,
                                  struct async_request *out)
{
	int rc = sqlite3_step(statement);
	enum store_result result = STORE_OK;
	if (rc == SQLITE_ROW)
		read_request(statement, out);
	else if (rc == SQLITE_DONE)
		result = STORE_NOT_FOUND;
	else
		result = sqlite_fail(connection, context, rc);
	sqlite3_reset(statement);
	return result;
}

static enum store_result async_get(struct store *store, const char *id, struct async_request *out)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_ASYNC_GET);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		int rc = sqlite_bind_text(statement, 1, id);
		result = rc == SQLITE_OK ? read_one(connection, statement, "async_get", out)
		                         : sqlite_fail(connection, "async_get bind", rc);
	}
	sqlite_release(store, connection);
	return result;
}

/* The oldest waiting request: created, or processing but abandoned (not touched since ?1). */
static const char SQL_ASYNC_NEXT[] = "SELECT " STORE_ASYNC_COLUMNS " FROM async_requests"
                                     " WHERE status = 'created' OR (status = 'processing' AND updated_at < ?1)"
                                     " ORDER BY seq LIMIT 1";
static const char SQL_ASYNC_MARK_PROCESSING[] =
    "UPDATE async_requests SET status = 'processing', updated_at = ?2 WHERE id = ?1";

static enum store_result pick_next(struct sqlite_connection *connection, int64_t stale_before,
                                   struct async_request *out)
{
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_ASYNC_NEXT);
	if (statement == NULL)
		return STORE_ERROR;
	int rc = sqlite3_bind_int64(statement, 1, stale_before);
	if (rc != SQLITE_OK)
		return sqlite_fail(connection, "async_claim_next bind", rc);
	return read_one(connection, statement, "async_claim_next select", out);
}

static enum store_result mark_processing(struct sqlite_connection *connection, const char *id, int64_t now)
{
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_ASYNC_MARK_PROCESSING);
	if (statement == NULL)
		return STORE_ERROR;
	int rc = sqlite_bind_text(statement, 1, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(statement, 2, now);
	if (rc != SQLITE_OK)
		return sqlite_fail(connection, "async_claim_next bind", rc);
	return sqlite_run(connection, statement, "async_claim_next update");
}

/* On STORE_OK, out->status is the status the request had when taken: ASYNC_CREATED, or
 * ASYNC_PROCESSING when it is taken again after a crash (the row itself is now processing). */
static enum store_result claim_in_transaction(struct sqlite_connection *connection, int64_t now, int64_t stale_before,
                                              struct async_request *out)
{
	enum store_result result = pick_next(connection, stale_before, out);
	if (result != STORE_OK)
		return result;
	result = mark_processing(connection, out->id, now);
	if (result != STORE_OK)
		return result;
	out->updated_at = now;
	return STORE_OK;
}

static enum store_result async_claim_next(struct store *store, int64_t now, int64_t stale_before,
                                          struct async_request *out)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	enum store_result result = sqlite_begin(connection);
	if (result == STORE_OK) {
		result = sqlite_finish(connection, claim_in_transaction(connection, now, stale_before, out));
	}
	sqlite_release(store, connection);
	return result;
}

/* Only a request in hand (processing) can be finished: a second finish finds nothing. */
static const char SQL_ASYNC_FINISH[] = "UPDATE async_requests SET status = ?2, message = ?3, updated_at = ?4"
                                       " WHERE id = ?1 AND status = 'processing'";

static enum store_result async_finish(struct store *store, const char *id, enum async_status status,
                                      const char *message, int64_t at)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_ASYNC_FINISH);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		int rc = sqlite_bind_text(statement, 1, id);
		if (rc == SQLITE_OK)
			rc = sqlite_bind_text(statement, 2, store_async_status_name(status));
		if (rc == SQLITE_OK)
			rc = sqlite_bind_text(statement, 3, message);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(statement, 4, at);
		result = rc == SQLITE_OK ? sqlite_run(connection, statement, "async_finish")
		                         : sqlite_fail(connection, "async_finish bind", rc);
		if (result == STORE_OK && sqlite3_changes(connection->db) == 0)
			result = STORE_NOT_FOUND;
	}
	sqlite_release(store, connection);
	return result;
}

static const char SQL_ASYNC_PENDING[] = "SELECT COUNT(*) FROM async_requests WHERE status IN ('created', 'processing')";

static enum store_result async_pending_count(struct store *store, int64_t *count_out)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_ASYNC_PENDING);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		int rc = sqlite3_step(statement);
		if (rc == SQLITE_ROW) {
			*count_out = sqlite3_column_int64(statement, 0);
			result = STORE_OK;
		} else {
			result = sqlite_fail(connection, "async_pending_count", rc);
		}
		sqlite3_reset(statement);
	}
	sqlite_release(store, connection);
	return result;
}

void sqlite_async_ops(struct store_ops *ops)
{
	ops->async_insert = async_insert;
	ops->async_get = async_get;
	ops->async_claim_next = async_claim_next;
	ops->async_finish = async_finish;
	ops->async_pending_count = async_pending_count;
}
