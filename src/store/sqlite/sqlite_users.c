/* SQLite operations on users and their granted sites. Emails are unique regardless of ASCII
 * case (the column collates NOCASE); replacing a user's grants is one write transaction. */
#include "store/sqlite/sqlite_directory.h"

#define USER_COLUMNS "id, organisation_id, email, role, password_hash, created_at"

static const char SQL_USER_INSERT[] = "INSERT INTO users(" USER_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_USER_GET[] = "SELECT " USER_COLUMNS " FROM users WHERE id = ?";
static const char SQL_USER_GET_BY_EMAIL[] = "SELECT " USER_COLUMNS " FROM users WHERE email = ? COLLATE NOCASE";
/* ?1 organisation filter (NULL: any). */
static const char SQL_USER_LIST[] =
    "SELECT " USER_COLUMNS " FROM users WHERE (?1 IS NULL OR organisation_id = ?1) ORDER BY created_at, id";
static const char SQL_USER_UPDATE[] =
    "UPDATE users SET organisation_id = ?, email = ?, role = ?, password_hash = ? WHERE id = ?";
static const char SQL_USER_DELETE[] = "DELETE FROM users WHERE id = ?";

static const char SQL_USER_EXISTS[] = "SELECT 1 FROM users WHERE id = ?";
static const char SQL_USER_SITES_CLEAR[] = "DELETE FROM user_sites WHERE user_id = ?";
/* ?1 user, ?2 site: the site exists and belongs to the user's organisation. */
static const char SQL_USER_SITE_GRANTABLE[] =
    "SELECT 1 FROM sites s JOIN users u ON u.organisation_id = s.organisation_id WHERE u.id = ?1 AND s.id = ?2";
static const char SQL_USER_SITE_INSERT[] = "INSERT OR IGNORE INTO user_sites(user_id, site_id) VALUES (?, ?)";
static const char SQL_USER_SITES_LIST[] = "SELECT site_id FROM user_sites WHERE user_id = ? ORDER BY site_id";
static const char SQL_USER_SITE_GRANTED[] = "SELECT 1 FROM user_sites WHERE user_id = ? AND site_id = ?";

static void read_user(sqlite3_stmt *statement, void *out)
{
	struct user *user = out;
	char role[16];
	sqlite_column_copy(statement, 0, user->id, sizeof(user->id));
	sqlite_column_copy(statement, 1, user->organisation_id, sizeof(user->organisation_id));
	sqlite_column_copy(statement, 2, user->email, sizeof(user->email));
	sqlite_column_copy(statement, 3, role, sizeof(role));
	user->role = role_from_name(role);
	sqlite_column_copy(statement, 4, user->password_hash, sizeof(user->password_hash));
	user->created_at = sqlite_column_int64_or_zero(statement, 5);
}

static enum store_result user_insert(struct store *store, const struct user *user)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_USER_INSERT);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		if ((sqlite_bind_text(statement, 1, user->id) |
		     sqlite_bind_text_or_null(statement, 2, user->organisation_id) |
		     sqlite_bind_text(statement, 3, user->email) |
		     sqlite_bind_text(statement, 4, role_name(user->role)) |
		     sqlite_bind_text(statement, 5, user->password_hash) |
		     sqlite3_bind_int64(statement, 6, user->created_at)) != SQLITE_OK)
			result = sqlite_bind_failure(connection, "user insert");
		else
			result = sqlite_run(connection, statement, "user insert");
	}
	sqlite_release(store, connection);
	return result;
}

/* Fetches the one user matched by sql with key bound as parameter 1. */
static enum store_result user_fetch(struct store *store, const char *sql, const char *key, struct user *out,
                                    const char *context)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, sql);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		if (sqlite_bind_text(statement, 1, key) != SQLITE_OK)
			result = sqlite_bind_failure(connection, context);
		else
			result = sqlite_fetch_one(connection, statement, read_user, out, context);
	}
	sqlite_release(store, connection);
	return result;
}

