/* SQLite operations behind the token service: signing keys (the current one, retired ones kept
 * for verification, rotation in one transaction) and the per-subject token revocation stamps. */
#include "store/sqlite/sqlite_directory.h"

#include "util/log.h"
#include "util/timeutil.h"

/* ---- signing keys ---- */

static const char SQL_SIGNING_KEY_LIST[] =
    "SELECT kid, private_pem, coalesce(public_pem, ''), created_at, retired_at FROM signing_keys"
    " ORDER BY created_at DESC, kid DESC";
static const char SQL_SIGNING_KEY_CURRENT[] =
    "SELECT kid FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid DESC LIMIT 1";
static const char SQL_SIGNING_KEY_INSERT[] =
    "INSERT INTO signing_keys(kid, private_pem, public_pem, created_at) VALUES (?, ?, ?, ?)";
/* ?1 time, ?2 public PEM, ?3 kid. */
static const char SQL_SIGNING_KEY_RETIRE[] =
    "UPDATE signing_keys SET retired_at = ?1, private_pem = '', public_pem = coalesce(public_pem, ?2)"
    " WHERE kid = ?3 AND retired_at IS NULL";
static const char SQL_SIGNING_KEY_FORGET[] = "DELETE FROM signing_keys WHERE retired_at < ?";

struct signing_key_visit {
	signing_key_fn row;
	void *context;
};

static const char *text_column(sqlite3_stmt *statement, int column)
{
	const unsigned char *text = sqlite3_column_text(statement, column);
	return text != NULL ? (const char *)text : "";
}

static int visit_signing_key(sqlite3_stmt *statement, void *context)
{
	struct signing_key_visit *visit = context;
	struct signing_key_record key = {
	    .kid = text_column(statement, 0),
	    .private_pem = text_column(statement, 1),
	    .public_pem = text_column(statement, 2),
	    .created_at = sqlite_column_int64_or_zero(statement, 3),
	    .retired_at = sqlite_column_int64_or_zero(statement, 4),
	};
	return visit->row(visit->context, &key);
}

static enum store_result signing_key_list(struct store *store, signing_key_fn row, void *context)
{
	struct signing_key_visit visit = {row, context};
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_SIGNING_KEY_LIST);
	enum store_result result = STORE_ERROR;
	if (statement != NULL)
		result = sqlite_fetch_each(connection, statement, visit_signing_key, &visit, "signing key list");
	sqlite_release(store, connection);
	return result;
}

struct kid_out {
	char *kid;
	size_t size;
};

static void read_kid(sqlite3_stmt *statement, void *out)
{
	struct kid_out *kid = out;
	sqlite_column_copy(statement, 0, kid->kid, kid->size);
}

static enum store_result signing_key_current(struct store *store, char *kid, size_t kid_size)
{
	struct kid_out out = {kid, kid_size};
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_SIGNING_KEY_CURRENT);
	enum store_result result = STORE_ERROR;
	if (statement != NULL)
		result = sqlite_fetch_one(connection, statement, read_kid, &out, "signing key current");
	sqlite_release(store, connection);
	return result;
}

static enum store_result insert_key(struct sqlite_connection *connection, const char *kid, const char *private_pem,
                                    const char *public_pem, int64_t at)
{
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_SIGNING_KEY_INSERT);
	if (statement == NULL)
		return STORE_ERROR;
	if ((sqlite_bind_text(statement, 1, kid) | sqlite_bind_text(statement, 2, private_pem) |
	     sqlite_bind_text(statement, 3, public_pem) | sqlite3_bind_int64(statement, 4, at)) != SQLITE_OK)
		return sqlite_bind_failure(connection, "signing key insert");
	return sqlite_run(connection, statement, "signing key insert");
}

static enum store_result signing_key_insert(struct store *store, const char *kid, const char *private_pem,
                                            const char *public_pem, int64_t at)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	enum store_result result = insert_key(connection, kid, private_pem, public_pem, at);
	sqlite_release(store, connection);
	return result;
}

struct rotation {
	const char *old_kid, *old_public_pem, *kid, *private_pem, *public_pem;
	int64_t at, forget_before;
};

