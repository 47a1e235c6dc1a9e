/* SQLite directory back end: sqlite_directory_ops(), the one entry that fills the operations of
 * organisations, sites, users, clients and signing keys (each in its own file), with
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

void sqlite_directory_ops(struct store_ops *ops)
{
	sqlite_token_ops(ops);
	sqlite_organisation_ops(ops);
	sqlite_site_ops(ops);
	sqlite_user_ops(ops);
	sqlite_client_ops(ops);
}