static enum store_result user_get(struct store *store, const char *id, struct user *out)
{
	return user_fetch(store, SQL_USER_GET, id, out, "user get");
}

static enum store_result user_get_by_email(struct store *store, const char *email, struct user *out)
{
	return user_fetch(store, SQL_USER_GET_BY_EMAIL, email, out, "user get by email");
}

struct user_visit {
	user_row_fn row;
	void *context;
};

static int visit_user(sqlite3_stmt *statement, void *context)
{
	struct user_visit *visit = context;
	struct user user;
	read_user(statement, &user);
	return visit->row(visit->context, &user);
}

static enum store_result user_list(struct store *store, const char *organisation_id, user_row_fn row, void *context)
{
	struct user_visit visit = {row, context};
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_USER_LIST);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		if (sqlite_bind_text_or_null(statement, 1, organisation_id) != SQLITE_OK)
			result = sqlite_bind_failure(connection, "user list");
		else
			result = sqlite_fetch_each(connection, statement, visit_user, &visit, "user list");
	}
	sqlite_release(store, connection);
	return result;
}

struct user_change {
	const struct user *user; /* the new row (update) */
	const char *id;          /* the user deleted (delete) */
	int64_t tokens_valid_from_ms;
};

static enum store_result update_user(struct sqlite_connection *connection, const void *context)
{
	const struct user_change *change = context;
	const struct user *user = change->user;
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_USER_UPDATE);
	if (statement == NULL)
		return STORE_ERROR;
	if ((sqlite_bind_text_or_null(statement, 1, user->organisation_id) | sqlite_bind_text(statement, 2, user->email) |
	     sqlite_bind_text(statement, 3, role_name(user->role)) | sqlite_bind_text(statement, 4, user->password_hash) |
	     sqlite_bind_text(statement, 5, user->id)) != SQLITE_OK)
		return sqlite_bind_failure(connection, "user update");
	enum store_result result = sqlite_run_changing(connection, statement, "user update");
	if (result == STORE_OK && change->tokens_valid_from_ms != 0)
		result = sqlite_token_revocation_write(connection, user->id, change->tokens_valid_from_ms);
	return result;
}

static enum store_result user_update(struct store *store, const struct user *user, int64_t tokens_valid_from_ms)
{
	struct user_change change = {user, NULL, tokens_valid_from_ms};
	return sqlite_transaction(store, update_user, &change);
}

/* Deleting the user deletes its grants too (ON DELETE CASCADE). */
static enum store_result delete_user(struct sqlite_connection *connection, const void *context)
{
	const struct user_change *change = context;
	enum store_result result = sqlite_run_with_id(connection, SQL_USER_DELETE, change->id, true, "user delete");
	if (result == STORE_OK && change->tokens_valid_from_ms != 0)
		result = sqlite_token_revocation_write(connection, change->id, change->tokens_valid_from_ms);
	return result;
}

static enum store_result user_delete(struct store *store, const char *id, int64_t tokens_valid_from_ms)
{
	struct user_change change = {NULL, id, tokens_valid_from_ms};
	return sqlite_transaction(store, delete_user, &change);
}

/* ---- granted sites ---- */

struct user_sites_input {
	const char *user_id;
	const char *const *site_ids;
	size_t count;
};

/* The statement for sql with the user id bound as parameter 1 and a site id as parameter 2; NULL (logged) on failure.
 */
static sqlite3_stmt *bind_user_site(struct sqlite_connection *connection, const char *sql, const char *user_id,
                                    const char *site_id)
{
	sqlite3_stmt *statement = sqlite_statement(connection, sql);
	if (statement == NULL)
		return NULL;
	if ((sqlite_bind_text(statement, 1, user_id) | sqlite_bind_text(statement, 2, site_id)) != SQLITE_OK) {
		(void)sqlite_bind_failure(connection, "user site");
		return NULL;
	}
	return statement;
}

