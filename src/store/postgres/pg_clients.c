/* PostgreSQL operations on API clients (OAuth client_credentials identities). Only the argon2id
 * hash of a client's secret is ever stored. Device credentials (role device, written by
 * pg_device.c) are read here for the token endpoint but never listed. */
#include "store/postgres/pg_directory.h"

#define CLIENT_COLUMNS "id, organisation_id, name, role, secret_hash, created_at"

static const char SQL_CLIENT_INSERT[] = "INSERT INTO clients(" CLIENT_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6)";
static const char SQL_CLIENT_GET[] = "SELECT " CLIENT_COLUMNS ", secret_issued_ms FROM clients WHERE id = $1";
/* $1 organisation filter (NULL: any). */
static const char SQL_CLIENT_LIST[] = "SELECT " CLIENT_COLUMNS ", secret_issued_ms FROM clients"
                                      " WHERE ($1::text IS NULL OR organisation_id = $1) AND role <> 'device'"
                                      " ORDER BY created_at, id";
static const char SQL_CLIENT_DELETE[] = "DELETE FROM clients WHERE id = $1";

static void read_client(const PGresult *result, int row, void *out)
{
	struct client *client = out;
	char role[16];
	pg_copy(result, row, 0, client->id, sizeof(client->id));
	pg_copy(result, row, 1, client->organisation_id, sizeof(client->organisation_id));
	pg_copy(result, row, 2, client->name, sizeof(client->name));
	pg_copy(result, row, 3, role, sizeof(role));
	client->role = role_from_name(role);
	pg_copy(result, row, 4, client->secret_hash, sizeof(client->secret_hash));
	client->created_at = pg_int64_or_zero(result, row, 5);
	client->secret_issued_ms = pg_int64_or_zero(result, row, 6);
}

static enum store_result client_insert(struct store *store, const struct client *client)
{
	struct pg_params params = {0};
	pg_param_text(&params, client->id);
	pg_param_text_or_null(&params, client->organisation_id);
	pg_param_text(&params, client->name);
	pg_param_text(&params, role_name(client->role));
	pg_param_text(&params, client->secret_hash);
	pg_param_int64(&params, client->created_at);
	return pg_write(store, SQL_CLIENT_INSERT, &params, false);
}

static enum store_result client_get(struct store *store, const char *id, struct client *out)
{
	struct pg_params params = {0};
	pg_param_text(&params, id);
	return pg_get(store, SQL_CLIENT_GET, &params, read_client, out);
}

struct client_visit {
	client_row_fn row;
	void *context;
};

static int visit_client(void *context, const PGresult *result, int row)
{
	struct client_visit *visit = context;
	struct client client;
	read_client(result, row, &client);
	return visit->row(visit->context, &client);
}

static enum store_result client_list(struct store *store, const char *organisation_id, client_row_fn row, void *context)
{
	struct client_visit visit = {row, context};
	struct pg_params params = {0};
	pg_param_text_or_null(&params, organisation_id);
	return pg_each(store, SQL_CLIENT_LIST, &params, visit_client, &visit);
}

struct client_removal {
	const char *id;
	int64_t tokens_valid_from_ms;
};

static enum store_result delete_client(struct pg_connection *connection, const void *context)
{
	const struct client_removal *removal = context;
	struct pg_params params = {0};
	pg_param_text(&params, removal->id);
	enum store_result result = pg_change(connection, SQL_CLIENT_DELETE, &params, true);
	if (result == STORE_OK && removal->tokens_valid_from_ms != 0)
		result = pg_token_revocation_write(connection, removal->id, removal->tokens_valid_from_ms);
	return result;
}

static enum store_result client_delete(struct store *store, const char *id, int64_t tokens_valid_from_ms)
{
	struct client_removal removal = {id, tokens_valid_from_ms};
	return pg_transaction(store, delete_client, &removal);
}

void pg_client_ops(struct store_ops *ops)
{
	ops->client_insert = client_insert;
	ops->client_get = client_get;
	ops->client_list = client_list;
	ops->client_delete = client_delete;
}
