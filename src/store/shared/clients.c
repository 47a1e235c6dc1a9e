/* API clients (OAuth client_credentials identities). Only a hash of a client's secret is ever
 * stored (keyed, or a legacy argon2id one until its next use rewrites it: client_secret_rehash).
 * Device credentials (role device, written by shared/device.c) are read here for the token
 * endpoint but never listed. */
#include "store/shared/shared_ops.h"

#define CLIENT_COLUMNS "id, organisation_id, name, role, secret_hash, created_at"

static const char SQL_CLIENT_INSERT[] = "INSERT INTO clients(" CLIENT_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6)";
static const char SQL_CLIENT_GET[] = "SELECT " CLIENT_COLUMNS ", secret_issued_ms FROM clients WHERE id = $1";
/* $1 organisation filter (NULL: any). */
static const char SQL_CLIENT_LIST[] = "SELECT " CLIENT_COLUMNS ", secret_issued_ms FROM clients"
                                      " WHERE (CAST($1 AS text) IS NULL OR organisation_id = $1) AND role <> 'device'"
                                      " ORDER BY created_at, id";
static const char SQL_CLIENT_DELETE[] = "DELETE FROM clients WHERE id = $1";
static const char SQL_CLIENT_REHASH[] = "UPDATE clients SET secret_hash = $3 WHERE id = $1 AND secret_hash = $2";

static void read_client(const struct sql_row *row, void *out)
{
	struct client *client = out;
	char role[16];
	sql_text(row, 0, client->id, sizeof(client->id));
	sql_text(row, 1, client->organisation_id, sizeof(client->organisation_id));
	sql_text(row, 2, client->name, sizeof(client->name));
	sql_text(row, 3, role, sizeof(role));
	client->role = role_from_name(role);
	sql_text(row, 4, client->secret_hash, sizeof(client->secret_hash));
	client->created_at = sql_int64(row, 5);
	client->secret_issued_ms = sql_int64(row, 6);
}

enum store_result shared_client_insert(struct store *store, const struct client *client)
{
	struct sql_params params = {0};
	sql_param_text(&params, client->id);
	sql_param_text_or_null(&params, client->organisation_id);
	sql_param_text(&params, client->name);
	sql_param_text(&params, role_name(client->role));
	sql_param_text(&params, client->secret_hash);
	sql_param_int64(&params, client->created_at);
	return sql_write(store, SQL_CLIENT_INSERT, &params, false);
}

enum store_result shared_client_get(struct store *store, const char *id, struct client *out)
{
	struct sql_params params = {0};
	sql_param_text(&params, id);
	return sql_get(store, SQL_CLIENT_GET, &params, read_client, out);
}

struct client_visit {
	client_row_fn row;
	void *context;
};

static int visit_client(void *context, const struct sql_row *row)
{
	struct client_visit *visit = context;
	struct client client;
	read_client(row, &client);
	return visit->row(visit->context, &client);
}

enum store_result shared_client_list(struct store *store, const char *organisation_id, client_row_fn row, void *context)
{
	struct client_visit visit = {row, context};
	struct sql_params params = {0};
	sql_param_text_or_null(&params, organisation_id);
	return sql_each(store, SQL_CLIENT_LIST, &params, visit_client, &visit);
}

struct client_removal {
	const char *id;
	int64_t tokens_valid_from_ms;
};

static enum store_result delete_client(struct sql_connection *connection, const void *context)
{
	const struct client_removal *removal = context;
	struct sql_params params = {0};
	sql_param_text(&params, removal->id);
	enum store_result result = sql_change(connection, SQL_CLIENT_DELETE, &params, true);
	if (result == STORE_OK && removal->tokens_valid_from_ms != 0)
		result = shared_token_revocation_write(connection, removal->id, removal->tokens_valid_from_ms);
	return result;
}

enum store_result shared_client_delete(struct store *store, const char *id, int64_t tokens_valid_from_ms)
{
	struct client_removal removal = {id, tokens_valid_from_ms};
	return sql_transaction(store, delete_client, &removal);
}

enum store_result shared_client_secret_rehash(struct store *store, const char *id, const char *old_hash,
                                              const char *new_hash)
{
	struct sql_params params = {0};
	sql_param_text(&params, id);
	sql_param_text(&params, old_hash);
	sql_param_text(&params, new_hash);
	return sql_write(store, SQL_CLIENT_REHASH, &params, true);
}