/* Grants one site inside the transaction; STORE_NOT_FOUND unless it is of the user's organisation. */
static enum store_result grant_site(struct sqlite_connection *connection, const char *user_id, const char *site_id)
{
	sqlite3_stmt *check = bind_user_site(connection, SQL_USER_SITE_GRANTABLE, user_id, site_id);
	if (check == NULL)
		return STORE_ERROR;
	enum store_result result = sqlite_fetch_one(connection, check, NULL, NULL, "user sites check");
	if (result != STORE_OK)
		return result;
	sqlite3_stmt *insert = bind_user_site(connection, SQL_USER_SITE_INSERT, user_id, site_id);
	if (insert == NULL)
		return STORE_ERROR;
	return sqlite_run(connection, insert, "user sites insert");
}

static enum store_result replace_grants(struct sqlite_connection *connection, const void *context)
{
	const struct user_sites_input *input = context;
	sqlite3_stmt *exists = sqlite_statement(connection, SQL_USER_EXISTS);
	if (exists == NULL)
		return STORE_ERROR;
	if (sqlite_bind_text(exists, 1, input->user_id) != SQLITE_OK)
		return sqlite_bind_failure(connection, "user sites set");
	enum store_result result = sqlite_fetch_one(connection, exists, NULL, NULL, "user sites user");
	if (result != STORE_OK)
		return result;
	result = sqlite_run_with_id(connection, SQL_USER_SITES_CLEAR, input->user_id, false, "user sites clear");
	for (size_t i = 0; i < input->count && result == STORE_OK; i++)
		result = grant_site(connection, input->user_id, input->site_ids[i]);
	return result;
}

/* STORE_NOT_FOUND (and nothing changed) when the user or any site is unknown, or a site is not
 * of the user's organisation. Repeated ids are granted once. */
static enum store_result user_sites_set(struct store *store, const char *user_id, const char *const *site_ids,
                                        size_t count)
{
	struct user_sites_input input = {user_id, site_ids, count};
	return sqlite_transaction(store, replace_grants, &input);
}

struct site_id_visit {
	site_id_fn row;
	void *context;
};

static int visit_site_id(sqlite3_stmt *statement, void *context)
{
	struct site_id_visit *visit = context;
	char site_id[UUID_BUFFER_SIZE];
	sqlite_column_copy(statement, 0, site_id, sizeof(site_id));
	return visit->row(visit->context, site_id);
}

/* Lists the granted site ids in id order (none for an unknown user). */
static enum store_result user_sites_list(struct store *store, const char *user_id, site_id_fn row, void *context)
{
	struct site_id_visit visit = {row, context};
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_USER_SITES_LIST);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		if (sqlite_bind_text(statement, 1, user_id) != SQLITE_OK)
			result = sqlite_bind_failure(connection, "user sites list");
		else
			result = sqlite_fetch_each(connection, statement, visit_site_id, &visit, "user sites list");
	}
	sqlite_release(store, connection);
	return result;
}

static enum store_result user_site_granted(struct store *store, const char *user_id, const char *site_id)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = bind_user_site(connection, SQL_USER_SITE_GRANTED, user_id, site_id);
	enum store_result result = STORE_ERROR;
	if (statement != NULL)
		result = sqlite_fetch_one(connection, statement, NULL, NULL, "user site granted");
	sqlite_release(store, connection);
	return result;
}

void sqlite_user_ops(struct store_ops *ops)
{
	ops->user_insert = user_insert;
	ops->user_get = user_get;
	ops->user_get_by_email = user_get_by_email;
	ops->user_list = user_list;
	ops->user_update = user_update;
	ops->user_delete = user_delete;
	ops->user_sites_set = user_sites_set;
	ops->user_sites_list = user_sites_list;
	ops->user_site_granted = user_site_granted;
}
