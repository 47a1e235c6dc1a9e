/* Operations behind the token service: signing keys (the current one, retired ones
 * kept for verification, rotation in one transaction; a partial unique index admits one current
 * key) and the per-subject token revocation stamps every node polls. */
#include "store/shared/shared_ops.h"

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

static int visit_signing_key(void *context, const struct sql_row *row)
{
	struct signing_key_visit *visit = context;
	struct signing_key_record key = {
	    .kid = sql_text_view(row, 0),
	    .private_pem = sql_text_view(row, 1),
	    .public_pem = sql_text_view(row, 2),
	    .created_at = sql_int64(row, 3),
	    .retired_at = sql_int64(row, 4),
	};
	return visit->row(visit->context, &key);
}

enum store_result shared_signing_key_list(struct store *store, signing_key_fn row, void *context)
{
	struct signing_key_visit visit = {row, context};
	return sql_each(store, SQL_SIGNING_KEY_LIST, NULL, visit_signing_key, &visit);
}

struct kid_out {
	char *kid;
	size_t size;
};

static void read_kid(const struct sql_row *row, void *out)
{
	struct kid_out *kid = out;
	sql_text(row, 0, kid->kid, kid->size);
}

enum store_result shared_signing_key_current(struct store *store, char *kid, size_t kid_size)
{
	struct kid_out out = {kid, kid_size};
	return sql_get(store, SQL_SIGNING_KEY_CURRENT, NULL, read_kid, &out);
}

static void param_new_key(struct sql_params *params, const char *kid, const char *private_pem, const char *public_pem,
                          int64_t at)
{
	sql_param_text(params, kid);
	sql_param_text(params, private_pem);
	sql_param_text(params, public_pem);
	sql_param_int64(params, at);
}

enum store_result shared_signing_key_insert(struct store *store, const char *kid, const char *private_pem,
                                            const char *public_pem, int64_t at)
{
	struct sql_params params = {0};
	param_new_key(&params, kid, private_pem, public_pem, at);
	return sql_write(store, SQL_SIGNING_KEY_INSERT, &params, false);
}

struct rotation {
	const char *old_kid, *old_public_pem, *kid, *private_pem, *public_pem;
	int64_t at, forget_before;
};

static enum store_result rotate(struct sql_connection *connection, const void *context)
{
	const struct rotation *rotation = context;
	struct sql_params retire = {0};
	sql_param_int64(&retire, rotation->at);
	sql_param_text(&retire, rotation->old_public_pem);
	sql_param_text(&retire, rotation->old_kid);
	enum store_result result = sql_change(connection, SQL_SIGNING_KEY_RETIRE, &retire, true);
	if (result == STORE_NOT_FOUND)
		return STORE_CONFLICT; /* another rotation retired it first */
	struct sql_params insert = {0};
	param_new_key(&insert, rotation->kid, rotation->private_pem, rotation->public_pem, rotation->at);
	if (result == STORE_OK)
		result = sql_change(connection, SQL_SIGNING_KEY_INSERT, &insert, false);
	struct sql_params forget = {0};
	sql_param_int64(&forget, rotation->forget_before);
	if (result == STORE_OK)
		result = sql_change(connection, SQL_SIGNING_KEY_FORGET, &forget, false);
	return result;
}

enum store_result shared_signing_key_rotate(struct store *store, const char *old_kid, const char *old_public_pem,
                                            const char *kid, const char *private_pem, const char *public_pem,
                                            int64_t at, int64_t forget_before)
{
	struct rotation rotation = {old_kid, old_public_pem, kid, private_pem, public_pem, at, forget_before};
	return sql_transaction(store, rotate, &rotation);
}

/* ---- token revocations ---- */

static const char SQL_REVOCATION_WRITE[] =
    "INSERT INTO token_revocations(subject_id, valid_from_ms, changed_at_ms) VALUES ($1, $2, $3)"
    " ON CONFLICT (subject_id) DO UPDATE SET"
    " valid_from_ms = CASE WHEN excluded.valid_from_ms > token_revocations.valid_from_ms"
    " THEN excluded.valid_from_ms ELSE token_revocations.valid_from_ms END,"
    " changed_at_ms = excluded.changed_at_ms";
static const char SQL_REVOCATION_LIST[] = "SELECT subject_id, valid_from_ms, changed_at_ms FROM token_revocations"
                                          " WHERE changed_at_ms > $1 ORDER BY changed_at_ms";
static const char SQL_REVOCATION_GET[] = "SELECT valid_from_ms FROM token_revocations WHERE subject_id = $1";
/* By changed_at_ms (indexed): a row written at C holds a stamp of at most C + 1. */
static const char SQL_REVOCATION_PRUNE[] = "DELETE FROM token_revocations WHERE changed_at_ms < $1";

enum store_result shared_token_revocation_write(struct sql_connection *connection, const char *subject_id,
                                                int64_t valid_from_ms)
{
	struct sql_params params = {0};
	sql_param_text(&params, subject_id);
	sql_param_int64(&params, valid_from_ms);
	sql_param_int64(&params, time_now_millis());
	return sql_change(connection, SQL_REVOCATION_WRITE, &params, false);
}

struct revocation_visit {
	token_revocation_fn row;
	void *context;
};

static int visit_revocation(void *context, const struct sql_row *row)
{
	struct revocation_visit *visit = context;
	struct token_revocation revocation;
	sql_text(row, 0, revocation.subject_id, sizeof(revocation.subject_id));
	revocation.valid_from_ms = sql_int64(row, 1);
	revocation.changed_at_ms = sql_int64(row, 2);
	return visit->row(visit->context, &revocation);
}

enum store_result shared_token_revocation_list(struct store *store, int64_t changed_after_ms, token_revocation_fn row,
                                               void *context)
{
	struct revocation_visit visit = {row, context};
	struct sql_params params = {0};
	sql_param_int64(&params, changed_after_ms);
	return sql_each(store, SQL_REVOCATION_LIST, &params, visit_revocation, &visit);
}

static void read_valid_from(const struct sql_row *row, void *out)
{
	*(int64_t *)out = sql_int64(row, 0);
}

enum store_result shared_token_revocation_get(struct store *store, const char *subject_id, int64_t *valid_from_ms)
{
	struct sql_params params = {0};
	sql_param_text(&params, subject_id);
	*valid_from_ms = 0;
	return sql_get(store, SQL_REVOCATION_GET, &params, read_valid_from, valid_from_ms);
}

enum store_result shared_token_revocation_prune(struct store *store, int64_t changed_before_ms)
{
	struct sql_params params = {0};
	sql_param_int64(&params, changed_before_ms);
	return sql_write(store, SQL_REVOCATION_PRUNE, &params, false);
}
