/* PostgreSQL directory back end: signing keys here, and pg_directory_ops(), the one entry that
 * fills the operations of organisations, sites, users and clients (each in its own file). */
#include "store/postgres/pg_directory.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"

/* ---- signing keys ---- */

static const char SQL_SIGNING_KEY_NEWEST[] =
    "SELECT kid, private_pem FROM signing_keys ORDER BY created_at DESC, kid DESC LIMIT 1";
static const char SQL_SIGNING_KEY_INSERT[] =
    "INSERT INTO signing_keys(kid, private_pem, created_at) VALUES ($1, $2, $3)";

struct signing_key_row {
	char *kid;
	size_t kid_size;
	char *pem; /* malloc'd; NULL when out of memory */
};

static void read_signing_key(const PGresult *result, int row, void *out)
{
	struct signing_key_row *key = out;
	pg_copy(result, row, 0, key->kid, key->kid_size);
	key->pem = strdup(PQgetvalue(result, row, 1));
}

/* Hands back the newest key's PEM in *pem_out (malloc'd: the caller frees it). */
static enum store_result signing_key_get(struct store *store, char *kid, size_t kid_size, char **pem_out)
{
	*pem_out = NULL;
	struct signing_key_row key = {kid, kid_size, NULL};
	enum store_result result = pg_get(store, SQL_SIGNING_KEY_NEWEST, NULL, read_signing_key, &key);
	if (result == STORE_OK && key.pem == NULL) {
		log_error("postgres: signing key get: out of memory");
		return STORE_ERROR;
	}
	*pem_out = key.pem;
	return result;
}

static enum store_result signing_key_insert(struct store *store, const char *kid, const char *pem, int64_t at)
{
	struct pg_params params = {0};
	pg_param_text(&params, kid);
	pg_param_text(&params, pem);
	pg_param_int64(&params, at);
	return pg_write(store, SQL_SIGNING_KEY_INSERT, &params, false);
}

void pg_directory_ops(struct store_ops *ops)
{
	ops->signing_key_get = signing_key_get;
	ops->signing_key_insert = signing_key_insert;
	pg_organisation_ops(ops);
	pg_site_ops(ops);
	pg_user_ops(ops);
	pg_client_ops(ops);
}
