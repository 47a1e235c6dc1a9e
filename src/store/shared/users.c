/* Users and their granted sites. Emails are unique regardless of ASCII case (SQLite: a NOCASE
 * column; PostgreSQL: a unique index on lower(email COLLATE "C"), ASCII letters only, like NOCASE),
 * so users are looked up that way in each dialect; replacing a user's grants is one transaction that locks the
 * user's row, so two replacements never interleave. */
#include "store/shared/shared_ops.h"

#include <string.h>

#include "util/utf8.h"

#define USER_COLUMNS "id, organisation_id, email, role, password_hash, created_at"

static const char SQL_USER_INSERT[] = "INSERT INTO users(" USER_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6)";
static const char SQL_USER_GET[] = "SELECT " USER_COLUMNS " FROM users WHERE id = $1";
static const char *const SQL_USER_GET_BY_EMAIL[] =
    SQL_EACH_DIALECT("SELECT " USER_COLUMNS " FROM users WHERE email = $1 COLLATE NOCASE",
                     "SELECT " USER_COLUMNS " FROM users WHERE lower(email COLLATE \"C\") = lower($1 COLLATE \"C\")");
/* $1 organisation filter (NULL: any). */
static const char SQL_USER_LIST[] = "SELECT " USER_COLUMNS " FROM users"
                                    " WHERE (CAST($1 AS text) IS NULL OR organisation_id = $1) ORDER BY created_at, id";
static const char SQL_USER_UPDATE[] =
    "UPDATE users SET organisation_id = $1, email = $2, role = $3, password_hash = $4 WHERE id = $5";
static const char SQL_USER_DELETE[] = "DELETE FROM users WHERE id = $1";

/* Locks the user against a concurrent replacement of its grants (or its deletion). */
static const char *const SQL_USER_LOCK[] = SQL_LOCKING("SELECT 1 FROM users WHERE id = $1", " FOR NO KEY UPDATE");
static const char SQL_USER_SITES_CLEAR[] = "DELETE FROM user_sites WHERE user_id = $1";
/* $1 user, $2 site: the site exists and belongs to the user's organisation; the site is kept
 * from being deleted until the grant is written. */
static const char *const SQL_USER_SITE_GRANTABLE[] =
    SQL_LOCKING("SELECT 1 FROM sites s JOIN users u ON u.organisation_id = s.organisation_id"
                " WHERE u.id = $1 AND s.id = $2",
                " FOR KEY SHARE OF s");
static const char SQL_USER_SITE_INSERT[] =
    "INSERT INTO user_sites(user_id, site_id) VALUES ($1, $2) ON CONFLICT (user_id, site_id) DO NOTHING";
static const char SQL_USER_SITES_LIST[] = "SELECT site_id FROM user_sites WHERE user_id = $1 ORDER BY site_id";
static const char SQL_USER_SITE_GRANTED[] = "SELECT 1 FROM user_sites WHERE user_id = $1 AND site_id = $2";

static void read_user(const struct sql_row *row, void *out)
{
	struct user *user = out;
	char role[16];
	sql_text(row, 0, user->id, sizeof(user->id));
	sql_text(row, 1, user->organisation_id, sizeof(user->organisation_id));
	sql_text(row, 2, user->email, sizeof(user->email));
	sql_text(row, 3, role, sizeof(role));
	user->role = role_from_name(role);
	sql_text(row, 4, user->password_hash, sizeof(user->password_hash));
	user->created_at = sql_int64(row, 5);
}

/* Appends the columns that insert and update both write, in USER_COLUMNS order (id aside). */
static void param_user_fields(struct sql_params *params, const struct user *user)
{
	sql_param_text_or_null(params, user->organisation_id);
	sql_param_text(params, user->email);
	sql_param_text(params, role_name(user->role));
	sql_param_text(params, user->password_hash);
}

enum store_result shared_user_insert(struct store *store, const struct user *user)
{
	struct sql_params params = {0};
	sql_param_text(&params, user->id);
	param_user_fields(&params, user);
	sql_param_int64(&params, user->created_at);
	return sql_write(store, SQL_USER_INSERT, &params, false);
}

enum store_result shared_user_get(struct store *store, const char *id, struct user *out)
{
	struct sql_params params = {0};
	sql_param_text(&params, id);
	return sql_get(store, SQL_USER_GET, &params, read_user, out);
}

/* Text that is not well-formed UTF-8 (PostgreSQL refuses it as a parameter), or longer than any
 * stored email, matches no user: STORE_NOT_FOUND, as SQLite answers. */
enum store_result shared_user_get_by_email(struct store *store, const char *email, struct user *out)
{
	char checked[EMAIL_MAX + 1];
	size_t length = strnlen(email, EMAIL_MAX + 1);
	if (length > EMAIL_MAX || utf8_sanitize(email, checked, sizeof(checked)) != length ||
	    memcmp(checked, email, length) != 0)
		return STORE_NOT_FOUND;
	struct sql_params params = {0};
	sql_param_text(&params, email);
	return sql_get(store, SQL_USER_GET_BY_EMAIL[sql_dialect_of(store)], &params, read_user, out);
}

struct user_visit {
	user_row_fn row;
	void *context;
};

static int visit_user(void *context, const struct sql_row *row)
{
	struct user_visit *visit = context;
	struct user user;
	read_user(row, &user);
	return visit->row(visit->context, &user);
}

