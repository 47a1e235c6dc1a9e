/* SQLite operations on API clients (OAuth client_credentials identities). Only the argon2id
 * hash of a client's secret is ever stored. Device credentials (role device, written by
 * sqlite_device.c) are read here for the token endpoint but never listed. */
#include "store/sqlite/sqlite_directory.h"

#define CLIENT_COLUMNS "id, organisation_id, name, role, secret_hash, created_at"

static const char SQL_CLIENT_INSERT[] = "INSERT INTO clients(" CLIENT_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_CLIENT_GET[] = "SELECT " CLIENT_COLUMNS ", secret_issued_ms FROM clients WHERE id = ?";
/* ?1 organisation filter (NULL: any). */
static const char SQL_CLIENT_LIST[] = "SELECT " CLIENT_COLUMNS ", secret_issued_ms FROM clients"
                                      " WHERE (?1 IS NULL OR organisation_id = ?1) AND role != 'device'"
                                      " ORDER BY created_at, id";
static const char SQL_CLIENT_DELETE[] = "DELETE FROM clients WHERE id = ?";

static void read_client(sqlite3_stmt *statement, void *out)
{
	struct client *client = out;
	char role[16];
	sqlite_column_copy(statement, 0, client->id, sizeof(client->id));
	sqlite_column_copy(statement, 1, client->organisation_id, sizeof(client->organisation_id));
	sqlite_column_copy(statement, 2, client->name, sizeof(client->name));
	sqlite_column_copy(statement, 3, role, sizeof(role));
	client->role = role_from_name(role);
	sqlite_column_copy(statement, 4, client->secret_hash, sizeof(client->secret_hash));
	client->created_at = sqlite_column_int64_or_zero(statement, 5);
	client->secret_issued_ms = sqlite_column_int64_or_zero(statement, 6);
}

static enum store_result client_insert(struct store *store, const struct client *client)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_CLIENT_INSERT);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		if ((sqlite_bind_text(statement, 1, client->id) |
		     sqlite_bind_text_or_null(statement, 2, client->organisation_id) |
		     sqlite_bind_text(statement, 3, client->name) |
		     sqlite_bind_text(statement, 4, role_name(client->role)) |
		     sqlite_bind_text(statement, 5, client->secret_hash) |
		     sqlite3_bind_int64(statement, 6, client->created_at)) != SQLITE_OK)
			result = sqlite_bind_failure(connection, "client insert");
		else
			result = sqlite_run(connection, statement, "client insert");
	}
	sqlite_release(store, connection);
	return result;
}

static enum store_result client_get(struct store *store, const char *id, struct client *out)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_CLIENT_GET);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		if (sqlite_bind_text(statement, 1, id) != SQLITE_OK)
			result = sqlite_bind_failure(connection, "client get");
		else
			result = sqlite_fetch_one(connection, statement, read_client, out, "client get");
	}
	sqlite_release(store, connection);
	return result;
}

struct client_visit {
	client_row_fn row;
	void *context;
};

static int visit_client(sqlite3_stmt *statement, void *context)
{
	struct client_visit *visit = context;
	struct client client;
	read_client(statement, &client);
	return visit->row(visit->context, &client);
}

static enum store_result client_list(struct store *store, const char *organisation_id, client_row_fn row, void *context)
{
	struct client_visit visit = {row, context};
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_CLIENT_LIST);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		if (sqlite_bind_text_or_null(statement, 1, organisation_id) != SQLITE_OK)
			result = sqlite_bind_failure(connection, "client list");
		else
			result = sqlite_fetch_each(connection, statement, visit_client, &visit, "client list");
	}
	sqlite_release(store, connection);
	return result;
}

struct client_removal {
	const char *id;
	int64_t tokens_valid_from_ms;
};

static enum store_result delete_client(struct sqlite_connection *connection, const void *context)
{
	const struct client_removal *removal = context;
	enum store_result result = sqlite_run_with_id(connection, SQL_CLIENT_DELETE, removal->id, true, "client delete");
	if (result == STORE_OK && removal->tokens_valid_from_ms != 0)
		result = sqlite_token_revocation_write(connection, removal->id, removal->tokens_valid_from_ms);
	return result;
}

static enum store_result client_delete(struct store *store, const char *id, int64_t tokens_valid_from_ms)
{
	struct client_removal removal = {id, tokens_valid_from_ms};
	return sqlite_transaction(store, delete_client, &removal);
}

void sqlite_client_ops(struct store_ops *ops)
{
	ops->client_insert = client_insert;
	ops->client_get = client_get;
	ops->client_list = client_list;
	ops->client_delete = client_delete;
}
