/* PostgreSQL operations behind the token service: signing keys (the current one, retired ones
 * kept for verification, rotation in one transaction; a partial unique index admits one current
 * key) and the per-subject token revocation stamps every node polls. */
#include "store/postgres/pg_directory.h"

#include "util/timeutil.h"

/* ---- signing keys ---- */

static const char SQL_SIGNING_KEY_LIST[] =
    "SELECT kid, private_pem, coalesce(public_pem, ''), created_at, retired_at FROM signing_keys"
    " ORDER BY created_at DESC, kid DESC";
static const char SQL_SIGNING_KEY_CURRENT[] =
    "SELECT kid FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid DESC LIMIT 1";
static const char SQL_SIGNING_KEY_INSERT[] =
    "INSERT INTO signing_keys(kid, private_pem, public_pem, created_at) VALUES ($1, $2, $3, $4)";
static const char SQL_SIGNING_KEY_RETIRE[] =
    "UPDATE signing_keys SET retired_at = $1, private_pem = '', public_pem = coalesce(public_pem, $2)"
    " WHERE kid = $3 AND retired_at IS NULL";
static const char SQL_SIGNING_KEY_FORGET[] = "DELETE FROM signing_keys WHERE retired_at < $1";

struct signing_key_visit {
	signing_key_fn row;
	void *context;
};

static int visit_signing_key(void *context, const PGresult *result, int row)
{
	struct signing_key_visit *visit = context;
	struct signing_key_record key = {
	    .kid = PQgetvalue(result, row, 0),
	    .private_pem = PQgetvalue(result, row, 1),
	    .public_pem = PQgetvalue(result, row, 2),
	    .created_at = pg_int64_or_zero(result, row, 3),
	    .retired_at = pg_int64_or_zero(result, row, 4),
	};
	return visit->row(visit->context, &key);
}

static enum store_result signing_key_list(struct store *store, signing_key_fn row, void *context)
{
	struct signing_key_visit visit = {row, context};
	return pg_each(store, SQL_SIGNING_KEY_LIST, NULL, visit_signing_key, &visit);
}

struct kid_out {
	char *kid;
	size_t size;
};

static void read_kid(const PGresult *result, int row, void *out)
{
	struct kid_out *kid = out;
	pg_copy(result, row, 0, kid->kid, kid->size);
}

static enum store_result signing_key_current(struct store *store, char *kid, size_t kid_size)
{
	struct kid_out out = {kid, kid_size};
	return pg_get(store, SQL_SIGNING_KEY_CURRENT, NULL, read_kid, &out);
}

static void param_new_key(struct pg_params *params, const char *kid, const char *private_pem, const char *public_pem,
                          int64_t at)
{
	pg_param_text(params, kid);
	pg_param_text(params, private_pem);
	pg_param_text(params, public_pem);
	pg_param_int64(params, at);
}

static enum store_result signing_key_insert(struct store *store, const char *kid, const char *private_pem,
                                            const char *public_pem, int64_t at)
{
	struct pg_params params = {0};
	param_new_key(&params, kid, private_pem, public_pem, at);
	return pg_write(store, SQL_SIGNING_KEY_INSERT, &params, false);
}

struct rotation {
	const char *old_kid, *old_public_pem, *kid, *private_pem, *public_pem;
	int64_t at, forget_before;
};

static enum store_result rotate(struct pg_connection *connection, const void *context)
{
	const struct rotation *rotation = context;
	struct pg_params retire = {0};
	pg_param_int64(&retire, rotation->at);
	pg_param_text(&retire, rotation->old_public_pem);
	pg_param_text(&retire, rotation->old_kid);
	enum store_result result = pg_change(connection, SQL_SIGNING_KEY_RETIRE, &retire, true);
	if (result == STORE_NOT_FOUND)
		return STORE_CONFLICT; /* another rotation retired it first */
	struct pg_params insert = {0};
	param_new_key(&insert, rotation->kid, rotation->private_pem, rotation->public_pem, rotation->at);
	if (result == STORE_OK)
		result = pg_change(connection, SQL_SIGNING_KEY_INSERT, &insert, false);
	struct pg_params forget = {0};
	pg_param_int64(&forget, rotation->forget_before);
	if (result == STORE_OK)
		result = pg_change(connection, SQL_SIGNING_KEY_FORGET, &forget, false);
	return result;
}

static enum store_result signing_key_rotate(struct store *store, const char *old_kid, const char *old_public_pem,
                                            const char *kid, const char *private_pem, const char *public_pem,
                                            int64_t at, int64_t forget_before)
{
	struct rotation rotation = {old_kid, old_public_pem, kid, private_pem, public_pem, at, forget_before};
	return pg_transaction(store, rotate, &rotation);
}

/* ---- token revocations ---- */

static const char SQL_REVOCATION_WRITE[] =
    "INSERT INTO token_revocations(subject_id, valid_from_ms, changed_at_ms) VALUES ($1, $2, $3)"
    " ON CONFLICT (subject_id) DO UPDATE SET"
    " valid_from_ms = greatest(token_revocations.valid_from_ms, excluded.valid_from_ms),"
    " changed_at_ms = excluded.changed_at_ms";
static const char SQL_REVOCATION_LIST[] = "SELECT subject_id, valid_from_ms, changed_at_ms FROM token_revocations"
                                          " WHERE changed_at_ms > $1 ORDER BY changed_at_ms";
/* By changed_at_ms (indexed): a row written at C holds a stamp of at most C + 1. */
static const char SQL_REVOCATION_PRUNE[] = "DELETE FROM token_revocations WHERE changed_at_ms < $1";

enum store_result pg_token_revocation_write(struct pg_connection *connection, const char *subject_id,
                                            int64_t valid_from_ms)
{
	struct pg_params params = {0};
	pg_param_text(&params, subject_id);
	pg_param_int64(&params, valid_from_ms);
	pg_param_int64(&params, time_now_millis());
	return pg_change(connection, SQL_REVOCATION_WRITE, &params, false);
}

struct revocation_visit {
	token_revocation_fn row;
	void *context;
};

static int visit_revocation(void *context, const PGresult *result, int row)
{
	struct revocation_visit *visit = context;
	struct token_revocation revocation;
	pg_copy(result, row, 0, revocation.subject_id, sizeof(revocation.subject_id));
	revocation.valid_from_ms = pg_int64_or_zero(result, row, 1);
	revocation.changed_at_ms = pg_int64_or_zero(result, row, 2);
	return visit->row(visit->context, &revocation);
}

static enum store_result token_revocation_list(struct store *store, int64_t changed_after_ms, token_revocation_fn row,
                                               void *context)
{
	struct revocation_visit visit = {row, context};
	struct pg_params params = {0};
	pg_param_int64(&params, changed_after_ms);
	return pg_each(store, SQL_REVOCATION_LIST, &params, visit_revocation, &visit);
}

static enum store_result token_revocation_prune(struct store *store, int64_t changed_before_ms)
{
	struct pg_params params = {0};
	pg_param_int64(&params, changed_before_ms);
	return pg_write(store, SQL_REVOCATION_PRUNE, &params, false);
}

void pg_token_ops(struct store_ops *ops)
{
	ops->signing_key_list = signing_key_list;
	ops->signing_key_current = signing_key_current;
	ops->signing_key_insert = signing_key_insert;
	ops->signing_key_rotate = signing_key_rotate;
	ops->token_revocation_list = token_revocation_list;
	ops->token_revocation_prune = token_revocation_prune;
}