enum store_result shared_user_list(struct store *store, const char *organisation_id, user_row_fn row, void *context)
{
	struct user_visit visit = {row, context};
	struct sql_params params = {0};
	sql_param_text_or_null(&params, organisation_id);
	return sql_each(store, SQL_USER_LIST, &params, visit_user, &visit);
}

struct user_change {
	const struct user *user; /* the new row (update) */
	const char *id;          /* the user deleted (delete) */
	int64_t tokens_valid_from_ms;
};

static enum store_result update_user(struct sql_connection *connection, const void *context)
{
	const struct user_change *change = context;
	struct sql_params params = {0};
	param_user_fields(&params, change->user);
	sql_param_text(&params, change->user->id);
	enum store_result result = sql_change(connection, SQL_USER_UPDATE, &params, true);
	if (result == STORE_OK && change->tokens_valid_from_ms != 0)
		result = shared_token_revocation_write(connection, change->user->id, change->tokens_valid_from_ms);
	if (result == STORE_OK && change->tokens_valid_from_ms != 0)
		result = shared_refresh_tokens_end_for_user(connection, change->user->id);
	return result;
}

enum store_result shared_user_update(struct store *store, const struct user *user, int64_t tokens_valid_from_ms)
{
	struct user_change change = {user, NULL, tokens_valid_from_ms};
	if (tokens_valid_from_ms == 0) {
		struct sql_params params = {0};
		param_user_fields(&params, user);
		sql_param_text(&params, user->id);
		return sql_write(store, SQL_USER_UPDATE, &params, true);
	}
	return sql_transaction(store, update_user, &change);
}

/* Deleting the user deletes its grants and refresh tokens too (ON DELETE CASCADE). */
static enum store_result delete_user(struct sql_connection *connection, const void *context)
{
	const struct user_change *change = context;
	struct sql_params params = {0};
	sql_param_text(&params, change->id);
	enum store_result result = sql_change(connection, SQL_USER_DELETE, &params, true);
	if (result == STORE_OK && change->tokens_valid_from_ms != 0)
		result = shared_token_revocation_write(connection, change->id, change->tokens_valid_from_ms);
	return result;
}

enum store_result shared_user_delete(struct store *store, const char *id, int64_t tokens_valid_from_ms)
{
	struct user_change change = {NULL, id, tokens_valid_from_ms};
	return sql_transaction(store, delete_user, &change);
}

/* ---- granted sites ---- */

struct user_sites_input {
	const char *user_id;
	const char *const *site_ids;
	size_t count;
};

/* Fills params with the user id as $1 and a site id as $2. */
static void param_user_site(struct sql_params *params, const char *user_id, const char *site_id)
{
	sql_param_text(params, user_id);
	sql_param_text(params, site_id);
}

/* Inside the transaction: locks the user, then checks (and keeps) every site, then clears the old
 * grants and writes the new ones. Sites are locked before any grant row, in the order a site
 * delete takes them (site, then its grants), so the two never deadlock. */
static enum store_result replace_grants(struct sql_connection *connection, const void *context)
{
	const struct user_sites_input *input = context;
	struct sql_params params = {0};
	sql_param_text(&params, input->user_id);
	enum store_result result = sql_fetch_one(connection, sql_for(connection, SQL_USER_LOCK), &params, NULL, NULL);
	for (size_t i = 0; i < input->count && result == STORE_OK; i++) {
		struct sql_params pair = {0};
		param_user_site(&pair, input->user_id, input->site_ids[i]);
		result = sql_fetch_one(connection, sql_for(connection, SQL_USER_SITE_GRANTABLE), &pair, NULL, NULL);
	}
	if (result == STORE_OK)
		result = sql_change(connection, SQL_USER_SITES_CLEAR, &params, false);
	for (size_t i = 0; i < input->count && result == STORE_OK; i++) {
		struct sql_params pair = {0};
		param_user_site(&pair, input->user_id, input->site_ids[i]);
		result = sql_change(connection, SQL_USER_SITE_INSERT, &pair, false);
	}
	return result;
}

/* STORE_NOT_FOUND (and nothing changed) when the user or any site is unknown, or a site is not
 * of the user's organisation. Repeated ids are granted once. */
enum store_result shared_user_sites_set(struct store *store, const char *user_id, const char *const *site_ids,
                                        size_t count)
{
	struct user_sites_input input = {user_id, site_ids, count};
	return sql_transaction(store, replace_grants, &input);
}

struct site_id_visit {
	site_id_fn row;
	void *context;
};

static int visit_site_id(void *context, const struct sql_row *row)
{
	struct site_id_visit *visit = context;
	char site_id[UUID_BUFFER_SIZE];
	sql_text(row, 0, site_id, sizeof(site_id));
	return visit->row(visit->context, site_id);
}

/* Lists the granted site ids in id order (none for an unknown user). */
enum store_result shared_user_sites_list(struct store *store, const char *user_id, site_id_fn row, void *context)
{
	struct site_id_visit visit = {row, context};
	struct sql_params params = {0};
	sql_param_text(&params, user_id);
	return sql_each(store, SQL_USER_SITES_LIST, &params, visit_site_id, &visit);
}

enum store_result shared_user_site_granted(struct store *store, const char *user_id, const char *site_id)
{
	struct sql_params params = {0};
	param_user_site(&params, user_id, site_id);
	return sql_get(store, SQL_USER_SITE_GRANTED, &params, NULL, NULL);
}
