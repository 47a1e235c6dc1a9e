/* Refresh tokens of the password grant (store.h "Refresh tokens"). Writing one and exchanging
 * one each run in a transaction that first locks the user's row against a change (on PostgreSQL,
 * FOR SHARE: a password or role change, which deletes the user's refresh tokens in its own
 * transaction, waits for it or is waited for) and checks the user's revocation stamp, so a token
 * can never outlive a change that ended the user's access tokens. */
#include "store/shared/shared_ops.h"

#define REFRESH_COLUMNS                                                                                                \
	"id, chain_id, user_id, client_id, secret_hash, chain_started_ms, issued_at, expires_at, used_at"

static const char SQL_REFRESH_INSERT[] =
    "INSERT INTO refresh_tokens(" REFRESH_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)";
static const char SQL_REFRESH_GET[] = "SELECT " REFRESH_COLUMNS " FROM refresh_tokens WHERE id = $1";
static const char SQL_REFRESH_USE[] = "UPDATE refresh_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL";
static const char SQL_REFRESH_EXISTS[] = "SELECT 1 FROM refresh_tokens WHERE id = $1";
static const char SQL_REFRESH_REVOKE_CHAIN[] = "DELETE FROM refresh_tokens WHERE chain_id = $1";
static const char SQL_REFRESH_PRUNE[] = "DELETE FROM refresh_tokens WHERE expires_at < $1";
/* $1 user: the user exists; its row is kept from changing until the transaction ends. */
static const char *const SQL_REFRESH_USER_LOCK[] = SQL_LOCKING("SELECT 1 FROM users WHERE id = $1", " FOR SHARE");
/* $1 user, $2 chain_started_ms: a change ended the user's tokens after the chain began. */
static const char SQL_REFRESH_REVOKED[] =
    "SELECT 1 FROM token_revocations WHERE subject_id = $1 AND valid_from_ms > $2";
static const char SQL_REFRESH_DELETE_USER[] = "DELETE FROM refresh_tokens WHERE user_id = $1";
/* $1 user, $2 how many sign-ins to keep: every chain of the user but the $2 newest goes. */
static const char SQL_REFRESH_OLDEST_CHAINS[] =
    "DELETE FROM refresh_tokens WHERE user_id = $1 AND chain_id NOT IN (SELECT chain_id FROM"
    " (SELECT DISTINCT chain_id, chain_started_ms FROM refresh_tokens WHERE user_id = $1"
    " ORDER BY chain_started_ms DESC, chain_id DESC LIMIT $2) AS newest)";

static void read_refresh_token(const struct sql_row *row, void *out)
{
	struct refresh_token *token = out;
	sql_text(row, 0, token->id, sizeof(token->id));
	sql_text(row, 1, token->chain_id, sizeof(token->chain_id));
	sql_text(row, 2, token->user_id, sizeof(token->user_id));
	token->client_id[0] = '\0';
	if (!sql_is_null(row, 3))
		sql_text(row, 3, token->client_id, sizeof(token->client_id));
	sql_text(row, 4, token->secret_hash, sizeof(token->secret_hash));
	token->chain_started_ms = sql_int64(row, 5);
	token->issued_at = sql_int64(row, 6);
	token->expires_at = sql_int64(row, 7);
	token->used_at = sql_is_null(row, 8) ? 0 : sql_int64(row, 8);
}

/* Inside a transaction: STORE_OK when the user exists (now locked) and no change ended its
 * tokens since chain_started_ms; STORE_NOT_FOUND otherwise. */
static enum store_result user_still_signed_in(struct sql_connection *connection, const char *user_id,
                                              int64_t chain_started_ms)
{
	struct sql_params user = {0};
	sql_param_text(&user, user_id);
	enum store_result result =
	    sql_fetch_one(connection, sql_for(connection, SQL_REFRESH_USER_LOCK), &user, NULL, NULL);
	if (result != STORE_OK)
		return result;
	struct sql_params stamp = {0};
	sql_param_text(&stamp, user_id);
	sql_param_int64(&stamp, chain_started_ms);
	result = sql_fetch_one(connection, SQL_REFRESH_REVOKED, &stamp, NULL, NULL);
	if (result == STORE_OK)
		return STORE_NOT_FOUND; /* revoked */
	return result == STORE_NOT_FOUND ? STORE_OK : result;
}