static enum store_result rotate(struct sqlite_connection *connection, const void *context)
{
	const struct rotation *rotation = context;
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_SIGNING_KEY_RETIRE);
	if (statement == NULL)
		return STORE_ERROR;
	if ((sqlite3_bind_int64(statement, 1, rotation->at) | sqlite_bind_text(statement, 2, rotation->old_public_pem) |
	     sqlite_bind_text(statement, 3, rotation->old_kid)) != SQLITE_OK)
		return sqlite_bind_failure(connection, "signing key retire");
	enum store_result result = sqlite_run_changing(connection, statement, "signing key retire");
	if (result == STORE_NOT_FOUND)
		return STORE_CONFLICT; /* another rotation retired it first */
	if (result == STORE_OK)
		result =
		    insert_key(connection, rotation->kid, rotation->private_pem, rotation->public_pem, rotation->at);
	if (result != STORE_OK)
		return result;
	statement = sqlite_statement(connection, SQL_SIGNING_KEY_FORGET);
	if (statement == NULL)
		return STORE_ERROR;
	if (sqlite3_bind_int64(statement, 1, rotation->forget_before) != SQLITE_OK)
		return sqlite_bind_failure(connection, "signing key forget");
	return sqlite_run(connection, statement, "signing key forget");
}

static enum store_result signing_key_rotate(struct store *store, const char *old_kid, const char *old_public_pem,
                                            const char *kid, const char *private_pem, const char *public_pem,
                                            int64_t at, int64_t forget_before)
{
	struct rotation rotation = {old_kid, old_public_pem, kid, private_pem, public_pem, at, forget_before};
	return sqlite_transaction(store, rotate, &rotation);
}

/* ---- token revocations ---- */

static const char SQL_REVOCATION_WRITE[] =
    "INSERT INTO token_revocations(subject_id, valid_from_ms, changed_at_ms) VALUES (?1, ?2, ?3)"
    " ON CONFLICT(subject_id) DO UPDATE SET valid_from_ms = max(valid_from_ms, excluded.valid_from_ms),"
    " changed_at_ms = excluded.changed_at_ms";
static const char SQL_REVOCATION_LIST[] = "SELECT subject_id, valid_from_ms, changed_at_ms FROM token_revocations"
                                          " WHERE changed_at_ms > ? ORDER BY changed_at_ms";
/* By changed_at_ms (indexed): a row written at C holds a stamp of at most C + 1. */
static const char SQL_REVOCATION_PRUNE[] = "DELETE FROM token_revocations WHERE changed_at_ms < ?";

enum store_result sqlite_token_revocation_write(struct sqlite_connection *connection, const char *subject_id,
                                                int64_t valid_from_ms)
{
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_REVOCATION_WRITE);
	if (statement == NULL)
		return STORE_ERROR;
	if ((sqlite_bind_text(statement, 1, subject_id) | sqlite3_bind_int64(statement, 2, valid_from_ms) |
	     sqlite3_bind_int64(statement, 3, time_now_millis())) != SQLITE_OK)
		return sqlite_bind_failure(connection, "token revocation write");
	return sqlite_run(connection, statement, "token revocation write");
}

struct revocation_visit {
	token_revocation_fn row;
	void *context;
};

static int visit_revocation(sqlite3_stmt *statement, void *context)
{
	struct revocation_visit *visit = context;
	struct token_revocation row;
	sqlite_column_copy(statement, 0, row.subject_id, sizeof(row.subject_id));
	row.valid_from_ms = sqlite_column_int64_or_zero(statement, 1);
	row.changed_at_ms = sqlite_column_int64_or_zero(statement, 2);
	return visit->row(visit->context, &row);
}

static enum store_result token_revocation_list(struct store *store, int64_t changed_after_ms, token_revocation_fn row,
                                               void *context)
{
	struct revocation_visit visit = {row, context};
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_REVOCATION_LIST);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		if (sqlite3_bind_int64(statement, 1, changed_after_ms) != SQLITE_OK)
			result = sqlite_bind_failure(connection, "token revocation list");
		else
			result =
			    sqlite_fetch_each(connection, statement, visit_revocation, &visit, "token revocation list");
	}
	sqlite_release(store, connection);
	return result;
}

static enum store_result token_revocation_prune(struct store *store, int64_t changed_before_ms)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_REVOCATION_PRUNE);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		if (sqlite3_bind_int64(statement, 1, changed_before_ms) != SQLITE_OK)
			result = sqlite_bind_failure(connection, "token revocation prune");
		else
			result = sqlite_run(connection, statement, "token revocation prune");
	}
	sqlite_release(store, connection);
	return result;
}

void sqlite_token_ops(struct store_ops *ops)
{
	ops->signing_key_list = signing_key_list;
	ops->signing_key_current = signing_key_current;
	ops->signing_key_insert = signing_key_insert;
	ops->signing_key_rotate = signing_key_rotate;
	ops->token_revocation_list = token_revocation_list;
	ops->token_revocation_prune = token_revocation_prune;
}
