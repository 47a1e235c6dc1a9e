/* SQLite directory back end: signing keys here, and sqlite_directory_ops(), the one entry that
 * fills the operations of organisations, sites, users and clients (each in its own file), with
 * the statement helpers those files share. */
#include "store/sqlite/sqlite_directory.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"

enum store_result sqlite_bind_failure(struct sqlite_connection *connection, const char *context)
{
	log_error("sqlite: %s: cannot bind parameters: %s", context, sqlite3_errmsg(connection->db));
	return STORE_ERROR;
}

enum store_result sqlite_run_changing(struct sqlite_connection *connection, sqlite3_stmt *statement,
                                      const char *context)
{
	enum store_result result = sqlite_run(connection, statement, context);
	if (result == STORE_OK && sqlite3_changes(connection->db) == 0)
		return STORE_NOT_FOUND;
	return result;
}

enum store_result sqlite_fetch_one(struct sqlite_connection *connection, sqlite3_stmt *statement,
                                   sqlite_row_reader read, void *out, const char *context)
{
	int rc = sqlite3_step(statement);
	enum store_result result = STORE_OK;
	if (rc == SQLITE_ROW) {
		if (read != NULL)
			read(statement, out);
	} else if (rc == SQLITE_DONE) {
		result = STORE_NOT_FOUND;
	} else {
		result = sqlite_fail(connection, context, rc);
	}
	sqlite3_reset(statement);
	return result;
}

enum store_result sqlite_fetch_each(struct sqlite_connection *connection, sqlite3_stmt *statement,
                                    sqlite_row_visitor visit, void *context, const char *description)
{
	int rc;
	while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
		if (visit(statement, context) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	enum store_result result = rc == SQLITE_DONE ? STORE_OK : sqlite_fail(connection, description, rc);
	sqlite3_reset(statement);
	return result;
}

enum store_result sqlite_run_with_id(struct sqlite_connection *connection, const char *sql, const char *id,
                                     bool changing, const char *context)
{
	sqlite3_stmt *statement = sqlite_statement(connection, sql);
	if (statement == NULL)
		return STORE_ERROR;
	if (sqlite_bind_text(statement, 1, id) != SQLITE_OK)
		return sqlite_bind_failure(connection, context);
	return changing ? sqlite_run_changing(connection, statement, context)
	                : sqlite_run(connection, statement, context);
}

enum store_result sqlite_transaction(struct store *store, sqlite_transaction_body body, const void *context)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	enum store_result result = sqlite_begin(connection);
	if (result == STORE_OK) {
		result = sqlite_finish(connection, body(connection, context));
	}
	sqlite_release(store, connection);
	return result;
}

/* ---- signing keys ---- */

static const char SQL_SIGNING_KEY_NEWEST[] =
    "SELECT kid, private_pem FROM signing_keys ORDER BY created_at DESC, kid DESC LIMIT 1";
static const char SQL_SIGNING_KEY_INSERT[] = "INSERT INTO signing_keys(kid, private_pem, created_at) VALUES (?, ?, ?)";

struct signing_key_row {
	char *kid;
	size_t kid_size;
	char *pem; /* malloc'd; NULL when out of memory */
};

static void read_signing_key(sqlite3_stmt *statement, void *out)
{
	struct signing_key_row *row = out;
	sqlite_column_copy(statement, 0, row->kid, row->kid_size);
	const unsigned char *pem = sqlite3_column_text(statement, 1);
	size_t length = (size_t)sqlite3_column_bytes(statement, 1);
	row->pem = malloc(length + 1);
	if (row->pem == NULL)
		return;
	memcpy(row->pem, pem != NULL ? (const char *)pem : "", pem != NULL ? length : 0);
	row->pem[pem != NULL ? length : 0] = '\0';
}

/* Hands back the newest key's PEM in *pem_out (malloc'd: the caller frees it). */
static enum store_result signing_key_get(struct store *store, char *kid, size_t kid_size, char **pem_out)
{
	*pem_out = NULL;
	struct signing_key_row row = {kid, kid_size, NULL};
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_SIGNING_KEY_NEWEST);
	enum store_result result = STORE_ERROR;
	if (statement != NULL)
		result = sqlite_fetch_one(connection, statement, read_signing_key, &row, "signing key get");
	sqlite_release(store, connection);
	if (result == STORE_OK && row.pem == NULL) {
		log_error("sqlite: signing key get: out of memory");
		return STORE_ERROR;
	}
	*pem_out = row.pem;
	return result;
}

static enum store_result signing_key_insert(struct store *store, const char *kid, const char *pem, int64_t at)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_SIGNING_KEY_INSERT);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		if ((sqlite_bind_text(statement, 1, kid) | sqlite_bind_text(statement, 2, pem) |
		     sqlite3_bind_int64(statement, 3, at)) != SQLITE_OK)
			result = sqlite_bind_failure(connection, "signing key insert");
		else
			result = sqlite_run(connection, statement, "signing key insert");
	}
	sqlite_release(store, connection);
	return result;
}

void sqlite_directory_ops(struct store_ops *ops)
{
	ops->signing_key_get = signing_key_get;
	ops->signing_key_insert = signing_key_insert;
	sqlite_organisation_ops(ops);
	sqlite_site_ops(ops);
	sqlite_user_ops(ops);
	sqlite_client_ops(ops);
}