static enum store_result insert_token(struct sql_connection *connection, const struct refresh_token *token)
{
	struct sql_params params = {0};
	sql_param_text(&params, token->id);
	sql_param_text(&params, token->chain_id);
	sql_param_text(&params, token->user_id);
	sql_param_text_or_null(&params, token->client_id);
	sql_param_text(&params, token->secret_hash);
	sql_param_int64(&params, token->chain_started_ms);
	sql_param_int64(&params, token->issued_at);
	sql_param_int64(&params, token->expires_at);
	return sql_change(connection, SQL_REFRESH_INSERT, &params, false);
}

/* A sign-in's first token; the user's oldest sign-ins beyond REFRESH_CHAINS_PER_USER end with it, so
 * that signing in again and again cannot grow the table without bound. */
static enum store_result insert_checked(struct sql_connection *connection, const void *context)
{
	const struct refresh_token *token = context;
	enum store_result result = user_still_signed_in(connection, token->user_id, token->chain_started_ms);
	if (result == STORE_OK)
		result = insert_token(connection, token);
	if (result != STORE_OK)
		return result;
	struct sql_params params = {0};
	sql_param_text(&params, token->user_id);
	sql_param_int64(&params, REFRESH_CHAINS_PER_USER);
	return sql_change(connection, SQL_REFRESH_OLDEST_CHAINS, &params, false);
}

enum store_result shared_refresh_token_insert(struct store *store, const struct refresh_token *token)
{
	return sql_transaction(store, insert_checked, token);
}

enum store_result shared_refresh_token_get(struct store *store, const char *id, struct refresh_token *out)
{
	struct sql_params params = {0};
	sql_param_text(&params, id);
	return sql_get(store, SQL_REFRESH_GET, &params, read_refresh_token, out);
}

struct rotation {
	const char *used_id;
	int64_t used_at;
	const struct refresh_token *next;
};

/* The user first (the lock order of a user change), then the used token, then its successor. */
static enum store_result rotate(struct sql_connection *connection, const void *context)
{
	const struct rotation *rotation = context;
	enum store_result result =
	    user_still_signed_in(connection, rotation->next->user_id, rotation->next->chain_started_ms);
	if (result != STORE_OK)
		return result;
	struct sql_params use = {0};
	sql_param_text(&use, rotation->used_id);
	sql_param_int64(&use, rotation->used_at);
	result = sql_change(connection, SQL_REFRESH_USE, &use, true);
	if (result == STORE_NOT_FOUND) { /* used already, or gone */
		struct sql_params id = {0};
		sql_param_text(&id, rotation->used_id);
		result = sql_fetch_one(connection, SQL_REFRESH_EXISTS, &id, NULL, NULL);
		return result == STORE_OK ? STORE_CONFLICT : result;
	}
	return result == STORE_OK ? insert_token(connection, rotation->next) : result;
}

enum store_result shared_refresh_token_rotate(struct store *store, const char *used_id, int64_t used_at,
                                              const struct refresh_token *next)
{
	struct rotation rotation = {used_id, used_at, next};
	return sql_transaction(store, rotate, &rotation);
}

enum store_result shared_refresh_token_revoke_chain(struct store *store, const char *chain_id)
{
	struct sql_params params = {0};
	sql_param_text(&params, chain_id);
	return sql_write(store, SQL_REFRESH_REVOKE_CHAIN, &params, false);
}

enum store_result shared_refresh_token_prune(struct store *store, int64_t expired_before)
{
	struct sql_params params = {0};
	sql_param_int64(&params, expired_before);
	return sql_write(store, SQL_REFRESH_PRUNE, &params, false);
}

enum store_result shared_refresh_tokens_end_for_user(struct sql_connection *connection, const char *user_id)
{
	struct sql_params params = {0};
	sql_param_text(&params, user_id);
	return sql_change(connection, SQL_REFRESH_DELETE_USER, &params, false);
}
