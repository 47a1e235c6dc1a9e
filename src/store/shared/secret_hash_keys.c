/* Keys of the keyed hashes of generated secrets (auth/secret_keys.c): listed once at start, and
 * the first one inserted by whichever node starts first (a unique index admits one current key,
 * so a racing insert fails with STORE_CONFLICT and its node reads the winner's key). */
#include "store/shared/shared_ops.h"

static const char SQL_SECRET_HASH_KEY_LIST[] = "SELECT id, key_text, created_at, retired_at FROM secret_hash_keys"
                                               " ORDER BY CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END,"
                                               " created_at DESC, id DESC";
static const char SQL_SECRET_HASH_KEY_INSERT[] =
    "INSERT INTO secret_hash_keys(id, key_text, created_at) VALUES ($1, $2, $3)";

struct secret_hash_key_visit {
	secret_hash_key_fn row;
	void *context;
};

static int visit_secret_hash_key(void *context, const struct sql_row *row)
{
	struct secret_hash_key_visit *visit = context;
	struct secret_hash_key_record key = {
	    .id = sql_text_view(row, 0),
	    .key_text = sql_text_view(row, 1),
	    .created_at = sql_int64(row, 2),
	    .retired_at = sql_int64(row, 3),
	};
	return visit->row(visit->context, &key);
}

enum store_result shared_secret_hash_key_list(struct store *store, secret_hash_key_fn row, void *context)
{
	struct secret_hash_key_visit visit = {row, context};
	return sql_each(store, SQL_SECRET_HASH_KEY_LIST, NULL, visit_secret_hash_key, &visit);
}

enum store_result shared_secret_hash_key_insert(struct store *store, const char *id, const char *key_text, int64_t at)
{
	struct sql_params params = {0};
	sql_param_text(&params, id);
	sql_param_text(&params, key_text);
	sql_param_int64(&params, at);
	return sql_write(store, SQL_SECRET_HASH_KEY_INSERT, &params, false);
}
